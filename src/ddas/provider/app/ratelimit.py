"""Per-client rate limiting (429 with Retry-After): a token bucket per client, held by the app instance.

A bucket holds at most one minute's allowance, so a client may burst up to its per-minute limit and then gets
one request per `60 / limit` seconds. In memory and per process: the koppelvlak has one consumer (CBS) and a
provider runs one service process, so nothing needs sharing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """`check(client)` → 0 when the request may go ahead, else the seconds to wait (for Retry-After)."""

    #: Buckets idle this long are full again and can be forgotten.
    _IDLE_SECONDS = 120.0
    _PRUNE_AT = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._capacity > 0

    def check(self, client: str) -> int:
        if not self.enabled:
            return 0
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - stamp) * self._rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0
            else:
                self._buckets[client] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / self._rate))
            if len(self._buckets) > self._PRUNE_AT:
                self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        stale = [key for key, (_, stamp) in self._buckets.items() if now - stamp > self._IDLE_SECONDS]
        for key in stale:
            del self._buckets[key]
