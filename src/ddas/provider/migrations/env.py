"""Alembic environment: runs on the connection `ddas.provider.store.db.upgrade` hands over.

For development (`alembic revision --autogenerate`) a URL may be given instead with `-x url=...`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ddas.provider.store.db import VERSION_TABLE
from ddas.provider.store.models import Base


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise SystemExit("Geef een database op: alembic -x url=sqlite:///ddas-store.sqlite ...")
        engine = create_engine(url)
        with engine.begin() as own:
            _migrate(own)
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
