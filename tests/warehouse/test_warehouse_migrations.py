"""The warehouse schema under Alembic: migrations and `metadata` in step, downgrade and upgrade again, a warehouse
made before migrations adopted, and a warehouse from a newer ddas refused — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from ddas.provider.store import Store, db
from ddas.warehouse.store import MIGRATIONS, VERSION_TABLE, Warehouse, WarehouseError, metadata

WH_TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a throwaway PostgreSQL database (skipped with a message when
    PostgreSQL cannot be reached)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return str(request.getfixturevalue("postgres_databases").create())


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    made = db.make_engine(db.normalise_url(url))
    try:
        yield made
    finally:
        made.dispose()


def _head() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _revision(engine: Engine) -> str | None:
    return db.current_revision(engine, version_table=VERSION_TABLE)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _differences(engine: Engine) -> list[object]:
    """What Alembic's autogenerate would change to make the database match `metadata` (nothing, in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(context, metadata))


def _legacy(engine: Engine, *, without: frozenset[str] = frozenset()) -> None:
    """A warehouse as ddas made it before migrations (`create_all` of the schema revision 0001 describes), with a
    complete delivery and no version table."""
    db.upgrade(engine, "0001", migrations=MIGRATIONS)
    with engine.begin() as connection:
        for name in (VERSION_TABLE, *without):
            connection.execute(text(f"DROP TABLE {name}"))
    old = Warehouse(engine)
    delivery = old.begin_delivery("gemeente", "vs", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert old.complete_delivery(delivery) == "nieuw"


def test_upgrade_from_empty_gives_the_schema_of_metadata(engine: Engine) -> None:
    assert _tables(engine) == set()
    db.upgrade(engine, migrations=MIGRATIONS)
    assert _tables(engine) == WH_TABLES | {VERSION_TABLE}
    assert _differences(engine) == []
    # What compare_metadata might not look at closely: the cascades and the unique index.
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        expected = {(fk.parent.name, fk.column.table.name, fk.ondelete) for fk in table.foreign_keys}
        reflected = {
            (fk["constrained_columns"][0], fk["referred_table"], fk.get("options", {}).get("ondelete"))
            for fk in inspector.get_foreign_keys(table.name)
        }
        assert reflected == expected, table.name
        assert {fk[2] for fk in reflected} <= {"CASCADE"}
        indexes = {ix["name"]: bool(ix["unique"]) for ix in inspector.get_indexes(table.name)}
        assert indexes == {str(ix.name): bool(ix.unique) for ix in table.indexes}, table.name


def test_downgrade_to_base_and_upgrade_again(url: str, engine: Engine) -> None:
    Warehouse.open(url).close()
    assert _revision(engine) == _head()
    db.downgrade(engine, "base", migrations=MIGRATIONS)
    assert not {name for name in _tables(engine) if name.startswith("wh_")}
    assert _revision(engine) is None
    db.upgrade(engine, migrations=MIGRATIONS)
    assert _tables(engine) == WH_TABLES | {VERSION_TABLE}
    assert _differences(engine) == []
    with Warehouse.open(url) as warehouse:
        assert warehouse.summary()["deliveries"] == 0


def test_open_from_empty_is_at_head_and_opening_again_changes_nothing(url: str, engine: Engine) -> None:
    with Warehouse.open(url) as warehouse:
        assert _revision(warehouse.engine) == _head()
    assert _revision(engine) == _head()
    # Its own version table only: the provider store's is not touched.
    assert _tables(engine) == WH_TABLES | {VERSION_TABLE}
    assert db.current_revision(engine) is None
    Warehouse.open(url).close()
    assert _revision(engine) == _head()


def test_a_warehouse_made_before_migrations_is_stamped_and_keeps_its_rows(url: str, engine: Engine) -> None:
    _legacy(engine)
    assert VERSION_TABLE not in _tables(engine)
    before = Warehouse(engine).deliveries()
    assert len(before) == 1
    with Warehouse.open(url) as warehouse:
        assert warehouse.deliveries() == before
        assert warehouse.summary()["deliveries"] == 1
    assert _revision(engine) == _head()
    assert _differences(engine) == []


def test_a_warehouse_of_the_first_release_gets_its_state_table(url: str, engine: Engine) -> None:
    """The first warehouse release had no wh_state; create_all made every other table."""
    _legacy(engine, without=frozenset({"wh_state"}))
    assert "wh_state" not in _tables(engine)
    with Warehouse.open(url) as warehouse:
        assert len(warehouse.deliveries()) == 1
    assert _revision(engine) == _head()
    assert _differences(engine) == []


def test_a_warehouse_missing_tables_without_a_version_is_refused(url: str, engine: Engine) -> None:
    metadata.create_all(engine, tables=[metadata.tables["wh_deliveries"]])
    with pytest.raises(WarehouseError, match="ontbreken tabellen") as failure:
        Warehouse.open(url)
    assert "Traceback" not in str(failure.value)
    assert _revision(engine) is None


def test_a_warehouse_from_a_newer_ddas_is_refused(url: str, engine: Engine) -> None:
    Warehouse.open(url).close()
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'toekomst'"))
    with pytest.raises(WarehouseError, match="nieuwere versie van ddas"):
        Warehouse.open(url)


def test_a_warehouse_and_a_provider_store_share_one_database(url: str, engine: Engine) -> None:
    Store.open(url).close()
    with Warehouse.open(url) as warehouse:
        assert warehouse.summary()["deliveries"] == 0
    Store.open(url).close()
    assert _revision(engine) == _head()
    assert db.current_revision(engine) is not None
    assert {db.VERSION_TABLE, VERSION_TABLE} <= _tables(engine)
