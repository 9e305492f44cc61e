"""Writing a plan into the store, inside the caller's transaction: versions, derived rows, superseded records.

For every planned record: no current version with its natural key → a new record; a current version with the
same content hash → unchanged (nothing written, which is what makes an import idempotent); a different hash →
the current version is closed (`valid_to`) and a new one added. Then two rules keep the store something the
koppelvlak can serve without contradicting itself:

- a client has one traject at a time (SPEC §2): a stored traject of the same organisation that shares a client
  with an imported traject and overlaps it in time, but has another natural key (a corrected start date or
  gemeentecode), is superseded — closed — by the imported one;
- a signal belongs to one zaak: a stored zaak of the same organisation and gemeente that refers to a signal an
  imported zaak refers to, but has other signals (a zaak that gained a signal), is superseded likewise.

Last, every current signal whose zaak may have changed gets its link to its current zaak recomputed
(`vroegsignalen.zaak_id`, which the selection uses instead of joining on natural keys).

Records and their derived rows are many and simple: they go in through COPY (PostgreSQL) or the driver's
executemany (SQLite), with ids allocated up front — PostgreSQL: from the table's sequence; SQLite: above the
largest id, safe because the import holds SQLite's write lock from its first statement (`BEGIN IMMEDIATE`) —
since SQLAlchemy's per-row parameter handling and row-by-row RETURNING would cost more than the database does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Connection, and_, bindparam, insert, select, text, update

from ddas.provider.store.models import (
    Contactpoging,
    Organisatie,
    OrganisatieGemeente,
    Schuld,
    Traject,
    TrajectClient,
    Vroegsignaal,
    Zaak,
    ZaakSignaal,
    table_of,
)
from ddas.provider.store.plan import (
    CLIENT_COLUMNS,
    CONTACTPOGING_COLUMNS,
    SCHULD_COLUMNS,
    Plan,
    PlannedSignal,
    PlannedTraject,
    PlannedZaak,
)
from ddas.provider.store.summary import ImportSummary, Problem, RecordType

if TYPE_CHECKING:
    import psycopg

__all__ = ["persist"]

_T = TypeVar("_T")

#: Rows per INSERT batch and keys per IN (...) list; well below SQLite's limit on bound parameters.
_CHUNK = 2000
_IN = 500
_FAR = dt.date.max


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def persist(connection: Connection, plan: Plan, summary: ImportSummary, now: dt.datetime) -> None:
    """Write `plan` at time `now` (naive UTC); counts go into `summary`. The caller owns the transaction."""
    org_ids = _organisaties(connection, plan, now)
    if plan.trajecten:
        _trajecten(connection, plan.trajecten, org_ids, summary, now)
    touched: _Touched = {}
    if plan.signalen:
        _signalen(connection, plan.signalen, org_ids, summary, now, touched)
    if plan.zaken:
        _zaken(connection, plan.zaken, org_ids, summary, now, touched)
    if touched:
        _relink(connection, touched)


#: Per (organisation id, gemeentecode): the signal IDs whose link to their current zaak may have changed.
_Touched = dict[tuple[int, str], set[str]]

#: Relinking more signals than this of one organisation and gemeente is done for all of them at once: one
#: join instead of a scan per chunk of IDs.
_RELINK_ALL = 2_000

_LINKS = """
    SELECT zs.signaal_id AS signaal_id, max(zs.zaak_id) AS zaak_id
    FROM zaak_signalen zs JOIN zaken z ON z.id = zs.zaak_id
    WHERE z.valid_to IS NULL AND zs.organisatie_id = :org AND zs.gemeentecode = :gemeente {ids}
    GROUP BY zs.signaal_id
"""
_SIGNALS = (
    "vroegsignalen.valid_to IS NULL AND vroegsignalen.organisatie_id = :org "
    "AND vroegsignalen.gemeentecode = :gemeente"
)


def _relink_statements(dialect: str, chunked: bool) -> tuple[Any, Any]:
    """(unlink, link): first clear links to zaken that are no longer current, then set every link that differs
    from the current zaak referring to the signal. Set-based, so that plans stay good even before the
    database has statistics for freshly filled tables."""
    ids = "AND zs.signaal_id IN :ids" if chunked else ""
    own = "AND vroegsignalen.signaal_id IN :ids" if chunked else ""
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    unlink = text(
        f"""
UPDATE vroegsignalen SET zaak_id = NULL
WHERE {_SIGNALS} {own} AND vroegsignalen.zaak_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM zaken z WHERE z.id = vroegsignalen.zaak_id AND z.valid_to IS NULL)
"""
    )
    link = text(
        f"""
UPDATE vroegsignalen SET zaak_id = links.zaak_id
FROM ({_LINKS.format(ids=ids)}) AS links
WHERE {_SIGNALS} AND vroegsignalen.signaal_id = links.signaal_id AND vroegsignalen.zaak_id {differs} links.zaak_id
"""
    )
    if chunked:
        unlink = unlink.bindparams(bindparam("ids", expanding=True))
        link = link.bindparams(bindparam("ids", expanding=True))
    return unlink, link


def _relink(connection: Connection, touched: _Touched) -> None:
    """Point every touched current signal at the current zaak that refers to it (or at none): new signal
    versions, signals of written zaken, and signals of zaken that were closed."""
    dialect = connection.dialect.name
    for (org_id, gemeentecode), signal_ids in touched.items():
        params: dict[str, Any] = {"org": org_id, "gemeente": gemeentecode}
        if len(signal_ids) > _RELINK_ALL:
            for statement in _relink_statements(dialect, chunked=False):
                connection.execute(statement, params)
            continue
        unlink, link = _relink_statements(dialect, chunked=True)
        for chunk in _chunks(sorted(signal_ids), _IN):
            connection.execute(unlink, {**params, "ids": list(chunk)})
            connection.execute(link, {**params, "ids": list(chunk)})


def _organisaties(connection: Connection, plan: Plan, now: dt.datetime) -> dict[str, int]:
    """Create or update the organisations and their per-gemeente envelopes; name → id."""
    org = table_of(Organisatie)
    env = table_of(OrganisatieGemeente)
    ids: dict[str, int] = {}
    latest: dict[tuple[str, str, str], Any] = {}
    for envelope in plan.envelopes:
        latest[(envelope.organisatie, envelope.kind.value, envelope.gemeentecode)] = envelope
    for envelope in latest.values():
        naam = envelope.organisatie
        if naam not in ids:
            row = connection.execute(
                select(org.c.id, org.c.kvk_nummer, org.c.gemeentecode).where(org.c.naam == naam)
            ).first()
            if row is None:
                ids[naam] = connection.execute(
                    insert(org)
                    .values(
                        naam=naam,
                        kvk_nummer=envelope.kvk_nummer,
                        gemeentecode=envelope.org_gemeentecode,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(org.c.id)
                ).scalar_one()
            else:
                ids[naam] = row.id
                changes: dict[str, Any] = {}
                if envelope.kvk_nummer and envelope.kvk_nummer != row.kvk_nummer:
                    changes["kvk_nummer"] = envelope.kvk_nummer
                if envelope.org_gemeentecode and envelope.org_gemeentecode != row.gemeentecode:
                    changes["gemeentecode"] = envelope.org_gemeentecode
                if changes:
                    connection.execute(
                        update(org).where(org.c.id == row.id).values(updated_at=now, **changes)
                    )
        org_id = ids[naam]
        current = connection.execute(
            select(env.c.id, env.c.aanleverende_organisatie).where(
                env.c.organisatie_id == org_id,
                env.c.kind == envelope.kind.value,
                env.c.gemeentecode == envelope.gemeentecode,
            )
        ).first()
        if current is None:
            connection.execute(
                insert(env).values(
                    organisatie_id=org_id,
                    kind=envelope.kind.value,
                    gemeentecode=envelope.gemeentecode,
                    aanleverende_organisatie=envelope.aanleverende_organisatie,
                    updated_at=now,
                )
            )
        elif bytes(current.aanleverende_organisatie) != envelope.aanleverende_organisatie:
            connection.execute(
                update(env)
                .where(env.c.id == current.id)
                .values(aanleverende_organisatie=envelope.aanleverende_organisatie, updated_at=now)
            )
    return ids


@dataclass(slots=True)
class _Current:
    id: int
    content_hash: str


def _dedupe(
    records: list[_T], key: Callable[[_T], Any], record_type: RecordType, summary: ImportSummary, what: str
) -> list[_T]:
    """The last of several records with the same natural key wins; the others are counted as duplicates."""
    latest: dict[Any, _T] = {}
    for record in records:
        latest.pop(key(record), None)
        latest[key(record)] = record
    duplicates = len(records) - len(latest)
    if duplicates:
        summary.count(record_type).duplicates += duplicates
        summary.notes.append(
            Problem.own(
                "IMPORT_DUPLICATES",
                f"{duplicates} {what} kwam(en) meer dan eens voor in de bron; de laatste telt.",
                severity="warning",
            )
        )
    return list(latest.values())


def _close(connection: Connection, table: Any, ids: Sequence[int], now: dt.datetime) -> None:
    for chunk in _chunks(ids, _IN):
        connection.execute(update(table).where(table.c.id.in_(chunk)).values(valid_to=now))


class _Writer:
    """Raw inserts for one connection, with values in the form the driver and the column type expect."""

    def __init__(self, connection: Connection, now: dt.datetime) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self.mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        #: SQLAlchemy stores SQLite timestamps as text in this exact form; comparisons are textual.
        self.now: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now

    def day(self, value: dt.date | None) -> Any:
        return value.isoformat() if self.sqlite and value is not None else value

    def ids(self, table: str, count: int) -> list[int]:
        """`count` fresh primary keys for `table`."""
        if count == 0:
            return []
        if self.sqlite:
            top = self.connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
            return list(range(int(top) + 1, int(top) + count + 1))
        rows = self.connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", (count,)
        )
        return [int(row[0]) for row in rows]

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        types: Sequence[str] | None = None,
    ) -> None:
        """Insert `rows` (tuples in the order of `columns`): COPY on PostgreSQL — binary when the column
        `types` are given, which spares the server from parsing hex-encoded record bytes — and executemany
        on SQLite."""
        if not rows:
            return
        if not self.sqlite:
            raw = cast("psycopg.Connection[Any]", self.connection.connection.dbapi_connection)
            form = "BINARY" if types else "CSV"
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT {form})"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                if types:
                    copy.set_types(list(types))
                    for row in rows:
                        copy.write_row(row)
                else:
                    for start in range(0, len(rows), 20_000):
                        copy.write(_copy_csv(rows[start : start + 20_000]))
            return
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([self.mark] * len(columns))})"
        for start in range(0, len(rows), 20_000):
            self.connection.exec_driver_sql(sql, rows[start : start + 20_000])


def _copy_csv(rows: Sequence[tuple[Any, ...]]) -> bytes:
    """Rows of plain values (numbers, text, booleans, ISO dates) in COPY's CSV form, written by the csv module
    in C rather than value by value in Python. An unquoted empty field is NULL; derived rows hold no empty
    strings (the plan turns them into None), so nothing is lost."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


_TRAJECT_COLUMNS = (
    "id",
    "organisatie_id",
    "gemeentecode",
    "natural_key",
    "startdatum",
    "einddatum",
    "content_hash",
    "record",
    "valid_from",
)
_TRAJECT_TYPES = ("int8", "int8", "text", "varchar", "date", "date", "varchar", "bytea", "timestamp")
_SIGNAL_TYPES = (
    "int8",
    "text",
    "text",
    "date",
    "date",
    "text",
    "text",
    "bool",
    "varchar",
    "bytea",
    "timestamp",
)
_ZAAK_TYPES = ("int8", "int8", "text", "varchar", "date", "date", "text", "varchar", "bytea", "timestamp")
_SIGNAL_COLUMNS = (
    "organisatie_id",
    "gemeentecode",
    "signaal_id",
    "signaaldatum",
    "ontstaansdatum",
    "status",
    "signaalpartner",
    "crisissignaal",
    "content_hash",
    "record",
    "valid_from",
)
_ZAAK_COLUMNS = (
    "id",
    "organisatie_id",
    "gemeentecode",
    "natural_key",
    "datum_opgepakt",
    "matchingsdatum",
    "resultaat",
    "content_hash",
    "record",
    "valid_from",
)


def _trajecten(
    connection: Connection,
    planned: list[PlannedTraject],
    org_ids: dict[str, int],
    summary: ImportSummary,
    now: dt.datetime,
) -> None:
    table = table_of(Traject)
    counts = summary.count(RecordType.TRAJECT)
    records = _dedupe(
        planned, lambda t: (t.organisatie, t.natural_key), RecordType.TRAJECT, summary, "traject(en)"
    )
    by_org: dict[int, list[PlannedTraject]] = {}
    for traject in records:
        by_org.setdefault(org_ids[traject.organisatie], []).append(traject)

    for org_id, trajecten in by_org.items():
        current = _current(connection, table, table.c.natural_key, org_id, [t.natural_key for t in trajecten])
        to_close: list[int] = []
        to_write: list[PlannedTraject] = []
        for traject in trajecten:
            found = current.get(traject.natural_key)
            if found is None:
                counts.new += 1
                to_write.append(traject)
            elif found.content_hash == traject.content_hash:
                counts.unchanged += 1
            else:
                counts.changed += 1
                to_close.append(found.id)
                to_write.append(traject)
        superseded = _superseded_trajecten(connection, org_id, to_write)
        counts.replaced += len(superseded)
        _close(connection, table, [*to_close, *superseded], now)
        writer = _Writer(connection, now)
        for chunk in _chunks(to_write, _CHUNK):
            ids = writer.ids(table.name, len(chunk))
            pairs = list(zip(ids, chunk, strict=True))
            writer.insert(
                table.name,
                _TRAJECT_COLUMNS,
                [
                    (
                        tid,
                        org_id,
                        t.gemeentecode,
                        t.natural_key,
                        writer.day(t.startdatum),
                        writer.day(t.einddatum),
                        t.content_hash,
                        t.record,
                        writer.now,
                    )
                    for tid, t in pairs
                ],
                _TRAJECT_TYPES,
            )
            writer.insert(
                table_of(TrajectClient).name,
                ("traject_id", *CLIENT_COLUMNS),
                [(tid, *c) for tid, t in pairs for c in t.clients],
            )
            writer.insert(
                table_of(Schuld).name,
                ("traject_id", *SCHULD_COLUMNS),
                [(tid, *row) for tid, t in pairs for row in t.schulden],
            )


def _current(
    connection: Connection, table: Any, key_column: Any, org_id: int, natural_keys: list[str], *extra: Any
) -> dict[str, _Current]:
    """The current versions among `natural_keys` of one organisation: natural key → (id, content hash)."""
    found: dict[str, _Current] = {}
    unique = list(dict.fromkeys(natural_keys))
    for chunk in _chunks(unique, _IN):
        rows = connection.execute(
            select(table.c.id, key_column, table.c.content_hash).where(
                table.c.organisatie_id == org_id, table.c.valid_to.is_(None), key_column.in_(chunk), *extra
            )
        )
        for row in rows:
            found[row[1]] = _Current(row[0], row[2])
    return found


def _overlap(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    """As the validator's rule 15: sharing a day; starting on the day the other ended is a hand-over."""
    e, oe = end or _FAR, other_end or _FAR
    return (start < oe and other_start < e) or start == other_start


def _superseded_trajecten(connection: Connection, org_id: int, written: list[PlannedTraject]) -> list[int]:
    """Stored current trajecten of the organisation that the written ones replace (same client, overlapping)."""
    if not written:
        return []
    table = table_of(Traject)
    clients = table_of(TrajectClient)
    has_any = connection.execute(
        select(table.c.id).where(table.c.organisatie_id == org_id, table.c.valid_to.is_(None)).limit(1)
    ).first()
    if has_any is None:
        return []
    own_keys = {t.natural_key for t in written}
    by_client: dict[str, list[PlannedTraject]] = {}
    for traject in written:
        for key in traject.client_hashes:
            if key is not None:
                by_client.setdefault(key, []).append(traject)
    superseded: set[int] = set()
    for chunk in _chunks(list(by_client), _IN):
        rows = connection.execute(
            select(
                clients.c.client_key, table.c.id, table.c.natural_key, table.c.startdatum, table.c.einddatum
            )
            .join(table, table.c.id == clients.c.traject_id)
            .where(
                table.c.organisatie_id == org_id, table.c.valid_to.is_(None), clients.c.client_key.in_(chunk)
            )
        )
        for client_key, tid, natural_key, start, end in rows:
            if natural_key in own_keys or tid in superseded:
                continue
            if any(_overlap(t.startdatum, t.einddatum, start, end) for t in by_client[client_key]):
                superseded.add(tid)
    return sorted(superseded)


def _signalen(
    connection: Connection,
    planned: list[PlannedSignal],
    org_ids: dict[str, int],
    summary: ImportSummary,
    now: dt.datetime,
    touched: _Touched,
) -> None:
    table = table_of(Vroegsignaal)
    counts = summary.count(RecordType.VROEGSIGNAAL)
    records = _dedupe(
        planned,
        lambda s: (s.organisatie, s.gemeentecode, s.signaal_id),
        RecordType.VROEGSIGNAAL,
        summary,
        "vroegsignaal/vroegsignalen",
    )
    groups: dict[tuple[int, str], list[PlannedSignal]] = {}
    for signal in records:
        groups.setdefault((org_ids[signal.organisatie], signal.gemeentecode), []).append(signal)
    for (org_id, gemeentecode), signals in groups.items():
        current = _current(
            connection,
            table,
            table.c.signaal_id,
            org_id,
            [s.signaal_id for s in signals],
            table.c.gemeentecode == gemeentecode,
        )
        writer = _Writer(connection, now)
        to_close: list[int] = []
        rows: list[tuple[Any, ...]] = []
        for signal in signals:
            found = current.get(signal.signaal_id)
            if found is None:
                counts.new += 1
            elif found.content_hash == signal.content_hash:
                counts.unchanged += 1
                continue
            else:
                counts.changed += 1
                to_close.append(found.id)
            rows.append(
                (
                    org_id,
                    gemeentecode,
                    signal.signaal_id,
                    writer.day(signal.signaaldatum),
                    writer.day(signal.ontstaansdatum),
                    signal.status,
                    signal.signaalpartner,
                    signal.crisissignaal,
                    signal.content_hash,
                    signal.record,
                    writer.now,
                )
            )
        _close(connection, table, to_close, now)
        writer.insert(table.name, _SIGNAL_COLUMNS, rows, _SIGNAL_TYPES)
        if rows:
            touched.setdefault((org_id, gemeentecode), set()).update(row[2] for row in rows)


def _zaken(
    connection: Connection,
    planned: list[PlannedZaak],
    org_ids: dict[str, int],
    summary: ImportSummary,
    now: dt.datetime,
    touched: _Touched,
) -> None:
    table = table_of(Zaak)
    counts = summary.count(RecordType.ZAAK)
    records = _dedupe(
        planned,
        lambda z: (z.organisatie, z.gemeentecode, z.natural_key),
        RecordType.ZAAK,
        summary,
        "zaak/zaken",
    )
    groups: dict[tuple[int, str], list[PlannedZaak]] = {}
    for zaak in records:
        groups.setdefault((org_ids[zaak.organisatie], zaak.gemeentecode), []).append(zaak)
    for (org_id, gemeentecode), zaken in groups.items():
        current = _current(
            connection,
            table,
            table.c.natural_key,
            org_id,
            [z.natural_key for z in zaken],
            table.c.gemeentecode == gemeentecode,
        )
        to_close: list[int] = []
        to_write: list[PlannedZaak] = []
        for zaak in zaken:
            found = current.get(zaak.natural_key)
            if found is None:
                counts.new += 1
                to_write.append(zaak)
            elif found.content_hash == zaak.content_hash:
                counts.unchanged += 1
            else:
                counts.changed += 1
                to_close.append(found.id)
                to_write.append(zaak)
        superseded = _superseded_zaken(connection, org_id, gemeentecode, to_write)
        counts.replaced += len(superseded)
        _close(connection, table, [*to_close, *superseded], now)
        relink = touched.setdefault((org_id, gemeentecode), set())
        relink.update(sid for z in to_write for sid in z.signal_ids)
        relink.update(_signal_ids_of(connection, superseded))
        writer = _Writer(connection, now)
        for chunk in _chunks(to_write, _CHUNK):
            ids = writer.ids(table.name, len(chunk))
            writer.insert(
                table.name,
                _ZAAK_COLUMNS,
                [
                    (
                        zid,
                        org_id,
                        gemeentecode,
                        z.natural_key,
                        writer.day(z.datum_opgepakt),
                        writer.day(z.matchingsdatum),
                        z.resultaat,
                        z.content_hash,
                        z.record,
                        writer.now,
                    )
                    for zid, z in zip(ids, chunk, strict=True)
                ],
                _ZAAK_TYPES,
            )
            pairs = list(zip(ids, chunk, strict=True))
            writer.insert(
                table_of(ZaakSignaal).name,
                ("zaak_id", "volgnummer", "organisatie_id", "gemeentecode", "signaal_id"),
                [
                    (zid, k, org_id, gemeentecode, sid)
                    for zid, z in pairs
                    for k, sid in enumerate(z.signal_ids)
                ],
            )
            writer.insert(
                table_of(Contactpoging).name,
                ("zaak_id", *CONTACTPOGING_COLUMNS),
                [(zid, *row) for zid, z in pairs for row in z.contactpogingen],
            )


def _signal_ids_of(connection: Connection, zaak_ids: Sequence[int]) -> set[str]:
    links = table_of(ZaakSignaal)
    found: set[str] = set()
    for chunk in _chunks(zaak_ids, _IN):
        found.update(
            row[0] for row in connection.execute(select(links.c.signaal_id).where(links.c.zaak_id.in_(chunk)))
        )
    return found


def _superseded_zaken(
    connection: Connection, org_id: int, gemeentecode: str, written: list[PlannedZaak]
) -> list[int]:
    """Stored current zaken that share a signal with a written zaak but are another zaak (other signals)."""
    if not written:
        return []
    table = table_of(Zaak)
    links = table_of(ZaakSignaal)
    own_keys = {z.natural_key for z in written}
    signal_ids = list(dict.fromkeys(sid for z in written for sid in z.signal_ids))
    superseded: set[int] = set()
    for chunk in _chunks(signal_ids, _IN):
        rows = connection.execute(
            select(table.c.id, table.c.natural_key)
            .join(links, links.c.zaak_id == table.c.id)
            .where(
                and_(
                    table.c.organisatie_id == org_id,
                    table.c.gemeentecode == gemeentecode,
                    table.c.valid_to.is_(None),
                    links.c.signaal_id.in_(chunk),
                )
            )
        )
        for zid, natural_key in rows:
            if natural_key not in own_keys:
                superseded.add(zid)
    return sorted(superseded)
