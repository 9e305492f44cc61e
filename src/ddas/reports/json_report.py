"""The machine-readable report: `ValidationResult.to_dict` as indented JSON, one object per file.

One file gives one object and several give an array, so a script validating one file does not have to unwrap
a list. The tree is scrubbed once more before serialisation: a BSN never leaves the validator in clear, even
when a producer forgot to mask a value.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ddas.validation.findings import Lang, mask_bsn, scrub
from ddas.validation.result import ValidationResult

__all__ = ["render_json", "scrub_tree"]

_NINE_DIGITS = re.compile(r"-?\d{9}")
#: Keys whose integers are counts the validator made, not delivered data, and are never masked.
_COUNT_KEYS = frozenset(
    {"errors", "warnings", "index", "trajecten", "vroegsignalen", "zaken", "gemeentecodes"}
)


def scrub_tree(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON-like tree with nine-digit runs masked in strings, keys and delivered integers."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if key not in _COUNT_KEYS and _NINE_DIGITS.fullmatch(str(value)):
            return mask_bsn(str(value))
        return value
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_tree(v, key if key in _COUNT_KEYS else str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(v, key) for v in value]
    return scrub(str(value))


def render_json(results: list[ValidationResult], *, lang: Lang = "nl") -> bytes:
    """Indented UTF-8 JSON without a final newline (the caller ends the line): one object, or an array."""
    dicts = [scrub_tree(r.to_dict(lang)) for r in results]
    payload: Any = dicts[0] if len(dicts) == 1 else dicts
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2)
