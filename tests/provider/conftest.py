"""Shared fixtures for the provider tests: a store on SQLite always, and on PostgreSQL when one is reachable
(the throwaway PostgreSQL databases come from `tests/conftest.py`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ddas.provider.store import Store
from ddas.provider.store.models import Base


@pytest.fixture(scope="session")
def postgres_url(postgres_databases: Any) -> str:
    """One migrated database per session; `store_url` empties it before every test."""
    url = postgres_databases.create()
    Store.open(url).close()
    return url


def _empty(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL: a SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    _empty(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store only, for tests about the embedded default."""
    opened = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A factory: an empty, never migrated database of the given backend ("sqlite" or "postgresql")."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{secrets.token_hex(4)}.sqlite'}"
        databases = request.getfixturevalue("postgres_databases")
        return databases.create()

    return make
