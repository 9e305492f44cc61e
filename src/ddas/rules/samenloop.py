"""§4.15: one client, one traject at a time, within a delivery.

The FAQ allows sequential trajecten for a client but not simultaneous ones in one delivery (different
providers delivering on the same client — samenloop between deliveries — is the collector's business).
A file may be streamed, so the rule keeps per client only (start, end, path) of the trajecten seen so far in
`ctx.doc_state`, and reports on the later traject in document order.
"""

from __future__ import annotations

from typing import Any

from ddas.rules.base import Context, Emitter, Target, check
from ddas.rules.dates import day, iso
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define, pointer

__all__ = ["CLIENT_OVERLAPPING_TRAJECTEN", "client_key"]

CLIENT_OVERLAPPING_TRAJECTEN = define(
    "CLIENT_OVERLAPPING_TRAJECTEN",
    Severity.ERROR,
    "4.15",
    nl="Deze cliënt heeft in dezelfde levering ook het traject {ander_traject} ({ander_start} t/m "
    "{ander_eind}), dat overlapt met dit traject ({startdatum} t/m {einddatum}).",
    en="This client also has the traject {ander_traject} ({ander_start} to {ander_eind}) in the same "
    "delivery, which overlaps this traject ({startdatum} to {einddatum}).",
    fix="Een cliënt heeft maar één traject tegelijk: voeg de trajecten samen, of sluit het eerdere traject "
    "af met een einddatum vóór de start van het volgende.",
)

_STATE = "samenloop"

#: Stands for "still running": later than any date as yyyymmdd (see `ddas.rules.dates.day`).
_OPEN = 100_000_000

ClientKey = str | tuple[str, str, str, str, str]
#: Per client: the (start, end, path) of every traject seen so far, dates as yyyymmdd numbers.
Seen = dict[ClientKey, tuple[tuple[int, int, PathParts], ...]]


def client_key(client: Any) -> ClientKey | None:
    """Who a client is: the BSN when it has nine digits, otherwise geboortedatum, geslacht, postcode,
    huisnummer (and toevoeging) when the first four are filled; None when neither identifies the client.
    """
    if client.__class__ is not dict:
        return None
    bsn = client.get("Burgerservicenummer")
    if bsn.__class__ is str and len(bsn) == 9 and bsn.isascii() and bsn.isdigit():
        return bsn
    geboren = client.get("Geboortedatum")
    geslacht = client.get("Geslachtsaanduiding")
    postcode = client.get("Postcode")
    huisnummer = client.get("Huisnummer")
    if not (
        geboren.__class__ is str
        and geslacht.__class__ is str
        and postcode.__class__ is str
        and huisnummer.__class__ is str
    ):
        return None
    geboren, geslacht, huisnummer = geboren.strip(), geslacht.strip(), huisnummer.strip()
    postcode = postcode.replace(" ", "").upper()
    if not (geboren and geslacht and postcode and huisnummer):
        return None
    toevoeging = client.get("Huisnummertoevoeging")
    toevoeging = toevoeging.strip().upper() if toevoeging.__class__ is str else ""
    return (geboren, geslacht, postcode, huisnummer, toevoeging)


def _overlap(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Do two periods share a day? Starting on the day the other ended is a hand-over, not an overlap; two
    trajecten starting on the same day always overlap."""
    return (start < other_end and other_start < end) or start == other_start


def _day(number: int) -> str:
    return "—" if number >= _OPEN else iso(number)


@check(Target.TRAJECT, Kind.SHV)
def traject_samenloop(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """Record the traject's clients and period; report a client already seen in an overlapping traject."""
    if traject.__class__ is not dict:
        return
    clients = traject.get("client")
    if clients.__class__ is not list or not clients:
        return
    start = traject.get("startdatum")
    begin = day(start) if start.__class__ is str else 0
    if not begin:
        aanmelding = traject.get("aanmelding")
        start = aanmelding.get("startdatum") if aanmelding.__class__ is dict else None
        begin = day(start) if start.__class__ is str else 0
        if not begin:
            return
    einddatum = traject.get("einddatum")
    if einddatum is None or einddatum == "":
        end = _OPEN
    else:
        end = day(einddatum) if einddatum.__class__ is str else 0
        if end < begin:
            return  # a period that cannot be read is left to the schema and END_BEFORE_START

    seen: Seen | None = ctx.doc_state.get(_STATE)
    if seen is None:
        seen = ctx.doc_state[_STATE] = {}
    mine: list[ClientKey] = []
    for k, client in enumerate(clients):
        key = client_key(client)
        if key is None or key in mine:
            continue
        mine.append(key)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = ((begin, end, path),)
            continue
        for other_start, other_end, other_path in earlier:
            if _overlap(begin, end, other_start, other_end):
                out.emit(
                    CLIENT_OVERLAPPING_TRAJECTEN,
                    (*path, "client", k),
                    ander_traject=pointer(other_path),
                    ander_start=_day(other_start),
                    ander_eind=_day(other_end),
                    startdatum=_day(begin),
                    einddatum=_day(end),
                )
                break
        seen[key] = (*earlier, (begin, end, path))
