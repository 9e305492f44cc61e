"""The store's errors: a small hierarchy with Dutch messages that never contain a BSN."""

from __future__ import annotations

__all__ = [
    "ImportFailed",
    "SnapshotExpired",
    "StoreError",
    "StoreUnavailable",
    "StoreUrlError",
    "UnreadableSource",
]


class StoreError(Exception):
    """Something the store cannot do; `str(error)` is a Dutch message fit for a user."""


class StoreUrlError(StoreError, ValueError):
    """The store address cannot be used."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened (an environment problem, not bad input)."""


class SnapshotExpired(StoreError, LookupError):
    """The snapshot a page was asked from no longer exists: its lifetime has passed."""


class UnreadableSource(StoreError):
    """The source cannot be read as a delivery at all (not JSON, not UTF-8, not DDAS, missing file)."""


class ImportFailed(StoreError):
    """The import's transaction failed and was rolled back: the store is as it was before."""
