"""Selection and paging for the koppelvlak: which records, in which order, on which page, and consistency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from _store_helpers import (
    ORG_SHV,
    ORG_VS,
    clone,
    document,
    shv,
    signaal,
    traject,
    trajecten,
    vs,
    zaak,
)
from sqlalchemy import text

from ddas.provider.store import Page, RecordType, SnapshotExpired, Store, import_delivery
from ddas.provider.store.selection import greedy_bounds
from ddas.spec.kinds import Kind

H1 = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
T0 = dt.datetime(2025, 7, 10, 9, 0)


def _all_pages(store: Store, snapshot: Any, size: int) -> list[Page]:
    first = store.page(snapshot, 1, size)
    return [first, *(store.page(snapshot, n, size) for n in range(2, first.total_pages + 1))]


def _records(pages: list[Page]) -> list[dict[str, Any]]:
    return [orjson.loads(r) for p in pages for g in p.rows for r in g.records]


def _key(record: dict[str, Any]) -> str:
    """A traject's identity in these tests: its clients and its start."""
    start: str = record.get("startdatum") or record["aanmelding"]["startdatum"]
    return orjson.dumps(record["client"]).decode() + "|" + start


def test_shv_selection_is_every_traject_overlapping_the_period(store: Store) -> None:
    cases = {
        "ended before the start": (traject(1, "2024-03-01", "2024-12-31"), False),
        "ends on the first day": (traject(2, "2024-03-01", "2025-01-01"), True),
        "still open": (traject(3, "2024-03-01"), True),
        "starts on the last day": (traject(4, "2025-06-30"), True),
        "starts after the end": (traject(5, "2025-07-01"), False),
        "only an aanmelding in the period": (traject(6, None, aanmelding="2025-03-01"), True),
        "startdatum wins over aanmelding": (traject(7, "2025-08-01", aanmelding="2025-06-01"), False),
        "inside": (traject(8, "2025-02-01", "2025-03-01"), True),
    }
    delivery = document(
        "shv", [{"aanleverende_organisatie": ORG_SHV, "schuldhulptrajecten": [c[0] for c in cases.values()]}]
    )
    summary = import_delivery(store, delivery, accept_warnings=True, now=T0 - dt.timedelta(days=1))
    assert summary.total.new == len(cases), summary.to_dict()
    snapshot = store.snapshot(Kind.SHV, *H1, now=T0)
    selected = {_key(r) for r in _records(_all_pages(store, snapshot, 100))}
    expected = {_key(t) for t, wanted in cases.values() if wanted}
    assert selected == expected
    assert snapshot.total_records == len(expected)


def test_shv_order_is_organisation_gemeente_start(store: Store) -> None:
    first = shv(150, seed=21, gemeenten=["0599", "0363", "0014"])
    second = shv(60, seed=22, gemeenten=["0518"])
    second["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"] = "Aaa Kredietbank"
    import_delivery(store, first)
    import_delivery(store, second)
    snapshot = store.snapshot(Kind.SHV, *H1)
    pages = _all_pages(store, snapshot, 37)
    order = [
        (
            g.organisatie,
            g.gemeentecode,
            orjson.loads(r).get("startdatum") or orjson.loads(r)["aanmelding"]["startdatum"],
        )
        for p in pages
        for g in p.rows
        for r in g.records
    ]
    assert order == sorted(order)
    assert order[0][0] == "Aaa Kredietbank"
    # Every group holds one (organisation, gemeentecode), and its records carry that gemeentecode.
    for page in pages:
        for group in page.rows:
            assert {orjson.loads(r)["gemeentecode"] for r in group.records} == {group.gemeentecode}
            assert orjson.loads(group.organisatie_json)["(Statutaire) Naam"] == group.organisatie


def test_pages_partition_the_snapshot(store: Store) -> None:
    document_ = shv(230, seed=23)
    import_delivery(store, document_)
    snapshot = store.snapshot(Kind.SHV, *H1)
    pages = _all_pages(store, snapshot, 50)
    assert [p.page for p in pages] == [1, 2, 3, 4, 5]
    assert all(p.total_pages == 5 and p.total_records == snapshot.total_records for p in pages)
    assert [p.record_count for p in pages] == [50, 50, 50, 50, snapshot.total_records - 200]
    keys = [_key(r) for r in _records(pages)]
    assert len(keys) == len(set(keys)) == snapshot.total_records
    # A clean synthetic delivery holds only trajecten that overlap its period: all of them are selected.
    assert set(keys) == {_key(t) for t in trajecten(document_)} and snapshot.total_records == 230


def test_a_page_that_does_not_exist_gives_the_first_page(store: Store) -> None:
    import_delivery(store, shv(30, seed=24))
    snapshot = store.snapshot(Kind.SHV, *H1)
    first = store.page(snapshot, 1, 10)
    for wrong in (0, -3, 4, 999):
        page = store.page(snapshot, wrong, 10)
        assert page.page == 1 and page.rows == first.rows


def test_empty_selection_has_one_empty_page(store: Store) -> None:
    import_delivery(store, shv(10, seed=25))
    snapshot = store.snapshot(Kind.SHV, dt.date(2010, 1, 1), dt.date(2010, 6, 30))
    page = store.page(snapshot, 1, 100)
    assert (page.total_pages, page.total_records, page.rows) == (1, 0, [])


def test_organisation_filter(store: Store) -> None:
    first = shv(40, seed=26, gemeenten=["0363"])
    second = shv(40, seed=27, gemeenten=["0599"])
    second["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"] = "Kredietbank Rotterdam"
    import_delivery(store, first)
    import_delivery(store, second)
    everything = store.snapshot(Kind.SHV, *H1)
    one = store.snapshot(Kind.SHV, *H1, "kredietbank rotterdam")
    assert one.organisatie == "Kredietbank Rotterdam"
    page = store.page(one, 1, 1000)
    assert {g.organisatie for g in page.rows} == {"Kredietbank Rotterdam"}
    assert 0 < one.total_records < everything.total_records
    unknown = store.snapshot(Kind.SHV, *H1, "Bestaat Niet")
    assert unknown.total_records == 0


def test_snapshot_is_reused_within_its_lifetime_then_renewed(store: Store) -> None:
    import_delivery(store, shv(20, seed=28), now=T0 - dt.timedelta(days=1))
    first = store.snapshot(Kind.SHV, *H1, now=T0)
    again = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(hours=23))
    assert again.id == first.id and again.reused and not first.reused
    other_period = store.snapshot(Kind.SHV, dt.date(2025, 1, 1), dt.date(2025, 3, 31), now=T0)
    assert other_period.id != first.id
    later = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(hours=25))
    assert later.id != first.id and not later.reused
    # Making the new snapshot purged the expired one: paging it now says so instead of serving nothing.
    with pytest.raises(SnapshotExpired):
        store.page(first, 1, 10)
    fresh = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(hours=25, minutes=1), reuse=False)
    assert fresh.id != later.id


def test_pages_of_one_series_stay_consistent_while_data_changes(store: Store) -> None:
    """Page 1 is read, then data changes (changed, new and superseded trajecten); the rest of the series
    comes from the same snapshot: every original record exactly once, in its original version."""
    original = shv(300, seed=29)
    import_delivery(store, original, now=T0)
    snapshot = store.snapshot(Kind.SHV, *H1, now=T0)
    baseline = _all_pages(store, snapshot, 70)

    changed = clone(original)
    for t in trajecten(changed)[::3]:
        t["omschrijving"] = "gewijzigd tijdens het ophalen"
    victim = trajecten(changed)[1]
    start = dt.date.fromisoformat(victim.get("startdatum") or victim["aanmelding"]["startdatum"])
    victim["startdatum"] = (start + dt.timedelta(days=1)).isoformat()
    summary = import_delivery(store, changed, accept_warnings=True, now=T0 + dt.timedelta(minutes=5))
    assert summary.total.changed > 50 and summary.total.replaced == 1
    summary = import_delivery(store, shv(40, seed=30), now=T0 + dt.timedelta(minutes=6))
    assert summary.total.new == 40

    series = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(minutes=7))
    assert series.id == snapshot.id
    rest = [store.page(series, n, 70) for n in range(2, baseline[0].total_pages + 1)]
    assert [p.rows for p in rest] == [p.rows for p in baseline[1:]]
    keys = [_key(r) for r in _records([baseline[0], *rest])]
    assert len(keys) == len(set(keys)) == snapshot.total_records
    assert not any(r.get("omschrijving") == "gewijzigd tijdens het ophalen" for r in _records(rest))

    # A new series sees the new state.
    renewed = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(minutes=8), reuse=False)
    now_records = _records(_all_pages(store, renewed, 1000))
    assert sum(r.get("omschrijving") == "gewijzigd tijdens het ophalen" for r in now_records) > 50
    assert renewed.total_records > snapshot.total_records


def test_snapshot_as_of_an_earlier_moment(store: Store) -> None:
    original = shv(20, seed=31)
    import_delivery(store, original, now=T0)
    changed = clone(original)
    trajecten(changed)[0]["omschrijving"] = "later"
    import_delivery(store, changed, now=T0 + dt.timedelta(days=1))
    before = store.snapshot(Kind.SHV, *H1, now=T0 + dt.timedelta(days=2), as_of=T0 + dt.timedelta(hours=1))
    records = _records(_all_pages(store, before, 100))
    assert not any(r.get("omschrijving") == "later" for r in records)
    assert len(records) == before.total_records


def _vs_delivery() -> dict[str, Any]:
    signals = [
        signaal("S1", "2025-02-01", 1),  # in the period, no zaak
        signaal("S2", "2024-11-01", 2),  # before the period, no zaak: out
        signaal("S3", "2025-03-01", 3),  # in the period, in Z1 ...
        signaal("S4", "2024-12-01", 4),  # ... with S4 from before the period: travels along
        signaal("S5", "2024-10-01", 5),  # before the period, but Z2 was handled in the period
        signaal("S6", "2024-09-01", 6),  # before the period, Z3 handled before the period: out
        signaal("S7", "2025-06-30", 7),  # last day of the period
    ]
    zaken = [zaak(["S3", "S4"], "2025-03-05"), zaak(["S5"], "2025-02-01"), zaak(["S6"], "2024-10-15")]
    return document(
        "vs",
        [
            {
                "gemeentecode": "0363",
                "aanleverende_organisatie": ORG_VS,
                "vroegsignalen": signals,
                "vroegsignaalzaken": zaken,
            }
        ],
    )


@pytest.mark.parametrize("as_of", [None, T0], ids=["current", "as-of"])
def test_vs_selection_signals_in_period_and_their_zaken(store: Store, as_of: dt.datetime | None) -> None:
    """Both ways of reading "current": the versions not closed (the fast path every request takes), and the
    versions valid at a given moment."""
    summary = import_delivery(store, _vs_delivery(), accept_warnings=True, now=T0 - dt.timedelta(days=1))
    assert summary.total.new == 10, summary.to_dict()
    snapshot = store.snapshot(Kind.VS, *H1, as_of=as_of)
    page = store.page(snapshot, 1, 100)
    signals = [orjson.loads(r)["ID"] for g in page.rows for r in g.records]
    zaken = [[ref["ID"] for ref in orjson.loads(z)["vroegsignalen"]] for g in page.rows for z in g.zaken]
    assert sorted(signals) == ["S1", "S3", "S4", "S5", "S7"]
    assert sorted(zaken) == [["S3", "S4"], ["S5"]]
    assert snapshot.total_records == 5 and snapshot.total_items == 7
    # Order by group start: S5's zaak (2024-10-01), S3+S4's zaak (2024-12-01), S1, S7.
    assert signals == ["S5", "S4", "S3", "S1", "S7"] or signals == ["S5", "S3", "S4", "S1", "S7"]
    assert [g.gemeentecode for g in page.rows] == ["0363"]
    assert orjson.loads(page.rows[0].organisatie_json) == ORG_VS


def test_vs_pages_never_split_a_zaak(store: Store) -> None:
    delivery = vs(1500, seed=32, gemeenten=["0363", "0599", "0014"])
    import_delivery(store, delivery)
    snapshot = store.snapshot(Kind.VS, *H1)
    size = 97
    pages = _all_pages(store, snapshot, size)
    seen: list[str] = []
    for page in pages:
        assert page.record_count <= size
        for group in page.rows:
            ids = {orjson.loads(r)["ID"] for r in group.records}
            for z in group.zaken:
                assert {ref["ID"] for ref in orjson.loads(z)["vroegsignalen"]} <= ids
            seen.extend(ids)
    assert len(seen) == len(set(seen)) == snapshot.total_records
    # Pages are counted by vroegsignalen and filled greedily: only whole zaken make a page end early.
    assert sum(p.record_count for p in pages) == snapshot.total_records
    assert all(p.record_count > size - 3 for p in pages[:-1])


def test_vs_bounds_from_queries_and_from_all_group_ends_agree(store: Store) -> None:
    import_delivery(store, vs(600, seed=33, gemeenten=["0363"]))
    snapshot = store.snapshot(Kind.VS, *H1)
    few = [p.record_count for p in _all_pages(store, snapshot, 200)]  # bounds found by a query per page
    many = _all_pages(store, snapshot, 7)  # > 64 pages: bounds from one query over all group ends
    assert sum(few) == sum(p.record_count for p in many) == snapshot.total_records
    assert all(p.record_count <= 7 for p in many)


@pytest.mark.parametrize(
    ("ends", "size", "expected"),
    [
        ([1, 2, 3, 4, 5], 2, [0, 2, 4, 5]),
        ([2, 4, 7, 8], 3, [0, 2, 4, 7, 8]),
        ([1, 6, 7], 3, [0, 1, 6, 7]),  # a group of five alone on its page
        ([3, 6, 9], 3, [0, 3, 6, 9]),
        ([], 3, [0]),
    ],
)
def test_greedy_bounds(ends: list[int], size: int, expected: list[int]) -> None:
    assert greedy_bounds(ends, ends[-1] if ends else 0, size) == expected


def test_page_cache_round_trip_and_corruption(store: Store) -> None:
    body = b'{"gegevens":{"leveringen":[]},"paginering":{"pageSize":1}}' * 100
    store.cache_page("shv|1|25000|p1", body, now=T0)
    assert store.cached_page("shv|1|25000|p1", now=T0 + dt.timedelta(hours=1)) == body
    assert store.cached_page("onbekend", now=T0) is None

    # Flip one byte in the stored page: the entry fails its hash, is deleted and never served.
    with store.engine.begin() as connection:
        stored = connection.exec_driver_sql("SELECT body FROM page_cache").scalar_one()
        broken = bytearray(stored)
        broken[10] ^= 0x01
        connection.execute(
            __import__("sqlalchemy").text("UPDATE page_cache SET body = :b"), {"b": bytes(broken)}
        )
    assert store.cached_page("shv|1|25000|p1", now=T0 + dt.timedelta(hours=1)) is None
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM page_cache").scalar_one() == 0

    # Rebuilt, it is served again.
    store.cache_page("shv|1|25000|p1", body, now=T0)
    assert store.cached_page("shv|1|25000|p1", now=T0) == body


def test_page_cache_refreshes_daily(store: Store) -> None:
    store.cache_page("k", b"oud", now=T0)
    assert store.cached_page("k", now=T0 + dt.timedelta(hours=23, minutes=59)) == b"oud"
    assert store.cached_page("k", now=T0 + dt.timedelta(hours=24)) is None
    store.cache_page("k", b"nieuw", now=T0 + dt.timedelta(hours=24))
    assert store.cached_page("k", now=T0 + dt.timedelta(hours=25)) == b"nieuw"
    long_key = "x" * 500
    store.cache_page(long_key, b"lang", now=T0)
    assert store.cached_page(long_key, now=T0) == b"lang"


@pytest.mark.parametrize("relink_all", [0, 10**9], ids=["all-at-once", "by-chunk"])
def test_vs_links_stay_right_and_both_selections_agree(
    store: Store, relink_all: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast selection relies on each current signal's maintained link to its current zaak. After imports
    that add signals to zaken, change signals and supersede zaken, the links equal what the natural keys say,
    and the fast selection returns exactly what the slow one (joining on natural keys) returns — whether the
    links were recomputed for a whole gemeente at once (large imports) or for the touched signals only."""
    from ddas.provider.store import persist

    monkeypatch.setattr(persist, "_RELINK_ALL", relink_all)
    document = vs(400, seed=34, gemeenten=["0363", "0599"])
    import_delivery(store, document, now=T0)
    levering = document["leveringen"][0]
    linked = {r["ID"] for z in levering["vroegsignaalzaken"] for r in z["vroegsignalen"]}
    lone = [s for s in levering["vroegsignalen"] if s["ID"] not in linked]
    levering["vroegsignaalzaken"][0]["vroegsignalen"].append({"ID": lone[0]["ID"]})  # a zaak gains a signal
    levering["vroegsignaalzaken"][1]["vroegsignalen"] = levering["vroegsignaalzaken"][1]["vroegsignalen"][:1]
    for signal in levering["vroegsignalen"][::7]:
        signal["bedrag"] += 1  # new signal versions
    summary = import_delivery(store, document, accept_warnings=True, now=T0 + dt.timedelta(hours=1))
    assert (
        summary.counts[RecordType.ZAAK].replaced >= 1 and summary.counts[RecordType.VROEGSIGNAAL].changed > 0
    )

    with store.engine.connect() as connection:
        wrong = connection.execute(
            text(
                """
SELECT count(*) FROM vroegsignalen v
WHERE v.valid_to IS NULL AND coalesce(v.zaak_id, -1) <> coalesce((
    SELECT max(z.id) FROM zaak_signalen zs JOIN zaken z ON z.id = zs.zaak_id AND z.valid_to IS NULL
    WHERE zs.signaal_id = v.signaal_id AND zs.organisatie_id = v.organisatie_id
      AND zs.gemeentecode = v.gemeentecode), -1)
"""
            )
        ).scalar_one()
        linked_now = connection.execute(
            text("SELECT count(*) FROM vroegsignalen WHERE valid_to IS NULL AND zaak_id IS NOT NULL")
        ).scalar_one()
    assert wrong == 0 and linked_now > 0

    fast = store.snapshot(Kind.VS, *H1)
    slow = store.snapshot(Kind.VS, *H1, as_of=T0 + dt.timedelta(hours=2))
    assert (fast.total_records, fast.total_items) == (slow.total_records, slow.total_items)
    assert [p.rows for p in _all_pages(store, fast, 60)] == [p.rows for p in _all_pages(store, slow, 60)]


def test_a_request_moment_reads_the_current_versions(store: Store) -> None:
    """`now` only dates the snapshot (its lifetime, the page stamp); the selection reads the current versions
    however the clock is set. Looking back is asked for explicitly with `as_of`."""
    import_delivery(store, shv(12, seed=33), now=T0 + dt.timedelta(days=1))
    current = store.snapshot(Kind.SHV, *H1, now=T0)
    assert current.total_records == 12
    looking_back = store.snapshot(Kind.SHV, *H1, now=T0, as_of=T0)
    assert looking_back.total_records == 0 and looking_back.id != current.id
