"""Findings: what the validator reports, with stable codes, severities, JSON Pointers and masked values.

A finding is masked when it is made, however it is made (`Finding(...)`, `Finding.at`, a rule's `emit`): its
path, its value and its message parameters pass once through `ddas.privacy.mask_finding`, so every report, log
line and API answer built from findings can show them as they are, without searching them again. Messages are
filled in from the masked parameters; only a template that could join two parameters (or a parameter and
digits of its own) into something BSN-shaped is scrubbed once more after filling in (see `_template_plan`).
"""

from __future__ import annotations

import enum
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ddas.privacy import mask_bsn, mask_finding, mask_text, mask_value, plain_parts

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
    "new_finding",
    "pointer",
    "scrub",
]

Lang = Literal["nl", "en"]
PathParts = tuple[str | int, ...]

#: Mask every BSN in a text (`ddas.privacy.mask_text`): the name the rest of ddas knows it by.
scrub = mask_text


class Severity(enum.StrEnum):
    """`error`: the delivery is not usable as is; `warning`: usable but suspect."""

    ERROR = "error"
    WARNING = "warning"


_SEPARATORS = frozenset(" \u00a0.-")


def _digits_go_on(text: str, field_beyond: bool) -> bool:
    """Whether a run of digits could go on from a placeholder into `text` (read away from the placeholder)."""
    if not text:
        return field_beyond
    if text[0].isdigit():
        return True
    if text[0] in _SEPARATORS:
        return field_beyond if len(text) == 1 else text[1].isdigit()
    return False


def _template_plan(template: str) -> tuple[bool, bool]:
    """(uses `{value}`, must be scrubbed after filling in) for a message template.

    Filled in from masked parameters, a message can only hold a BSN when the template lets a parameter touch
    another parameter or digits of the template's own text (`{a} {b}`, `{a}782`), or formats a parameter in a
    way of its own (`{n:09d}`, `{x!r}`, `{d.year}`). Such templates are scrubbed after filling in; the
    others, nearly all, need not be.
    """
    try:
        tokens = list(string.Formatter().parse(template))
    except ValueError:
        return True, True
    uses_value = scrub_after = False
    for i, (before, name, spec, conversion) in enumerate(tokens):
        if name is None:
            continue
        if name == "value":
            uses_value = True
        if spec or conversion or not name.isidentifier():
            scrub_after = True
        after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        field_after = i + 1 < len(tokens) and tokens[i + 1][1] is not None
        if _digits_go_on(before[::-1], i > 0) or _digits_go_on(after, field_after):
            scrub_after = True
    return uses_value, scrub_after


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
    #: Per language: the template, whether it uses `{value}`, whether a filled-in message is scrubbed again.
    _form_nl: tuple[str, bool, bool] = field(init=False, repr=False, compare=False, default=("", True, True))
    _form_en: tuple[str, bool, bool] = field(init=False, repr=False, compare=False, default=("", True, True))
    #: `severity.value`, read once: an enum's `.value` is a Python-level descriptor, slow per finding.
    _severity: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "_severity", Severity(self.severity).value)
        object.__setattr__(self, "_form_nl", (self.nl, *_template_plan(self.nl)))
        object.__setattr__(self, "_form_en", (self.en, *_template_plan(self.en)))

    def message(self, lang: Lang, params: Mapping[str, Any]) -> str:
        """The message with `params` filled in (masked here: they may come straight from a delivery)."""
        return self.render(lang, {key: mask_value(v) for key, v in params.items()})

    def render(
        self, lang: Lang, params: Mapping[str, Any], value: Any = None, has_value: bool = False
    ) -> str:
        """The message from parameters that are already masked (a finding's); `value` fills `{value}`."""
        template, uses_value, scrub_after = self._form_nl if lang == "nl" else self._form_en
        if uses_value and has_value and "value" not in params:
            params = {"value": value, **params}
        try:
            text = template.format_map(params)
        except KeyError:
            text = self._lenient(template, params)
        except (IndexError, ValueError, AttributeError, TypeError):
            text = template
        return mask_text(text, remember=False) if scrub_after else text

    @staticmethod
    def _lenient(template: str, params: Mapping[str, Any]) -> str:
        try:
            return template.format_map(_Defaulting(params))
        except (IndexError, ValueError, AttributeError, TypeError):
            return template


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


#: `"/%s/%s"` and so on: a pointer of n plain parts in one C-level formatting step.
_MAX_PLAIN_PARTS = 32
_POINTER_FORMATS = tuple("/%s" * n for n in range(_MAX_PLAIN_PARTS))


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 JSON Pointer for a path given as parts (`()` is the whole document: "")."""
    if isinstance(parts, tuple) and len(parts) < _MAX_PLAIN_PARTS:
        text: str = _POINTER_FORMATS[len(parts)] % parts
        # Exact unless a part holds "~" or "/" (which must be escaped): then the count of "/" is off.
        if "~" not in text and text.count("/") == len(parts):
            return text
    return "".join("/" + _escape(p) for p in parts)


#: Marks "no offending value to show" (distinct from a JSON null).
MISSING: Any = object()


@dataclass(slots=True, init=False)
class Finding:
    """One thing wrong with a delivery, where it is, and what was found there.

    Masked on construction, whoever constructs it: the path, the value and every parameter pass through
    `ddas.privacy` here, once, so a report or log built from findings never has to search them again.
    """

    rule: RuleDef
    path: str
    value: Any
    has_value: bool
    params: Mapping[str, Any]

    def __init__(
        self,
        rule: RuleDef,
        path: str,
        value: Any = None,
        has_value: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.path, self.value, self.params = mask_finding(
            path if path.__class__ is str else str(path), value, {} if params is None else params
        )
        self.rule = rule
        self.has_value = has_value

    @classmethod
    def at(cls, rule: RuleDef, parts: PathParts, value: Any = MISSING, **params: Any) -> Finding:
        """A finding at a path given as parts; `value` omitted means there is no offending value to show."""
        return new_finding(rule, parts, value, params)

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def message(self, lang: Lang = "nl") -> str:
        """The message in a language; `{value}` in a template is the (masked) offending value."""
        return self.rule.render(lang, self.params, self.value, self.has_value)

    def to_dict(self, lang: Lang = "nl") -> dict[str, Any]:
        """The finding in the JSON report (stable English keys); `value` only when there is one to show."""
        rule = self.rule
        template, uses_value, scrub_after = rule._form_nl if lang == "nl" else rule._form_en
        message: str | None = None
        if not (uses_value or scrub_after):
            # `RuleDef.render` in short for the usual template (no `{value}`, nothing to scrub again): the
            # JSON report of a messy delivery renders a message per schuld.
            try:
                message = template.format_map(self.params)
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                message = None  # the careful way below
        if message is None:
            message = rule.render(lang, self.params, self.value, self.has_value)
        if self.has_value:
            return {
                "code": rule.code,
                "severity": rule._severity,
                "rule": rule.spec,
                "path": self.path,
                "message": message,
                "value": self.value,
            }
        return {
            "code": rule.code,
            "severity": rule._severity,
            "rule": rule.spec,
            "path": self.path,
            "message": message,
        }


_new = object.__new__


def new_finding(rule: RuleDef, parts: PathParts, value: Any, params: Mapping[str, Any]) -> Finding:
    """`Finding.at` with the parameters as a mapping (the rules' `Emitter` passes its own, unpacked once).

    Masked as `Finding.__init__` masks, with one shortcut: a pointer joined from parts that `plain_parts`
    passes needs no escaping and no look for a BSN.
    """
    if parts.__class__ is not tuple:
        parts = tuple(parts)
    has_value = value is not MISSING
    n = len(parts)
    if n < _MAX_PLAIN_PARTS and plain_parts(parts):
        path, shown, params = mask_finding(
            _POINTER_FORMATS[n] % parts, value if has_value else None, params, plain_path=True
        )
    else:
        path, shown, params = mask_finding(pointer(parts), value if has_value else None, params)
    finding: Finding = _new(Finding)
    finding.rule = rule
    finding.path = path
    finding.value = shown
    finding.has_value = has_value
    finding.params = params
    return finding
