"""Merging deliveries about the same traject (SPEC §7): intervals, grouping, fields and conflicts, order."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddas.warehouse.merge import (
    Conflict,
    FieldValue,
    Interval,
    MergedTraject,
    Observation,
    Source,
    conflict_counts,
    merge_intervals,
    merge_trajecten,
)

D = dt.date
AMOUNT = "totaalSchuldbedragBijAanvangSchuld"
BUDGETBEHEER = "begeleiding:Budgetbeheer"
JAN_2024 = D(2024, 1, 1)


def _source(provider: str, year: int) -> Source:
    return Source(provider, f"{provider}-{year}", D(year, 12, 31))


def _obs(
    provider: str,
    year: int,
    record_key: str,
    *,
    clients: tuple[str, ...] = ("p1",),
    gemeente: str = "0363",
    start: dt.date,
    end: dt.date | None = None,
    fields: Mapping[str, object] | None = None,
    periods: Mapping[str, tuple[Interval, ...]] | None = None,
) -> Observation:
    return Observation(
        source=_source(provider, year),
        record_key=record_key,
        gemeentecode=gemeente,
        clients=frozenset(clients),
        start=start,
        end=end,
        fields=fields or {},
        periods=periods or {},
    )


# --- intervals ---------------------------------------------------------------------------------------------------


def test_spec_worked_example_gives_two_begeleidingen() -> None:
    delivered = [
        Interval(D(2020, 1, 1), D(2020, 12, 31)),  # 2020
        Interval(D(2023, 12, 1), D(2023, 12, 20)),  # 2023
        Interval(D(2023, 12, 15), None),
        Interval(D(2023, 12, 15), D(2024, 1, 15)),  # 2024
        Interval(D(2024, 1, 10), None),
    ]
    expected = (Interval(D(2020, 1, 1), D(2020, 12, 31)), Interval(D(2023, 12, 1), None))
    for order in itertools.permutations(delivered):
        assert merge_intervals(order) == expected


def test_intervals_sharing_one_day_merge_adjacent_ones_do_not() -> None:
    touching = [Interval(D(2024, 1, 1), D(2024, 1, 31)), Interval(D(2024, 1, 31), D(2024, 2, 10))]
    assert merge_intervals(touching) == (Interval(D(2024, 1, 1), D(2024, 2, 10)),)
    adjacent = [Interval(D(2024, 2, 1), D(2024, 2, 10)), Interval(D(2024, 1, 1), D(2024, 1, 31))]
    assert merge_intervals(adjacent) == (
        Interval(D(2024, 1, 1), D(2024, 1, 31)),
        Interval(D(2024, 2, 1), D(2024, 2, 10)),
    )


def test_open_interval_swallows_everything_after_its_start() -> None:
    intervals = [
        Interval(D(2024, 5, 1), D(2024, 5, 2)),
        Interval(D(2020, 1, 1), None),
        Interval(D(2019, 1, 1), None),
    ]
    assert merge_intervals(intervals) == (Interval(D(2019, 1, 1), None),)
    assert merge_intervals([]) == ()


def test_interval_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="vóór startdatum"):
        Interval(D(2024, 2, 1), D(2024, 1, 31))
    with pytest.raises(ValueError, match="vóór startdatum"):
        _obs("A", 2024, "r", start=D(2024, 2, 1), end=D(2024, 1, 31))


def _interval(offset: int, length: int | None, base: dt.date = JAN_2024) -> Interval:
    start = base + dt.timedelta(offset)
    return Interval(start, None if length is None else start + dt.timedelta(length))


@given(st.lists(st.builds(_interval, st.integers(0, 60), st.none() | st.integers(0, 20)), max_size=8))
def test_merged_intervals_cover_the_same_days_and_do_not_touch(intervals: list[Interval]) -> None:
    merged = merge_intervals(intervals)
    horizon = D(2024, 4, 1)

    def days(items: tuple[Interval, ...] | list[Interval]) -> set[dt.date]:
        out: set[dt.date] = set()
        for i in items:
            day = i.start
            while day <= (i.end or horizon):
                out.add(day)
                day += dt.timedelta(1)
        return out

    assert days(merged) == days(intervals)
    for a, b in itertools.pairwise(merged):
        assert a.end is not None and a.end < b.start


# --- grouping ----------------------------------------------------------------------------------------------------


def test_two_providers_on_one_client_with_overlapping_periods_are_one_traject() -> None:
    a = _obs("Gemeente", 2024, "g1", start=D(2024, 1, 1), end=D(2024, 6, 30))
    b = _obs("Kredietbank", 2024, "k1", start=D(2024, 3, 1), end=None)
    (merged,) = merge_trajecten([a, b])
    assert merged.sources == (a.source, b.source)
    assert merged.start == D(2024, 1, 1)
    assert merged.end is None  # same newest period; open counts as latest
    assert merged.observations == tuple(sorted((a.identity, b.identity)))
    assert merged.conflicts == ()


def test_same_client_without_overlap_keeps_two_trajecten() -> None:
    first = _obs("A", 2024, "r1", start=D(2022, 1, 1), end=D(2022, 12, 31))
    second = _obs("A", 2024, "r2", start=D(2023, 1, 1), end=None)  # adjacent, not overlapping
    assert [t.start for t in merge_trajecten([second, first])] == [D(2022, 1, 1), D(2023, 1, 1)]


def test_different_gemeente_keeps_two_trajecten() -> None:
    a = _obs("A", 2024, "r1", gemeente="0363", start=D(2024, 1, 1))
    b = _obs("B", 2024, "r1", gemeente="0599", start=D(2024, 1, 1))
    assert [t.gemeentecode for t in merge_trajecten([b, a])] == ["0363", "0599"]


def test_different_clients_keep_two_trajecten() -> None:
    a = _obs("A", 2024, "r1", clients=("p1",), start=D(2024, 1, 1))
    b = _obs("A", 2024, "r2", clients=("p2",), start=D(2024, 1, 1))
    assert len(merge_trajecten([a, b])) == 2


def test_overlap_is_transitive() -> None:
    a = _obs("A", 2024, "a", clients=("p1",), start=D(2024, 1, 1), end=D(2024, 1, 31))
    b = _obs("B", 2024, "b", clients=("p1", "p2"), start=D(2024, 1, 31), end=D(2024, 3, 1))
    c = _obs("C", 2024, "c", clients=("p2",), start=D(2024, 2, 15), end=D(2024, 4, 1))
    (merged,) = merge_trajecten([c, a, b])
    assert merged.clients == {"p1", "p2"}
    assert (merged.start, merged.end) == (D(2024, 1, 1), D(2024, 4, 1))
    assert len(merged.observations) == 3


def test_end_comes_from_the_newest_delivery() -> None:
    old = _obs("A", 2023, "r", start=D(2023, 6, 1), end=None)
    new = _obs("A", 2024, "r", start=D(2023, 6, 1), end=D(2024, 3, 1))
    (merged,) = merge_trajecten([old, new])
    assert merged.end == D(2024, 3, 1)  # the 2024 delivery closed the traject the 2023 one saw open


def test_repeated_observation_counts_once_but_a_changed_one_is_refused() -> None:
    a = _obs("A", 2024, "r", start=D(2024, 1, 1), fields={AMOUNT: 100})
    assert merge_trajecten([a, a]) == merge_trajecten([a])
    changed = _obs("A", 2024, "r", start=D(2024, 1, 1), fields={AMOUNT: 200})
    with pytest.raises(ValueError, match="twee keer"):
        merge_trajecten([a, changed])


def test_key_is_stable_when_a_newer_delivery_extends_the_traject() -> None:
    first = _obs("A", 2023, "r", start=D(2023, 6, 1), end=None)
    (before,) = merge_trajecten([first])
    later = _obs("A", 2024, "r", start=D(2023, 6, 1), end=D(2024, 2, 1))
    other = _obs("B", 2024, "x", start=D(2024, 1, 1), end=None)
    (after,) = merge_trajecten([first, later, other])
    assert after.key == before.key
    assert len(after.key) == 64


# --- fields and conflicts ------------------------------------------------------------------------------------------


def test_conflict_between_providers_is_kept_with_both_values_and_counted() -> None:
    a = _obs("Gemeente", 2024, "g1", start=D(2024, 1, 1), fields={AMOUNT: 12_000, "omschrijving": None})
    b = _obs("Kredietbank", 2024, "k1", start=D(2024, 2, 1), fields={AMOUNT: 15_000, "omschrijving": "x"})
    (merged,) = merge_trajecten([b, a])
    # Same newest period: the tie goes to the provider name that sorts first.
    assert merged.fields[AMOUNT] == FieldValue(12_000, (a.source,))
    assert merged.conflicts == (
        Conflict(AMOUNT, (FieldValue(12_000, (a.source,)), FieldValue(15_000, (b.source,)))),
    )
    # None is absent: it does not conflict with a value.
    assert merged.fields["omschrijving"] == FieldValue("x", (b.source,))
    assert conflict_counts([merged]) == {AMOUNT: 1}


def test_conflict_chooses_the_newest_source() -> None:
    a = _obs("A", 2023, "a", start=D(2023, 1, 1), fields={AMOUNT: 1})
    b = _obs("B", 2024, "b", start=D(2023, 1, 1), fields={AMOUNT: 2})
    (merged,) = merge_trajecten([a, b])
    assert merged.fields[AMOUNT].value == 2
    assert [v.value for v in merged.conflicts[0].values] == [2, 1]


def test_a_providers_own_later_delivery_is_an_update_not_a_conflict() -> None:
    early = _obs(
        "A", 2023, "r", start=D(2023, 1, 1), fields={AMOUNT: 10_000, "intake.beschikkingssoort": None}
    )
    late = _obs(
        "A",
        2024,
        "r",
        start=D(2023, 1, 1),
        fields={AMOUNT: 11_000, "intake.beschikkingssoort": "Toelatingsbeschikking"},
    )
    (merged,) = merge_trajecten([late, early])
    assert merged.conflicts == ()
    assert merged.fields[AMOUNT] == FieldValue(11_000, (late.source,))
    assert merged.fields["intake.beschikkingssoort"].value == "Toelatingsbeschikking"


def test_providers_agreeing_list_all_sources_and_old_values_do_not_count() -> None:
    a_old = _obs("A", 2023, "a", start=D(2023, 1, 1), fields={AMOUNT: 5})
    a_new = _obs("A", 2024, "a", start=D(2023, 1, 1), fields={AMOUNT: 7})
    b_new = _obs("B", 2024, "b", start=D(2023, 1, 1), fields={AMOUNT: 7.0})
    (merged,) = merge_trajecten([a_old, a_new, b_new])
    assert merged.conflicts == ()  # 7 and 7.0 are the same amount; A's 5 was superseded by A itself
    assert merged.fields[AMOUNT] == FieldValue(7, (a_new.source, b_new.source))


def test_true_is_not_one() -> None:
    a = _obs("A", 2024, "a", start=D(2024, 1, 1), fields={"flag": True})
    b = _obs("B", 2024, "b", start=D(2024, 1, 1), fields={"flag": 1})
    (merged,) = merge_trajecten([a, b])
    assert conflict_counts([merged]) == {"flag": 1}


def test_conflict_counts_add_up_over_trajecten() -> None:
    trajecten = merge_trajecten(
        [
            _obs("A", 2024, "a1", clients=("p1",), start=D(2024, 1, 1), fields={AMOUNT: 1, "x": "a"}),
            _obs("B", 2024, "b1", clients=("p1",), start=D(2024, 1, 1), fields={AMOUNT: 2, "x": "b"}),
            _obs("A", 2024, "a2", clients=("p2",), start=D(2024, 1, 1), fields={AMOUNT: 1}),
            _obs("B", 2024, "b2", clients=("p2",), start=D(2024, 1, 1), fields={AMOUNT: 3}),
        ]
    )
    assert conflict_counts(trajecten) == {AMOUNT: 2, "x": 1}


# --- ties: the documented tie-breaks, pinned -------------------------------------------------------------------


def _key_of(provider: str, delivery: str, record_key: str) -> str:
    """The traject key as documented: SHA-256 of the label and the anchor's identity, a compact JSON array."""
    identity = json.dumps([provider, delivery, record_key], separators=(",", ":"))
    return hashlib.sha256(b"ddas/traject/1\x00" + identity.encode()).hexdigest()


def _h1_q2(provider: str, record_key: str, value: object, *, q2: bool) -> Observation:
    """A traject in a provider's 2025-H1 or 2025-Q2 delivery (labelled as the warehouse labels deliveries):
    both end on 30 June 2025."""
    delivery = "2025-04-01..2025-06-30" if q2 else "2025-01-01..2025-06-30"
    return Observation(
        source=Source(provider, delivery, D(2025, 6, 30)),
        record_key=record_key,
        gemeentecode="0363",
        clients=frozenset({"p1"}),
        start=D(2025, 2, 1),
        end=None,
        fields={AMOUNT: value},
        periods={},
    )


def test_equally_old_observations_anchor_the_key_on_the_provider_that_sorts_first() -> None:
    """Two providers' oldest observations share a period_end: the provider name that sorts first anchors the
    key — not the record key that sorts first, not the earlier start, not input order; a newer observation from
    a provider sorting before both does not anchor it."""
    gemeente = _obs("Gemeente", 2023, "z-laatste-sleutel", start=D(2023, 3, 1))
    kredietbank = _obs("Kredietbank", 2023, "a-eerste-sleutel", start=D(2023, 1, 1))
    newer = _obs("Aaa", 2024, "0", start=D(2023, 2, 1))
    expected = _key_of("Gemeente", "Gemeente-2023", "z-laatste-sleutel")
    for order in itertools.permutations([gemeente, kredietbank, newer]):
        (merged,) = merge_trajecten(order)
        assert merged.key == expected
    (pair,) = merge_trajecten([kredietbank, gemeente])
    assert pair.key == expected


def test_equally_old_deliveries_of_one_provider_anchor_on_the_period_that_starts_first() -> None:
    """One provider, 2025-H1 and 2025-Q2 (same period_end): the delivery that sorts first (H1) anchors the key;
    within one delivery, the record key that sorts first."""
    h1 = _h1_q2("A", "r-h1", 1, q2=False)
    q2 = _h1_q2("A", "r-q2", 1, q2=True)
    for order in ([h1, q2], [q2, h1]):
        (merged,) = merge_trajecten(order)
        assert merged.key == _key_of("A", "2025-01-01..2025-06-30", "r-h1")
    first = _h1_q2("A", "r-1", 1, q2=True)
    second = _h1_q2("A", "r-2", 1, q2=True)
    (merged,) = merge_trajecten([second, first])
    assert merged.key == _key_of("A", "2025-04-01..2025-06-30", "r-1")


def test_two_deliveries_of_one_provider_with_the_same_period_end_that_disagree_are_a_conflict() -> None:
    """Neither is newer, so neither is an update: both values are kept as a conflict, and the value chosen for
    statistics is the one of the delivery whose period starts first — whatever the order of arrival."""
    h1 = _h1_q2("A", "r-h1", 12_000, q2=False)
    q2 = _h1_q2("A", "r-q2", 15_000, q2=True)
    for order in ([h1, q2], [q2, h1]):
        (merged,) = merge_trajecten(order)
        assert merged.conflicts == (
            Conflict(AMOUNT, (FieldValue(12_000, (h1.source,)), FieldValue(15_000, (q2.source,)))),
        )
        assert merged.fields[AMOUNT] == FieldValue(12_000, (h1.source,))
        assert conflict_counts([merged]) == {AMOUNT: 1}
    # Agreeing equally new deliveries are no conflict: one value with both sources.
    (agreed,) = merge_trajecten([h1, _h1_q2("A", "r-q2", 12_000.0, q2=True)])
    assert agreed.conflicts == ()
    assert agreed.fields[AMOUNT].sources == (h1.source, q2.source)
    # A later delivery of the same provider does update it: no conflict.
    later = Observation(
        **{**_fields_of(q2), "source": Source("A", "2025-07-01..2025-12-31", D(2025, 12, 31))}
    )
    (updated,) = merge_trajecten([h1, q2, later])
    assert updated.conflicts == () and updated.fields[AMOUNT] == FieldValue(15_000, (later.source,))


def _fields_of(observation: Observation) -> dict[str, object]:
    return {name: getattr(observation, name) for name in Observation.__dataclass_fields__}


# --- the begeleiding example at traject level ---------------------------------------------------------------------


def test_begeleiding_example_across_three_deliveries() -> None:
    d2020 = _obs(
        "A",
        2020,
        "t2020",
        start=D(2020, 1, 1),
        end=D(2020, 12, 31),
        periods={BUDGETBEHEER: (Interval(D(2020, 1, 1), D(2020, 12, 31)),)},
    )
    d2023 = _obs(
        "A",
        2023,
        "t2023",
        start=D(2023, 12, 1),
        periods={BUDGETBEHEER: (Interval(D(2023, 12, 1), D(2023, 12, 20)), Interval(D(2023, 12, 15), None))},
    )
    d2024 = _obs(
        "A",
        2024,
        "t2023",
        start=D(2023, 12, 1),
        periods={BUDGETBEHEER: (Interval(D(2023, 12, 15), D(2024, 1, 15)), Interval(D(2024, 1, 10), None))},
    )
    old, current = merge_trajecten([d2024, d2020, d2023])
    assert old.periods == {BUDGETBEHEER: (Interval(D(2020, 1, 1), D(2020, 12, 31)),)}
    assert old.sources == (d2020.source,)
    assert (current.start, current.end) == (D(2023, 12, 1), None)
    assert current.periods == {BUDGETBEHEER: (Interval(D(2023, 12, 1), None),)}
    assert current.sources == (d2023.source, d2024.source)


# --- order independence --------------------------------------------------------------------------------------------

_PROVIDERS = ("A", "B", "C")
_YEARS = (2022, 2023, 2024)
_FIELD_VALUES = st.none() | st.sampled_from([0, 1, 1.0, 2, True, "x", "y"])


@st.composite
def _observations(draw: st.DrawFn) -> list[Observation]:
    count = draw(st.integers(0, 14))
    out = []
    for index in range(count):
        provider = draw(st.sampled_from(_PROVIDERS))
        year = draw(st.sampled_from(_YEARS))
        start = D(2022, 1, 1) + dt.timedelta(draw(st.integers(0, 30)))
        length = draw(st.none() | st.integers(0, 12))
        periods = draw(
            st.dictionaries(
                st.sampled_from([BUDGETBEHEER, "moratoria"]),
                st.lists(
                    st.builds(
                        _interval, st.integers(0, 30), st.none() | st.integers(0, 10), st.just(D(2022, 1, 1))
                    ),
                    max_size=3,
                ).map(tuple),
                max_size=2,
            )
        )
        out.append(
            Observation(
                source=_source(provider, year),
                record_key=f"r{index}",
                gemeentecode=draw(st.sampled_from(["0363", "0599"])),
                clients=frozenset(draw(st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), max_size=2))),
                start=start,
                end=None if length is None else start + dt.timedelta(length),
                fields=draw(
                    st.dictionaries(st.sampled_from([AMOUNT, "soort", "flag"]), _FIELD_VALUES, max_size=3)
                ),
                periods=periods,
            )
        )
    return out


def _related(a: Observation, b: Observation) -> bool:
    far = D.max
    return (
        a.gemeentecode == b.gemeentecode
        and bool(a.clients & b.clients)
        and a.start <= (b.end or far)
        and b.start <= (a.end or far)
    )


@settings(max_examples=200, deadline=None)
@given(_observations().flatmap(lambda obs: st.tuples(st.just(obs), st.permutations(obs))))
def test_result_does_not_depend_on_input_order(case: tuple[list[Observation], list[Observation]]) -> None:
    observations, shuffled = case
    result = merge_trajecten(observations)
    assert merge_trajecten(shuffled) == result
    assert merge_trajecten(reversed(observations)) == result


@settings(max_examples=200, deadline=None)
@given(_observations())
def test_groups_are_exactly_the_connected_components(observations: list[Observation]) -> None:
    result = merge_trajecten(observations)
    group_of = {identity: traject.key for traject in result for identity in traject.observations}
    assert sorted(group_of) == sorted(o.identity for o in observations)  # each exactly once
    # Brute force: the transitive closure of the pairwise relation.
    component = {o.identity: o.identity for o in observations}

    def root(x: str) -> str:
        while component[x] != x:
            x = component[x]
        return x

    for a, b in itertools.combinations(observations, 2):
        if _related(a, b):
            component[root(a.identity)] = root(b.identity)
    for a, b in itertools.combinations(observations, 2):
        assert (group_of[a.identity] == group_of[b.identity]) == (root(a.identity) == root(b.identity))
    for traject in result:
        assert traject.start <= (traject.end or D.max)
        assert len({c.field for c in traject.conflicts}) == len(traject.conflicts)
        for conflict in traject.conflicts:
            assert traject.fields[conflict.field] == conflict.values[0]
    assert len({t.key for t in result}) == len(result)
    assert result == sorted(result, key=lambda t: (t.gemeentecode, t.start, t.key))


def test_merged_traject_fields_are_plain_values() -> None:
    (merged,) = merge_trajecten([_obs("A", 2024, "r", start=D(2024, 1, 1), fields={AMOUNT: 1})])
    assert isinstance(merged, MergedTraject)
    assert merged.fields == {AMOUNT: FieldValue(1, (_source("A", 2024),))}
