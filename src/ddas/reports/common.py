"""What the text and HTML reports share: labels in both languages, verdicts, and safe display of values.

Findings are masked when they are made; everything else a report shows (file name, supplier code, the
leveringen summary) passes through `safe_text` or `display_value`, which mask by the same rule
(`ddas.privacy`). The text and HTML reports also scrub their finished output: they show a few examples per
rule, so that last pass is cheap.
"""

from __future__ import annotations

from typing import Any

from ddas.privacy import mask_text, mask_value
from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, Lang
from ddas.validation.result import ValidationResult

__all__ = [
    "count_phrase",
    "describe_path",
    "display_value",
    "format_int",
    "format_size",
    "kind_label",
    "label",
    "message_differs",
    "more_phrase",
    "safe_text",
    "summary_line",
    "verdict",
]

_LABELS: dict[str, tuple[str, str]] = {
    "error": ("fout", "error"),
    "errors": ("fouten", "errors"),
    "warning": ("waarschuwing", "warning"),
    "warnings": ("waarschuwingen", "warnings"),
    "ERROR": ("FOUT", "ERROR"),
    "WARNING": ("WAARSCHUWING", "WARNING"),
    "fit": ("geschikt voor CBS", "fit for CBS"),
    "unfit": ("niet geschikt voor CBS", "not fit for CBS"),
    "schema_ok": ("voldoet aan het uitwisselmodel", "conforms to the exchange model"),
    "schema_bad": ("voldoet niet aan het uitwisselmodel", "does not conform to the exchange model"),
    "schema": ("Schema", "Schema"),
    "period": ("Periode", "Period"),
    "until": ("t/m", "to"),
    "delivered_at": ("Aangeleverd", "Delivered"),
    "supplier": ("Leverancier", "Supplier"),
    "unknown_kind": ("onbekend uitwisselmodel", "unknown exchange model"),
    "no_findings": ("Geen bevindingen.", "No findings."),
    "more": ("… en nog {n} andere plaatsen", "… and {n} more places"),
    "more_one": ("… en nog 1 andere plaats", "… and 1 more place"),
    "whole_file": ("het hele bestand", "the whole file"),
    "total": ("Totaal", "Total"),
    "files": ("bestanden", "files"),
    "streamed": ("gestreamd", "streamed"),
}


def label(key: str, lang: Lang) -> str:
    nl, en = _LABELS[key]
    return nl if lang == "nl" else en


_KIND_NAMES: dict[Kind, tuple[str, str]] = {
    Kind.SHV: ("Schuldhulpverlening", "Debt assistance"),
    Kind.VS: ("Vroegsignalering", "Early warning"),
}


def kind_label(kind: Kind | None, version: str | None, lang: Lang, *, long: bool = False) -> str:
    """`SHV 1.0`, or `Schuldhulpverlening (SHV) 1.0` for people who do not know the abbreviation."""
    if kind is None:
        return label("unknown_kind", lang)
    short = kind.value.upper()
    text = f"{_KIND_NAMES[kind][0 if lang == 'nl' else 1]} ({short})" if long else short
    return f"{text} {version}" if version else text


def count_phrase(n: int, singular: str, plural: str, lang: Lang) -> str:
    """`1 fout`, `3 fouten`; Dutch numbers get a dot as thousands separator."""
    return f"{format_int(n, lang)} {singular if n == 1 else plural}"


def format_int(n: int, lang: Lang) -> str:
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "nl" else text


def format_size(size: int, lang: Lang) -> str:
    """Bytes as people read them: `812 B`, `12,3 kB`, `48,0 MB` (decimal units, Dutch decimal comma)."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    text = f"{value:.1f} {unit}"
    return text.replace(".", ",") if lang == "nl" else text


def more_phrase(rest: int, lang: Lang) -> str:
    """`… en nog 3 andere plaatsen`: the examples a report left out."""
    if rest == 1:
        return label("more_one", lang)
    return label("more", lang).format(n=format_int(rest, lang))


def _shape(finding: Finding, lang: Lang) -> str:
    message = finding.message(lang)
    if (
        finding.has_value
        and isinstance(finding.value, str | int | float)
        and not isinstance(finding.value, bool)
    ):
        value = str(finding.value)
        if value:
            message = message.replace(value, "\x00")
    return message


def message_differs(first: Finding, other: Finding, lang: Lang) -> bool:
    """Whether an example's message says more than the group's first message plus the example's own value.

    Most messages quote the offending value, which the example already shows; repeating such a message per
    example is noise, while a message that differs in another parameter (a second date, a count) is news.
    """
    return _shape(first, lang) != _shape(other, lang)


def verdict(result: ValidationResult, lang: Lang) -> str:
    """The one-phrase outcome: fit for CBS means no errors (warnings are allowed)."""
    return label("fit" if result.valid else "unfit", lang)


def summary_line(result: ValidationResult, lang: Lang) -> str:
    """`3 fouten, 12 waarschuwingen — niet geschikt voor CBS`."""
    errors = count_phrase(result.errors, label("error", lang), label("errors", lang), lang)
    warnings = count_phrase(result.warnings, label("warning", lang), label("warnings", lang), lang)
    return f"{errors}, {warnings} — {verdict(result, lang)}"


def safe_text(value: Any) -> str:
    """Any value as text with every BSN masked, in strings and numbers alike (`ddas.privacy`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return mask_text(value)
    shown = mask_value(value)
    return shown if isinstance(shown, str) else mask_text(str(shown))


def display_value(value: Any) -> str:
    """An offending value as shown to a person: strings quoted (so an empty string is visible), JSON words."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + mask_text(value) + '"'
    return safe_text(value)


#: List names in a JSON Pointer → the singular noun used in a readable location (nl, en).
_ITEM_NOUNS: dict[str, tuple[str, str]] = {
    "leveringen": ("levering", "delivery"),
    "schuldhulptrajecten": ("traject", "traject"),
    "client": ("cliënt", "client"),
    "schulden": ("schuld", "debt"),
    "begeleiding": ("begeleiding", "guidance"),
    "crisisinterventies": ("crisisinterventie", "crisis intervention"),
    "moratoria": ("moratorium", "moratorium"),
    "voorlopigeVoorzieningen": ("voorlopige voorziening", "provisional measure"),
    "contactpersonen": ("contactpersoon", "contact person"),
    "contactpersoonen": ("contactpersoon", "contact person"),
    "vroegsignalen": ("vroegsignaal", "signal"),
    "vroegsignaalzaken": ("zaak", "case"),
    "contactpogingen": ("contactpoging", "contact attempt"),
}


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def describe_path(pointer: str, lang: Lang) -> str:
    """A JSON Pointer as a location a person can find: `/leveringen/0/schuldhulptrajecten/3/client/0/Postcode`
    → `levering 1 › traject 4 › cliënt 1 › Postcode` (positions counted from 1, as people count)."""
    if not pointer:
        return label("whole_file", lang)
    parts = [_unescape(p) for p in pointer.split("/")[1:]]
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if nxt is not None and nxt.isdigit():
            nouns = _ITEM_NOUNS.get(part)
            noun = (nouns[0] if lang == "nl" else nouns[1]) if nouns else part
            out.append(f"{noun} {int(nxt) + 1}")
            i += 2
            continue
        out.append(part)
        i += 1
    return mask_text(" › ".join(out))
