"""From a verified, validated page to the warehouse's rows: pseudonymised, without a BSN or an address.

What leaves this module for the warehouse holds, per person, only the keyed pseudonym (and whether it came from
a BSN or from birth date + address), the birth year and the gender; names, streets, postcodes, house numbers and
BSNs stay in the raw archive. Records with errors are set aside (quarantined) with their findings instead of
entering the warehouse; the findings' messages are scrubbed of nine-digit runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, Severity, scrub
from ddas.warehouse.pseudonym import PseudonymKey, pseudonymise_shv_client, pseudonymise_vs_client

__all__ = ["PageRows", "extract_page"]

#: SHV traject members that are periods (merged per kind) rather than fields.
_PERIOD_LISTS = ("moratoria", "crisisinterventies", "voorlopigeVoorzieningen")
#: SHV traject members that never become fields: persons (pseudonymised separately), debts (summarised),
#: periods (above) and free text that may name people.
_NOT_FIELDS = {"client", "schulden", "begeleiding", *_PERIOD_LISTS, "omschrijving"}
_RECORD = re.compile(r"^/leveringen/(\d+)/(schuldhulptrajecten|vroegsignalen|vroegsignaalzaken)/(\d+)(/|$)")


@dataclass(slots=True)
class PageRows:
    """The rows one page contributes, ready for the warehouse."""

    trajecten: list[dict[str, Any]] = field(default_factory=list)
    vroegsignalen: list[dict[str, Any]] = field(default_factory=list)
    zaken: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _birth_year(value: Any) -> int | None:
    day = _date(value)
    return day.year if day else None


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Scalars as they are, objects into dotted names; lists other than the known ones are left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif value is None or isinstance(value, str | int | float | bool):
        out[prefix] = value


def _interval(item: Any) -> list[str | None] | None:
    if not isinstance(item, dict):
        return None
    start = _date(item.get("startdatum"))
    if start is None:
        return None
    end = _date(item.get("einddatum"))
    if end is not None and end < start:
        return None  # the validator reports it; a period that ends before it starts cannot be merged
    return [start.isoformat(), end.isoformat() if end else None]


def _record_key(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _errors_per_record(findings: Iterable[Finding]) -> tuple[dict[tuple[int, str, int], list[Finding]], bool]:
    """Error findings per record (levering index, list, index), and whether an error lies outside any record."""
    per_record: dict[tuple[int, str, int], list[Finding]] = defaultdict(list)
    document_error = False
    for finding in findings:
        if finding.rule.severity is not Severity.ERROR:
            continue
        match = _RECORD.match(finding.path)
        if match is None:
            document_error = True
            continue
        per_record[(int(match[1]), match[2], int(match[3]))].append(finding)
    return per_record, document_error


def _quarantined(kind: Kind, where: tuple[int, str, int], findings: list[Finding]) -> dict[str, Any]:
    levering, member, index = where
    return {
        "kind": kind.value,
        "pointer": f"/leveringen/{levering}/{member}/{index}",
        "codes": sorted({f.rule.code for f in findings}),
        "findings": [
            {"code": f.rule.code, "path": f.path, "message": scrub(f.message("nl"))} for f in findings
        ],
    }


def extract_page(
    kind: Kind, document: Mapping[str, Any], findings: Iterable[Finding], key: PseudonymKey, *, page: int
) -> PageRows:
    """The warehouse rows of one page's `gegevens`; records with an error finding go to quarantine.

    Row keys are stable across collections of the same data: a hash of the page-independent identity of the
    record (organisation, gemeente, position is not used), so re-collecting the same period gives the same rows.
    """
    per_record, _ = _errors_per_record(findings)
    rows = PageRows()
    leveringen = document.get("leveringen")
    if not isinstance(leveringen, list):
        return rows
    for li, levering in enumerate(leveringen):
        if not isinstance(levering, dict):
            continue
        org = levering.get("aanleverende_organisatie")
        org = org if isinstance(org, dict) else {}
        organisatie = _text(org.get("(Statutaire) Naam")) or _text(org.get("naam")) or ""
        if kind is Kind.SHV:
            _shv_levering(levering, li, organisatie, per_record, key, rows)
        else:
            _vs_levering(levering, li, organisatie, per_record, key, rows)
    return rows


def _shv_levering(
    levering: dict[str, Any],
    li: int,
    organisatie: str,
    per_record: dict[tuple[int, str, int], list[Finding]],
    key: PseudonymKey,
    rows: PageRows,
) -> None:
    trajecten = levering.get("schuldhulptrajecten")
    if not isinstance(trajecten, list):
        return
    for ti, traject in enumerate(trajecten):
        where = (li, "schuldhulptrajecten", ti)
        if where in per_record or not isinstance(traject, dict):
            rows.quarantine.append(_quarantined(Kind.SHV, where, per_record.get(where, [])))
            continue
        clients: list[dict[str, Any]] = []
        for client in traject.get("client") or []:
            if not isinstance(client, dict):
                continue
            pseudonym = pseudonymise_shv_client(key, client)
            clients.append(
                {
                    "p": pseudonym.value if pseudonym else None,
                    "k": pseudonym.kind if pseudonym else None,
                    "geslacht": _text(client.get("Geslachtsaanduiding")),
                    "geboortejaar": _birth_year(client.get("Geboortedatum")),
                }
            )
        aanmelding = traject.get("aanmelding")
        start = _date(traject.get("startdatum")) or (
            _date(aanmelding.get("startdatum")) if isinstance(aanmelding, dict) else None
        )
        fields: dict[str, Any] = {}
        for name, value in traject.items():
            if name not in _NOT_FIELDS:
                _flatten(name, value, fields)
        schulden = [s for s in traject.get("schulden") or [] if isinstance(s, dict)]
        fields["schulden.aantal"] = len(schulden)
        fields["schulden.totaal"] = sum(s["bedrag"] for s in schulden if isinstance(s.get("bedrag"), int))
        periods: dict[str, list[list[str | None]]] = defaultdict(list)
        for item in traject.get("begeleiding") or []:
            interval = _interval(item)
            if interval is not None:
                periods[f"begeleiding:{item.get('soort') or 'onbekend'}"].append(interval)
        for name in _PERIOD_LISTS:
            for item in traject.get(name) or []:
                interval = _interval(item)
                if interval is not None:
                    periods[name].append(interval)
        gemeentecode = _text(traject.get("gemeentecode")) or "Onbekend"
        rows.trajecten.append(
            {
                "record_key": _record_key(organisatie, gemeentecode, clients, fields, periods),
                "organisatie": organisatie,
                "gemeentecode": gemeentecode,
                "startdatum": start,
                "einddatum": _date(traject.get("einddatum")),
                "clients": clients,
                "fields": fields,
                "periods": dict(periods),
            }
        )


def _vs_levering(
    levering: dict[str, Any],
    li: int,
    organisatie: str,
    per_record: dict[tuple[int, str, int], list[Finding]],
    key: PseudonymKey,
    rows: PageRows,
) -> None:
    gemeentecode = _text(levering.get("gemeentecode")) or "Onbekend"
    signals = levering.get("vroegsignalen")
    zaken = levering.get("vroegsignaalzaken")
    zaak_of: dict[str, str] = {}
    for zi, zaak in enumerate(zaken if isinstance(zaken, list) else []):
        where = (li, "vroegsignaalzaken", zi)
        if where in per_record or not isinstance(zaak, dict):
            rows.quarantine.append(_quarantined(Kind.VS, where, per_record.get(where, [])))
            continue
        refs = sorted(
            {
                str(ref["ID"])
                for ref in zaak.get("vroegsignalen") or []
                if isinstance(ref, dict) and "ID" in ref
            }
        )
        zaak_key = _record_key(organisatie, gemeentecode, refs)
        for ref in refs:
            zaak_of[ref] = zaak_key
        fields: dict[str, Any] = {}
        for name, value in zaak.items():
            if name not in ("vroegsignalen", "contactpogingen"):
                _flatten(name, value, fields)
        pogingen = [p for p in zaak.get("contactpogingen") or [] if isinstance(p, dict)]
        fields["contactpogingen.aantal"] = len(pogingen)
        fields["contactpogingen.bereikt"] = any(p.get("bereikt") is True for p in pogingen)
        rows.zaken.append(
            {
                "record_key": zaak_key,
                "organisatie": organisatie,
                "gemeentecode": gemeentecode,
                "signalen": refs,
                "datum_opgepakt": _date(zaak.get("datum_opgepakt")),
                "resultaat": _text(zaak.get("resultaat")),
                "fields": fields,
            }
        )
    for si, signal in enumerate(signals if isinstance(signals, list) else []):
        where = (li, "vroegsignalen", si)
        if where in per_record or not isinstance(signal, dict):
            rows.quarantine.append(_quarantined(Kind.VS, where, per_record.get(where, [])))
            continue
        client = signal.get("client")
        client = client if isinstance(client, dict) else {}
        pseudonym = pseudonymise_vs_client(key, client)
        partner = signal.get("signaalpartner")
        signal_id = str(signal.get("ID"))
        rows.vroegsignalen.append(
            {
                "record_key": _record_key(organisatie, gemeentecode, signal_id),
                "organisatie": organisatie,
                "gemeentecode": gemeentecode,
                "signaal_id": signal_id,
                "persoon": pseudonym.value if pseudonym else None,
                "persoon_soort": pseudonym.kind if pseudonym else None,
                "geboortejaar": _birth_year(client.get("Geboortedatum")),
                "signaaldatum": _date(signal.get("signaaldatum")),
                "status": _text(signal.get("status")),
                "signaalpartner": _text(partner.get("type")) if isinstance(partner, dict) else None,
                "bedrag": signal.get("bedrag") if isinstance(signal.get("bedrag"), int) else None,
                "crisissignaal": signal.get("crisissignaal")
                if isinstance(signal.get("crisissignaal"), bool)
                else None,
                "zaak_key": zaak_of.get(signal_id),
            }
        )
