"""Selection for the koppelvlak: snapshots (the frozen, ordered record versions of one request) and pages.

SHV: every traject version current at snapshot time that overlaps the period — started on or before its end
and not ended before its start, where a traject starts at its `startdatum`, or the aanmelding's when it has
none (as the validator reads it).

VS: every vroegsignaal with its `signaaldatum` in the period; every zaak that refers to one of them, or that
was handled in the period — its `datum_opgepakt` (the day the gemeente took the case up) lies in the period;
and every signal of such a zaak, also when its own signaaldatum lies outside the period. A zaak and its
signals form a group; a signal without a zaak is a group of its own.

Order: organisation (name, byte order), gemeentecode, start date (traject start; for a VS group the earliest
signaaldatum of its signals), id. Each snapshot row carries `unit_end`, the number of trajecten / vroegsignalen up to and
including its group, so that a page is one range query and a VS page never splits a group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Date, DateTime, Integer, bindparam, text

from ddas.spec.kinds import Kind

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
INSERT INTO snapshot_items (snapshot_id, position, record_type, record_id, unit_end)
SELECT :sid, n - 1, 'T', id, n FROM (
    SELECT t.id AS id, row_number() OVER (ORDER BY o.naam, t.gemeentecode, t.startdatum, t.id) AS n
    FROM organisaties o JOIN trajecten t ON t.organisatie_id = o.id
    WHERE {_current("t", as_of)}
      AND t.startdatum <= :end_date AND (t.einddatum IS NULL OR t.einddatum >= :start_date) {org}
) ranked
"""


#: Positions of a VS group: the group's rank times this, plus 0 for the zaak and 1 + volgnummer for a signal.
GROUP_STRIDE = 1_000_000


def _vs_sql(with_org: bool, as_of: bool) -> str:
    """Signals in the period; zaken handled in the period or referring to one; every signal of those zaken.

    Groups (a zaak with its signals, or a lone signal) are ranked once — one sort over the groups, not over
    every item — and the items take their positions from their group's rank.
    """
    org_v = "AND v.organisatie_id = :org" if with_org else ""
    org_z = "AND z.organisatie_id = :org" if with_org else ""
    return f"""
WITH sel AS MATERIALIZED (
    SELECT v.id, v.organisatie_id, v.gemeentecode, v.signaal_id, v.signaaldatum
    FROM vroegsignalen v
    WHERE {_current("v", as_of)} AND v.signaaldatum >= :start_date AND v.signaaldatum <= :end_date {org_v}
),
zk AS MATERIALIZED (
    SELECT z.id, z.organisatie_id, z.gemeentecode
    FROM zaken z
    WHERE {_current("z", as_of)} AND z.datum_opgepakt >= :start_date AND z.datum_opgepakt <= :end_date {org_z}
    UNION
    SELECT z.id, z.organisatie_id, z.gemeentecode
    FROM sel
    JOIN zaak_signalen zs ON zs.signaal_id = sel.signaal_id AND zs.organisatie_id = sel.organisatie_id
                         AND zs.gemeentecode = sel.gemeentecode
    JOIN zaken z ON z.id = zs.zaak_id AND {_current("z", as_of)}
),
members AS MATERIALIZED (
    SELECT zk.id AS zaak_id, v.id AS signal_id, v.signaaldatum AS signaaldatum, zs.volgnummer AS volgnummer
    FROM zk
    JOIN zaak_signalen zs ON zs.zaak_id = zk.id
    JOIN vroegsignalen v ON v.signaal_id = zs.signaal_id AND v.organisatie_id = zs.organisatie_id
                        AND v.gemeentecode = zs.gemeentecode AND {_current("v", as_of)}
),
grp AS (
    SELECT zk.id AS gid, 0 AS gtype, zk.organisatie_id AS organisatie_id, zk.gemeentecode AS gemeentecode,
           d.gdate AS gdate, coalesce(d.n, 0) AS n
    FROM zk
    LEFT JOIN (SELECT zaak_id, min(signaaldatum) AS gdate, count(*) AS n FROM members GROUP BY zaak_id) d
           ON d.zaak_id = zk.id
    UNION ALL
    SELECT sel.id, 1, sel.organisatie_id, sel.gemeentecode, sel.signaaldatum, 1
    FROM sel
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.signal_id = sel.id)
),
orgs AS (
    SELECT o.id, (SELECT count(*) FROM organisaties o2 WHERE o2.naam < o.naam) AS rank FROM organisaties o
),
ranked AS MATERIALIZED (
    SELECT g.gid, g.gtype, row_number() OVER w AS grank, sum(g.n) OVER w AS unit_end
    FROM grp g JOIN orgs o ON o.id = g.organisatie_id
    WINDOW w AS (ORDER BY o.rank, g.gemeentecode, g.gdate NULLS LAST, g.gtype, g.gid)
)
INSERT INTO snapshot_items (snapshot_id, position, record_type, record_id, unit_end)
SELECT :sid, r.grank * {GROUP_STRIDE}, 'Z', r.gid, r.unit_end FROM ranked r WHERE r.gtype = 0
UNION ALL
SELECT :sid, r.grank * {GROUP_STRIDE} + 1 + m.volgnummer, 'S', m.signal_id, r.unit_end
FROM ranked r JOIN members m ON m.zaak_id = r.gid WHERE r.gtype = 0
UNION ALL
SELECT :sid, r.grank * {GROUP_STRIDE}, 'S', r.gid, r.unit_end FROM ranked r WHERE r.gtype = 1
"""


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
    sql = _shv_sql(with_org, historical) if kind is Kind.SHV else _vs_sql(with_org, historical)
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
        # Sorting a few hundred thousand rows in memory rather than in temporary files.
        connection.exec_driver_sql("SET LOCAL work_mem = '128MB'")
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


def page_rows(
    connection: Connection, snapshot_id: int, kind: Kind, low: int, high: int
) -> list[tuple[str, int, str, bytes]]:
    """The items with `low < unit_end <= high`, in order: (record type, organisation id, gemeentecode, JSON)."""
    if kind is Kind.SHV:
        sql = """
SELECT 'T', t.organisatie_id, t.gemeentecode, t.record
FROM snapshot_items si JOIN trajecten t ON t.id = si.record_id
WHERE si.snapshot_id = :sid AND si.unit_end > :low AND si.unit_end <= :high
ORDER BY si.position
"""
    else:
        sql = """
SELECT si.record_type,
       coalesce(v.organisatie_id, z.organisatie_id),
       coalesce(v.gemeentecode, z.gemeentecode),
       coalesce(v.record, z.record)
FROM snapshot_items si
LEFT JOIN vroegsignalen v ON si.record_type = 'S' AND v.id = si.record_id
LEFT JOIN zaken z ON si.record_type = 'Z' AND z.id = si.record_id
WHERE si.snapshot_id = :sid AND si.unit_end > :low AND si.unit_end <= :high
ORDER BY si.position
"""
    rows = connection.execute(text(sql), {"sid": snapshot_id, "low": low, "high": high})
    return [(r[0], int(r[1]), r[2], bytes(r[3])) for r in rows]
