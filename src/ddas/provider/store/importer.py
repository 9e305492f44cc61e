"""Importing into the store: a DDAS JSON delivery, or the records a CSV/XLSX export gives with a mapping.

Both paths end in the same place: the records are validated by the engine (errors never enter the store;
see `ddas.provider.store.plan` for what is rejected and what is held back), then written in one transaction
(`ddas.provider.store.persist`): a failure anywhere leaves the store as it was, and importing the same source
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ddas import __version__
from ddas.provider.store import keys
from ddas.provider.store.db import WRITE_LOCK
from ddas.provider.store.errors import ImportFailed, UnreadableSource
from ddas.provider.store.persist import persist
from ddas.provider.store.plan import Plan, make_plan
from ddas.provider.store.store import Store, utc_naive
from ddas.provider.store.summary import ImportSummary, Problem, Reason, RecordIssue, RecordType
from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_document
from ddas.validation.findings import Severity, pointer, scrub
from ddas.validation.load import load_bytes
from ddas.validation.result import ValidationResult

__all__ = ["import_delivery", "import_records", "import_source", "records_document"]

log = logging.getLogger("ddas.provider.store")

#: After an import that wrote this many records, PostgreSQL's statistics and visibility map are refreshed.
_ANALYZE_AFTER = 5_000
_RECORD_TABLES = (
    "organisaties",
    "trajecten",
    "trajectclienten",
    "schulden",
    "vroegsignalen",
    "zaken",
    "zaak_signalen",
    "contactpogingen",
)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A delivery is millions of acyclic objects; the cyclic GC would only re-traverse them (as the engine does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_delivery(
    store: Store,
    document: bytes | Any,
    *,
    accept_warnings: bool = False,
    organisatie: str | None = None,
    source: str = "-",
    kind: Kind | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Validate a DDAS delivery (bytes as read, or the parsed document) and import what may enter.

    `organisatie`: import only the leveringen of this organisation (by name); leveringen without a name are
    imported under it. Raises UnreadableSource when the input is not a readable DDAS delivery at all, and
    ImportFailed when writing failed (nothing was written).
    """
    started = time.perf_counter()
    with _collector_paused():
        if isinstance(document, bytes | bytearray | memoryview):
            data = bytes(document)
            loaded = load_bytes(data)
            result = ValidationResult(file=source, size_bytes=len(data))
            result.findings.extend(loaded.findings)
            if not loaded.parsed:
                reason = next((f.message("nl") for f in loaded.findings if f.severity is Severity.ERROR), "")
                raise UnreadableSource(f"'{source}' is geen leesbare JSON-levering. {reason}".strip())
            parsed = loaded.document
        else:
            parsed = document
            result = ValidationResult(file=source)
        summary = _import_parsed(
            store,
            parsed,
            result,
            source=source,
            accept_warnings=accept_warnings,
            organisatie=organisatie,
            kind=kind,
            today=today,
            now=now,
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _import_parsed(
    store: Store,
    document: Any,
    result: ValidationResult,
    *,
    source: str,
    accept_warnings: bool,
    organisatie: str | None,
    kind: Kind | None,
    today: dt.date | None,
    now: dt.datetime | None,
    origins: Mapping[str, str] | None = None,
) -> ImportSummary:
    validate_document(document, result, kind=kind, today=today)
    if result.kind is None:
        raise UnreadableSource(
            f"'{source}' is geen DDAS-levering: niet vast te stellen of het om schuldhulpverlening (SHV) of "
            "vroegsignalering (VS) gaat (er zijn geen herkenbare leveringen)."
        )
    summary = ImportSummary(source=source, kind=result.kind, accept_warnings=accept_warnings)
    plan = make_plan(document, result, summary, accept_warnings=accept_warnings, organisatie=organisatie)
    if origins:
        # Name records by their rows in the export; the pointer into the wrapping document means nothing there.
        for issue in (*summary.rejected, *summary.held_back):
            issue.label = origins.get(issue.path, issue.label)
            issue.path = ""
    write(store, plan, summary, now=now)
    return summary


def write(store: Store, plan: Plan, summary: ImportSummary, *, now: dt.datetime | None = None) -> None:
    """Write a plan in one transaction; on any database error nothing is written and ImportFailed raised."""
    moment = utc_naive(now)
    log.debug(
        "import: writing %d trajecten, %d vroegsignalen, %d zaken",
        len(plan.trajecten),
        len(plan.signalen),
        len(plan.zaken),
    )
    try:
        with store.engine.connect() as connection:
            connection.execution_options(**{WRITE_LOCK: True})
            with connection.begin():
                persist(connection, plan, summary, moment)
    except (SQLAlchemyError, store.engine.dialect.loaded_dbapi.Error) as exc:
        # COPY runs on the driver's connection, so its errors arrive unwrapped.
        cause = getattr(exc, "orig", None) or exc
        first_line = scrub(str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__)
        log.error("import failed and was rolled back: %s", type(cause).__name__)
        raise ImportFailed(
            "Het importeren is mislukt; er is niets opgeslagen (de opslag is zoals hij was). "
            f"Oorzaak volgens de database: {first_line}"
        ) from exc
    total = summary.total
    if store.dialect == "postgresql" and total.new + total.changed >= _ANALYZE_AFTER:
        # Fresh statistics, so that the planner uses the natural-key indexes for the next import and snapshot
        # straight away, and a fresh visibility map, so that selections are answered from the covering indexes
        # (index-only scans) — instead of waiting for autovacuum. VACUUM cannot run inside a transaction.
        # The import has committed by now: a refusal here (a role without the right to VACUUM) costs speed, not data.
        try:
            with store.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(_RECORD_TABLES)}")
        except SQLAlchemyError as exc:
            log.warning("VACUUM (ANALYZE) after the import failed: %s", type(exc).__name__)
    log.info(
        "import: %d new, %d changed, %d unchanged, %d rejected, %d held back",
        total.new,
        total.changed,
        total.unchanged,
        total.rejected,
        total.held_back,
    )


# --- records from a source export -------------------------------------------------------------------------


def _record_type(kind: Kind, item: Mapping[str, Any], record: Any) -> RecordType:
    """Which record a source item holds: its declared `type` (as `ddas.sources` sets it), else its shape."""
    if kind is Kind.SHV:
        return RecordType.TRAJECT
    declared = item.get("type")
    if isinstance(declared, str):
        if declared.lower() in ("vroegsignaalzaak", "zaak"):
            return RecordType.ZAAK
        if declared.lower() in ("vroegsignaal", "signaal"):
            return RecordType.VROEGSIGNAAL
    if isinstance(record, dict) and isinstance(record.get("vroegsignalen"), list):
        return RecordType.ZAAK
    return RecordType.VROEGSIGNAAL


def _rows_label(item: Mapping[str, Any], number: int) -> str:
    """`rij 7` / `rijen 7, 8, 9` for the export rows a record came from (its position when unknown)."""
    rows = item.get("rows")
    if isinstance(rows, list) and rows and all(isinstance(r, int) for r in rows):
        if len(rows) == 1:
            return f"rij {rows[0]}"
        shown = ", ".join(str(r) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
        return f"rijen {shown}"
    row = item.get("row")
    return f"rij {row}" if isinstance(row, int) else f"record {number}"


def _org_object(kind: Kind, org: Any, fallback_name: str | None) -> dict[str, Any]:
    """The organisation in the exchange model's own spelling, whichever spelling the source used."""
    raw: dict[str, Any] = dict(org) if isinstance(org, Mapping) else {}
    if isinstance(org, str) and org.strip():
        raw = {"naam": org.strip()}

    def first(*names: str) -> Any:
        for name in names:
            if raw.get(name) not in (None, ""):
                return raw[name]
        return None

    naam = first("(Statutaire) Naam", "naam", "name") or fallback_name
    kvk = first("KvK-nummer", "kvk-nummer", "kvk_nummer", "kvk")
    contacts = first("contactpersonen", "contactpersoonen")
    out: dict[str, Any] = {}
    if kind is Kind.SHV:
        if naam is not None:
            out["(Statutaire) Naam"] = naam
        if kvk is not None:
            out["KvK-nummer"] = kvk
        for name in ("postcode", "gemeentecode"):
            if first(name) is not None:
                out[name] = first(name)
        if contacts is not None:
            out["contactpersonen"] = contacts
    else:
        if naam is not None:
            out["naam"] = naam
        if kvk is not None:
            out["kvk-nummer"] = kvk
        if contacts is not None:
            out["contactpersoonen"] = contacts
    return out


def records_document(
    records: Iterable[Mapping[str, Any]],
    *,
    kind: Kind | None = None,
    organisatie: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Wrap source records (`{"kind", "organisatie", "gemeentecode", "record"}`) in a DDAS document, so that
    they are validated and imported exactly as a delivery: one levering per (organisation, gemeentecode).

    The period spans the records (earliest start or signaaldatum up to the import day), so the period rules
    stay quiet about an export that has no reporting period. Returns the document and, per record pointer,
    a label naming the source row.
    """
    moment = utc_naive(now)
    leveringen: dict[tuple[str, str], dict[str, Any]] = {}
    origins: dict[str, str] = {}
    earliest: dt.date | None = None
    detected: Kind | None = kind
    for number, item in enumerate(records, start=1):
        item_kind = Kind(item.get("kind") or detected or Kind.SHV)
        detected = detected or item_kind
        if item_kind is not detected:
            raise UnreadableSource("De bron bevat records van beide soorten (SHV en VS); importeer ze apart.")
        record = item.get("record")
        org = _org_object(detected, item.get("organisatie"), organisatie)
        naam = str(org.get("(Statutaire) Naam") or org.get("naam") or "")
        gemeentecode = item.get("gemeentecode")
        if detected is Kind.SHV and isinstance(record, dict):
            if isinstance(gemeentecode, str) and not record.get("gemeentecode"):
                record = {**record, "gemeentecode": gemeentecode}
            gemeentecode = record.get("gemeentecode")
        code = gemeentecode if isinstance(gemeentecode, str) else ""
        levering = leveringen.get((naam, code))
        if levering is None:
            levering = {"teller": len(leveringen) + 1}
            if detected is Kind.VS:
                levering["gemeentecode"] = code
            levering["aanleverende_organisatie"] = org
            leveringen[(naam, code)] = levering
        record_type = _record_type(detected, item, record)
        name = {
            RecordType.TRAJECT: "schuldhulptrajecten",
            RecordType.VROEGSIGNAAL: "vroegsignalen",
            RecordType.ZAAK: "vroegsignaalzaken",
        }[record_type]
        items = levering.setdefault(name, [])
        index = list(leveringen).index((naam, code))
        origins[pointer(("leveringen", index, name, len(items)))] = _rows_label(item, number)
        items.append(record)
        if isinstance(record, dict):
            day = (
                keys.traject_start(record)
                if detected is Kind.SHV
                else keys.parse_date(record.get("signaaldatum"))
            )
            if day is not None and (earliest is None or day < earliest):
                earliest = day
    today = moment.date()
    start = min(earliest or today, today)
    document: dict[str, Any] = {
        "startdatumLevering": start.isoformat(),
        "einddatumLevering": today.isoformat(),
        "aanleverdatumEnTijd": moment.replace(microsecond=0).isoformat() + "Z",
        "codeGegevensleverancier": f"ddas {__version__}",
        "leveringen": list(leveringen.values()),
    }
    return document, origins


def import_records(
    store: Store,
    records: Iterable[Mapping[str, Any]],
    *,
    kind: Kind | None = None,
    accept_warnings: bool = False,
    organisatie: str | None = None,
    source: str = "-",
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import DDAS-shaped records from a source export (the `ddas.sources` path): validated and written as a
    delivery would be; rejected and held-back records are named by their source row."""
    started = time.perf_counter()
    with _collector_paused():
        document, origins = records_document(records, kind=kind, organisatie=organisatie, now=now)
        if not document["leveringen"]:
            summary = ImportSummary(source=source, kind=kind, accept_warnings=accept_warnings)
        else:
            summary = _import_parsed(
                store,
                document,
                ValidationResult(file=source),
                source=source,
                accept_warnings=accept_warnings,
                organisatie=None,
                kind=kind,
                today=today,
                now=now,
                origins=origins,
            )
    summary.seconds = time.perf_counter() - started
    return summary


def review_path(source: Path) -> Path:
    """Where the review file for a source goes: next to it, `<source>.review.yaml`."""
    return source.with_name(source.name + ".review.yaml")


def import_source(
    store: Store,
    path: Path,
    *,
    mapping: Path | None = None,
    accept_warnings: bool = False,
    organisatie: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import a file: a DDAS JSON delivery, or (with `mapping`) a CSV/XLSX export read by `ddas.sources`.

    Raises UnreadableSource for a file that cannot be read, ImportFailed when writing failed.
    """
    if not path.is_file():
        raise UnreadableSource(f"Het bestand '{path}' bestaat niet of is geen bestand.")
    if mapping is None:
        if path.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".txt"):
            raise UnreadableSource(
                f"'{path.name}' is een export (CSV/XLSX): geef met --mapping het mappingbestand op dat de "
                "kolommen en waarden naar het uitwisselmodel vertaalt."
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableSource(f"Het bestand '{path}' is niet te lezen: {exc.strerror or exc}.") from None
        return import_delivery(
            store,
            data,
            accept_warnings=accept_warnings,
            organisatie=organisatie,
            source=str(path),
            today=today,
            now=now,
        )
    return _import_export(
        store, path, mapping, accept_warnings=accept_warnings, organisatie=organisatie, today=today, now=now
    )


def _import_export(
    store: Store,
    path: Path,
    mapping: Path,
    *,
    accept_warnings: bool,
    organisatie: str | None,
    today: dt.date | None,
    now: dt.datetime | None,
) -> ImportSummary:
    """CSV/XLSX + mapping: records through the validator into the store; unmapped values into a review file
    next to the source, their rows held back until the mapping says what the values mean."""
    from ddas.sources import SourceError, read_export
    from ddas.standardize.review import ReviewError, mapped_entries, write_review

    if not mapping.is_file():
        raise UnreadableSource(f"Het mappingbestand '{mapping}' bestaat niet of is geen bestand.")
    try:
        result = read_export(path, mapping)
    except SourceError as exc:
        raise UnreadableSource(f"De export '{path.name}' is niet in te lezen: {exc}") from None
    except OSError as exc:
        raise UnreadableSource(f"De export '{path.name}' is niet te lezen: {exc.strerror or exc}.") from None
    summary = import_records(
        store,
        result.records,
        kind=result.kind,
        accept_warnings=accept_warnings,
        organisatie=organisatie,
        source=str(path),
        today=today,
        now=now,
    )
    summary.kind = result.kind
    summary.rows_read = result.rows_read
    record_type = RecordType.TRAJECT if result.kind is Kind.SHV else RecordType.VROEGSIGNAAL
    for row in result.held_back:
        summary.held_back_rows.append(
            RecordIssue(
                record_type,
                "",
                f"{row.table} rij {row.row}" if row.table else f"rij {row.row}",
                Reason.SOURCE_HELD_BACK,
                [
                    Problem.own(reason.code, reason.message, path=reason.column or "", severity="warning")
                    for reason in row.reasons
                ],
            )
        )
    if result.unmapped:
        target = review_path(path)
        try:
            write_review(target, result.unmapped, mapped_entries(result.translations))
        except (OSError, ReviewError) as exc:
            raise UnreadableSource(f"Het reviewbestand '{target}' is niet te schrijven: {exc}") from None
        summary.review_file = str(target)
    return summary
