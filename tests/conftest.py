"""Shared fixtures: where the official reference files are (read, never copied), and throwaway PostgreSQL
databases.

PostgreSQL: `DDAS_TEST_POSTGRES` (default `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`) names a
server and a database to connect to for administration; each test session (each xdist worker) creates its own
throwaway databases `ddas_test_<random>` and drops them at the end. Tests that use them skip, with a message,
when the server cannot be reached.
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
SPEC_DIR = (REPO / ".." / "shared" / "spec").resolve()


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The official DDAS files in ../shared/spec; tests that need them skip without them."""
    if not SPEC_DIR.is_dir():
        pytest.skip(f"official DDAS files not found at {SPEC_DIR} (../shared/spec); skipping reference tests")
    return SPEC_DIR


@pytest.fixture(scope="session")
def official_examples(spec_dir: Path) -> list[Path]:
    return sorted(spec_dir.glob("*/*Voorbeeld*.json"))


ADMIN_URL = os.environ.get("DDAS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_problem() -> str | None:
    """None when the test server answers; otherwise why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    url = make_url(ADMIN_URL)
    try:
        with psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or None,
            dbname=url.database or "postgres",
            connect_timeout=3,
        ):
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


@pytest.fixture(scope="session")
def postgres_available() -> None:
    problem = _postgres_problem()
    if problem is not None:
        pytest.skip(
            f"PostgreSQL not reachable at {make_url(ADMIN_URL).render_as_string()} ({problem}); skipping"
        )


class PostgresDatabases:
    """Creates throwaway databases on the test server and drops them all at the end."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        # Letters only: tests look for 9-digit runs (BSNs) in output that shows the database address, and a
        # random hex name contains one now and then.
        name = "ddas_test_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases(postgres_available: None) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()
