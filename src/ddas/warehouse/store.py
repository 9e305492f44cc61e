"""The pseudonymised warehouse: deliveries, their pages and records, quarantine, and the merged picture.

Embedded default: a SQLite file; PostgreSQL by URL. No BSN, name or address is ever written here — only what
`ddas.warehouse.extract` keeps — and the pseudonym key lives in the collector's configuration, never here.

A delivery is what one provider delivered for one kind and period. Its pages are ingested one transaction each
while the delivery is `bezig` (in progress); it becomes `compleet` in one transaction that also retires the
delivery it replaces and derives the merged trajecten again. So a collector killed half-way leaves a `bezig`
delivery that the next run removes before it starts (the warehouse is then exactly as one clean run leaves
it), and a re-collection that brings the same records changes nothing at all: the new delivery is dropped and
the old one stays.

The op-orde-rapporten of a delivery are queued in the same transaction that completes it (`wh_report_outbox`):
a report is never lost to a mail server that is down or a collector that is killed before it mails, and it
moves to `wh_reports` only once it is sent. A queued report goes with its delivery: when that delivery is
replaced or withdrawn before the report went out, the report no longer describes anything here and is dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from ddas.provider.store import db
from ddas.provider.store.errors import StoreError
from ddas.validation.findings import scrub
from ddas.warehouse.extract import PageRows
from ddas.warehouse.merge import Interval, MergedTraject, Observation, Source, merge_trajecten

__all__ = [
    "MIGRATIONS",
    "VERSION_TABLE",
    "OutgoingReport",
    "QueuedReport",
    "Warehouse",
    "WarehouseError",
    "default_warehouse_url",
]

log = logging.getLogger(__name__)

#: Alembic's bookkeeping table for the warehouse, apart from the provider store's (`db.VERSION_TABLE`), so that
#: a warehouse and a provider store can share one PostgreSQL database.
VERSION_TABLE = "ddas_warehouse_version"

#: The warehouse's Alembic migrations, shipped in the package.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: The revision a warehouse made before there were migrations (`metadata.create_all`) is at, and the tables it
#: has. The first warehouse release had no `wh_state` yet; such a file gets it as revision 0001 creates it.
_LEGACY_REVISION = "0001"
_LEGACY_TABLES = frozenset(
    {
        "wh_deliveries",
        "wh_pages",
        "wh_trajecten",
        "wh_vroegsignalen",
        "wh_zaken",
        "wh_quarantine",
        "wh_reports",
        "wh_merged_trajecten",
        "wh_conflicts",
        "wh_state",
    }
)
_LEGACY_LATER = frozenset({"wh_state"})

metadata = MetaData()

deliveries = Table(
    "wh_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider", Text, nullable=False),
    Column("kind", String(3), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("state", String(12), nullable=False),  # bezig | compleet | ingetrokken
    Column("content_key", String(64)),
    Column("started_at", DateTime, nullable=False),
    Column("completed_at", DateTime),
    Index("ix_wh_deliveries_key", "provider", "kind", "period_start", "period_end", "state"),
)

pages = Table(
    "wh_pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, ForeignKey("wh_deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("page", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("signature_form", Text),
    Column("signer_oin", Text),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("quarantined", Integer, nullable=False),
    Index("uq_wh_pages", "delivery_id", "page", unique=True),
)


def _owned() -> list[Column[Any]]:
    """The columns every row of a delivery starts with: its id, its delivery and the page it came from."""
    return [
        Column("id", Integer, primary_key=True),
        Column(
            "delivery_id",
            Integer,
            ForeignKey("wh_deliveries.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("page_id", Integer, ForeignKey("wh_pages.id", ondelete="CASCADE"), nullable=False),
    ]


def _record() -> list[Column[Any]]:
    """…and for a delivered record: its stable key, and who delivered it for which gemeente."""
    return [
        *_owned(),
        Column("record_key", String(64), nullable=False),
        Column("organisatie", Text, nullable=False),
        Column("gemeentecode", Text, nullable=False),
    ]


trajecten = Table(
    "wh_trajecten",
    metadata,
    *_record(),
    Column("startdatum", Date),
    Column("einddatum", Date),
    Column("clients", JSON, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("periods", JSON, nullable=False),
    Index("ix_wh_trajecten_gemeente", "gemeentecode"),
)

vroegsignalen = Table(
    "wh_vroegsignalen",
    metadata,
    *_record(),
    Column("signaal_id", Text, nullable=False),
    Column("persoon", String(64), index=True),
    Column("persoon_soort", String(5)),
    Column("geboortejaar", Integer),
    Column("signaaldatum", Date),
    Column("status", Text),
    Column("signaalpartner", Text),
    Column("bedrag", Integer),
    Column("crisissignaal", Boolean),
    Column("zaak_key", String(64)),
)

zaken = Table(
    "wh_zaken",
    metadata,
    *_record(),
    Column("signalen", JSON, nullable=False),
    Column("datum_opgepakt", Date),
    Column("resultaat", Text),
    Column("fields", JSON, nullable=False),
)

quarantine = Table(
    "wh_quarantine",
    metadata,
    *_owned(),
    Column("kind", String(3), nullable=False),
    Column("pointer", Text, nullable=False),
    Column("codes", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
)

reports = Table(
    "wh_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, ForeignKey("wh_deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("organisatie", Text, nullable=False),
    Column("recipients", Integer, nullable=False),
    Column("sent_at", DateTime, nullable=False),
)

#: Op-orde-rapporten waiting to be sent (see the module docstring): rendered and masked, with their recipients,
#: the attempts so far and the last error. `message_key` makes the Message-ID, the same on every attempt.
report_outbox = Table(
    "wh_report_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "delivery_id",
        Integer,
        ForeignKey("wh_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("organisatie", Text, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("message_key", String(40), nullable=False),
    Column("queued_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", DateTime),
    Column("last_error", Text),
)

merged = Table(
    "wh_merged_trajecten",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("gemeentecode", Text, nullable=False),
    Column("startdatum", Date, nullable=False),
    Column("einddatum", Date),
    Column("clients", JSON, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("periods", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("observations", Integer, nullable=False),
    Column("conflicts", Integer, nullable=False),
)

conflicts = Table(
    "wh_conflicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "merged_key", String(64), ForeignKey("wh_merged_trajecten.key", ondelete="CASCADE"), nullable=False
    ),
    Column("field", Text, nullable=False),
    Column("values", JSON, nullable=False),
)

#: Small facts about the warehouse itself; `merged_stale` is set when a delivery was completed without
#: deriving the merged trajecten (a collection run derives them once, at its end) and cleared by deriving.
state = Table(
    "wh_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

_RECORD_TABLES = (trajecten, vroegsignalen, zaken, quarantine)
#: Longest last error kept for a queued report.
_ERROR_LIMIT = 1000


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or written (Dutch message, no personal data)."""


def default_warehouse_url(folder: Path | None = None) -> str:
    """The embedded default: `ddas-warehouse.sqlite` in `folder` (the working directory)."""
    return f"sqlite:///{(folder or Path.cwd()) / 'ddas-warehouse.sqlite'}"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class OutgoingReport:
    """An op-orde-rapport to queue with its delivery: to whom, and the message as rendered (already masked)."""

    organisatie: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class QueuedReport:
    """A report in the outbox, without its message (`Warehouse.report_message` reads that, one at a time)."""

    id: int
    delivery_id: int
    provider: str
    organisatie: str
    recipients: tuple[str, ...]
    message_key: str
    queued_at: dt.datetime
    attempts: int
    #: Naive UTC, like every moment the warehouse stores; None before the first attempt.
    last_attempt_at: dt.datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class DeliveryRef:
    """A delivery being ingested."""

    id: int
    provider: str
    kind: str
    period_start: dt.date
    period_end: dt.date


class Warehouse:
    """One warehouse database. Every write is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Warehouse:
        """Open (and create when new) the warehouse at `url`; WarehouseError with a Dutch message otherwise."""
        try:
            parsed = db.normalise_url(url)
        except StoreError as exc:
            raise WarehouseError(str(exc).replace("de opslag", "het warehouse")) from None
        engine = db.make_engine(parsed)
        try:
            _migrate(engine, db.display_url(parsed))
        except WarehouseError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise WarehouseError(
                f"Het warehouse {db.display_url(parsed)} is niet te openen ({type(exc).__name__})."
            ) from exc
        warehouse = cls(engine)
        if warehouse._merged_stale():
            # A run completed deliveries but was stopped before it derived the merged trajecten.
            warehouse.derive_merged()
        return warehouse

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One write transaction; on SQLite it takes the write lock at BEGIN, so it never fails half-way."""
        with self.engine.connect() as connection:
            connection.execution_options(**{db.WRITE_LOCK: True})
            with connection.begin():
                yield connection

    # --- deliveries --------------------------------------------------------------------------------------

    def begin_delivery(self, provider: str, kind: str, start: dt.date, end: dt.date) -> DeliveryRef:
        """Start ingesting a delivery; a delivery of the same provider, kind and period still `bezig` (a run
        that was killed) is removed first, with everything it had ingested."""
        with self._tx() as connection:
            stale = [
                row[0]
                for row in connection.execute(
                    select(deliveries.c.id).where(
                        deliveries.c.provider == provider,
                        deliveries.c.kind == kind,
                        deliveries.c.period_start == start,
                        deliveries.c.period_end == end,
                        deliveries.c.state == "bezig",
                    )
                )
            ]
            if stale:
                log.info("onvoltooide levering van %s verwijderd (%d)", provider, len(stale))
                _delete_deliveries(connection, stale)
            delivery_id = connection.execute(
                insert(deliveries)
                .values(
                    provider=provider,
                    kind=kind,
                    period_start=start,
                    period_end=end,
                    state="bezig",
                    started_at=_utc_now(),
                )
                .returning(deliveries.c.id)
            ).scalar_one()
        return DeliveryRef(int(delivery_id), provider, kind, start, end)

    def ingest_page(
        self,
        delivery: DeliveryRef,
        *,
        page: int,
        sha256: str,
        fetched_at: dt.datetime,
        verified: bool,
        signature_form: str | None,
        signer_oin: str | None,
        errors: int,
        warnings: int,
        rows: PageRows,
    ) -> None:
        """One page's rows, in one transaction (a page already ingested for this delivery is skipped)."""
        with self._tx() as connection:
            exists = connection.execute(
                select(pages.c.id).where(pages.c.delivery_id == delivery.id, pages.c.page == page)
            ).first()
            if exists is not None:
                return
            page_id = connection.execute(
                insert(pages)
                .values(
                    delivery_id=delivery.id,
                    page=page,
                    sha256=sha256,
                    fetched_at=fetched_at.astimezone(dt.UTC).replace(tzinfo=None)
                    if fetched_at.tzinfo
                    else fetched_at,
                    verified=verified,
                    signature_form=signature_form,
                    signer_oin=signer_oin,
                    errors=errors,
                    warnings=warnings,
                    records=len(rows.trajecten) + len(rows.vroegsignalen) + len(rows.zaken),
                    quarantined=len(rows.quarantine),
                )
                .returning(pages.c.id)
            ).scalar_one()
            common = {"delivery_id": delivery.id, "page_id": page_id}
            for table, items in (
                (trajecten, rows.trajecten),
                (vroegsignalen, rows.vroegsignalen),
                (zaken, rows.zaken),
                (quarantine, rows.quarantine),
            ):
                if items:
                    connection.execute(insert(table), [{**item, **common} for item in items])

    def complete_delivery(
        self,
        delivery: DeliveryRef,
        *,
        derive: bool = True,
        reports: Callable[[], Iterable[OutgoingReport]] | None = None,
    ) -> str:
        """Finish a delivery: `ongewijzigd` when the complete delivery it would replace holds the same records
        (the new one is dropped), else `nieuw` or `vervangen`. The merged trajecten are derived again in the
        same transaction, or — with `derive=False`, for a run that completes many deliveries — marked stale
        and derived once by `derive_merged` (or by the next `open` when the run was stopped first).

        `reports` makes the delivery's op-orde-rapporten; it is called only when the delivery is new or replaces
        one, and they are queued in this same transaction, so a complete delivery always has its reports
        queued or sent. Everything queued is scrubbed of nine-digit runs once more."""
        with self._tx() as connection:
            content = _content_key(connection, delivery.id)
            previous = connection.execute(
                select(deliveries.c.id, deliveries.c.content_key).where(
                    deliveries.c.provider == delivery.provider,
                    deliveries.c.kind == delivery.kind,
                    deliveries.c.period_start == delivery.period_start,
                    deliveries.c.period_end == delivery.period_end,
                    deliveries.c.state == "compleet",
                )
            ).all()
            if previous and all(row.content_key == content for row in previous):
                _delete_deliveries(connection, [delivery.id])
                return "ongewijzigd"
            if previous:
                _delete_deliveries(connection, [row.id for row in previous])
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id)
                .values(state="compleet", content_key=content, completed_at=_utc_now())
            )
            if reports is not None:
                _queue_reports(connection, delivery.id, reports())
            if delivery.kind == "shv":
                if derive:
                    _derive_merged(connection)
                else:
                    _set_stale(connection, True)
        return "vervangen" if previous else "nieuw"

    def derive_merged(self) -> None:
        """Derive every merged traject again from the complete deliveries (one transaction)."""
        with self._tx() as connection:
            _derive_merged(connection)

    def _merged_stale(self) -> bool:
        with self.engine.connect() as connection:
            value = connection.execute(select(state.c.value).where(state.c.name == "merged_stale")).scalar()
        return value == "1"

    def abandon_delivery(self, delivery: DeliveryRef) -> None:
        """Remove a delivery that could not be completed (a provider failed half-way)."""
        with self._tx() as connection:
            _delete_deliveries(connection, [delivery.id])

    # --- the report outbox ---------------------------------------------------------------------------------

    def queued_reports(self, provider: str | None = None) -> list[QueuedReport]:
        """The reports waiting to be sent (of one provider, or all), oldest first."""
        query = (
            select(report_outbox, deliveries.c.provider)
            .join(deliveries, deliveries.c.id == report_outbox.c.delivery_id)
            .order_by(report_outbox.c.id)
        )
        if provider is not None:
            query = query.where(deliveries.c.provider == provider)
        with self.engine.connect() as connection:
            return [
                QueuedReport(
                    id=row.id,
                    delivery_id=row.delivery_id,
                    provider=row.provider,
                    organisatie=row.organisatie,
                    recipients=tuple(row.recipients),
                    message_key=row.message_key,
                    queued_at=row.queued_at,
                    attempts=row.attempts,
                    last_attempt_at=row.last_attempt_at,
                    last_error=row.last_error,
                )
                for row in connection.execute(query)
            ]

    def report_message(self, report_id: int) -> tuple[str, str, str] | None:
        """A queued report's subject, plain text and HTML; None when it is no longer queued."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(report_outbox.c.subject, report_outbox.c.body_text, report_outbox.c.body_html).where(
                    report_outbox.c.id == report_id
                )
            ).first()
        return None if row is None else (row.subject, row.body_text, row.body_html)

    def report_sent(self, report_id: int, recipients: int) -> None:
        """A queued report reached `recipients` addresses: it leaves the outbox for `wh_reports` (one
        transaction, so it is either waiting or sent, never both or neither)."""
        with self._tx() as connection:
            row = connection.execute(
                select(report_outbox.c.delivery_id, report_outbox.c.organisatie).where(
                    report_outbox.c.id == report_id
                )
            ).first()
            if row is None:
                return
            connection.execute(
                insert(reports).values(
                    delivery_id=row.delivery_id,
                    organisatie=row.organisatie,
                    recipients=recipients,
                    sent_at=_utc_now(),
                )
            )
            connection.execute(delete(report_outbox).where(report_outbox.c.id == report_id))

    def report_failed(self, report_id: int, error: str) -> None:
        """An attempt to send a queued report failed: count it and keep the (Dutch, masked) reason."""
        with self._tx() as connection:
            connection.execute(
                update(report_outbox)
                .where(report_outbox.c.id == report_id)
                .values(
                    attempts=report_outbox.c.attempts + 1,
                    last_attempt_at=_utc_now(),
                    last_error=scrub(error)[:_ERROR_LIMIT],
                )
            )

    def reports_waiting(self, provider: str | None = None) -> int:
        """How many reports (of one provider, or in all) are still waiting to be sent."""
        query = select(func.count()).select_from(report_outbox)
        if provider is not None:
            query = query.join(deliveries, deliveries.c.id == report_outbox.c.delivery_id).where(
                deliveries.c.provider == provider
            )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def withdraw(self, provider: str, start: dt.date, end: dt.date, kind: str | None = None) -> int:
        """Remove what a provider delivered for a period (a supplier may withdraw it) and derive the merged
        trajecten again; returns the number of deliveries withdrawn."""
        with self._tx() as connection:
            query = select(deliveries.c.id).where(
                deliveries.c.provider == provider,
                deliveries.c.period_start == start,
                deliveries.c.period_end == end,
            )
            if kind is not None:
                query = query.where(deliveries.c.kind == kind)
            ids = [row[0] for row in connection.execute(query)]
            if ids:
                _delete_deliveries(connection, ids)
                _derive_merged(connection)
        return len(ids)

    # --- reading -------------------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        """The counts `ddas warehouse summary` and `ddas demo` print (complete deliveries only)."""
        with self.engine.connect() as connection:
            complete = select(deliveries.c.id).where(deliveries.c.state == "compleet").scalar_subquery()

            def count(table: Table, *where: Any) -> int:
                query = (
                    select(func.count()).select_from(table).where(table.c.delivery_id.in_(complete), *where)
                )
                return int(connection.execute(query).scalar_one())

            shv_people = _shv_people(connection)
            vs_people = {
                row[0]
                for row in connection.execute(
                    select(vroegsignalen.c.persoon).where(
                        vroegsignalen.c.delivery_id.in_(complete), vroegsignalen.c.persoon.is_not(None)
                    )
                )
            }
            return {
                "providers": int(
                    connection.execute(
                        select(func.count(func.distinct(deliveries.c.provider))).where(
                            deliveries.c.state == "compleet"
                        )
                    ).scalar_one()
                ),
                "deliveries": int(
                    connection.execute(
                        select(func.count()).select_from(deliveries).where(deliveries.c.state == "compleet")
                    ).scalar_one()
                ),
                "pages": count(pages),
                "pages_verified": count(pages, pages.c.verified.is_(True)),
                "trajecten_delivered": count(trajecten),
                "trajecten_merged": int(
                    connection.execute(select(func.count()).select_from(merged)).scalar_one()
                ),
                "merge_conflicts": int(
                    connection.execute(select(func.count()).select_from(conflicts)).scalar_one()
                ),
                "vroegsignalen": count(vroegsignalen),
                "zaken": count(zaken),
                "persons": len(shv_people | vs_people),
                "persons_in_both_vs_and_shv": len(shv_people & vs_people),
                "quarantined_records": count(quarantine),
                "reports_mailed": count(reports),
                "reports_waiting": int(
                    connection.execute(select(func.count()).select_from(report_outbox)).scalar_one()
                ),
            }

    def merged_trajecten(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(select(merged).order_by(merged.c.key))]

    def conflict_rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [
                dict(row._mapping)
                for row in connection.execute(
                    select(conflicts.c.merged_key, conflicts.c.field, conflicts.c["values"]).order_by(
                        conflicts.c.merged_key, conflicts.c.field
                    )
                )
            ]

    def deliveries(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [
                dict(row._mapping) for row in connection.execute(select(deliveries).order_by(deliveries.c.id))
            ]

    def state_digest(self) -> str:
        """A digest of everything derived from the deliveries (not of ids or timestamps): equal digests mean
        the warehouse holds the same picture — what the crash and idempotency tests compare."""
        digest = hashlib.sha256()
        with self.engine.connect() as connection:
            complete = select(deliveries.c.id).where(deliveries.c.state == "compleet").scalar_subquery()
            for table in _RECORD_TABLES:
                digest.update(table.name.encode())
                digest.update(_rows_digest(connection, table, table.c.delivery_id.in_(complete)))
            for row in connection.execute(select(merged).order_by(merged.c.key)):
                digest.update(
                    orjson.dumps(
                        dict(row._mapping), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str
                    )
                )
        return digest.hexdigest()


def _migrate(engine: Engine, shown: str) -> None:
    """Bring the schema to the newest revision; a warehouse made before migrations is stamped first.

    `shown` is the warehouse's address for messages (password hidden). Alembic's own errors (a revision this
    ddas does not know) become a WarehouseError; the database's errors are left to the caller.
    """
    try:
        if db.current_revision(engine, version_table=VERSION_TABLE) is None:
            _adopt_legacy(engine, shown)
        db.upgrade(engine, migrations=MIGRATIONS)
    except Exception as exc:
        if not type(exc).__module__.startswith("alembic"):
            raise
        raise WarehouseError(
            f"Het schema van het warehouse {shown} is niet bij te werken ({exc}). "
            "Is het warehouse gemaakt met een nieuwere versie van ddas?"
        ) from exc


def _adopt_legacy(engine: Engine, shown: str) -> None:
    """A warehouse made by `metadata.create_all` before there were migrations: stamp it at revision 0001."""
    present = set(inspect(engine).get_table_names()) & _LEGACY_TABLES
    if not present:
        return  # a new warehouse: the migrations create everything
    missing = _LEGACY_TABLES - present
    if not missing <= _LEGACY_LATER:
        raise WarehouseError(
            f"Het warehouse {shown} is niet te openen: het heeft geen schemaversie en er ontbreken "
            f"tabellen ({', '.join(sorted(missing))})."
        )
    log.info("warehouse zonder schemaversie gemarkeerd als revisie %s", _LEGACY_REVISION)
    if missing:
        # As revision 0001 creates it; should a later revision change wh_state, create 0001's version here.
        with engine.begin() as connection:
            state.create(connection)
    db.stamp(engine, _LEGACY_REVISION, migrations=MIGRATIONS)


def _queue_reports(connection: Connection, delivery_id: int, outgoing: Iterable[OutgoingReport]) -> None:
    now = _utc_now()
    rows = [
        {
            "delivery_id": delivery_id,
            "organisatie": scrub(report.organisatie),
            "recipients": list(report.recipients),
            "subject": scrub(report.subject),
            "body_text": scrub(report.text),
            "body_html": scrub(report.html),
            "message_key": _message_key(),
            "queued_at": now,
            "attempts": 0,
        }
        for report in outgoing
    ]
    if rows:
        connection.execute(insert(report_outbox), rows)


def _message_key() -> str:
    """Random letters for a report's Message-ID: no digits, so never a nine-digit run in what is stored."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(26))


def _delete_deliveries(connection: Connection, ids: list[int]) -> None:
    for table in (*_RECORD_TABLES, reports, report_outbox, pages):
        connection.execute(delete(table).where(table.c.delivery_id.in_(ids)))
    connection.execute(delete(deliveries).where(deliveries.c.id.in_(ids)))


def _content_key(connection: Connection, delivery_id: int) -> str:
    """What a delivery holds, independent of paging order and of when it was fetched: a digest of all its rows'
    content. (Record keys alone would not do: a vroegsignaal's key is its ID, and its status changes.)"""
    digest = hashlib.sha256()
    for table in _RECORD_TABLES:
        digest.update(table.name.encode())
        digest.update(_rows_digest(connection, table, table.c.delivery_id == delivery_id))
    return digest.hexdigest()


def _rows_digest(connection: Connection, table: Table, where: Any) -> bytes:
    """SHA-256 over the sorted digests of the selected rows' content (every column but the row's own id, its
    delivery and its page), so it does not depend on insertion order or paging."""
    columns = [c for c in table.c if c.name not in ("id", "delivery_id", "page_id")]
    rows = sorted(
        hashlib.sha256(
            orjson.dumps(dict(r._mapping), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
        ).digest()
        for r in connection.execute(select(*columns).where(where))
    )
    return hashlib.sha256(b"".join(rows)).digest()


def _shv_people(connection: Connection) -> set[str]:
    complete = select(deliveries.c.id).where(deliveries.c.state == "compleet").scalar_subquery()
    people: set[str] = set()
    for (clients,) in connection.execute(
        select(trajecten.c.clients).where(trajecten.c.delivery_id.in_(complete))
    ):
        people.update(c["p"] for c in clients if c.get("p"))
    return people


def _interval_json(interval: Interval) -> list[str | None]:
    return [interval.start.isoformat(), interval.end.isoformat() if interval.end else None]


def _source_json(source: Source) -> dict[str, Any]:
    return {
        "provider": source.provider,
        "levering": source.delivery,
        "periode_eind": source.period_end.isoformat(),
    }


@functools.lru_cache(maxsize=4096)
def _sources_json(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    """The sources of a field as stored; a run has a handful of distinct tuples and 100,000s of fields, so
    they are made once (the result is only ever serialised, never changed)."""
    return [_source_json(s) for s in sources]


def _observations(connection: Connection, gemeentecode: str) -> list[Observation]:
    """The mergeable trajecten of the complete deliveries for one gemeente."""
    query = (
        select(
            trajecten.c.record_key,
            trajecten.c.gemeentecode,
            trajecten.c.startdatum,
            trajecten.c.einddatum,
            trajecten.c.clients,
            trajecten.c.fields,
            trajecten.c.periods,
            deliveries.c.provider,
            deliveries.c.id.label("delivery_id"),
            deliveries.c.period_start,
            deliveries.c.period_end,
        )
        .join(deliveries, deliveries.c.id == trajecten.c.delivery_id)
        .where(deliveries.c.state == "compleet", trajecten.c.gemeentecode == gemeentecode)
    )
    out: list[Observation] = []
    for row in connection.execute(query):
        clients = frozenset(c["p"] for c in row.clients if c.get("p"))
        if (
            not clients
            or row.startdatum is None
            or (row.einddatum is not None and row.einddatum < row.startdatum)
        ):
            continue  # without an identifiable client or a start, a traject cannot be merged with anything
        periods: Mapping[str, tuple[Interval, ...]] = {
            name: tuple(
                Interval(dt.date.fromisoformat(a), dt.date.fromisoformat(b) if b else None) for a, b in items
            )
            for name, items in row.periods.items()
        }
        source = Source(row.provider, f"{row.period_start}..{row.period_end}", row.period_end)
        out.append(
            Observation(
                source=source,
                record_key=row.record_key,
                gemeentecode=row.gemeentecode,
                clients=clients,
                start=row.startdatum,
                end=row.einddatum,
                fields=row.fields,
                periods=periods,
            )
        )
    return out


def _merged_row(traject: MergedTraject) -> dict[str, Any]:
    return {
        "key": traject.key,
        "gemeentecode": traject.gemeentecode,
        "startdatum": traject.start,
        "einddatum": traject.end,
        "clients": sorted(traject.clients),
        "fields": {
            name: {"waarde": value.value, "bronnen": _sources_json(value.sources)}
            for name, value in sorted(traject.fields.items())
        },
        "periods": {
            name: [_interval_json(i) for i in items] for name, items in sorted(traject.periods.items())
        },
        "sources": _sources_json(traject.sources),
        "observations": len(traject.observations),
        "conflicts": len(traject.conflicts),
    }


def _set_stale(connection: Connection, stale: bool) -> None:
    connection.execute(delete(state).where(state.c.name == "merged_stale"))
    if stale:
        connection.execute(insert(state).values(name="merged_stale", value="1"))


def _derive_merged(connection: Connection) -> None:
    """Derive every merged traject again from the complete deliveries (deterministic, order-independent).

    Trajecten only ever merge within one gemeente (SPEC §7), so this goes gemeente by gemeente: the memory it
    needs is that of the largest gemeente, not of the whole country.
    """
    _set_stale(connection, False)
    connection.execute(delete(conflicts))
    connection.execute(delete(merged))
    codes = connection.execute(
        select(trajecten.c.gemeentecode)
        .distinct()
        .join(deliveries, deliveries.c.id == trajecten.c.delivery_id)
        .where(deliveries.c.state == "compleet")
        .order_by(trajecten.c.gemeentecode)
    ).scalars()
    for code in list(codes):
        result = merge_trajecten(_observations(connection, code))
        if not result:
            continue
        connection.execute(insert(merged), [_merged_row(t) for t in result])
        conflict_rows = [
            {
                "merged_key": t.key,
                "field": c.field,
                "values": [{"waarde": v.value, "bronnen": _sources_json(v.sources)} for v in c.values],
            }
            for t in result
            for c in t.conflicts
        ]
        if conflict_rows:
            connection.execute(insert(conflicts), conflict_rows)
