"""§4.11, §4.12 and §4.16: the order of the phases, uitstroom, moratoria, crisisinterventie and afwijzing.

The phases follow the NVVK reference process; a traject that jumps back in it is usually a registration error
(a date typed in the wrong phase), and statistics on lead times (SPEC §8) would turn negative on it.
"""

from __future__ import annotations

from typing import Any

from ddas.rules.base import Context, Emitter, Target, check, filled
from ddas.rules.dates import day
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "AFWIJZING_WITH_OPLOSSING",
    "CRISISINTERVENTIE_INCONSISTENT",
    "EINDDATUM_UITSTROOM_MISMATCH",
    "ENDED_WITHOUT_REDEN",
    "MORATORIUM_TOO_LONG",
    "PHASES_OUT_OF_ORDER",
    "UITSTROOM_WITHOUT_EINDDATUM",
    "six_months_later",
]

PHASES_OUT_OF_ORDER = define(
    "PHASES_OUT_OF_ORDER",
    Severity.WARNING,
    "4.11",
    nl="Fase {fase} ({datum}) ligt vóór de voorgaande fase {vorige_fase} ({vorige_datum}).",
    en="Phase {fase} ({datum}) lies before the preceding phase {vorige_fase} ({vorige_datum}).",
    fix="Controleer de datums van de fasen; de volgorde is aanmelding, intake, plan van aanpak, "
    "schuldregeling, oplossing, nazorg. Vaak is een datum bij de verkeerde fase ingevuld.",
)

UITSTROOM_WITHOUT_EINDDATUM = define(
    "UITSTROOM_WITHOUT_EINDDATUM",
    Severity.ERROR,
    "4.12",
    nl="Het traject heeft uitstroomgegevens maar geen einddatum.",
    en="The traject has uitstroom data but no einddatum.",
    fix="Vul de einddatum van het traject in (gelijk aan de uitstroomdatum), of verwijder de "
    "uitstroomgegevens als het traject nog loopt.",
)

ENDED_WITHOUT_REDEN = define(
    "ENDED_WITHOUT_REDEN",
    Severity.WARNING,
    "4.12",
    nl="Het traject is beëindigd op {einddatum} zonder uitstroomreden.",
    en="The traject ended on {einddatum} without an uitstroom reden.",
    fix="Registreer bij elk beëindigd traject de uitstroomreden (bijvoorbeeld Afgerond of Zelf).",
)

EINDDATUM_UITSTROOM_MISMATCH = define(
    "EINDDATUM_UITSTROOM_MISMATCH",
    Severity.WARNING,
    "4.12",
    nl="Einddatum van het traject ({einddatum}), uitstroomdatum ({datum}) en datum beëindigingsbeschikking "
    "({datumBeeindigingsbeschikking}) zijn niet gelijk.",
    en="Traject einddatum ({einddatum}), uitstroom datum ({datum}) and datumBeeindigingsbeschikking "
    "({datumBeeindigingsbeschikking}) are not the same.",
    fix="Gebruik voor de einddatum van het traject, de uitstroomdatum en de datum van de "
    "beëindigingsbeschikking dezelfde datum.",
)

MORATORIUM_TOO_LONG = define(
    "MORATORIUM_TOO_LONG",
    Severity.WARNING,
    "4.16",
    nl="Het moratorium loopt van {startdatum} tot {einddatum}, langer dan de maximale zes maanden.",
    en="The moratorium runs from {startdatum} to {einddatum}, longer than the maximum of six months.",
    fix="Een moratorium duurt maximaal zes maanden; controleer de start- en einddatum, of registreer een "
    "verlenging als een nieuw moratorium.",
)

CRISISINTERVENTIE_INCONSISTENT = define(
    "CRISISINTERVENTIE_INCONSISTENT",
    Severity.WARNING,
    "4.16",
    nl="Indicator crisisinterventie is {indicator}, maar er zijn {aantal} crisisinterventies geregistreerd.",
    en="The crisisinterventie indicator is {indicator}, but {aantal} crisisinterventies are recorded.",
    fix="Zet de indicator crisisinterventie bij de aanmelding alleen aan als er crisisinterventies zijn "
    "geweest, en registreer die dan ook met hun datums.",
)

AFWIJZING_WITH_OPLOSSING = define(
    "AFWIJZING_WITH_OPLOSSING",
    Severity.WARNING,
    "4.16",
    nl="De intake eindigde in een afwijzingsbeschikking, maar het traject heeft toch een oplossing.",
    en="The intake ended in an afwijzingsbeschikking, yet the traject has an oplossing.",
    fix="Controleer de beschikkingssoort van de intake; na een afwijzing hoort er geen oplossing te volgen. "
    "Was het een toelatingsbeschikking, registreer die dan.",
)

#: The process order of SPEC §4.11: (phase, date field).
_ORDER: tuple[tuple[str, str], ...] = (
    ("aanmelding", "startdatum"),
    ("intake", "startdatum"),
    ("planVanAanpak", "datumAfronding"),
    ("schuldregeling", "datum"),
    ("oplossing", "startdatum"),
    ("nazorg", "startdatum"),
)


def six_months_later(start: int) -> int:
    """The last day (as yyyymmdd) of a moratorium of six calendar months starting on `start` (yyyymmdd).

    The day is not clipped to the month's length: 31 August gives "31 February", which orders after every
    real day of February and before 1 March, exactly like the clipped 28/29 February would.
    """
    year, month, dd = start // 10000, start // 100 % 100 + 6, start % 100
    if month > 12:
        year, month = year + 1, month - 12
    return year * 10000 + month * 100 + dd


def _process_order(traject: dict[str, Any], path: PathParts, out: Emitter) -> None:
    """The exact comparison, run only when the strings are out of order: malformed dates do not take part."""
    prev_phase = prev_date = ""
    for phase, field in _ORDER:
        obj = traject.get(phase)
        if obj.__class__ is not dict:
            continue
        value = obj.get(field)
        if value.__class__ is not str or not day(value):
            continue
        if prev_date and value < prev_date:
            out.emit(
                PHASES_OUT_OF_ORDER,
                (*path, phase, field),
                value,
                fase=phase,
                datum=value,
                vorige_fase=prev_phase,
                vorige_datum=prev_date,
            )
        prev_phase, prev_date = phase, value


def _uitstroom(uitstroom: dict[str, Any], einddatum: Any, ended: bool, path: PathParts, out: Emitter) -> None:
    if uitstroom and not ended:
        out.emit(UITSTROOM_WITHOUT_EINDDATUM, (*path, "einddatum"))
    reden = uitstroom.get("reden")
    if ended and (reden is None or reden == ""):
        out.emit(ENDED_WITHOUT_REDEN, (*path, "uitstroom", "reden"), einddatum=einddatum)
    # The valid dates present must be equal; the first that differs from the first present is reported.
    datum = uitstroom.get("datum")
    beschikking = uitstroom.get("datumBeeindigingsbeschikking")
    reference = einddatum if einddatum.__class__ is str and day(einddatum) else None
    for field, value in (("datum", datum), ("datumBeeindigingsbeschikking", beschikking)):
        if value.__class__ is not str or value == reference or not day(value):
            continue
        if reference is None:
            reference = value
            continue
        out.emit(
            EINDDATUM_UITSTROOM_MISMATCH,
            (*path, "uitstroom", field),
            value,
            einddatum=einddatum if ended else "—",
            datum=datum or "—",
            datumBeeindigingsbeschikking=beschikking or "—",
        )
        return


def _moratoria(items: list[Any], path: PathParts, out: Emitter) -> None:
    for k, item in enumerate(items):
        if item.__class__ is not dict:
            continue
        start = item.get("startdatum")
        end = item.get("einddatum")
        if (
            start.__class__ is str
            and end.__class__ is str
            and end > start
            and day(start)
            and day(end) > six_months_later(day(start))
        ):
            out.emit(
                MORATORIUM_TOO_LONG,
                (*path, "moratoria", k, "einddatum"),
                end,
                startdatum=start,
                einddatum=end,
            )


def _crisis(flag: Any, count: int, path: PathParts, out: Emitter) -> None:
    where = (*path, "aanmelding", "crisisinterventie")
    if flag is None:
        out.emit(CRISISINTERVENTIE_INCONSISTENT, where, indicator="—", aantal=count)
    else:
        out.emit(CRISISINTERVENTIE_INCONSISTENT, where, flag, indicator=str(flag).lower(), aantal=count)


def _afwijzing(traject: dict[str, Any], path: PathParts, out: Emitter) -> None:
    oplossing = traject.get("oplossing")
    if oplossing.__class__ is not dict:
        return
    for field in ("startdatum", "soort"):
        value = oplossing.get(field)
        if filled(value):
            out.emit(AFWIJZING_WITH_OPLOSSING, (*path, "oplossing", field), value)
            return


@check(Target.TRAJECT, Kind.SHV)
def traject_phases(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.11, §4.12 and §4.16 in one visit of the traject."""
    if traject.__class__ is not dict:
        return

    # §4.11, fast path: when the present strings are in order, so are the valid dates among them (dropping
    # items from a non-decreasing sequence keeps it non-decreasing), and nothing needs to be parsed.
    prev = ""
    for phase, field in _ORDER:
        obj = traject.get(phase)
        if obj.__class__ is dict:
            value = obj.get(field)
            if value.__class__ is str:
                if value < prev:
                    _process_order(traject, path, out)
                    break
                prev = value

    # §4.12
    einddatum = traject.get("einddatum")
    ended = einddatum is not None and (einddatum != "" if einddatum.__class__ is str else filled(einddatum))
    uitstroom = traject.get("uitstroom")
    if uitstroom.__class__ is dict:
        _uitstroom(uitstroom, einddatum, ended, path, out)
    elif ended:
        out.emit(ENDED_WITHOUT_REDEN, (*path, "uitstroom", "reden"), einddatum=einddatum)

    # §4.16
    moratoria = traject.get("moratoria")
    if moratoria.__class__ is list and moratoria:
        _moratoria(moratoria, path, out)
    aanmelding = traject.get("aanmelding")
    flag = aanmelding.get("crisisinterventie") if aanmelding.__class__ is dict else None
    if flag is None or flag.__class__ is bool:  # a flag of another type is the schema's to report
        items = traject.get("crisisinterventies")
        count = len(items) if items.__class__ is list else 0
        if (flag is True) != (count > 0):
            _crisis(flag, count, path, out)
    intake = traject.get("intake")
    if intake.__class__ is dict and intake.get("beschikkingssoort") == "Afwijzingsbeschikking":
        _afwijzing(traject, path, out)
