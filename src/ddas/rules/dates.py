"""§4.10: start and end dates of trajecten, phases and list items; the reporting period; the delivery date.

Every traject is visited once. Dates are compared as `YYYY-MM-DD` strings, which order exactly like the dates
they denote when both are valid; a string is only parsed (to make sure it *is* a valid date) when a comparison
says something may be wrong, and each distinct string at most once (`day`), so a clean traject costs a few
dictionary look-ups per phase. Malformed dates are left to the schema layer. The peildatum of each schuld is
checked by the one loop over the schulden, in ddas.rules.amounts.
"""

from __future__ import annotations

from typing import Any

from ddas.rules.base import Context, Emitter, Target, as_date, check, filled
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "DATE_AFTER_DELIVERY",
    "END_BEFORE_START",
    "NEVER",
    "TRAJECT_NO_STARTDATUM",
    "TRAJECT_OUTSIDE_PERIOD",
    "day",
    "iso",
    "period_strings",
]

TRAJECT_NO_STARTDATUM = define(
    "TRAJECT_NO_STARTDATUM",
    Severity.ERROR,
    "4.10",
    nl="Het traject heeft geen startdatum en ook geen startdatum van de aanmelding.",
    en="The traject has no startdatum and no aanmelding startdatum either.",
    fix="Vul de startdatum van het traject of de startdatum van de aanmelding in; zonder begin kan het "
    "traject niet aan een periode worden toegerekend.",
)

END_BEFORE_START = define(
    "END_BEFORE_START",
    Severity.ERROR,
    "4.10",
    nl="Einddatum {einddatum} ligt vóór de startdatum {startdatum}.",
    en="End date {einddatum} lies before start date {startdatum}.",
    fix="Controleer de start- en einddatum in de bronregistratie; vaak zijn ze verwisseld of is een jaartal "
    "verkeerd ingevoerd.",
)

TRAJECT_OUTSIDE_PERIOD = define(
    "TRAJECT_OUTSIDE_PERIOD",
    Severity.WARNING,
    "4.10",
    nl="Het traject ({startdatum} t/m {einddatum}) valt buiten de leveringsperiode {periode_start} t/m "
    "{periode_eind}.",
    en="The traject ({startdatum} to {einddatum}) lies outside the reporting period {periode_start} to "
    "{periode_eind}.",
    fix="Lever alleen trajecten die in de leveringsperiode liepen, of controleer de start- en einddatum van "
    "dit traject.",
)

DATE_AFTER_DELIVERY = define(
    "DATE_AFTER_DELIVERY",
    Severity.WARNING,
    "4.10",
    nl="Datum {datum} ligt na de aanleverdatum {aanleverdatum}.",
    en="Date {datum} lies after the delivery date {aanleverdatum}.",
    fix="Registreer alleen gebeurtenissen die al hebben plaatsgevonden; een datum in de toekomst is meestal "
    "een invoerfout of een geplande datum.",
)

#: Date fields of the phase objects besides `startdatum` and `einddatum`, which every object is checked for.
_OBJECT_DATES: dict[str, tuple[str, ...]] = {
    "aanmelding": (),
    "intake": ("beschikkingsdatum",),
    "planVanAanpak": ("datumAfronding",),
    "stabilisatie": (),
    "schuldregeling": ("datum", "toegekend", "afgewezen", "ingetrokken", "datumVerzoekDwangakkoord"),
    "oplossing": (),
    "nazorg": (),
    "uitstroom": ("datum", "datumBeeindigingsbeschikking"),
    "informatieEnAdvies": (),
}

#: The same for the items of the traject's lists. `schulden[].peildatum` is checked by the loop over the
#: schulden in ddas.rules.amounts: a traject has ten or more, and visiting them twice would cost more than
#: all the rest of this module.
_LIST_DATES: dict[str, tuple[str, ...]] = {
    "begeleiding": (),
    "crisisinterventies": (),
    "moratoria": ("datumAanvraag", "datumGoedkeuring"),
    "voorlopigeVoorzieningen": (),
}

_TRAJECT_FIELDS = ("startdatum", "einddatum", "toekenningsdatum")

_STATE = "dates"

#: value → its date as the number yyyymmdd, or 0 when it is not a valid date. A delivery repeats a few
#: thousand distinct dates many times, so each is parsed once; the cap keeps hostile input from growing it.
_DAYS: dict[str, int] = {}
_DAYS_MAX = 100_000


def day(value: str) -> int:
    """A `YYYY-MM-DD` string as the number yyyymmdd (which orders like the date), 0 when it is not a date."""
    number = _DAYS.get(value)
    if number is None:
        if len(value) != 10:
            return 0  # not remembered: long strings would make the cache big
        number = int(value[:4] + value[5:7] + value[8:]) if as_date(value) is not None else 0
        if len(_DAYS) >= _DAYS_MAX:
            _DAYS.clear()
        _DAYS[value] = number
    return number


def iso(number: int) -> str:
    """The inverse of `day`."""
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def period_strings(ctx: Context) -> tuple[str | None, str | None, str | None]:
    """The period bounds and the delivery date as ISO strings, computed once per document.

    A period whose start lies after its end is reported by the document rules; it yields `None` bounds here
    so that such a document does not also flag every traject as outside the period.
    """
    cached: tuple[str | None, str | None, str | None] | None = ctx.doc_state.get(_STATE)
    if cached is None:
        ps, pe, do = ctx.period_start, ctx.period_end, ctx.delivered_on
        if ps is not None and pe is not None and ps > pe:
            ps = pe = None
        cached = (
            ps.isoformat() if ps else None,
            pe.isoformat() if pe else None,
            do.isoformat() if do else None,
        )
        ctx.doc_state[_STATE] = cached
    return cached


#: Stands in for a missing delivery date: no date string compares after it.
NEVER = "\U0010ffff"


def _at(path: PathParts, name: str, k: int, field: str) -> PathParts:
    """The path of a field of a phase (`k < 0`) or of a list item: built only when a finding is emitted."""
    return (*path, name, field) if k < 0 else (*path, name, k, field)


def _object(
    obj: dict[str, Any],
    extra: tuple[str, ...],
    delivered: str,
    path: PathParts,
    name: str,
    k: int,
    out: Emitter,
) -> None:
    """The exact checks of one phase object or list item, for the few that the quick test flags."""
    s = obj.get("startdatum")
    e = obj.get("einddatum")
    if e.__class__ is str and s.__class__ is str and e < s and day(e) and day(s):
        out.emit(END_BEFORE_START, _at(path, name, k, "einddatum"), e, einddatum=e, startdatum=s)
    for field in ("startdatum", "einddatum", *extra):
        v = obj.get(field)
        if v.__class__ is str and v > delivered and day(v):
            out.emit(DATE_AFTER_DELIVERY, _at(path, name, k, field), v, datum=v, aanleverdatum=delivered)


@check(Target.TRAJECT, Kind.SHV)
def traject_dates(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """All §4.10 rules in one pass over the traject and its phases."""
    if traject.__class__ is not dict:
        return
    period_start, period_end, delivered_on = period_strings(ctx)
    delivered = delivered_on or NEVER

    aanmelding = traject.get("aanmelding")
    if aanmelding.__class__ is not dict:
        aanmelding = None
    raw_start = start = traject.get("startdatum")
    start_field: PathParts = ("startdatum",)
    if start.__class__ is not str or not day(start):
        start = aanmelding.get("startdatum") if aanmelding is not None else None
        start_field = ("aanmelding", "startdatum")
        if start.__class__ is not str or not day(start):
            start = None
            if not filled(raw_start) and (aanmelding is None or not filled(aanmelding.get("startdatum"))):
                out.emit(TRAJECT_NO_STARTDATUM, (*path, "startdatum"))
    raw_end = end = traject.get("einddatum")
    if end.__class__ is not str or not day(end):
        end = None

    if start is not None and end is not None and end < start:
        out.emit(END_BEFORE_START, (*path, "einddatum"), end, einddatum=end, startdatum=start)

    if start is not None and period_end is not None and start > period_end:
        out.emit(
            TRAJECT_OUTSIDE_PERIOD,
            (*path, *start_field),
            start,
            startdatum=start,
            einddatum=end or "—",
            periode_start=period_start or "—",
            periode_eind=period_end,
        )
    elif end is not None and period_start is not None and end < period_start:
        out.emit(
            TRAJECT_OUTSIDE_PERIOD,
            (*path, "einddatum"),
            end,
            startdatum=start or "—",
            einddatum=end,
            periode_start=period_start,
            periode_eind=period_end or "—",
        )

    toekenning = traject.get("toekenningsdatum")
    for field, v in (("startdatum", raw_start), ("einddatum", raw_end), ("toekenningsdatum", toekenning)):
        if v.__class__ is str and v > delivered and day(v):
            out.emit(DATE_AFTER_DELIVERY, (*path, field), v, datum=v, aanleverdatum=delivered)

    # Every phase object and list item: its own span, and each of its dates against the delivery date. A quick
    # test on the strings first: when the einddatum is neither before the startdatum nor after the delivery
    # date, the startdatum cannot be after the delivery date either, so a clean object costs two look-ups and
    # two comparisons; only a suspect one gets the exact checks.
    for name, value in traject.items():
        if value.__class__ is dict:
            extra = _OBJECT_DATES.get(name)
            items: Any = ((-1, value),)
        elif value.__class__ is list:
            extra = _LIST_DATES.get(name)
            items = enumerate(value)
        else:
            continue
        if extra is None:
            continue
        for k, obj in items:
            if obj.__class__ is not dict:
                continue
            s = obj.get("startdatum")
            e = obj.get("einddatum")
            if e.__class__ is str:
                suspect = e > delivered or (s.__class__ is str and e < s)
            else:
                suspect = s.__class__ is str and s > delivered
            if not suspect and extra:
                for field in extra:
                    v = obj.get(field)
                    if v.__class__ is str and v > delivered:
                        suspect = True
                        break
            if suspect:
                _object(obj, extra, delivered, path, name, k, out)
