"""The provider store: SQLAlchemy models and Alembic migrations, import, and selection/paging for the API.

    store = Store.open("sqlite:///ddas-store.sqlite")          # or postgresql+psycopg://…; migrates to head
    summary = import_delivery(store, path.read_bytes())         # validated; one transaction; idempotent
    snapshot = store.snapshot(Kind.SHV, start, end, None)       # frozen selection, reused for 24 h
    page = store.page(snapshot, 1, 25_000)                      # groups per (organisation, gemeentecode)

Nothing here speaks HTTP: `ddas.provider.app` turns pages into signed responses.
"""

from __future__ import annotations

from ddas.provider.store.db import DEFAULT_URL
from ddas.provider.store.errors import (
    ImportFailed,
    SnapshotExpired,
    StoreError,
    StoreUnavailable,
    StoreUrlError,
    UnreadableSource,
)
from ddas.provider.store.importer import import_delivery, import_records, import_source, records_document
from ddas.provider.store.selection import Page, PageGroup, Snapshot
from ddas.provider.store.store import DEFAULT_CACHE_TTL, DEFAULT_SNAPSHOT_TTL, Store
from ddas.provider.store.summary import Counts, ImportSummary, Problem, Reason, RecordIssue, RecordType

__all__ = [
    "DEFAULT_CACHE_TTL",
    "DEFAULT_SNAPSHOT_TTL",
    "DEFAULT_URL",
    "Counts",
    "ImportFailed",
    "ImportSummary",
    "Page",
    "PageGroup",
    "Problem",
    "Reason",
    "RecordIssue",
    "RecordType",
    "Snapshot",
    "SnapshotExpired",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoreUrlError",
    "UnreadableSource",
    "import_delivery",
    "import_records",
    "import_source",
    "records_document",
]
