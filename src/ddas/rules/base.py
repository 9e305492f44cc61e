"""The machinery every rule module uses: targets, the check registry, the context and safe accessors.

A check is a small function registered for one kind of object (`Target`) and one or both exchange models.
It receives the raw JSON object (a `dict` as parsed — the rule layer runs on documents that may have failed
the schema, so every accessor tolerates wrong types and returns None instead of raising), the path of that
object as a tuple, the `Context` and an `Emitter`. Checks never do I/O.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ddas.spec.kinds import Kind
from ddas.validation.findings import MISSING, Finding, PathParts, RuleDef, new_finding

__all__ = [
    "CHECKS",
    "CheckFn",
    "Context",
    "Emitter",
    "Target",
    "as_date",
    "as_dict",
    "as_int",
    "as_list",
    "as_str",
    "check",
    "checks_for",
    "filled",
    "iter_dicts",
]


class Target(enum.StrEnum):
    """What a check looks at.

    DOCUMENT: the top-level object (path `()`), before any levering.
    LEVERING: a levering (path `("leveringen", i)`), called after its items. In streaming mode its item lists
      are absent: levering checks must not read the items; item checks leave what a levering check needs in
      `ctx.lev_state`.
    TRAJECT: an SHV schuldhulptraject; VROEGSIGNAAL / ZAAK: a VS vroegsignaal / vroegsignaalzaak.
    END_LEVERING / END_DOCUMENT: called with `obj=None` once a levering / the document is done, for rules that
      compare records (duplicates, overlaps, references).
    """

    DOCUMENT = "document"
    LEVERING = "levering"
    TRAJECT = "traject"
    VROEGSIGNAAL = "vroegsignaal"
    ZAAK = "zaak"
    END_LEVERING = "end_levering"
    END_DOCUMENT = "end_document"


class Emitter:
    """Collects findings; a check calls `emit(rule, path, value, **params)`."""

    __slots__ = ("findings",)

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def emit(self, rule: RuleDef, path: PathParts, value: Any = MISSING, **params: Any) -> None:
        # `Finding.at` without its second packing of the parameters: a delivery can give a finding per schuld.
        self.findings.append(new_finding(rule, path, value, params))


@dataclass(slots=True)
class Context:
    """What a check may know beyond its own object.

    `period_start`/`period_end` come from startdatumLevering/einddatumLevering, `delivered_on` is the date of
    aanleverdatumEnTijd (None when absent or malformed). `today` is the reference for "in the future".
    `levering` is the current levering (in streaming mode without its item lists), `org` its
    aanleverende_organisatie (a dict or None). `doc_state` lives for the whole document, `lev_state` is emptied
    at every new levering: rules keep their accumulators there, under a key named after the rule module.
    `gemeenten` is an optional reference list: code → (first valid day, last valid day or None).
    """

    kind: Kind
    today: dt.date = field(default_factory=dt.date.today)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    delivered_on: dt.date | None = None
    levering_index: int = -1
    levering: dict[str, Any] | None = None
    org: dict[str, Any] | None = None
    doc_state: dict[str, Any] = field(default_factory=dict)
    lev_state: dict[str, Any] = field(default_factory=dict)
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None

    def begin_document(self, document: Any) -> None:
        doc = as_dict(document) or {}
        self.period_start = as_date(doc.get("startdatumLevering"))
        self.period_end = as_date(doc.get("einddatumLevering"))
        self.delivered_on = as_datetime_date(doc.get("aanleverdatumEnTijd"))
        self.doc_state.clear()

    def begin_levering(self, index: int, levering: Any) -> None:
        self.levering_index = index
        self.levering = as_dict(levering)
        self.org = as_dict(self.levering.get("aanleverende_organisatie")) if self.levering else None
        self.lev_state.clear()

    @property
    def reference_date(self) -> dt.date:
        """The day ages are computed on: the end of the reporting period, else today."""
        return self.period_end or self.today


CheckFn = Callable[[Any, PathParts, Context, Emitter], None]

#: Registered checks per (kind, target), in registration order.
CHECKS: dict[tuple[Kind, Target], list[CheckFn]] = {}


def check(target: Target, *kinds: Kind) -> Callable[[CheckFn], CheckFn]:
    """Register a check for a target and one or more kinds (no kinds: both)."""
    applies = kinds or tuple(Kind)

    def register(fn: CheckFn) -> CheckFn:
        for kind in applies:
            CHECKS.setdefault((kind, target), []).append(fn)
        return fn

    return register


def checks_for(kind: Kind, target: Target) -> tuple[CheckFn, ...]:
    return tuple(CHECKS.get((kind, target), ()))


# --- safe accessors: wrong types give None, never an exception ------------------------------------------


def as_dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    """An integer amount; booleans are not amounts."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_date(value: Any) -> dt.date | None:
    """A `YYYY-MM-DD` string as a date; anything else (the schema layer reports it) as None."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_datetime_date(value: Any) -> dt.date | None:
    """The calendar date of an RFC 3339 date-time (its local date as written)."""
    if isinstance(value, str) and len(value) >= 10:
        return as_date(value[:10])
    return None


def filled(value: Any) -> bool:
    """Present and not empty: the sense of "filled" used by completeness and identity rules."""
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


def iter_dicts(value: Any) -> Iterable[tuple[int, dict[str, Any]]]:
    """The (index, object) pairs of a list, skipping what is not an object."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item
