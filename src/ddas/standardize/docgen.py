"""The dictionary and the recognition rules as Markdown, generated into ``docs/standaardisatie.md`` so the
document and the data never drift.

The document holds the generated part between two marker lines; everything outside them is written by hand.
Regenerate after changing the dictionary with ``python -m ddas.standardize.docgen docs/standaardisatie.md``;
a test fails while the document and the dictionary differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS
from ddas.standardize.rules import (
    ABBREVIATIONS,
    CONCEPTS,
    GENERIC_HEADS,
    NEGATION_SKIPS,
    NEGATORS,
    NEUTRAL,
    RULES,
    STOPWORDS,
    SURFACE_ONLY,
    Rule,
)

__all__ = ["BEGIN", "END", "generated_part", "render_dictionary", "update_document"]

BEGIN = "<!-- BEGIN woordenboek: gegenereerd door `python -m ddas.standardize.docgen`, niet met de hand wijzigen -->"
END = "<!-- END woordenboek -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _spellings(variants: tuple[str, ...]) -> str:
    return ", ".join(f"`{_cell(variant)}`" for variant in variants)


def _slot(text: str) -> str:
    return f"**{text}**" if text.startswith("@") else f"`{_cell(text)}`"


def _rule_row(rule: Rule) -> str:
    needs = " én ".join(_slot(slot) for slot in rule.slots)
    unless = ", ".join(_slot(slot) for slot in rule.unless) or "—"
    if rule.target is None:
        candidates = ", ".join(f"`{_cell(c)}`" for c in rule.candidates) or "—"
        target = f"ter beoordeling (kandidaten: {candidates}): {_cell(rule.reason)}"
    else:
        target = f"`{_cell(rule.target)}`"
    first = " (gaat voor)" if rule.priority else ""
    return f"| {needs} | {unless} | {target}{first} |"


def _render_rules(name: str) -> list[str]:
    """The recognition rules of one field: rules, concepts, neutral phrases and abbreviations."""
    out: list[str] = []
    rules = RULES.get(name, ())
    concepts = CONCEPTS.get(name, {})
    if rules:
        out.append("Herkenning aan woorden (naast de spellingen hierboven, die ook als woorden tellen):")
        out.append("")
        out.append("| De waarde bevat | Tenzij ook | Betekent |")
        out.append("| --- | --- | --- |")
        out.extend(_rule_row(rule) for rule in rules)
        out.append("")
    if concepts:
        out.append("| Begrip | Een van deze woorden of woordgroepen |")
        out.append("| --- | --- |")
        for concept, phrases in concepts.items():
            out.append(f"| **@{concept}** | {_spellings(phrases)} |")
        out.append("")
    neutral = NEUTRAL.get(name, ())
    if neutral:
        out.append(
            f"Zeggen niets over {name} (tellen niet mee, ook niet met een ontkenning): {_spellings(neutral)}."
        )
        out.append("")
    abbreviations = ABBREVIATIONS.get(name, {})
    if abbreviations:
        shown = ", ".join(f"`{short}` = `{long}`" for short, long in abbreviations.items())
        out.append(f"Afkortingen in dit veld: {shown}.")
        out.append("")
    return out


def _render_common() -> list[str]:
    """What holds for every field: abbreviations, stop words, negation and compounds."""
    abbreviations = ", ".join(f"`{short}` = `{long}`" for short, long in ABBREVIATIONS.get("*", {}).items())
    return [
        "### Voor alle velden",
        "",
        f"Afkortingen: {abbreviations}.",
        "",
        f"Woorden die niets betekenen (stopwoorden, worden overgeslagen): {_words(STOPWORDS)}. Getallen en "
        "rangtelwoorden ('2e', '3de') tellen ook niet mee, behalve 0.",
        "",
        f"Ontkenningen: {_words(NEGATORS)} horen bij het volgende woord (of het vorige, als er geen volgt); "
        f"daarbij worden {_words(NEGATION_SKIPS)} overgeslagen. `zonder` hoort ook bij het volgende woord.",
        "",
        f"Alleen in precies deze vorm vergeleken (geen stam): {_words(SURFACE_ONLY)}.",
        "",
        f"Laatste delen van een samenstelling die niets toevoegen: {_words(GENERIC_HEADS)}.",
        "",
    ]


def _words(words: frozenset[str]) -> str:
    return ", ".join(f"`{word}`" for word in sorted(words))


def render_dictionary() -> str:
    """The Markdown of the generated part: per field its values, recognised spellings and deliberate gaps,
    then the recognition rules; last what holds for all fields."""
    out: list[str] = []
    for name, info in FIELDS.items():
        out.append(f"### {name}")
        out.append("")
        out.append(f"Veld: {info.used_in}. Lijst: `{info.enum}`.")
        out.append("")
        if info.note:
            out.append(info.note)
            out.append("")
        out.append("| Standaardwaarde | Herkende spellingen |")
        out.append("| --- | --- |")
        table = DICTIONARY.get(name, {})
        for value in info.values:
            variants = table.get(value, ())
            out.append(f"| `{_cell(value)}` | {_spellings(variants) if variants else '—'} |")
        out.append("")
        ambiguous = AMBIGUOUS.get(name, ())
        if ambiguous:
            out.append("Bewust niet vertaald (gaat altijd ter beoordeling):")
            out.append("")
            out.append("| Spelling | Kandidaten | Waarom |")
            out.append("| --- | --- | --- |")
            for entry in ambiguous:
                candidates = ", ".join(f"`{_cell(c)}`" for c in entry.candidates) or "—"
                out.append(f"| `{_cell(entry.variant)}` | {candidates} | {_cell(entry.reason)} |")
            out.append("")
        out.extend(_render_rules(name))
    out.extend(_render_common())
    return "\n".join(out).rstrip("\n") + "\n"


def update_document(path: Path) -> bool:
    """Replace the generated part of ``path``; True when the file changed. Raises ValueError without markers."""
    text = path.read_text(encoding="utf-8")
    start = text.find(BEGIN)
    end = text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{path} mist de markeringen van het gegenereerde deel ({BEGIN!r} … {END!r})")
    new = text[: start + len(BEGIN)] + "\n\n" + render_dictionary() + "\n" + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def generated_part(text: str) -> str | None:
    """The generated part of a document's text (between the markers), or None without markers."""
    start = text.find(BEGIN)
    end = text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(BEGIN) : end].strip("\n") + "\n"


if __name__ == "__main__":
    for argument in sys.argv[1:] or ["docs/standaardisatie.md"]:
        changed = update_document(Path(argument))
        print(f"{argument}: {'bijgewerkt' if changed else 'ongewijzigd'}")
