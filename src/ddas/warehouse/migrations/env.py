"""Alembic environment of the warehouse: runs on the connection `ddas.provider.store.db.upgrade` hands over.

Its own version table keeps it apart from the provider store's, so both may share one PostgreSQL database.
For development (`alembic revision --autogenerate`) a URL may be given instead with `-x url=...`.
"""

from __future__ import annotations

from ddas.provider.store.db import run_environment
from ddas.warehouse.store import VERSION_TABLE, metadata

run_environment(metadata, VERSION_TABLE, "sqlite:///ddas-warehouse.sqlite")
