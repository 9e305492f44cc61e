"""§4.7–4.8 (and §4.18 for the VS levering): gemeentecodes — form, reference list, one gemeente per levering.

A gemeentecode is the 4-digit CBS code, optionally written with the `GM` prefix (`GM0363` and `0363` name the
same gemeente, so every comparison uses the 4-digit form), or `Onbekend` in the exceptional case the FAQ
allows.
A file names few distinct codes but many trajecten, so each distinct code is judged once per document and the
verdict cached: a clean traject costs a dictionary look-up.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ddas.rules.base import Context, Emitter, Target, as_dict, check
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "GEMEENTECODE_INVALID",
    "GEMEENTECODE_NOT_IN_PERIOD",
    "GEMEENTECODE_ONBEKEND",
    "LEVERING_MIXED_GEMEENTEN",
    "ONBEKEND",
    "TRAJECT_OTHER_GEMEENTE",
    "normalise_gemeentecode",
]

GEMEENTECODE_INVALID = define(
    "GEMEENTECODE_INVALID",
    Severity.ERROR,
    "4.7",
    nl="Gemeentecode '{code}' is geen geldige code: verwacht 4 cijfers (bijv. 0363), GM met 4 cijfers "
    "(GM0363) of 'Onbekend'.",
    en="Gemeentecode '{code}' is not a valid code: expected 4 digits (e.g. 0363), GM with 4 digits (GM0363) "
    "or 'Onbekend'.",
    fix="Gebruik de viercijferige CBS-gemeentecode van de verantwoordelijke gemeente, eventueel met het "
    "voorvoegsel GM; vul nullen aan tot 4 cijfers (GM001 wordt GM0001).",
)

GEMEENTECODE_ONBEKEND = define(
    "GEMEENTECODE_ONBEKEND",
    Severity.WARNING,
    "4.7",
    nl="Gemeentecode is 'Onbekend': het traject kan niet aan een gemeente worden toegerekend.",
    en="Gemeentecode is 'Onbekend': the record cannot be attributed to a gemeente.",
    fix="Gebruik 'Onbekend' alleen in uitzonderingsgevallen; registreer de gemeente onder wier "
    "verantwoordelijkheid het traject loopt.",
)

GEMEENTECODE_NOT_IN_PERIOD = define(
    "GEMEENTECODE_NOT_IN_PERIOD",
    Severity.WARNING,
    "4.7",
    nl="Gemeentecode '{code}' {reden}.",
    en="Gemeentecode '{code}' {reason}.",
    fix="Controleer de gemeentecode; na een gemeentelijke herindeling geldt de code van de nieuwe gemeente.",
)

LEVERING_MIXED_GEMEENTEN = define(
    "LEVERING_MIXED_GEMEENTEN",
    Severity.WARNING,
    "4.8",
    nl="De levering bevat trajecten van meer dan één gemeente ({code} naast {eerste}).",
    en="The levering holds trajecten of more than one gemeente ({code} besides {eerste}).",
    fix="Lever per gemeente een aparte levering (teller 1, 2, 3 …) met alleen de trajecten van die gemeente.",
)

TRAJECT_OTHER_GEMEENTE = define(
    "TRAJECT_OTHER_GEMEENTE",
    Severity.WARNING,
    "4.8",
    nl="De aanleverende organisatie is gemeente {org}, maar dit traject noemt gemeente {code}.",
    en="The supplying organisation is gemeente {org}, but this traject names gemeente {code}.",
    fix="Een gemeente levert alleen haar eigen trajecten; controleer de gemeentecode van het traject of van "
    "de aanleverende organisatie.",
)

ONBEKEND = "Onbekend"

_STATE = "gemeenten"
_CODE = re.compile(r"(?:GM)?([0-9]{4})")

# Verdicts on a code's form.
_VALID, _UNKNOWN, _INVALID = 0, 1, 2


def normalise_gemeentecode(code: str) -> str:
    """The form codes are compared in: `GM0363` → `0363`; other text only loses a `GM` prefix and blanks."""
    code = code.strip()
    if code[:2].upper() == "GM":
        code = code[2:]
    return code


def _judge(code: str, ctx: Context) -> tuple[int, str, tuple[str, str] | None]:
    """(form verdict, comparison form, reason when the reference list disagrees: (nl, en) or None)."""
    if code == ONBEKEND:
        return _UNKNOWN, code, None
    m = _CODE.fullmatch(code)
    if m is None:
        return _INVALID, normalise_gemeentecode(code), None
    code4 = m.group(1)
    return _VALID, code4, _reference_reason(code4, ctx)


def _reference_reason(code4: str, ctx: Context) -> tuple[str, str] | None:
    """Why the reference list rejects a code for the reporting period; None if it accepts it or is absent."""
    ref = ctx.gemeenten
    if ref is None:
        return None
    span = ref.get(code4)
    if span is None:
        span = ref.get("GM" + code4)
    if span is None:
        return ("komt niet voor in de lijst van gemeenten", "does not occur in the list of gemeenten")
    begin, end = span
    start, stop = ctx.period_start, ctx.period_end
    if begin is not None and stop is not None and begin > stop:
        return (
            f"bestaat pas sinds {_d(begin)}, na de leveringsperiode",
            f"exists only since {_d(begin)}, after the reporting period",
        )
    if end is not None and start is not None and end < start:
        return (
            f"is per {_d(end)} opgeheven, vóór de leveringsperiode",
            f"was abolished on {_d(end)}, before the reporting period",
        )
    return None


def _d(day: dt.date) -> str:
    return day.isoformat()


def _verdict(code: str, ctx: Context) -> tuple[int, str, tuple[str, str] | None]:
    """`_judge`, cached per document (the reference list and the period are fixed within one)."""
    cache: dict[str, tuple[int, str, tuple[str, str] | None]] = ctx.doc_state.setdefault(_STATE, {})
    verdict = cache.get(code)
    if verdict is None:
        if len(cache) > 10_000:  # a pathological file full of distinct codes must not grow memory unbounded
            cache.clear()
        verdict = cache[code] = _judge(code, ctx)
    return verdict


def _report_code(code: str, where: PathParts, ctx: Context, out: Emitter) -> int:
    """GEMEENTECODE_INVALID / _ONBEKEND / _NOT_IN_PERIOD for one code; returns the form verdict."""
    form, _, reason = _verdict(code, ctx)
    if form == _INVALID:
        out.emit(GEMEENTECODE_INVALID, where, code, code=code)
    elif form == _UNKNOWN:
        out.emit(GEMEENTECODE_ONBEKEND, where, code)
    elif reason is not None:
        out.emit(GEMEENTECODE_NOT_IN_PERIOD, where, code, code=code, reden=reason[0], reason=reason[1])
    return form


@check(Target.TRAJECT, Kind.SHV)
def traject_gemeente(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.7 on the traject's code; §4.8 against the levering's first code and the organisation's own code."""
    if traject.__class__ is not dict:
        return
    code = traject.get("gemeentecode")
    if code.__class__ is not str:
        return  # missing or mistyped: the schema layer reports it
    cache = ctx.doc_state.get(_STATE)
    verdict = cache.get(code) if cache is not None else None
    form, norm, reason = verdict if verdict is not None else _verdict(code, ctx)
    if form != _VALID or reason is not None:
        _report_code(code, (*path, "gemeentecode"), ctx, out)
    if form == _UNKNOWN or not norm:
        return

    lev: dict[str, Any] = ctx.lev_state.get(_STATE) or _levering_state(ctx)
    first = lev["first"]
    if first is None:
        lev["first"] = norm
        lev["first_raw"] = code
    elif norm != first and not lev["mixed"]:
        lev["mixed"] = True
        out.emit(LEVERING_MIXED_GEMEENTEN, (*path, "gemeentecode"), code, code=code, eerste=lev["first_raw"])
    org_norm = lev["org"]
    if org_norm is not None and norm != org_norm:
        out.emit(TRAJECT_OTHER_GEMEENTE, (*path, "gemeentecode"), code, code=code, org=lev["org_raw"])


def _levering_state(ctx: Context) -> dict[str, Any]:
    """What the traject checks of one levering share: its first code and the organisation's own code."""
    org_code = (ctx.org or {}).get("gemeentecode")
    org_norm: str | None = None
    if isinstance(org_code, str) and org_code and org_code != ONBEKEND:
        org_norm = normalise_gemeentecode(org_code) or None
    state: dict[str, Any] = {
        "first": None,
        "first_raw": None,
        "mixed": False,
        "org": org_norm,
        "org_raw": org_code,
    }
    ctx.lev_state[_STATE] = state
    return state


@check(Target.LEVERING, Kind.SHV)
def organisatie_gemeente(levering: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.7 on the organisation's gemeentecode, which is empty unless a gemeente delivers itself."""
    lev = as_dict(levering)
    org = as_dict(lev.get("aanleverende_organisatie")) if lev is not None else None
    if org is None:
        return
    code = org.get("gemeentecode")
    if isinstance(code, str) and code:
        _report_code(code, (*path, "aanleverende_organisatie", "gemeentecode"), ctx, out)


@check(Target.LEVERING, Kind.VS)
def levering_gemeente(levering: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.18: a VS levering holds the signals of exactly one gemeente, named by its code (as rule 7)."""
    lev = as_dict(levering)
    if lev is None:
        return
    code = lev.get("gemeentecode")
    if isinstance(code, str):
        _report_code(code, (*path, "gemeentecode"), ctx, out)
