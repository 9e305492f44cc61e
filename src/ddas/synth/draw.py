"""Fast random draws for the generator's hot loops (`random.choices` rebuilds its weights on every call)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

__all__ = ["Weighted", "pick", "rint"]

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice, with its cumulative weights computed once."""

    __slots__ = ("_cum", "_options", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._options = tuple(option for option, _ in pairs)
        self._cum = tuple(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self._options[bisect(self._cum, rng.random() * self._total)]

    @property
    def options(self) -> tuple[T, ...]:
        return self._options


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """`rng.choice` without its argument checking."""
    return options[int(rng.random() * len(options))]


def rint(rng: random.Random, low: int, high: int) -> int:
    """`randint` without its argument checking (low ≤ high is the caller's promise)."""
    return low + int(rng.random() * (high - low + 1))
