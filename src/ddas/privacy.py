"""BSN masking: the one place that decides what looks like a BSN and how it is shown.

A BSN never leaves ddas in clear (SPEC §4, DESIGN.md): not in a report, a log line, an error or an API
problem. Every module that shows delivered data masks it with the helpers here: one rule, one mask.

The rule — what counts as a BSN wherever it appears in text:

- a run of exactly nine digits (`123456782`), not part of a longer run of digits; a tenth digit makes it
  something else (an IBAN's account number, a phone number with country code) and it is left alone;
- nine digits in the groupings people write a BSN in, with one and the same separator (space, no-break space,
  dot or hyphen) between the groups: 3-3-3 (`123 456 782`, `123.456.782`, `123-456-782`) and 4-2-3
  (`1234.56.782`, as printed on Dutch identity documents) — provided the grouping does not go on with a
  further digit (`123 456 782 12` is a longer number);
- as a JSON number: an integer of nine digits (`123456782`, also negative), and a number whose written form
  holds such a run (`123456782.0`).

Dates (`2025-01-01`, `01-01-2025`, eight digits), times, postcodes, KvK numbers (eight digits), amounts below
a hundred million and other grouped numbers (`06 1234 5678`, `NL91 ABNA 0417 1643 00`) do not match. What
does match is masked even when it is not a BSN (a nine-digit amount, a VAT number's digits): showing
`*****6789` instead of a harmless number is the price of never showing a BSN. An eight-digit number (a BSN
whose leading zero an export dropped) is not masked, except in a `Burgerservicenummer` field, where any value
is masked whatever its form (`ddas.validation.findings`).

The mask keeps the last four digits (`*****6782`), enough to find the record in the source registration and
not enough to identify the person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BSN_FIELD",
    "BSN_TEXT",
    "mask_bsn",
    "mask_finding",
    "mask_mapping",
    "mask_text",
    "mask_value",
    "plain_parts",
    "shown_value",
    "text_may_hold_bsn",
]

_SEPARATORS = " \u00a0.\\-"
#: A BSN as it can appear in text (see the module docstring); group 1 or 2 is the separator of a grouped form.
BSN_TEXT = re.compile(
    r"(?<!\d)\d{9}(?!\d)"
    rf"|(?<!\d)(?<!\d[{_SEPARATORS}])"
    rf"(?:\d{{3}}([{_SEPARATORS}])\d{{3}}\1\d{{3}}|\d{{4}}([{_SEPARATORS}])\d{{2}}\2\d{{3}})"
    rf"(?![{_SEPARATORS}]?\d)"
)

# A cheap test that rules most text out before the regular expression runs (which costs microseconds on
# text of a hundred characters): ASCII text is mapped to character classes — d for a digit, s for a
# separator, x for anything else — in C; fewer than nine digits rule it out, else the three shapes are looked
# for as plain substrings.
_CLASSES = bytes(
    ord("d") if chr(b).isdigit() else ord("s") if chr(b) in " .-" else ord("x") for b in range(256)
)
_SHAPES = (b"ddddddddd", b"dddsdddsddd", b"ddddsddsddd")

#: Text and integers already found to hold no BSN (values and parameters repeat: creditor names, dates, codes,
#: counts). Only clean values and short text are remembered, so no BSN and no whole report is kept here; the
#: set is emptied when full. (An object equal to a remembered one — 12.0 to 12 — is as clean as it.)
_CLEAN: set[object] = set()
_CLEAN_MAX = 1 << 16
_CLEAN_LONGEST = 200


def mask_bsn(value: str) -> str:
    """`123456782` → `*****6782`: enough to find the record, not enough to identify the person."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.lastindex is None:
        return mask_bsn(text)
    return mask_bsn("".join(c for c in text if c.isdigit()))


def text_may_hold_bsn(text: str) -> bool:
    """False when `text` certainly holds nothing `BSN_TEXT` matches (cheap); True means: look closer."""
    if len(text) < 9:
        return False
    if not text.isascii():
        return True  # digits of other scripts match \\d too; let the expression decide
    classes = text.encode("ascii").translate(_CLASSES)
    if classes.count(b"d") < 9:
        return False
    return _SHAPES[0] in classes or _SHAPES[1] in classes or _SHAPES[2] in classes


def mask_text(text: str, *, remember: bool = True) -> str:
    """`text` with every BSN masked (the same object when there was none).

    `remember=False` for text that will not come again (a JSON Pointer), so it does not crowd the memo.
    """
    if len(text) < 9 or text in _CLEAN:
        return text
    if text_may_hold_bsn(text):
        masked = BSN_TEXT.sub(_mask_match, text)
        if masked != text:
            return masked
    if remember and len(text) <= _CLEAN_LONGEST:
        if len(_CLEAN) >= _CLEAN_MAX:
            _CLEAN.clear()
        _CLEAN.add(text)
    return text


def mask_value(value: Any) -> Any:
    """A delivered value as it may be shown: the value itself when it cannot be a BSN, else masked text.

    Strings are masked as text; an integer of nine digits becomes its mask; a float whose written form holds a
    BSN (`123456782.0`) and any other object whose text does (a list of BSNs) become their masked text. Other
    values keep their type, so a count stays a number and a date a date.
    """
    cls = value.__class__
    if cls is str:
        if len(value) < 9 or value in _CLEAN:  # the common case, without a further call
            return value
        return mask_text(value)
    if cls is int:
        return mask_bsn(str(value)) if 100_000_000 <= abs(value) <= 999_999_999 else value
    if value is None or cls is bool:
        return value
    if isinstance(value, str):
        return mask_text(str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return mask_value(int(value))
    text = repr(value) if cls is float else str(value)
    masked = mask_text(text, remember=False)
    return value if masked is text else masked


def _remember(value: Any) -> None:
    if len(_CLEAN) >= _CLEAN_MAX:
        _CLEAN.clear()
    _CLEAN.add(value)


def mask_mapping(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """`values` with every value masked (`mask_value`); the same mapping when none needed it (usually)."""
    try:
        if _CLEAN.issuperset(values.values()):
            return values
    except TypeError:  # an unhashable value (a list): look at each
        pass
    for value in values.values():
        if value.__class__ is str and (len(value) < 9 or value in _CLEAN):
            continue
        if mask_value(value) is not value:
            return {key: mask_value(v) for key, v in values.items()}
        if value.__class__ is int or (value.__class__ is str and len(value) <= _CLEAN_LONGEST):
            _remember(value)
    return values


#: The field that holds a BSN in both exchange models: any value there is masked, whatever its form.
BSN_FIELD = "Burgerservicenummer"
_BSN_POINTER_END = "/" + BSN_FIELD


def shown_value(path: str, value: Any) -> Any:
    """A finding's offending value as shown: scalars only (objects are summarised), BSNs masked.

    `path` is the value's JSON Pointer: in a `Burgerservicenummer` field any value is masked whatever its
    form; elsewhere what this module takes for a BSN. Long text is cut after masking, so a cut never leaves
    part of a BSN in clear.
    """
    cls = value.__class__
    if cls is str:
        if path.endswith(_BSN_POINTER_END):
            return mask_bsn(value)
        masked = mask_text(value)
        return masked if len(masked) <= 200 else masked[:200] + "…"
    if value is None or cls is bool or cls is int or cls is float:
        if path.endswith(_BSN_POINTER_END) and value is not None:
            return mask_bsn(str(value))
        return mask_value(value)
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list | tuple):
        return "[…]"
    if isinstance(value, str):  # subclasses: a str enum member
        return shown_value(path, str(value))
    if isinstance(value, int):
        return shown_value(path, int(value))
    if isinstance(value, float):
        return shown_value(path, float(value))
    return type(value).__name__


#: JSON Pointer parts known to be safe: keys without a BSN, "~" or "/" (so they need no escaping and no
#: masking), and indices below a hundred million. Emptied when full, like `_CLEAN`.
_CLEAN_PARTS: set[object] = set()


def plain_parts(parts: tuple[Any, ...]) -> bool:
    """Whether the parts of a JSON Pointer can be joined as they are: no escaping, nothing to mask.

    A BSN cannot run from one part into the next (the `/` between them is no separator), so it is enough that
    no part holds one; in the usual case all parts were seen before and this is one C-level set operation.
    """
    try:
        if _CLEAN_PARTS.issuperset(parts):
            return True
    except TypeError:
        return False
    for part in parts:
        cls = part.__class__
        if cls is int:
            if not 0 <= part < 100_000_000:
                return False
        elif cls is not str or "~" in part or "/" in part or text_may_hold_bsn(part):
            return False
    if len(_CLEAN_PARTS) + len(parts) > _CLEAN_MAX:
        _CLEAN_PARTS.clear()
    _CLEAN_PARTS.update(parts)
    return True


def mask_finding(
    path: str, value: Any, params: Mapping[str, Any], *, plain_path: bool = False
) -> tuple[str, Any, Mapping[str, Any]]:
    """A finding's JSON Pointer, offending value and message parameters, masked (`ddas.validation.findings`).

    `plain_path`: the pointer was joined from parts `plain_parts` passed, and needs no look. Written out for
    speed: a messy delivery gives a finding per schuld, and in the usual case — parts, a value and parameters
    seen before — this is a handful of C-level steps.
    """
    if len(path) >= 9 and not plain_path:
        if not path.isascii():
            path = mask_text(path, remember=False)
        else:
            classes = path.encode("ascii").translate(_CLASSES)
            if classes.count(b"d") >= 9 and (
                _SHAPES[0] in classes or _SHAPES[1] in classes or _SHAPES[2] in classes
            ):
                path = BSN_TEXT.sub(_mask_match, path)
    if value is not None and not (
        value.__class__ is str and value in _CLEAN and not path.endswith(_BSN_POINTER_END)
    ):
        value = shown_value(path, value)
    if params:
        try:
            clean = _CLEAN.issuperset(params.values())
        except TypeError:
            clean = False
        if not clean:
            params = mask_mapping(params)
    return path, value, params
