"""The schema: migrations from an empty database, models and migrations in step, opening a store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from ddas.provider.store import Store, StoreError, StoreUnavailable, StoreUrlError
from ddas.provider.store import db as store_db
from ddas.provider.store.models import Base

MIGRATIONS = Path(store_db.__file__).resolve().parents[1] / "migrations"


def _head() -> str | None:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_from_an_empty_database(backend: str, fresh_database: Callable[[str], str]) -> None:
    url = fresh_database(backend)
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()

    store = Store.open(url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert tables == {t.name for t in Base.metadata.sorted_tables} | {store_db.VERSION_TABLE}
        assert store_db.current_revision(store.engine) == _head() is not None
        # Models and migrations describe the same schema.
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "version_table": store_db.VERSION_TABLE}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()
    # Opening again is a no-op.
    Store.open(url).close()


def test_downgrade_and_upgrade_again(fresh_database: Callable[[str], str]) -> None:
    url = fresh_database("sqlite")
    store = Store.open(url)
    store_db.downgrade(store.engine, "base")
    assert inspect(store.engine).get_table_names() == [store_db.VERSION_TABLE]
    store_db.upgrade(store.engine)
    assert "trajecten" in inspect(store.engine).get_table_names()
    store.close()


def test_store_from_a_newer_ddas_is_refused(fresh_database: Callable[[str], str]) -> None:
    url = fresh_database("sqlite")
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {store_db.VERSION_TABLE} SET version_num = 'toekomst'"))
    engine.dispose()
    with pytest.raises(StoreError, match="nieuwere versie"):
        Store.open(url)


def test_sqlite_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_urls() -> None:
    assert store_db.normalise_url(None).render_as_string() == store_db.DEFAULT_URL
    assert store_db.normalise_url("data/winkel.sqlite").get_backend_name() == "sqlite"
    assert store_db.normalise_url("data/winkel.sqlite").database == "data/winkel.sqlite"
    assert store_db.normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(StoreUrlError, match="niet ondersteund"):
        store_db.normalise_url("mysql://u@h/db")
    shown = store_db.display_url(store_db.normalise_url("postgresql+psycopg://u:geheim@h/db"))
    assert "geheim" not in shown


def test_unreachable_database_is_an_environment_error() -> None:
    with pytest.raises(StoreUnavailable, match="niet bereikbaar") as failure:
        Store.open("postgresql+psycopg://postgres:geheim@127.0.0.1:1/ddas")
    assert "geheim" not in str(failure.value)


def test_default_store_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Store.open().close()
    assert (tmp_path / "ddas-store.sqlite").is_file()
