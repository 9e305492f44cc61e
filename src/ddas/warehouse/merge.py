"""Merging deliveries about the same traject into one merged traject (SPEC §7).

Every delivery repeats the trajecten that overlap its reporting period, and several providers may deliver on the
same client (samenloop), so one real traject reaches the warehouse many times. Two delivered trajecten are the
same traject when they belong to the same gemeente, share a client and their periods overlap; the merged
traject is the transitive closure of that relation. Per field the newest information wins, but a disagreement
between providers is kept as a `Conflict` next to the chosen value: statistics may pick one value, the
provider's data may not be silently overwritten.

Ties are broken by the observations' identity — provider name, then delivery (its period, `start..end`, so the
one that starts first), then record key — never by arrival order:

* the traject key is anchored on the oldest observation (earliest `period_end`); among equally old ones, the
  first in identity order anchors it;
* two deliveries of one provider with the same `period_end` (say 2025-H1 and 2025-Q2) are equally new: neither
  updates the other, so values they disagree on stay side by side as a `Conflict`, as between two providers.
  The value chosen for statistics is the first in identity order (the delivery whose period starts first).

Everything here is pure and deterministic: the result depends on the set of observations, never on their order
(the warehouse derives the merged trajecten again after each delivery and must get the same keys and values).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

__all__ = [
    "Conflict",
    "FieldValue",
    "Interval",
    "MergedTraject",
    "Observation",
    "Source",
    "conflict_counts",
    "merge_intervals",
    "merge_trajecten",
]

_KEY_LABEL = b"ddas/traject/1\x00"

#: Orders candidate values: newest period first, then provider, delivery and record key (see `_rank`).
_Rank = tuple[int, str, str, str]


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where an observation came from; a later `period_end` is newer information.

    Sorts by provider, then delivery, then period_end.
    """

    provider: str
    delivery: str
    period_end: dt.date


@dataclass(frozen=True, slots=True)
class Interval:
    """A period in whole days, inclusive at both ends; `end=None` is still open."""

    start: dt.date
    end: dt.date | None

    def __post_init__(self) -> None:
        # Validation rejects such records (END_BEFORE_START); here it would turn a union into nonsense.
        if self.end is not None and self.end < self.start:
            raise ValueError(f"Einddatum {self.end} ligt vóór startdatum {self.start}.")


@dataclass(frozen=True, slots=True)
class Observation:
    """One delivered traject as the warehouse holds it: pseudonymised, with flattened scalar fields."""

    source: Source
    record_key: str
    gemeentecode: str
    clients: frozenset[str]
    start: dt.date
    end: dt.date | None
    fields: Mapping[str, object]
    periods: Mapping[str, tuple[Interval, ...]]

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"Einddatum {self.end} van het traject ligt vóór startdatum {self.start}.")

    @property
    def identity(self) -> str:
        """The record's identity across the warehouse: provider, delivery and record key, as a JSON array.

        JSON rather than a separator, because a provider or delivery name may contain any character.
        """
        return _identity(self)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """A field's value and the sources that delivered it (sorted)."""

    value: object
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Providers disagree on a field: every distinct value with its sources, the chosen value first."""

    field: str
    values: tuple[FieldValue, ...]


@dataclass(frozen=True, slots=True)
class MergedTraject:
    """One traject as the merged deliveries show it.

    `key` is the SHA-256 (hex) of the identity of the traject's *oldest* observation (earliest period_end,
    then provider, delivery, record key), not of all of them: a new delivery that extends the traject leaves
    the key unchanged, and when a delivery links two trajecten the merged one keeps the older key. It changes
    when the anchoring observation itself is withdrawn or replaced — and when a delivery arrives late for the
    same oldest period_end from a provider whose name sorts first: the key depends on the set of observations
    only, never on the order in which they were collected, so a warehouse filled in any order gets the same keys.
    """

    key: str
    gemeentecode: str
    clients: frozenset[str]
    start: dt.date
    end: dt.date | None
    fields: dict[str, FieldValue]
    conflicts: tuple[Conflict, ...]
    periods: dict[str, tuple[Interval, ...]]
    sources: tuple[Source, ...]
    observations: tuple[str, ...]


def merge_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The union of the intervals, sorted by start.

    Intervals that share at least one day merge; merely adjacent ones (end + 1 day = start) stay separate,
    because two begeleidingen one after the other are two begeleidingen, not one.
    """
    out: list[Interval] = []
    start: dt.date | None = None
    end: dt.date | None = None
    for interval in sorted(intervals, key=_interval_order):
        if start is not None and (end is None or interval.start <= end):
            end = None if end is None or interval.end is None else max(end, interval.end)
            continue
        if start is not None:
            out.append(Interval(start, end))
        start, end = interval.start, interval.end
    if start is not None:
        out.append(Interval(start, end))
    return tuple(out)


def merge_trajecten(observations: Iterable[Observation]) -> list[MergedTraject]:
    """Group the observations into trajecten and merge each group; sorted by gemeentecode, start and key.

    Only pairs that share a (gemeentecode, client) are compared, after sorting each such bucket by start, so
    the cost is n log n rather than n². An observation delivered twice (same identity, same content) counts
    once; the same identity with different content is an error of the caller.
    """
    items = _unique(observations)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[str, str], list[int]] = {}
    for index, observation in enumerate(items):
        for client in observation.clients:
            buckets.setdefault((observation.gemeentecode, client), []).append(index)
    for members in buckets.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: items[i].start)
        # Sweep by start: an observation overlaps an earlier one exactly when it starts on or before the
        # latest end so far, and then it overlaps the one holding that end.
        reach_index = members[0]
        reach = _end_or_max(items[reach_index].end)
        for index in members[1:]:
            observation = items[index]
            if observation.start <= reach:
                a, b = find(index), find(reach_index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            end = _end_or_max(observation.end)
            if end > reach:  # also true when a new run starts: then end >= start > reach
                reach, reach_index = end, index

    groups: dict[int, list[Observation]] = {}
    for index, observation in enumerate(items):
        groups.setdefault(find(index), []).append(observation)
    merged = [_merge_group(group) for group in groups.values()]
    merged.sort(key=lambda t: (t.gemeentecode, t.start, t.key))
    return merged


def conflict_counts(merged: Iterable[MergedTraject]) -> dict[str, int]:
    """The number of conflicts per field name, sorted by field name."""
    counts = Counter(conflict.field for traject in merged for conflict in traject.conflicts)
    return dict(sorted(counts.items()))


def _interval_order(interval: Interval) -> tuple[dt.date, dt.date]:
    return interval.start, _end_or_max(interval.end)


def _end_or_max(end: dt.date | None) -> dt.date:
    """An open end compares as infinitely late."""
    return dt.date.max if end is None else end


def _identity_tuple(observation: Observation) -> tuple[str, str, str]:
    return observation.source.provider, observation.source.delivery, observation.record_key


def _identity(observation: Observation) -> str:
    return orjson.dumps(_identity_tuple(observation)).decode()


def _unique(observations: Iterable[Observation]) -> list[Observation]:
    """The observations without repeats, sorted by identity, so nothing downstream sees the input order."""
    seen: dict[tuple[str, str, str], Observation] = {}
    for observation in observations:
        identity = _identity_tuple(observation)
        earlier = seen.setdefault(identity, observation)
        if earlier is not observation and earlier != observation:
            raise ValueError(
                f"Record {_identity(observation)} komt twee keer voor met verschillende inhoud; "
                "een record moet binnen een levering een unieke sleutel hebben."
            )
    return [seen[identity] for identity in sorted(seen)]


def _rank(observation: Observation) -> _Rank:
    """Newest source first; ties by provider name (ascending), then delivery and record key."""
    source = observation.source
    return -source.period_end.toordinal(), source.provider, source.delivery, observation.record_key


def _value_key(value: object) -> tuple[str, object]:
    """What makes two values the same: `True` is not `1`, but `1500.0` is `1500`."""
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, int):
        return "number", value
    if isinstance(value, float):
        return "number", int(value) if value.is_integer() else value
    if isinstance(value, str):
        return "str", value
    return type(value).__qualname__, repr(value)


def _traject_key(anchor_identity: str) -> str:
    return hashlib.sha256(_KEY_LABEL + anchor_identity.encode("utf-8")).hexdigest()


def _merge_group(group: list[Observation]) -> MergedTraject:
    """One merged traject from observations already sorted by identity."""
    identities = tuple(_identity(o) for o in group)
    fields, conflicts = _merge_fields(group)
    first = group[0]
    if len(group) == 1:  # most trajecten: nothing to choose between
        return MergedTraject(
            key=_traject_key(identities[0]),
            gemeentecode=first.gemeentecode,
            clients=first.clients,
            start=first.start,
            end=first.end,
            fields=fields,
            conflicts=conflicts,
            periods={name: merge_intervals(items) for name, items in sorted(first.periods.items())},
            sources=(first.source,),
            observations=identities,
        )
    # The anchor is the first (in identity order) of the observations with the oldest period_end.
    anchor = 0
    oldest = newest = first.source.period_end
    for index, observation in enumerate(group):
        period_end = observation.source.period_end
        if period_end < oldest:
            anchor, oldest = index, period_end
        newest = max(newest, period_end)
    ends = [o.end for o in group if o.source.period_end == newest]
    end = None if None in ends else max(e for e in ends if e is not None)

    intervals: dict[str, list[Interval]] = {}
    for observation in group:
        for name, items in observation.periods.items():
            intervals.setdefault(name, []).extend(items)

    return MergedTraject(
        key=_traject_key(identities[anchor]),
        gemeentecode=first.gemeentecode,
        clients=frozenset().union(*(o.clients for o in group)),
        start=min(o.start for o in group),
        end=end,
        fields=fields,
        conflicts=conflicts,
        periods={name: merge_intervals(intervals[name]) for name in sorted(intervals)},
        sources=tuple(sorted({o.source for o in group})),
        observations=identities,
    )


@dataclass(slots=True)
class _Candidate:
    """One distinct value of a field: its best rank, the value as delivered at that rank, all its sources."""

    rank: _Rank
    value: object
    sources: set[Source]


def _merge_fields(group: list[Observation]) -> tuple[dict[str, FieldValue], tuple[Conflict, ...]]:
    """Per field the newest value, and a conflict wherever providers' newest values disagree.

    A provider's values are first reduced to its newest deliveries (a later delivery changing a value is an
    update); deliveries of one provider with the same period_end are equally new, so where they disagree that is
    a conflict, not an update. None counts as absent: it neither conflicts with a value nor erases an earlier
    one. The chosen value is the best-ranked one (`_rank`: newest period_end, then identity order).
    """
    if len(group) == 1:
        (only,) = group
        return (
            {
                name: FieldValue(value, (only.source,))
                for name, value in sorted(only.fields.items())
                if value is not None
            },
            (),
        )
    # field → provider → (that provider's newest period_end, the (rank, source, value) delivered then)
    latest: dict[str, dict[str, tuple[dt.date, list[tuple[_Rank, Source, object]]]]] = {}
    for observation in group:
        source = observation.source
        rank = _rank(observation)
        for name, value in observation.fields.items():
            if value is None:
                continue
            per_provider = latest.setdefault(name, {})
            current = per_provider.get(source.provider)
            if current is None or source.period_end > current[0]:
                per_provider[source.provider] = (source.period_end, [(rank, source, value)])
            elif source.period_end == current[0]:
                current[1].append((rank, source, value))

    fields: dict[str, FieldValue] = {}
    conflicts: list[Conflict] = []
    for name in sorted(latest):
        distinct: dict[tuple[str, object], _Candidate] = {}
        for _, candidates in latest[name].values():
            for rank, source, value in candidates:
                known = distinct.get(value_key := _value_key(value))
                if known is None:
                    distinct[value_key] = _Candidate(rank, value, {source})
                    continue
                known.sources.add(source)
                if rank < known.rank:
                    known.rank, known.value = rank, value
        if len(distinct) == 1:
            (agreed,) = distinct.values()
            fields[name] = FieldValue(agreed.value, tuple(sorted(agreed.sources)))
            continue
        ranked = sorted(distinct.values(), key=lambda candidate: candidate.rank)
        values = tuple(FieldValue(c.value, tuple(sorted(c.sources))) for c in ranked)
        fields[name] = values[0]
        conflicts.append(Conflict(name, values))
    return fields, tuple(conflicts)
