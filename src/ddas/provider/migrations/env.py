"""Alembic environment: runs on the connection `ddas.provider.store.db.upgrade` hands over.

For development (`alembic revision --autogenerate`) a URL may be given instead with `-x url=...`.
"""

from __future__ import annotations

from ddas.provider.store.db import DEFAULT_URL, VERSION_TABLE, run_environment
from ddas.provider.store.models import Base

run_environment(Base.metadata, VERSION_TABLE, DEFAULT_URL)
