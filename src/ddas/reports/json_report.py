"""The machine-readable report: `ValidationResult.to_dict` as indented JSON, one object per file.

One file gives one object and several give an array, so a script validating one file does not have to unwrap
a list. Findings are masked when they are made (`ddas.validation.findings.Finding`) and go out as they are;
everything else in the report — file name, period, supplier code, the leveringen summary — is delivered or
given text that did not pass through a finding, and is masked here (`scrub_tree`) before serialisation.
"""

from __future__ import annotations

import gc
from typing import Any

import orjson

from ddas.privacy import mask_text, mask_value
from ddas.validation.findings import Lang
from ddas.validation.result import ValidationResult

__all__ = ["render_json", "scrub_tree"]

#: Keys whose integers are counts the validator made, not delivered data, and are never masked.
_COUNT_KEYS = frozenset(
    {"errors", "warnings", "index", "trajecten", "vroegsignalen", "zaken", "gemeentecodes"}
)


def scrub_tree(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON-like tree with BSNs masked in strings, keys and delivered numbers (`ddas.privacy`)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value if key in _COUNT_KEYS and isinstance(value, int) else mask_value(value)
    if isinstance(value, dict):
        return {
            mask_text(str(k)): scrub_tree(v, key if key in _COUNT_KEYS else str(k)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub_tree(v, key) for v in value]
    return mask_text(str(value))


def _report(result: ValidationResult, lang: Lang) -> dict[str, Any]:
    """One file's report: the header masked here, the findings as they are (masked when they were made)."""
    out: dict[str, Any] = scrub_tree(result.head_dict())
    out["findings"] = [f.to_dict(lang) for f in result.findings]
    return out


def render_json(results: list[ValidationResult], *, lang: Lang = "nl") -> bytes:
    """Indented UTF-8 JSON without a final newline (the caller ends the line): one object, or an array."""
    # Hundreds of thousands of small dicts without cycles: the cyclic collector would walk them (and all the
    # findings) again and again while they are built, and find nothing to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        dicts = [_report(r, lang) for r in results]
        payload: Any = dicts[0] if len(dicts) == 1 else dicts
        return orjson.dumps(payload, option=orjson.OPT_INDENT_2)
    finally:
        if collecting:
            gc.enable()
