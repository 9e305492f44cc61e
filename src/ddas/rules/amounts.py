"""§4.14: amounts, VTLB, schulden and schuldeisers (and, for §4.10, the peildatum of each schuld).

Amounts are whole euros; a value of the wrong type is the schema layer's to report, so these rules only look
at integers (tested by class, which also keeps booleans out).
"""

from __future__ import annotations

from typing import Any

from ddas.rules.base import Context, Emitter, Target, check
from ddas.rules.dates import DATE_AFTER_DELIVERY, NEVER, day, period_strings
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "AMOUNT_NEGATIVE",
    "PRIVEPERSOON_WITH_KVK",
    "SCHULDBEDRAG_SUM_MISMATCH",
    "SCHULDEISER_KVK_INVALID",
    "SCHULDEISER_NAAM_MISMATCH",
    "VTLB_OUT_OF_RANGE",
]

AMOUNT_NEGATIVE = define(
    "AMOUNT_NEGATIVE",
    Severity.ERROR,
    "4.14",
    nl="Bedrag is negatief ({value}); bedragen zijn hele euro's van 0 of meer.",
    en="Amount is negative ({value}); amounts are whole euros of 0 or more.",
    fix="Registreer bedragen als positieve hele euro's; een negatief bedrag is meestal een boekingsrichting "
    "of een tegoed dat niet als schuld hoort te worden geregistreerd.",
)

VTLB_OUT_OF_RANGE = define(
    "VTLB_OUT_OF_RANGE",
    Severity.WARNING,
    "4.14",
    nl="VTLB van {value} euro per maand ligt buiten het gebruikelijke bereik van 1 tot en met 5000.",
    en="VTLB of {value} euros per month lies outside the usual range of 1 to 5000.",
    fix="Registreer het vrij te laten bedrag (VTLB) in hele euro's per maand; controleer of het niet per "
    "jaar, in centen of als afloscapaciteit is ingevoerd.",
)

SCHULDBEDRAG_SUM_MISMATCH = define(
    "SCHULDBEDRAG_SUM_MISMATCH",
    Severity.WARNING,
    "4.14",
    nl="Totaal schuldbedrag bij aanvang ({totaal}) is niet gelijk aan de som van de {aantal} schulden "
    "({som}).",
    en="Total debt at the start ({totaal}) differs from the sum of the {aantal} schulden ({som}).",
    fix="Laat het totaal schuldbedrag bij aanvang gelijk zijn aan de optelsom van de afzonderlijke schulden, "
    "of vul de ontbrekende schulden aan.",
)

SCHULDEISER_NAAM_MISMATCH = define(
    "SCHULDEISER_NAAM_MISMATCH",
    Severity.WARNING,
    "4.14",
    nl="Schuldeiser 'naam' ({naam}) en 'Naam' ({Naam}) zijn niet gelijk.",
    en="Schuldeiser 'naam' ({naam}) and 'Naam' ({Naam}) are not the same.",
    fix="Vul beide naamvelden van de schuldeiser (naam en Naam) met dezelfde waarde; het uitwisselmodel kent "
    "beide velden.",
)

SCHULDEISER_KVK_INVALID = define(
    "SCHULDEISER_KVK_INVALID",
    Severity.ERROR,
    "4.14",
    nl="KvK-nummer van de schuldeiser ({value}) bestaat niet uit precies 8 cijfers.",
    en="The schuldeiser's KvK number ({value}) is not exactly 8 digits.",
    fix="Vul het KvK-nummer van de schuldeiser in als 8 cijfers, zonder spaties of vestigingsnummer; laat "
    "het leeg als het onbekend is.",
)

PRIVEPERSOON_WITH_KVK = define(
    "PRIVEPERSOON_WITH_KVK",
    Severity.WARNING,
    "4.14",
    nl="De schuldeiser is als privépersoon aangemerkt maar heeft een KvK-nummer ({kvknummer}).",
    en="The schuldeiser is marked as a private person but has a KvK number ({kvknummer}).",
    fix="Een privépersoon heeft geen KvK-nummer: zet privepersoon uit als de schuldeiser een onderneming is, "
    "of verwijder het KvK-nummer.",
)


#: KvK-nummers already found valid. Creditors recur across thousands of schulden, so a set lookup replaces
#: the digit test for almost all of them; the cap keeps hostile input from growing it without end.
_KVK_OK: set[str] = set()
_KVK_MAX = 100_000


def _kvk_ok(value: str) -> bool:
    if len(value) == 8 and value.isascii() and value.isdigit():
        if len(_KVK_OK) >= _KVK_MAX:
            _KVK_OK.clear()
        _KVK_OK.add(value)
        return True
    return False


def _at(path: PathParts, k: int, field: str) -> PathParts:
    return (*path, "schulden", k, "schuldeiser", field)


def _schuldeiser(eiser: dict[str, Any], path: PathParts, k: int, out: Emitter) -> None:
    lower = eiser.get("naam")
    upper = eiser.get("Naam")
    if (lower is None or lower.__class__ is str) and (upper is None or upper.__class__ is str):
        if lower and upper:
            if lower != upper:
                out.emit(SCHULDEISER_NAAM_MISMATCH, _at(path, k, "Naam"), upper, naam=lower, Naam=upper)
        elif lower:
            out.emit(SCHULDEISER_NAAM_MISMATCH, _at(path, k, "Naam"), naam=lower, Naam="—")
        elif upper:
            out.emit(SCHULDEISER_NAAM_MISMATCH, _at(path, k, "naam"), naam="—", Naam=upper)
    kvk = eiser.get("kvknummer")
    if kvk.__class__ is str and kvk:
        if kvk not in _KVK_OK and not _kvk_ok(kvk):
            out.emit(SCHULDEISER_KVK_INVALID, _at(path, k, "kvknummer"), kvk)
        if eiser.get("privepersoon") is True:
            out.emit(PRIVEPERSOON_WITH_KVK, _at(path, k, "privepersoon"), True, kvknummer=kvk)


@check(Target.TRAJECT, Kind.SHV)
def traject_amounts(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.14 in one visit of the traject and its schulden."""
    if traject.__class__ is not dict:
        return
    total = traject.get("totaalSchuldbedragBijAanvangSchuld")
    if total.__class__ is not int:  # excludes bool, whose class is bool
        total = None
    elif total < 0:
        out.emit(AMOUNT_NEGATIVE, (*path, "totaalSchuldbedragBijAanvangSchuld"), total)

    oplossing = traject.get("oplossing")
    if oplossing.__class__ is dict:
        vtlb = oplossing.get("vtlb")
        if vtlb.__class__ is int:
            if vtlb < 0:
                out.emit(AMOUNT_NEGATIVE, (*path, "oplossing", "vtlb"), vtlb)
            elif vtlb < 1 or vtlb > 5000:
                out.emit(VTLB_OUT_OF_RANGE, (*path, "oplossing", "vtlb"), vtlb)

    schulden = traject.get("schulden")
    if schulden.__class__ is not list or not schulden:
        return
    # A traject has ten or more schulden: this loop is the only one over them, so it also checks each
    # peildatum against the delivery date for §4.10 (DATE_AFTER_DELIVERY, defined in ddas.rules.dates).
    delivered = period_strings(ctx)[2] or NEVER
    som = 0
    summable = True
    for k, schuld in enumerate(schulden):
        if schuld.__class__ is not dict:
            summable = False
            continue
        peildatum = schuld.get("peildatum")
        if peildatum.__class__ is str and peildatum > delivered and day(peildatum):
            where = (*path, "schulden", k, "peildatum")
            out.emit(DATE_AFTER_DELIVERY, where, peildatum, datum=peildatum, aanleverdatum=delivered)
        bedrag = schuld.get("bedrag")
        if bedrag.__class__ is int:
            som += bedrag
            if bedrag < 0:
                out.emit(AMOUNT_NEGATIVE, (*path, "schulden", k, "bedrag"), bedrag)
        else:
            summable = False
        eiser = schuld.get("schuldeiser")
        if eiser.__class__ is dict:
            # The common case in a few look-ups: equal names, a known-valid KvK-nummer, no privépersoon with
            # a KvK-nummer. Anything else gets the careful look.
            kvk = eiser.get("kvknummer")
            if eiser.get("naam") != eiser.get("Naam") or (
                kvk and (kvk.__class__ is not str or kvk not in _KVK_OK or eiser.get("privepersoon") is True)
            ):
                _schuldeiser(eiser, path, k, out)
    if summable and total is not None and total != som:
        out.emit(
            SCHULDBEDRAG_SUM_MISMATCH,
            (*path, "totaalSchuldbedragBijAanvangSchuld"),
            total,
            totaal=total,
            som=som,
            aantal=len(schulden),
        )
