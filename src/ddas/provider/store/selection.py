"""Selection for the koppelvlak: snapshots (the frozen, ordered record versions of one request) and pages.

SHV: every traject version current at snapshot time that overlaps the period — started on or before its end
and not ended before its start, where a traject starts at its `startdatum`, or the aanmelding's when it has
none (as the validator reads it).

VS: every vroegsignaal with its `signaaldatum` in the period; every zaak that refers to one of them, or that
was handled in the period — its `datum_opgepakt` (the day the gemeente took the case up) lies in the period;
and every signal of such a zaak, also when its own signaaldatum lies outside the period. A zaak and its
signals form a group; a signal without a zaak is a group of its own.

Order: organisation (name, byte order), gemeentecode, start date (traject start; for a VS group the earliest
signaaldatum of its signals), id. Each snapshot row carries `unit_end`, the number of trajecten / vroegsignalen
up to and including its group, so that a page is one range scan of the primary key and a VS page never splits
a group.

Snapshots of the current state (every request) use the partial indexes on current versions and, for VS, the
link each current signal keeps to its current zaak; a snapshot "as of" an earlier moment reads the versions
valid then and joins on natural keys — slower, for looking back rather than serving.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Date, DateTime, Integer, bindparam, text

from ddas.spec.kinds import Kind

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "Page",
    "PageGroup",
    "Snapshot",
    "all_group_ends",
    "fill_snapshot",
    "greedy_bounds",
    "page_bounds_query",
    "page_rows",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A frozen selection. `total_records`: trajecten (SHV) or vroegsignalen (VS); `reused`: found again."""

    id: int
    kind: Kind
    start: dt.date
    end: dt.date
    organisatie: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    total_records: int
    total_items: int
    reused: bool = False


@dataclass(frozen=True, slots=True)
class PageGroup:
    """The records of one page for one (organisation, gemeentecode): one levering of the response.

    `organisatie_json` is the `aanleverende_organisatie` object as that organisation delivered it for this
    gemeente and kind. `records` holds the trajecten (SHV) or vroegsignalen (VS) and `zaken` the VS zaken,
    each as the JSON bytes that were imported.
    """

    organisatie: str
    gemeentecode: str
    organisatie_json: bytes
    records: list[bytes]
    zaken: list[bytes]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a snapshot. A page number that does not exist gives the first page (SPEC §6), so `page`
    says which page this is."""

    kind: Kind
    snapshot_id: int
    page: int
    page_size: int
    total_pages: int
    total_records: int
    rows: list[PageGroup]

    @property
    def record_count(self) -> int:
        """Trajecten (SHV) or vroegsignalen (VS) on this page."""
        return sum(len(group.records) for group in self.rows)


def _current(alias: str, as_of: bool) -> str:
    """Current versions: those not closed (the partial indexes serve exactly this), or — for a snapshot as of
    an earlier moment — those valid at `:now`."""
    if as_of:
        return f"{alias}.valid_from <= :now AND ({alias}.valid_to IS NULL OR {alias}.valid_to > :now)"
    return f"{alias}.valid_to IS NULL"


def _shv_sql(with_org: bool, as_of: bool) -> str:
    org = "AND t.organisatie_id = :org" if with_org else ""
    return f"""
INSERT INTO snapshot_items (snapshot_id, unit_end, position, record_type, record_id)
SELECT :sid, n, n, 'T', id FROM (
    SELECT t.id AS id, row_number() OVER (ORDER BY o.naam, t.gemeentecode, t.startdatum, t.id) AS n
    FROM organisaties o JOIN trajecten t ON t.organisatie_id = o.id
    WHERE {_current("t", as_of)}
      AND t.startdatum <= :end_date AND (t.einddatum IS NULL OR t.einddatum >= :start_date) {org}
) ranked
"""


#: Orders the groups once — one sort over the groups, not over every item. A group's `unit_end` (the running
#: sum of its signals) is unique and increasing, so it identifies the group in order; within a group the zaak
#: has position 0 and its signals position 1 (ordered by id). Shared by both VS selections. The running sum
#: uses a ROWS frame: the default RANGE frame compares peers row by row and costs a third more.
_VS_RANK = """
orgs AS MATERIALIZED (
    SELECT o.id, (SELECT count(*) FROM organisaties o2 WHERE o2.naam < o.naam) AS rank FROM organisaties o
),
ranked AS MATERIALIZED (
    SELECT g.gid, g.gtype, sum(g.n) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS unit_end
    FROM grp g JOIN orgs o ON o.id = g.organisatie_id
    WINDOW w AS (ORDER BY o.rank, g.gemeentecode, g.gdate NULLS LAST, g.gtype, g.gid)
)
INSERT INTO snapshot_items (snapshot_id, unit_end, position, record_type, record_id)
SELECT :sid, r.unit_end, 0, 'Z', r.gid FROM ranked r WHERE r.gtype = 0
UNION ALL
"""

_VS_LONE_SIGNALS = """
UNION ALL
SELECT :sid, r.unit_end, 1, 'S', r.gid FROM ranked r WHERE r.gtype = 1
"""


def _vs_sql(with_org: bool) -> str:
    """VS selection of current versions, through each current signal's maintained link to its current zaak
    (`vroegsignalen.zaak_id`): no join on natural keys, every step served by a covering index.

    One pass over the current signals in zaak order groups them per zaak and keeps a zaak when one of its
    signals lies in the period or the zaak was handled in it; signals without a zaak come from the date index.
    """
    org_v = "AND v.organisatie_id = :org" if with_org else ""
    org_z = "AND z.organisatie_id = :org" if with_org else ""
    in_period = "v.signaaldatum >= :start_date AND v.signaaldatum <= :end_date"
    return f"""
WITH zk AS MATERIALIZED (
    SELECT z.id FROM zaken z
    WHERE z.valid_to IS NULL AND z.datum_opgepakt >= :start_date AND z.datum_opgepakt <= :end_date {org_z}
),
grp AS MATERIALIZED (
    SELECT v.zaak_id AS gid, 0 AS gtype, min(v.organisatie_id) AS organisatie_id,
           min(v.gemeentecode) AS gemeentecode, min(v.signaaldatum) AS gdate, count(*) AS n
    FROM vroegsignalen v
    WHERE v.valid_to IS NULL AND v.zaak_id IS NOT NULL {org_v}
    GROUP BY v.zaak_id
    HAVING max(CASE WHEN {in_period} THEN 1 ELSE 0 END) = 1 OR v.zaak_id IN (SELECT id FROM zk)
    UNION ALL
    SELECT v.id, 1, v.organisatie_id, v.gemeentecode, v.signaaldatum, 1
    FROM vroegsignalen v
    WHERE v.valid_to IS NULL AND {in_period} AND v.zaak_id IS NULL {org_v}
),
{_VS_RANK}SELECT :sid, r.unit_end, 1, 'S', v.id
FROM ranked r JOIN vroegsignalen v ON v.zaak_id = r.gid AND v.valid_to IS NULL WHERE r.gtype = 0
{_VS_LONE_SIGNALS}"""


def _vs_sql_as_of(with_org: bool) -> str:
    """VS selection of the versions valid at `:now`, joining signals and zaken on their natural keys (the
    maintained links describe the present only). Slower; for looking back, not for serving."""
    org_v = "AND v.organisatie_id = :org" if with_org else ""
    org_z = "AND z.organisatie_id = :org" if with_org else ""
    current_v = _current("v", True)
    current_z = _current("z", True)
    return f"""
WITH sel AS MATERIALIZED (
    SELECT v.id, v.organisatie_id, v.gemeentecode, v.signaal_id, v.signaaldatum
    FROM vroegsignalen v
    WHERE {current_v} AND v.signaaldatum >= :start_date AND v.signaaldatum <= :end_date {org_v}
),
zk AS MATERIALIZED (
    SELECT z.id FROM zaken z
    WHERE {current_z} AND z.datum_opgepakt >= :start_date AND z.datum_opgepakt <= :end_date {org_z}
    UNION
    SELECT z.id
    FROM sel
    JOIN zaak_signalen zs ON zs.signaal_id = sel.signaal_id AND zs.organisatie_id = sel.organisatie_id
                         AND zs.gemeentecode = sel.gemeentecode
    JOIN zaken z ON z.id = zs.zaak_id AND {current_z}
),
members AS MATERIALIZED (
    SELECT zk.id AS zaak_id, v.id AS signal_id, v.organisatie_id AS organisatie_id,
           v.gemeentecode AS gemeentecode, v.signaaldatum AS signaaldatum
    FROM zk
    JOIN zaak_signalen zs ON zs.zaak_id = zk.id
    JOIN vroegsignalen v ON v.signaal_id = zs.signaal_id AND v.organisatie_id = zs.organisatie_id
                        AND v.gemeentecode = zs.gemeentecode AND {current_v}
),
grp AS (
    SELECT zaak_id AS gid, 0 AS gtype, min(organisatie_id) AS organisatie_id, min(gemeentecode) AS gemeentecode,
           min(signaaldatum) AS gdate, count(*) AS n
    FROM members GROUP BY zaak_id
    UNION ALL
    SELECT sel.id, 1, sel.organisatie_id, sel.gemeentecode, sel.signaaldatum, 1
    FROM sel WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.signal_id = sel.id)
),
{_VS_RANK}SELECT :sid, r.unit_end, 1, 'S', m.signal_id
FROM ranked r JOIN members m ON m.zaak_id = r.gid WHERE r.gtype = 0
{_VS_LONE_SIGNALS}"""


def fill_snapshot(
    connection: Connection,
    snapshot_id: int,
    kind: Kind,
    start: dt.date,
    end: dt.date,
    organisatie_id: int | None,
    as_of: dt.datetime | None,
) -> tuple[int, int]:
    """Write the snapshot's items (current versions, or those valid `as_of` a moment); returns (total
    records, total items)."""
    with_org = organisatie_id is not None
    historical = as_of is not None
    if kind is Kind.SHV:
        sql = _shv_sql(with_org, historical)
    else:
        sql = _vs_sql_as_of(with_org) if historical else _vs_sql(with_org)
    params: dict[str, object] = {"sid": snapshot_id, "start_date": start, "end_date": end}
    statement = text(sql).bindparams(
        bindparam("sid", type_=Integer),
        bindparam("start_date", type_=Date),
        bindparam("end_date", type_=Date),
    )
    if historical:
        params["now"] = as_of
        statement = statement.bindparams(bindparam("now", type_=DateTime))
    if with_org:
        params["org"] = organisatie_id
        statement = statement.bindparams(bindparam("org", type_=Integer))
    if connection.dialect.name == "postgresql":
        # Sorting a few hundred thousand rows in memory rather than in temporary files; a snapshot lost in a
        # crash is simply made again, so its commit need not wait for the disk.
        connection.exec_driver_sql("SET LOCAL work_mem = '128MB'")
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    connection.execute(statement, params)
    row = connection.execute(
        text("SELECT count(*), coalesce(max(unit_end), 0) FROM snapshot_items WHERE snapshot_id = :sid"),
        {"sid": snapshot_id},
    ).one()
    return int(row[1]), int(row[0])


def page_bounds_query(connection: Connection, snapshot_id: int, previous: int, size: int) -> int:
    """The end (in units) of the page that starts after `previous`: the largest group end within `size` units,
    or the next group end when one group alone is larger than a page."""
    found = connection.execute(
        text("SELECT max(unit_end) FROM snapshot_items WHERE snapshot_id = :sid AND unit_end <= :limit"),
        {"sid": snapshot_id, "limit": previous + size},
    ).scalar()
    if found is None or found <= previous:
        found = connection.execute(
            text(
                "SELECT min(unit_end) FROM snapshot_items WHERE snapshot_id = :sid AND unit_end > :previous"
            ),
            {"sid": snapshot_id, "previous": previous},
        ).scalar()
    return int(found) if found is not None else previous


def all_group_ends(connection: Connection, snapshot_id: int) -> list[int]:
    """Every distinct group end of a snapshot, ascending (for computing many page bounds at once)."""
    rows = connection.execute(
        text("SELECT DISTINCT unit_end FROM snapshot_items WHERE snapshot_id = :sid ORDER BY unit_end"),
        {"sid": snapshot_id},
    )
    return [int(r[0]) for r in rows]


def greedy_bounds(ends: list[int], total: int, size: int) -> list[int]:
    """Page bounds [0, b1, b2, ..., total] from the ascending group ends: each page takes whole groups while
    they fit in `size` units; a group larger than a page gets a page of its own."""
    bounds = [0]
    previous = 0
    candidate: int | None = None
    for end in ends:
        if end <= previous:
            continue
        if end - previous <= size:
            candidate = end
            continue
        if candidate is not None:
            bounds.append(candidate)
            previous = candidate
            candidate = None
            if end - previous <= size:
                candidate = end
                continue
        bounds.append(end)
        previous = end
    if candidate is not None:
        bounds.append(candidate)
        previous = candidate
    if previous < total:
        bounds.append(total)
    return bounds


_PAGE_SQL = """
SELECT si.unit_end, si.position, si.record_id, r.organisatie_id, r.gemeentecode, r.record
FROM snapshot_items si JOIN {table} r ON r.id = si.record_id
WHERE si.snapshot_id = {sid} AND si.unit_end > {low} AND si.unit_end <= {high} AND si.record_type = '{type}'
ORDER BY si.unit_end, si.position, si.record_id
"""

_Row = tuple[int, int, int, int, str, bytes]


def _fetch(connection: Connection, table: str, record_type: str, params: dict[str, int]) -> list[_Row]:
    """One record table's items of a page range, in snapshot order, read with the driver's own cursor (tens
    of thousands of rows: SQLAlchemy's per-row result handling would cost more than the query)."""
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        sql = _PAGE_SQL.format(table=table, type=record_type, sid="%(sid)s", low="%(low)s", high="%(high)s")
        # Binary results: the record bytes arrive as they are, not hex-encoded at twice their size.
        raw = cast("psycopg.Connection[Any]", dbapi)
        with raw.cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return [(r[0], r[1], r[2], int(r[3]), r[4], bytes(r[5])) for r in cursor.fetchall()]
    sql = _PAGE_SQL.format(table=table, type=record_type, sid=":sid", low=":low", high=":high")
    cursor = cast(Any, dbapi).cursor()
    try:
        return cast(list[_Row], cursor.execute(sql, params).fetchall())
    finally:
        cursor.close()


def page_rows(
    connection: Connection, snapshot_id: int, kind: Kind, low: int, high: int
) -> list[tuple[str, int, str, bytes]]:
    """The items with `low < unit_end <= high`, in order: (record type, organisation id, gemeentecode, JSON).

    VS reads signals and zaken with one query each and merges them in snapshot order: a single query joining
    both tables would look every item up in both.
    """
    params = {"sid": snapshot_id, "low": low, "high": high}
    if kind is Kind.SHV:
        return [("T", r[3], r[4], r[5]) for r in _fetch(connection, "trajecten", "T", params)]
    signals = _fetch(connection, "vroegsignalen", "S", params)
    zaken = _fetch(connection, "zaken", "Z", params)
    # Both lists are in snapshot order and a zaak comes before its signals (same unit_end, lower position):
    # before each signal, every zaak up to the signal's unit_end.
    out: list[tuple[str, int, str, bytes]] = []
    z = 0
    for unit_end, _, _, org, gemeente, record in signals:
        while z < len(zaken) and zaken[z][0] <= unit_end:
            zaak = zaken[z]
            out.append(("Z", zaak[3], zaak[4], zaak[5]))
            z += 1
        out.append(("S", org, gemeente, record))
    out.extend(("Z", zaak[3], zaak[4], zaak[5]) for zaak in zaken[z:])
    return out
