"""Engines for the store: the URL a user gives, SQLite made properly transactional, migrations to head.

SQLite is the embedded default. Python's sqlite3 module starts transactions lazily and commits DDL on its own,
which would let half an import survive a failure; the engine here turns that off and issues BEGIN itself, so
one `with session.begin()` is one SQLite transaction. WAL mode lets the API read while an import writes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ddas.provider.store.errors import StoreUrlError

__all__ = [
    "DEFAULT_URL",
    "VERSION_TABLE",
    "WRITE_LOCK",
    "current_revision",
    "display_url",
    "downgrade",
    "make_engine",
    "normalise_url",
    "run_environment",
    "stamp",
    "upgrade",
]

#: The embedded store: a SQLite file in the working directory.
DEFAULT_URL = "sqlite:///ddas-store.sqlite"

#: Execution option: on SQLite, take the write lock when the transaction begins (`BEGIN IMMEDIATE`).
WRITE_LOCK = "ddas_write_lock"

#: Alembic's bookkeeping table, named so that it cannot clash with a vendor's own Alembic in a shared database.
VERSION_TABLE = "ddas_schema_version"

_MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def normalise_url(url: str | None) -> URL:
    """The SQLAlchemy URL for what a user typed: a URL, or a plain file path meaning a SQLite file.

    `postgresql://` is taken as `postgresql+psycopg://` (psycopg 3 is the driver ddas ships with).
    """
    raw = (url or DEFAULT_URL).strip()
    if not raw:
        raw = DEFAULT_URL
    if "://" not in raw:
        return URL.create("sqlite", database=str(Path(raw)))
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StoreUrlError(f"Ongeldig adres voor de opslag: '{_mask(raw)}'.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreUrlError(
            f"Opslag '{parsed.get_backend_name()}' wordt niet ondersteund: gebruik sqlite:///BESTAND of "
            "postgresql+psycopg://GEBRUIKER@HOST/DATABASE."
        )
    return parsed


def display_url(url: URL) -> str:
    """The URL with any password hidden, for messages and logs."""
    return url.render_as_string(hide_password=True)


def _mask(raw: str) -> str:
    """Hide a password in a URL that could not even be parsed."""
    if "@" in raw and "://" in raw:
        scheme, rest = raw.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return raw


def make_engine(url: URL, *, echo: bool = False) -> Engine:
    """An engine for the store; SQLite gets WAL, foreign keys, a busy timeout and real transactions.

    The records hold BSNs, and application logs must not (SPEC §6). Whoever turns SQLAlchemy's logging on
    (`echo`, or its loggers at INFO/DEBUG) gets the statements, but never their parameters (`hide_parameters`)
    nor the rows they return (`_NoRows`).
    """
    _guard_sql_log()
    if url.get_backend_name() == "sqlite":
        memory = url.database in (None, "", ":memory:")
        if not memory and url.database:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, hide_parameters=True, **kwargs, **_JSON)
        _sqlite_transactions(engine, wal=not memory)
        return engine
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, **_JSON)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


#: JSON columns are written and read with orjson: the warehouse's merged trajecten carry a source per field,
#: and the standard library's encoder took longer than merging them.
_JSON: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


class _NoRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records of result rows and columns: rows are records, records hold BSNs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and str(record.msg).startswith(("Row ", "Col ")))


_ROW_FILTER = _NoRows()


def _guard_sql_log() -> None:
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if _ROW_FILTER not in engine_logger.filters:
        engine_logger.addFilter(_ROW_FILTER)


def _sqlite_transactions(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT from the sqlite3 module
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer that must not wait for a lock half-way (an import) takes it at BEGIN.
        immediate = connection.get_execution_options().get(WRITE_LOCK, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def run_environment(target_metadata: MetaData, version_table: str, example_url: str) -> None:
    """What a migrations folder's env.py does: migrate on the connection `upgrade` hands over or — for
    development (`alembic revision --autogenerate`) — on the database given with `-x url=...`."""
    from alembic import context

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit(f"Geef een database op: alembic -x url={example_url} ...")
    with create_engine(url).begin() as own:
        migrate(own)


def _alembic(engine: Engine, action: str, revision: str, migrations: Path) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def upgrade(engine: Engine, revision: str = "head", *, migrations: Path = _MIGRATIONS) -> None:
    """Bring the schema to `revision` with the migrations shipped in the package (no alembic.ini needed).

    `migrations` is the folder of another schema's migrations (the warehouse's); its env.py names its own
    version table.
    """
    _alembic(engine, "upgrade", revision, migrations)


def downgrade(engine: Engine, revision: str, *, migrations: Path = _MIGRATIONS) -> None:
    """Take the schema back to `revision` (`base`: no tables at all); for operators and tests."""
    _alembic(engine, "downgrade", revision, migrations)


def stamp(engine: Engine, revision: str, *, migrations: Path = _MIGRATIONS) -> None:
    """Record that the schema is at `revision` without running any migration (a schema made before them)."""
    _alembic(engine, "stamp", revision, migrations)


def current_revision(engine: Engine, *, version_table: str = VERSION_TABLE) -> str | None:
    """The schema revision the database is at (None: not yet created)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": version_table})
        return context.get_current_revision()
