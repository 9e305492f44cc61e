"""§4.17–4.20: vroegsignalen, vroegsignaalzaken, the references between them and their contactpogingen.

A zaak refers to signals of the same levering by `ID`. The engine does not promise that a levering's signals
come before its zaken (and in streaming mode each is seen once, in file order), so a reference is resolved as
soon as its signal is known and otherwise deferred to the end of the levering. In the usual order — signals
first — nothing is deferred, and what stays in `ctx.lev_state["vs"]` is one small entry per signal.

Dates are compared as ISO strings, which order like the dates they denote; a string is parsed (to be sure it
*is* a date) only when a comparison already says something is wrong, or once per distinct signaaldatum.
Malformed dates are the schema layer's to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ddas.rules.amounts import AMOUNT_NEGATIVE
from ddas.rules.base import Context, Emitter, Target, as_date, check
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "CONTACT_BEFORE_OPGEPAKT",
    "CONTACT_RESULTS",
    "MATCHING_PERIOD_START_AFTER_END",
    "NO_CONTACT_RESULTS",
    "OPGEPAKT_BEFORE_SIGNAL",
    "RESULTAAT_CONTRADICTS_CONTACT",
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM",
    "SIGNAALDATUM_OUTSIDE_PERIOD",
    "SIGNAL_IN_MULTIPLE_ZAKEN",
    "SIGNAL_WITHOUT_ZAAK",
    "VROEGSIGNAAL_ID_DUPLICATE",
    "ZAAK_UNKNOWN_SIGNAL",
]

VROEGSIGNAAL_ID_DUPLICATE = define(
    "VROEGSIGNAAL_ID_DUPLICATE",
    Severity.ERROR,
    "4.17",
    nl="Vroegsignaal-ID '{id}' komt al eerder in deze levering voor.",
    en="Vroegsignaal ID '{id}' already occurs earlier in this levering.",
    fix="Geef elk vroegsignaal binnen een levering een eigen ID, bijvoorbeeld het kenmerk uit het "
    "bronsysteem; een dubbel ID is vaak een signaal dat twee keer is geëxporteerd.",
)

ZAAK_UNKNOWN_SIGNAL = define(
    "ZAAK_UNKNOWN_SIGNAL",
    Severity.ERROR,
    "4.17",
    nl="De vroegsignaalzaak verwijst naar vroegsignaal '{id}', dat niet in deze levering voorkomt.",
    en="The vroegsignaalzaak refers to vroegsignaal '{id}', which does not occur in this levering.",
    fix="Lever elk vroegsignaal waarnaar een zaak verwijst in dezelfde levering mee, of corrigeer de "
    "verwijzing naar het juiste ID.",
)

SIGNAL_IN_MULTIPLE_ZAKEN = define(
    "SIGNAL_IN_MULTIPLE_ZAKEN",
    Severity.ERROR,
    "4.17",
    nl="Vroegsignaal '{id}' hoort al bij een andere vroegsignaalzaak (zaak {eerste_zaak}).",
    en="Vroegsignaal '{id}' already belongs to another vroegsignaalzaak (zaak {eerste_zaak}).",
    fix="Een vroegsignaal wordt in precies één vroegsignaalzaak behandeld; voeg de zaken samen of verwijder "
    "de dubbele verwijzing.",
)

SIGNAL_WITHOUT_ZAAK = define(
    "SIGNAL_WITHOUT_ZAAK",
    Severity.WARNING,
    "4.17",
    nl="Vroegsignaal '{id}' heeft status '{status}' maar hoort bij geen enkele vroegsignaalzaak.",
    en="Vroegsignaal '{id}' has status '{status}' but belongs to no vroegsignaalzaak.",
    fix="Een signaal dat is opgepakt hoort bij een vroegsignaalzaak; lever de zaak mee of corrigeer de "
    "status ('Nog niet opgepakt' of 'Niet opgepakt: …').",
)

SIGNAALDATUM_BEFORE_ONTSTAANSDATUM = define(
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM",
    Severity.ERROR,
    "4.18",
    nl="Signaaldatum {signaaldatum} ligt vóór de ontstaansdatum {ontstaansdatum} van de achterstand.",
    en="Signaaldatum {signaaldatum} lies before the ontstaansdatum {ontstaansdatum} of the arrears.",
    fix="Controleer beide datums: een achterstand wordt gesignaleerd nadat hij is ontstaan; vaak zijn de "
    "twee verwisseld.",
)

SIGNAALDATUM_OUTSIDE_PERIOD = define(
    "SIGNAALDATUM_OUTSIDE_PERIOD",
    Severity.WARNING,
    "4.18",
    nl="Signaaldatum {signaaldatum} valt buiten de leveringsperiode {periode_start} t/m {periode_eind}.",
    en="Signaaldatum {signaaldatum} lies outside the reporting period {periode_start} to {periode_eind}.",
    fix="Lever de vroegsignalen die in de leveringsperiode zijn ontvangen, of controleer de signaaldatum.",
)

MATCHING_PERIOD_START_AFTER_END = define(
    "MATCHING_PERIOD_START_AFTER_END",
    Severity.ERROR,
    "4.19",
    nl="De matchingperiode begint ({start}) na haar einde ({eind}).",
    en="The matching period starts ({start}) after it ends ({eind}).",
    fix="Controleer startdatum_matchtingperiode en einddatum_matchingperiode; ze zijn waarschijnlijk "
    "verwisseld.",
)

OPGEPAKT_BEFORE_SIGNAL = define(
    "OPGEPAKT_BEFORE_SIGNAL",
    Severity.WARNING,
    "4.19",
    nl="De zaak is opgepakt op {opgepakt}, vóór het eerste signaal van de zaak ({signaaldatum}).",
    en="The zaak was taken up on {opgepakt}, before the zaak's first signal ({signaaldatum}).",
    fix="Controleer datum_opgepakt: een zaak kan pas worden opgepakt nadat het (eerste) signaal is "
    "ontvangen.",
)

CONTACT_BEFORE_OPGEPAKT = define(
    "CONTACT_BEFORE_OPGEPAKT",
    Severity.WARNING,
    "4.19",
    nl="Contactpoging op {datum} ligt vóór de datum waarop de zaak is opgepakt ({opgepakt}).",
    en="Contactpoging on {datum} lies before the date the zaak was taken up ({opgepakt}).",
    fix="Controleer de datum van de contactpoging en datum_opgepakt: contact zoeken hoort bij het oppakken "
    "van de zaak, dus datum_opgepakt is uiterlijk de datum van de eerste poging.",
)

RESULTAAT_CONTRADICTS_CONTACT = define(
    "RESULTAAT_CONTRADICTS_CONTACT",
    Severity.WARNING,
    "4.20",
    nl="Resultaat '{resultaat}' past niet bij de contactpogingen: {reden}.",
    en="Resultaat '{resultaat}' does not fit the contactpogingen: {reason}.",
    fix="Controleer het eindresultaat en of bij de contactpogingen 'bereikt' juist is vastgelegd.",
)

#: Results that say the inwoner was never reached.
NO_CONTACT_RESULTS = frozenset({"Definitief geen contact kunnen krijgen", "Verwijzing zonder contact"})

#: Results that can only follow actual contact with the inwoner.
CONTACT_RESULTS = frozenset(
    {
        "(Budget)advies en/of quick fix",
        "Vervolghulp en/of verwijzing financieel",
        "Vervolghulp en/of verwijzing niet financieel",
        "Inwoner hoeft geen hulp vanuit vroegsignalering",
        "Geen reactie na eerder contact",
    }
)

_NOT_TAKEN_UP = "Nog niet opgepakt"
_NOT_TAKEN_UP_PREFIX = "Niet opgepakt:"

_REACHED = ("een contactpoging heeft de inwoner bereikt", "a contactpoging reached the inwoner")
_NOT_REACHED = ("geen enkele contactpoging heeft de inwoner bereikt", "no contactpoging reached the inwoner")

_STATE = "vs"


@dataclass(slots=True)
class _Levering:
    """What the item checks of one levering keep: ids, dates and positions, never records."""

    #: The reporting period as ISO strings (None when absent or reversed), shared by the document.
    period: tuple[str | None, str | None]
    #: Validity of the date strings seen so far, shared by the document: few distinct signaaldatums.
    days: dict[str, bool]
    #: signal ID → its signaaldatum when that is a real date, else None (the first signal with that ID)
    signals: dict[str, str | None] = field(default_factory=dict)
    #: signal ID → (index, status) of signals whose status says they were taken up, so need a zaak
    need_zaak: dict[str, tuple[Any, str]] = field(default_factory=dict)
    #: signal ID → index of the first zaak that refers to it
    zaak_of: dict[str, Any] = field(default_factory=dict)
    #: references to IDs not (yet) seen: (zaak index, reference index, ID)
    deferred: list[tuple[Any, int, str]] = field(default_factory=list)
    #: zaken whose datum_opgepakt waits for such a signal: (zaak index, datum_opgepakt, referenced IDs)
    deferred_opgepakt: list[tuple[Any, str, tuple[str, ...]]] = field(default_factory=list)


def _levering(ctx: Context) -> _Levering:
    """The levering's accumulator, created at its first item; the period and date cache live per document."""
    doc: tuple[tuple[str | None, str | None], dict[str, bool]] | None = ctx.doc_state.get(_STATE)
    if doc is None:
        start, end = ctx.period_start, ctx.period_end
        if start is not None and end is not None and start > end:
            start = end = None  # a reversed period is an error of its own; it must not flag every signal
        doc = ((start.isoformat() if start else None, end.isoformat() if end else None), {})
        ctx.doc_state[_STATE] = doc
    state = ctx.lev_state[_STATE] = _Levering(doc[0], doc[1])
    return state


def _learn(days: dict[str, bool], value: str) -> bool:
    """Whether a string is a real date, remembered (up to a bound) for the next signal with the same date."""
    ok = as_date(value) is not None
    if len(days) < 100_000:
        days[value] = ok
    return ok


def _dates(a: str, b: str) -> bool:
    """Both strings are real dates: checked only once a string comparison already says something is wrong."""
    return as_date(a) is not None and as_date(b) is not None


def _zaak_path(ctx: Context, j: Any) -> PathParts:
    """A zaak's path at the end of the levering, where no item path is at hand."""
    return ("leveringen", ctx.levering_index, "vroegsignaalzaken", j)


def _opgepakt_before(opgepakt: str, earliest: str | None, zaak: PathParts, out: Emitter) -> None:
    if earliest is not None and opgepakt < earliest and as_date(opgepakt) is not None:
        out.emit(
            OPGEPAKT_BEFORE_SIGNAL,
            (*zaak, "datum_opgepakt"),
            opgepakt,
            opgepakt=opgepakt,
            signaaldatum=earliest,
        )


def _second_zaak(sid: str, first: Any, zaak: PathParts, k: int, out: Emitter) -> None:
    out.emit(SIGNAL_IN_MULTIPLE_ZAKEN, (*zaak, "vroegsignalen", k, "ID"), sid, id=sid, eerste_zaak=first)


@check(Target.VROEGSIGNAAL, Kind.VS)
def vroegsignaal(signal: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.17 ID uniqueness (and notes for the end of the levering), §4.18 dates and amount."""
    if signal.__class__ is not dict:
        return
    state: _Levering = ctx.lev_state.get(_STATE) or _levering(ctx)
    sd = signal.get("signaaldatum")
    if sd.__class__ is not str:
        sd = None

    sid = signal.get("ID")
    if sid.__class__ is str:
        signals = state.signals
        if sid in signals:
            out.emit(VROEGSIGNAAL_ID_DUPLICATE, (*path, "ID"), sid, id=sid)
        else:
            day = None
            if sd is not None:
                ok = state.days.get(sd)
                if ok is None:
                    ok = _learn(state.days, sd)
                if ok:
                    day = sd
            signals[sid] = day
            status = signal.get("status")
            if (
                status.__class__ is str
                and status != _NOT_TAKEN_UP
                and not status.startswith(_NOT_TAKEN_UP_PREFIX)
            ):
                state.need_zaak[sid] = (path[-1] if path else -1, status)

    if sd is not None:
        ontstaan = signal.get("ontstaansdatum")
        if ontstaan.__class__ is str and sd < ontstaan and _dates(sd, ontstaan):
            out.emit(
                SIGNAALDATUM_BEFORE_ONTSTAANSDATUM,
                (*path, "signaaldatum"),
                sd,
                signaaldatum=sd,
                ontstaansdatum=ontstaan,
            )
        start, end = state.period
        if ((start is not None and sd < start) or (end is not None and sd > end)) and as_date(sd) is not None:
            out.emit(
                SIGNAALDATUM_OUTSIDE_PERIOD,
                (*path, "signaaldatum"),
                sd,
                signaaldatum=sd,
                periode_start=start or "—",
                periode_eind=end or "—",
            )

    bedrag = signal.get("bedrag")
    if (bedrag.__class__ is int or bedrag.__class__ is float) and bedrag < 0:
        out.emit(AMOUNT_NEGATIVE, (*path, "bedrag"), bedrag)


@check(Target.ZAAK, Kind.VS)
def vroegsignaalzaak(zaak: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.19 matching period and contact dates, §4.20 resultaat against contact; references noted."""
    if zaak.__class__ is not dict:
        return
    state: _Levering = ctx.lev_state.get(_STATE) or _levering(ctx)
    j = path[-1] if path else -1

    opgepakt = zaak.get("datum_opgepakt")
    if opgepakt.__class__ is not str:
        opgepakt = None
    refs = zaak.get("vroegsignalen")
    if refs.__class__ is list:
        signals = state.signals
        zaak_of = state.zaak_of
        earliest = None
        waiting = False
        for k, ref in enumerate(refs):
            sid = ref.get("ID") if ref.__class__ is dict else None
            if sid.__class__ is not str:
                continue
            if sid in signals:
                first = zaak_of.setdefault(sid, j)
                if first != j:  # the same ID twice within one zaak is the schema's uniqueItems
                    _second_zaak(sid, first, path, k, out)
                day = signals[sid]
                if day is not None and (earliest is None or day < earliest):
                    earliest = day
            else:
                state.deferred.append((j, k, sid))
                waiting = True
        if opgepakt is not None:
            if waiting:
                ids = [r["ID"] for r in refs if isinstance(r, dict) and isinstance(r.get("ID"), str)]
                state.deferred_opgepakt.append((j, opgepakt, tuple(ids)))
            else:
                _opgepakt_before(opgepakt, earliest, path, out)

    start = zaak.get("startdatum_matchtingperiode")
    end = zaak.get("einddatum_matchingperiode")
    if start.__class__ is str and end.__class__ is str and end < start and _dates(start, end):
        out.emit(
            MATCHING_PERIOD_START_AFTER_END,
            (*path, "startdatum_matchtingperiode"),
            start,
            start=start,
            eind=end,
        )

    reached = False
    pogingen = zaak.get("contactpogingen")
    if pogingen.__class__ is list:
        for p, poging in enumerate(pogingen):
            if poging.__class__ is not dict:
                continue
            if poging.get("bereikt") is True:
                reached = True
            if opgepakt is not None:
                datum = poging.get("datum")
                if datum.__class__ is str and datum < opgepakt and _dates(datum, opgepakt):
                    out.emit(
                        CONTACT_BEFORE_OPGEPAKT,
                        (*path, "contactpogingen", p, "datum"),
                        datum,
                        datum=datum,
                        opgepakt=opgepakt,
                    )

    resultaat = zaak.get("resultaat")
    if resultaat.__class__ is str:
        reason = None
        if reached:
            if resultaat in NO_CONTACT_RESULTS:
                reason = _REACHED
        elif resultaat in CONTACT_RESULTS:
            reason = _NOT_REACHED
        if reason is not None:
            out.emit(
                RESULTAAT_CONTRADICTS_CONTACT,
                (*path, "resultaat"),
                resultaat,
                resultaat=resultaat,
                reden=reason[0],
                reason=reason[1],
            )


@check(Target.END_LEVERING, Kind.VS)
def resolve_references(_: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.17 deferred references and signals in no zaak; §4.19 opgepakt for zaken that waited for a signal."""
    state: _Levering | None = ctx.lev_state.get(_STATE)
    if state is None:
        return
    signals = state.signals
    zaak_of = state.zaak_of
    for j, k, sid in state.deferred:
        if sid not in signals:
            out.emit(ZAAK_UNKNOWN_SIGNAL, (*_zaak_path(ctx, j), "vroegsignalen", k, "ID"), sid, id=sid)
            continue
        first = zaak_of.setdefault(sid, j)
        if first != j:
            _second_zaak(sid, first, _zaak_path(ctx, j), k, out)
    for sid, (j, status) in state.need_zaak.items():
        if sid not in zaak_of:
            out.emit(
                SIGNAL_WITHOUT_ZAAK,
                ("leveringen", ctx.levering_index, "vroegsignalen", j, "status"),
                status,
                id=sid,
                status=status,
            )
    for j, opgepakt, ids in state.deferred_opgepakt:
        days = [d for d in (signals.get(sid) for sid in ids) if d is not None]
        _opgepakt_before(opgepakt, min(days) if days else None, _zaak_path(ctx, j), out)
