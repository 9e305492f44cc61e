"""Findings: what the validator reports, with stable codes, severities, JSON Pointers and masked values."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CATALOGUE",
    "MISSING",
    "Finding",
    "Lang",
    "PathParts",
    "RuleDef",
    "Severity",
    "define",
    "mask_bsn",
    "pointer",
    "scrub",
]

Lang = Literal["nl", "en"]
PathParts = tuple[str | int, ...]


class Severity(enum.StrEnum):
    """`error`: the delivery is not usable as is; `warning`: usable but suspect."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class RuleDef:
    """One entry of the rule catalogue.

    `nl` and `en` are `str.format` templates filled with the finding's params; `fix` tells a supplier, in
    Dutch, what to change in the source registration (the op-orde-rapport prints it).
    """

    code: str
    severity: Severity
    spec: str
    nl: str
    en: str
    fix: str
    layer: Literal["json", "schema", "rule"] = "rule"

    def message(self, lang: Lang, params: Mapping[str, Any]) -> str:
        template = self.nl if lang == "nl" else self.en
        try:
            text = template.format_map(_Defaulting(params))
        except (IndexError, ValueError, AttributeError):
            text = template
        return scrub(text)


class _Defaulting(dict[str, Any]):
    """Leaves an unknown placeholder visible instead of failing on it."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


#: Every rule ddas knows, by code. Filled by `define` when the rule modules are imported.
CATALOGUE: dict[str, RuleDef] = {}


def define(
    code: str,
    severity: Severity,
    spec: str,
    *,
    nl: str,
    en: str,
    fix: str,
    layer: Literal["json", "schema", "rule"] = "rule",
) -> RuleDef:
    """Register a rule in the catalogue; codes are unique and stable."""
    if code in CATALOGUE:
        raise ValueError(f"rule code {code} defined twice")
    rule = RuleDef(code, severity, spec, nl, en, fix, layer)
    CATALOGUE[code] = rule
    return rule


_BSN_RUN = re.compile(r"(?<!\d)\d{9}(?!\d)")


def mask_bsn(value: str) -> str:
    """`123456782` → `*****6782`: enough to find the record, not enough to identify the person."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def scrub(text: str) -> str:
    """Mask every run of exactly nine digits: a BSN never leaves the validator in clear."""
    return _BSN_RUN.sub(lambda m: mask_bsn(m.group(0)), text)


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 JSON Pointer for a path given as parts (`()` is the whole document: "")."""
    return "".join("/" + _escape(p) for p in parts)


_SCALARS = (str, int, float, bool, type(None))


def _safe_value(path: PathParts, value: Any) -> Any:
    """The offending value as shown in reports: scalars only (objects are summarised), BSNs masked."""
    if not isinstance(value, _SCALARS):
        if isinstance(value, dict):
            return "{…}"
        if isinstance(value, list):
            return "[…]"
        return type(value).__name__
    if path and path[-1] == "Burgerservicenummer" and value is not None:
        return mask_bsn(str(value))
    if isinstance(value, str):
        if len(value) > 200:
            value = value[:200] + "…"
        return scrub(value)
    return value


#: Marks "no offending value to show" (distinct from a JSON null).
MISSING: Any = object()


@dataclass(slots=True)
class Finding:
    """One thing wrong with a delivery, where it is, and what was found there."""

    rule: RuleDef
    path: str
    value: Any = None
    has_value: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def at(cls, rule: RuleDef, parts: PathParts, value: Any = MISSING, **params: Any) -> Finding:
        if value is MISSING:
            return cls(rule, pointer(parts), None, False, params)
        return cls(rule, pointer(parts), _safe_value(parts, value), True, params)

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def message(self, lang: Lang = "nl") -> str:
        """The message in a language; `{value}` in a template is the (masked) offending value."""
        if self.has_value and "value" not in self.params:
            return self.rule.message(lang, {"value": self.value, **self.params})
        return self.rule.message(lang, self.params)

    def to_dict(self, lang: Lang = "nl") -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.rule.code,
            "severity": self.rule.severity.value,
            "rule": self.rule.spec,
            "path": self.path,
            "message": self.message(lang),
        }
        if self.has_value:
            out["value"] = self.value
        return out
