"""Deciding, before anything is written, which records of a validated delivery enter the store.

Every finding is mapped to what it is about by its JSON Pointer: `/leveringen/i/<list>/j/...` is about record j
of levering i, any other `/leveringen/i/...` about the levering, anything else about the document.

- Errors never enter: a record with an error is rejected; a levering with an error is rejected with all its
  records; a document with an error is rejected as a whole.
- Warnings on a record hold it back unless the import accepts warnings (`--accept-warnings`): an experienced
  supplier looks at a suspect record before it goes to CBS, and says so once when it is fine as it is.
  Warnings on the document or a levering (the envelope: supplier code, contactpersonen, ...) are reported but
  hold nothing back — the provider builds its own envelope for every response.
- VS: a zaak travels with its signals. Signals and zaken that refer to each other form one unit that enters
  or stays out as a whole, so the store never holds a zaak without its signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ddas.provider.store import keys
from ddas.provider.store.summary import (
    ImportSummary,
    Problem,
    Reason,
    RecordIssue,
    RecordType,
    RejectedLevering,
)
from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, Severity, pointer
from ddas.validation.result import ValidationResult

__all__ = [
    "Envelope",
    "Plan",
    "PlannedSignal",
    "PlannedTraject",
    "PlannedZaak",
    "make_plan",
    "organisatie_naam",
]

_LISTS: dict[Kind, tuple[tuple[str, RecordType], ...]] = {
    Kind.SHV: (("schuldhulptrajecten", RecordType.TRAJECT),),
    Kind.VS: (("vroegsignalen", RecordType.VROEGSIGNAAL), ("vroegsignaalzaken", RecordType.ZAAK)),
}

_LABEL: dict[RecordType, str] = {
    RecordType.TRAJECT: "traject",
    RecordType.VROEGSIGNAAL: "vroegsignaal",
    RecordType.ZAAK: "zaak",
}


@dataclass(slots=True)
class Envelope:
    """How an organisation presents itself for one gemeente in one kind (the levering's organisation)."""

    organisatie: str
    kind: Kind
    gemeentecode: str
    kvk_nummer: str | None
    org_gemeentecode: str | None
    aanleverende_organisatie: bytes


@dataclass(slots=True)
class PlannedTraject:
    organisatie: str
    gemeentecode: str
    natural_key: str
    startdatum: dt.date
    einddatum: dt.date | None
    content_hash: str
    record: bytes
    client_hashes: list[str | None]
    #: Derived rows as tuples in the column order of `CLIENT_COLUMNS` / `SCHULD_COLUMNS` (dates as ISO text).
    clients: list[tuple[Any, ...]]
    schulden: list[tuple[Any, ...]]


@dataclass(slots=True)
class PlannedSignal:
    organisatie: str
    gemeentecode: str
    signaal_id: str
    signaaldatum: dt.date | None
    ontstaansdatum: dt.date | None
    status: str | None
    signaalpartner: str | None
    crisissignaal: bool | None
    content_hash: str
    record: bytes


@dataclass(slots=True)
class PlannedZaak:
    organisatie: str
    gemeentecode: str
    natural_key: str
    signal_ids: list[str]
    datum_opgepakt: dt.date | None
    matchingsdatum: dt.date | None
    resultaat: str | None
    content_hash: str
    record: bytes
    #: Derived rows in the column order of `CONTACTPOGING_COLUMNS` (dates as ISO text).
    contactpogingen: list[tuple[Any, ...]]


@dataclass(slots=True)
class Plan:
    """What to write: envelopes and the accepted records, in delivered order."""

    kind: Kind
    envelopes: list[Envelope] = field(default_factory=list)
    trajecten: list[PlannedTraject] = field(default_factory=list)
    signalen: list[PlannedSignal] = field(default_factory=list)
    zaken: list[PlannedZaak] = field(default_factory=list)


def _str(value: Any) -> str | None:
    """Text for a column: None for anything else, and for empty text (a column has no use for "")."""
    return value if isinstance(value, str) and value else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def organisatie_naam(kind: Kind, org: Any) -> str | None:
    """The organisation's name as the exchange model spells the field; None when absent or blank."""
    if not isinstance(org, dict):
        return None
    name = org.get("(Statutaire) Naam" if kind is Kind.SHV else "naam")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return None


class _Findings:
    """The findings of a validation, sorted by what they are about."""

    def __init__(self, kind: Kind, findings: list[Finding]) -> None:
        lists = {name for name, _ in _LISTS[kind]}
        self.document: list[Finding] = []
        self.levering: dict[int, list[Finding]] = {}
        self.record: dict[tuple[int, str, int], list[Finding]] = {}
        for finding in findings:
            parts = finding.path.split("/")[1:]
            if len(parts) < 2 or parts[0] != "leveringen" or not parts[1].isdigit():
                self.document.append(finding)
                continue
            index = int(parts[1])
            if len(parts) >= 4 and parts[2] in lists and parts[3].isdigit():
                self.record.setdefault((index, parts[2], int(parts[3])), []).append(finding)
            else:
                self.levering.setdefault(index, []).append(finding)


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def _warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


def _label(levering: int, teller: Any, record_type: RecordType, j: int, record: Any) -> str:
    teller_text = f" (teller {teller})" if isinstance(teller, int) and not isinstance(teller, bool) else ""
    label = f"levering {levering + 1}{teller_text}, {_LABEL[record_type]} {j + 1}"
    if record_type is RecordType.VROEGSIGNAAL and isinstance(record, dict):
        sid = record.get("ID")
        if isinstance(sid, str):
            label += f" (ID {sid})"
    return label


def _records(levering: dict[str, Any], kind: Kind) -> Iterator[tuple[str, RecordType, int, Any]]:
    for name, record_type in _LISTS[kind]:
        items = levering.get(name)
        if isinstance(items, list):
            for j, record in enumerate(items):
                yield name, record_type, j, record


def _count_records(levering: Any, kind: Kind) -> dict[RecordType, int]:
    counts: dict[RecordType, int] = {}
    if isinstance(levering, dict):
        for _, record_type, _, _ in _records(levering, kind):
            counts[record_type] = counts.get(record_type, 0) + 1
    return counts


def make_plan(
    document: Any,
    result: ValidationResult,
    summary: ImportSummary,
    *,
    accept_warnings: bool = False,
    organisatie: str | None = None,
) -> Plan:
    """Sort the records of a validated document into accepted, rejected and held back; fill `summary`."""
    kind = result.kind
    if kind is None:
        raise ValueError("make_plan needs a validated document of a known kind")
    plan = Plan(kind)
    sorted_findings = _Findings(kind, result.findings)
    leveringen = document.get("leveringen") if isinstance(document, dict) else None
    if not isinstance(leveringen, list):
        leveringen = []

    for finding in sorted_findings.document:
        if finding.severity is Severity.WARNING:
            summary.notes.append(Problem.from_finding(finding))
    doc_errors = _errors(sorted_findings.document)
    if doc_errors:
        total = 0
        for levering in leveringen:
            for record_type, n in _count_records(levering, kind).items():
                summary.count(record_type).read += n
                summary.count(record_type).rejected += n
                total += n
        summary.rejected_leveringen.append(
            RejectedLevering(
                None,
                "het hele bestand",
                Reason.DOCUMENT_ERRORS,
                total,
                [Problem.from_finding(f) for f in doc_errors],
            )
        )
        return plan

    wanted = organisatie.strip() if organisatie else None
    skipped_orgs: dict[str, int] = {}
    for i, levering in enumerate(leveringen):
        counts = _count_records(levering, kind)
        for record_type, n in counts.items():
            summary.count(record_type).read += n
        lev_findings = sorted_findings.levering.get(i, [])
        lev_errors = _errors(lev_findings)
        org = levering.get("aanleverende_organisatie") if isinstance(levering, dict) else None
        naam = organisatie_naam(kind, org)
        teller = levering.get("teller") if isinstance(levering, dict) else None
        label = f"levering {i + 1}" + (f" (teller {teller})" if isinstance(teller, int) else "")
        if wanted is not None and naam is not None and naam != wanted:
            for record_type, n in counts.items():
                summary.count(record_type).skipped += n
            skipped_orgs[naam] = skipped_orgs.get(naam, 0) + sum(counts.values())
            continue
        if naam is None and wanted is not None:
            naam = wanted
        if lev_errors or naam is None or not isinstance(levering, dict):
            problems = [Problem.from_finding(f) for f in lev_errors]
            reason = Reason.LEVERING_ERRORS
            if not problems:
                reason = Reason.NO_ORGANISATIE
                problems = [
                    Problem.own(
                        Reason.NO_ORGANISATIE.value,
                        "De aanleverende organisatie heeft geen naam; de koppelvlak-API selecteert organisaties op "
                        "naam. Vul de naam in, of geef bij het importeren --organisatie NAAM op.",
                        path=pointer(("leveringen", i, "aanleverende_organisatie")),
                    )
                ]
            for record_type, n in counts.items():
                summary.count(record_type).rejected += n
            summary.rejected_leveringen.append(
                RejectedLevering(i, label, reason, sum(counts.values()), problems)
            )
            continue
        for finding in lev_findings:
            summary.notes.append(Problem.from_finding(finding))
        if naam not in summary.organisaties:
            summary.organisaties.append(naam)
        org_dict = org if isinstance(org, dict) else {}
        if kind is Kind.SHV:
            _plan_shv(plan, summary, sorted_findings, i, levering, naam, org_dict, accept_warnings)
        else:
            _plan_vs(plan, summary, sorted_findings, i, levering, naam, org_dict, accept_warnings)

    for naam, n in skipped_orgs.items():
        summary.notes.append(
            Problem.own(
                "IMPORT_OTHER_ORGANISATIE",
                f"{n} record(s) van organisatie '{naam}' overgeslagen: alleen '{wanted}' is gevraagd.",
                severity="info",
            )
        )
    return plan


def _envelope(kind: Kind, naam: str, org: dict[str, Any], gemeentecode: str) -> Envelope:
    kvk = _str(org.get("KvK-nummer" if kind is Kind.SHV else "kvk-nummer"))
    org_code = _str(org.get("gemeentecode")) if kind is Kind.SHV else None
    return Envelope(naam, kind, gemeentecode, kvk or None, org_code or None, orjson.dumps(org))


def _issue(
    record_type: RecordType,
    i: int,
    teller: Any,
    name: str,
    j: int,
    record: Any,
    reason: Reason,
    found: list[Finding],
) -> RecordIssue:
    return RecordIssue(
        record_type,
        pointer(("leveringen", i, name, j)),
        _label(i, teller, record_type, j, record),
        reason,
        [Problem.from_finding(f) for f in found],
    )


def _plan_shv(
    plan: Plan,
    summary: ImportSummary,
    found: _Findings,
    i: int,
    levering: dict[str, Any],
    naam: str,
    org: dict[str, Any],
    accept_warnings: bool,
) -> None:
    teller = levering.get("teller")
    envelopes: dict[str, Envelope] = {}
    counts = summary.count(RecordType.TRAJECT)
    for name, record_type, j, record in _records(levering, Kind.SHV):
        findings = found.record.get((i, name, j), [])
        errors = _errors(findings)
        if errors:
            counts.rejected += 1
            summary.rejected.append(
                _issue(record_type, i, teller, name, j, record, Reason.RECORD_ERRORS, errors)
            )
            continue
        warnings = _warnings(findings)
        if warnings and not accept_warnings:
            counts.held_back += 1
            summary.held_back.append(
                _issue(record_type, i, teller, name, j, record, Reason.RECORD_WARNINGS, warnings)
            )
            continue
        start = keys.traject_start(record) if isinstance(record, dict) else None
        gemeentecode = _str(record.get("gemeentecode")) if isinstance(record, dict) else None
        if start is None or not gemeentecode or not isinstance(record, dict):
            counts.rejected += 1
            summary.rejected.append(
                _issue(record_type, i, teller, name, j, record, Reason.NOT_IDENTIFIABLE, [])
            )
            continue
        client_hashes = keys.traject_client_keys(record)
        plan.trajecten.append(
            PlannedTraject(
                organisatie=naam,
                gemeentecode=gemeentecode,
                natural_key=keys.traject_key(gemeentecode, client_hashes, start, record),
                startdatum=start,
                einddatum=keys.traject_end(record),
                content_hash=keys.content_hash(record),
                record=orjson.dumps(record),
                client_hashes=client_hashes,
                clients=_clients(record, client_hashes),
                schulden=_schulden(record),
            )
        )
        if gemeentecode not in envelopes:
            envelopes[gemeentecode] = _envelope(Kind.SHV, naam, org, gemeentecode)
    plan.envelopes.extend(envelopes.values())


#: Columns of the derived rows after the parent id, in the order the planned tuples hold them.
CLIENT_COLUMNS = (
    "volgnummer",
    "client_key",
    "geboortedatum",
    "geslacht",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
)
SCHULD_COLUMNS = ("volgnummer", "bedrag", "peildatum", "schuldsoort", "zakelijke_schuld", "schuldeiser")
CONTACTPOGING_COLUMNS = ("volgnummer", "soort", "bereikt", "datum", "dagdeel")


def _day(value: Any) -> str | None:
    """A valid `YYYY-MM-DD` kept as text (both databases take it for a date column), else None."""
    return value if keys.parse_date(value) is not None else None


def _clients(record: dict[str, Any], hashes: list[str | None]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    clients = record.get("client")
    if not isinstance(clients, list):
        return rows
    for k, (client, key) in enumerate(zip(clients, hashes, strict=True)):
        if not isinstance(client, dict) or key is None:
            continue
        postcode = _str(client.get("Postcode"))
        rows.append(
            (
                k,
                key,
                _day(client.get("Geboortedatum")),
                _str(client.get("Geslachtsaanduiding")),
                postcode.replace(" ", "").upper() if postcode else None,
                _str(client.get("Huisnummer")),
                _str(client.get("Huisnummertoevoeging")),
            )
        )
    return rows


def _schulden(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    schulden = record.get("schulden")
    if not isinstance(schulden, list):
        return rows
    for k, schuld in enumerate(schulden):
        if schuld.__class__ is not dict:
            continue
        eiser = schuld.get("schuldeiser")
        eiser_naam = None
        if eiser.__class__ is dict:
            eiser_naam = _str(eiser.get("naam")) or _str(eiser.get("Naam"))
        rows.append(
            (
                k,
                _int(schuld.get("bedrag")),
                _day(schuld.get("peildatum")),
                _str(schuld.get("schuldsoort")),
                _bool(schuld.get("zakelijkeSchuld")),
                eiser_naam,
            )
        )
    return rows


class _Units:
    """Union-find over the records of a VS levering: signals and the zaken that refer to them."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(self, node: tuple[str, int]) -> tuple[str, int]:
        parent = self.parent.setdefault(node, node)
        if parent != node:
            parent = self.parent[node] = self.find(parent)
        return parent

    def union(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _plan_vs(
    plan: Plan,
    summary: ImportSummary,
    found: _Findings,
    i: int,
    levering: dict[str, Any],
    naam: str,
    org: dict[str, Any],
    accept_warnings: bool,
) -> None:
    teller = levering.get("teller")
    gemeentecode = _str(levering.get("gemeentecode")) or ""
    raw_signals = levering.get("vroegsignalen")
    raw_zaken = levering.get("vroegsignaalzaken")
    signals: list[Any] = raw_signals if isinstance(raw_signals, list) else []
    zaken: list[Any] = raw_zaken if isinstance(raw_zaken, list) else []

    units = _Units()
    by_id: dict[str, list[int]] = {}
    for j, signal in enumerate(signals):
        units.find(("vroegsignalen", j))
        sid = _str(signal.get("ID")) if isinstance(signal, dict) else None
        if sid is not None:
            by_id.setdefault(sid, []).append(j)
    for indexes in by_id.values():
        for j in indexes[1:]:
            units.union(("vroegsignalen", indexes[0]), ("vroegsignalen", j))
    for j, zaak in enumerate(zaken):
        units.find(("vroegsignaalzaken", j))
        if isinstance(zaak, dict):
            for sid in keys.signal_refs(zaak):
                for k in by_id.get(sid, ()):
                    units.union(("vroegsignaalzaken", j), ("vroegsignalen", k))

    # The verdict of a unit is the worst of its members: error, then warning (when not accepted), else fine.
    verdict: dict[tuple[str, int], int] = {}
    for name, _, j, _ in _records(levering, Kind.VS):
        findings = found.record.get((i, name, j), [])
        level = 2 if _errors(findings) else (1 if _warnings(findings) and not accept_warnings else 0)
        root = units.find((name, j))
        verdict[root] = max(verdict.get(root, 0), level)

    accepted: list[tuple[str, int, Any]] = []
    for name, record_type, j, record in _records(levering, Kind.VS):
        findings = found.record.get((i, name, j), [])
        level = verdict[units.find((name, j))]
        counts = summary.count(record_type)
        if level == 2:
            own = _errors(findings)
            reason = Reason.RECORD_ERRORS if own else Reason.LINKED
            counts.rejected += 1
            summary.rejected.append(_issue(record_type, i, teller, name, j, record, reason, own))
        elif level == 1:
            own = _warnings(findings)
            reason = Reason.RECORD_WARNINGS if own else Reason.LINKED
            counts.held_back += 1
            summary.held_back.append(_issue(record_type, i, teller, name, j, record, reason, own))
        else:
            accepted.append((name, j, record))

    for name, j, record in accepted:
        record_type = RecordType.VROEGSIGNAAL if name == "vroegsignalen" else RecordType.ZAAK
        if not isinstance(record, dict):
            summary.count(record_type).rejected += 1
            summary.rejected.append(
                _issue(record_type, i, teller, name, j, record, Reason.NOT_IDENTIFIABLE, [])
            )
            continue
        if record_type is RecordType.VROEGSIGNAAL:
            sid = _str(record.get("ID"))
            if not sid:
                summary.count(record_type).rejected += 1
                summary.rejected.append(
                    _issue(record_type, i, teller, name, j, record, Reason.NOT_IDENTIFIABLE, [])
                )
                continue
            partner = record.get("signaalpartner")
            plan.signalen.append(
                PlannedSignal(
                    organisatie=naam,
                    gemeentecode=gemeentecode,
                    signaal_id=sid,
                    signaaldatum=keys.parse_date(record.get("signaaldatum")),
                    ontstaansdatum=keys.parse_date(record.get("ontstaansdatum")),
                    status=_str(record.get("status")),
                    signaalpartner=(_str(partner.get("type")) if isinstance(partner, dict) else None),
                    crisissignaal=_bool(record.get("crisissignaal")),
                    content_hash=keys.content_hash(record),
                    record=orjson.dumps(record),
                )
            )
        else:
            refs = keys.signal_refs(record)
            plan.zaken.append(
                PlannedZaak(
                    organisatie=naam,
                    gemeentecode=gemeentecode,
                    natural_key=keys.zaak_key(refs),
                    signal_ids=refs,
                    datum_opgepakt=keys.parse_date(record.get("datum_opgepakt")),
                    matchingsdatum=keys.parse_date(record.get("matchingsdatum")),
                    resultaat=_str(record.get("resultaat")),
                    content_hash=keys.content_hash(record),
                    record=orjson.dumps(record),
                    contactpogingen=_contactpogingen(record),
                )
            )
    if accepted:
        plan.envelopes.append(_envelope(Kind.VS, naam, org, gemeentecode))


def _contactpogingen(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    pogingen = record.get("contactpogingen")
    if not isinstance(pogingen, list):
        return rows
    for k, poging in enumerate(pogingen):
        if isinstance(poging, dict):
            rows.append(
                (
                    k,
                    _str(poging.get("soort")),
                    _bool(poging.get("bereikt")),
                    _day(poging.get("datum")),
                    _str(poging.get("dagdeel")),
                )
            )
    return rows
