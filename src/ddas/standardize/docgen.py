"""The dictionary as Markdown tables, generated into ``docs/standaardisatie.md`` so the two never drift.

The document holds the generated part between two marker lines; everything outside them is written by hand.
Regenerate after changing the dictionary with ``python -m ddas.standardize.docgen docs/standaardisatie.md``;
a test fails while the document and the dictionary differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS

__all__ = ["BEGIN", "END", "generated_part", "render_dictionary", "update_document"]

BEGIN = "<!-- BEGIN woordenboek: gegenereerd door `python -m ddas.standardize.docgen`, niet met de hand wijzigen -->"
END = "<!-- END woordenboek -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _spellings(variants: tuple[str, ...]) -> str:
    return ", ".join(f"`{_cell(variant)}`" for variant in variants)


def render_dictionary() -> str:
    """The Markdown of the generated part: per field its values, recognised spellings and deliberate gaps."""
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
