"""§4.13: the schuldregeling and its outcome, and the traject's toekenningsdatum.

The published FAQ makes these rules: `toekenningsdatum` of the traject is `schuldregeling.toegekend`, and a
dwangakkoord only exists for a schuldregeling that was granted. A schuldregeling has one outcome, decided on
or after the date it was requested.
"""

from __future__ import annotations

from typing import Any

from ddas.rules.base import Context, Emitter, Target, check, filled
from ddas.rules.dates import day
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "DWANGAKKOORD_WITHOUT_TOEGEKEND",
    "SCHULDREGELING_MULTIPLE_OUTCOMES",
    "SCHULDREGELING_OUTCOME_BEFORE_DATUM",
    "TOEKENNINGSDATUM_MISMATCH",
    "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD",
]

TOEKENNINGSDATUM_MISMATCH = define(
    "TOEKENNINGSDATUM_MISMATCH",
    Severity.WARNING,
    "4.13",
    nl="Toekenningsdatum {toekenningsdatum} van het traject is niet gelijk aan de datum toegekend van de "
    "schuldregeling ({toegekend}).",
    en="The traject's toekenningsdatum {toekenningsdatum} differs from the schuldregeling's toegekend date "
    "({toegekend}).",
    fix="Vul als toekenningsdatum van het traject de datum in waarop de schuldregeling is toegekend, en "
    "registreer die datum ook bij de schuldregeling.",
)

DWANGAKKOORD_WITHOUT_TOEGEKEND = define(
    "DWANGAKKOORD_WITHOUT_TOEGEKEND",
    Severity.ERROR,
    "4.13",
    nl="Er is een dwangakkoord geregistreerd, maar de schuldregeling heeft geen datum toegekend.",
    en="A dwangakkoord is recorded, but the schuldregeling has no toegekend date.",
    fix="Een dwangakkoord bestaat alleen bij een toegekende schuldregeling: vul de datum toegekend in, of "
    "zet dwangakkoord uit.",
)

VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD = define(
    "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD",
    Severity.WARNING,
    "4.13",
    nl="Er is een verzoek tot dwangakkoord gedaan op {datum}, maar dwangakkoord staat niet aan.",
    en="A dwangakkoord was requested on {datum}, but dwangakkoord is not set.",
    fix="Zet dwangakkoord aan als het verzoek is toegewezen; is het verzoek afgewezen of ingetrokken, "
    "controleer dan of de datum van het verzoek wel geregistreerd moet worden.",
)

SCHULDREGELING_OUTCOME_BEFORE_DATUM = define(
    "SCHULDREGELING_OUTCOME_BEFORE_DATUM",
    Severity.ERROR,
    "4.13",
    nl="De schuldregeling is {uitkomst} op {uitkomstdatum}, vóór de datum van de schuldregeling ({datum}).",
    en="The schuldregeling was {uitkomst} on {uitkomstdatum}, before the schuldregeling's datum ({datum}).",
    fix="Controleer de datum van de schuldregeling en de datum van de uitkomst; een besluit kan niet vóór de "
    "aanvraag liggen.",
)

SCHULDREGELING_MULTIPLE_OUTCOMES = define(
    "SCHULDREGELING_MULTIPLE_OUTCOMES",
    Severity.WARNING,
    "4.13",
    nl="De schuldregeling heeft meer dan één uitkomst: {uitkomsten}.",
    en="The schuldregeling has more than one outcome: {uitkomsten}.",
    fix="Registreer één uitkomst per schuldregeling (toegekend, afgewezen of ingetrokken); een nieuwe "
    "aanvraag hoort in een nieuwe schuldregeling.",
)

_OUTCOMES = ("toegekend", "afgewezen", "ingetrokken")


def _toekenningsdatum(value: Any, toegekend: Any, path: PathParts, out: Emitter) -> None:
    if not filled(value):
        return
    if not filled(toegekend):
        toegekend = "—"
    elif not (value.__class__ is str and toegekend.__class__ is str and day(value) and day(toegekend)):
        return  # a malformed date is the schema's to report
    out.emit(
        TOEKENNINGSDATUM_MISMATCH,
        (*path, "toekenningsdatum"),
        value,
        toekenningsdatum=value,
        toegekend=toegekend,
    )


def _regeling(regeling: dict[str, Any], path: PathParts, out: Emitter) -> None:
    dwang = regeling.get("dwangakkoord")
    if dwang is True and not filled(regeling.get("toegekend")):
        out.emit(DWANGAKKOORD_WITHOUT_TOEGEKEND, (*path, "schuldregeling", "dwangakkoord"), dwang)
    verzoek = regeling.get("datumVerzoekDwangakkoord")
    if (dwang is None or dwang is False) and filled(verzoek):  # a non-boolean dwangakkoord: the schema's
        out.emit(
            VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD,
            (*path, "schuldregeling", "datumVerzoekDwangakkoord"),
            verzoek,
            datum=verzoek,
        )

    datum = regeling.get("datum")
    if datum.__class__ is not str or not day(datum):
        datum = None
    count = 0
    for field in _OUTCOMES:
        value = regeling.get(field)
        if not filled(value):
            continue
        count += 1
        if count == 2:
            out.emit(
                SCHULDREGELING_MULTIPLE_OUTCOMES,
                (*path, "schuldregeling", field),
                value,
                uitkomsten=", ".join(f for f in _OUTCOMES if filled(regeling.get(f))),
            )
        if datum is not None and value.__class__ is str and value < datum and day(value):
            out.emit(
                SCHULDREGELING_OUTCOME_BEFORE_DATUM,
                (*path, "schuldregeling", field),
                value,
                uitkomst=field,
                uitkomstdatum=value,
                datum=datum,
            )


@check(Target.TRAJECT, Kind.SHV)
def traject_schuldregeling(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.13 in one visit of the traject."""
    if traject.__class__ is not dict:
        return
    regeling = traject.get("schuldregeling")
    if regeling.__class__ is not dict:
        regeling = None
    value = traject.get("toekenningsdatum")
    toegekend = regeling.get("toegekend") if regeling is not None else None
    if value is not None and value != toegekend:
        _toekenningsdatum(value, toegekend, path, out)
    if regeling:
        _regeling(regeling, path, out)
