"""An import is one transaction: a failure half-way — a real database error, or the process killed — leaves
the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from _store_helpers import NINE_DIGITS, clone, fingerprint, shv, trajecten
from sqlalchemy import text

from ddas.provider.store import ImportFailed, Store, import_delivery

MARK = 987_654


def _install_failing_trigger(store: Store) -> None:
    """A trigger that makes the database refuse one schuld: a real error from inside the transaction."""
    with store.engine.begin() as connection:
        if store.dialect == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER weiger_schuld BEFORE INSERT ON schulden WHEN NEW.bedrag = {MARK} "
                "BEGIN SELECT RAISE(ABORT, 'kunstmatige fout voor de test'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION weiger_schuld() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.bedrag = {MARK} THEN RAISE EXCEPTION 'kunstmatige fout voor de test'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER weiger_schuld BEFORE INSERT ON schulden FOR EACH ROW EXECUTE FUNCTION weiger_schuld()"
            )


def _remove_failing_trigger(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS weiger_schuld" + ("" if store.dialect == "sqlite" else " ON schulden")
        )
        if store.dialect != "sqlite":
            connection.exec_driver_sql("DROP FUNCTION IF EXISTS weiger_schuld()")


def test_database_error_half_way_leaves_the_store_as_it_was(store: Store) -> None:
    original = shv(150, seed=41)
    import_delivery(store, original)
    before = fingerprint(store)

    # The next import changes existing trajecten (closing their versions), adds a new organisation and new
    # trajecten — and the database refuses the last traject's schuld.
    update = clone(original)
    for t in trajecten(update)[:40]:
        t["omschrijving"] = "gewijzigd"
    extra = shv(60, seed=42, gemeenten=["0014"])
    extra["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"] = "Nieuwe Kredietbank"
    last = trajecten(extra)[-1]
    last.setdefault("schulden", [{"bedrag": 1, "peildatum": "2025-01-01", "schuldsoort": "Overig"}])
    last["schulden"][-1]["bedrag"] = MARK
    update["leveringen"].append(extra["leveringen"][0] | {"teller": len(update["leveringen"]) + 1})

    _install_failing_trigger(store)
    try:
        with pytest.raises(ImportFailed) as failure:
            import_delivery(store, update, accept_warnings=True)
    finally:
        _remove_failing_trigger(store)
    message = str(failure.value)
    assert "niets opgeslagen" in message and "kunstmatige fout" in message
    assert not NINE_DIGITS.search(message)
    assert fingerprint(store) == before

    # Without the trigger the same import goes through: the failure was the database's, not the data's.
    summary = import_delivery(store, update, accept_warnings=True)
    assert summary.total.changed == 40 and summary.total.new == 60


_CHILD = textwrap.dedent(
    """
    import logging, sys
    import orjson
    from ddas.provider.store import Store, import_delivery
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(message)s")
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    store = Store.open(sys.argv[1])
    data = open(sys.argv[2], "rb").read()
    import_delivery(store, data, accept_warnings=True)
    print("KLAAR", flush=True)
    """
)


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_killed_import_leaves_the_store_as_it_was(store: Store, store_url: str, tmp_path: Path) -> None:
    import_delivery(store, shv(50, seed=43))
    before = fingerprint(store)
    big = shv(8000, seed=44, gemeenten=["0363", "0599", "0014", "0518"])
    source = tmp_path / "groot.json"
    source.write_bytes(orjson.dumps(big))
    url = store_url
    if store.dialect == "postgresql":
        url += ("&" if "?" in url else "?") + "application_name=ddas-kill-test"

    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, url, str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stderr is not None
        # Wait until the child says it is writing ...
        for raw in child.stderr:
            if b"import: writing" in raw:
                break
        else:
            pytest.fail("the import never started writing")

        # ... and until the database shows uncommitted work of it, then kill it without warning.
        if store.dialect == "sqlite":
            wal = Path(str(store.engine.url.database) + "-wal")
            baseline = wal.stat().st_size if wal.exists() else 0
            writing = _wait_for(lambda: wal.exists() and wal.stat().st_size > baseline + 2_000_000, 60)
        else:

            def busy() -> bool:
                with store.engine.connect() as connection:
                    return bool(
                        connection.execute(
                            text(
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ddas-kill-test' "
                                "AND xact_start IS NOT NULL AND (query ILIKE 'INSERT%' OR query ILIKE 'COPY%')"
                            )
                        ).scalar_one()
                    )

            writing = _wait_for(busy, 60)
        assert writing, "could not observe the import writing"
        assert child.poll() is None, "the import finished before it could be killed: make the delivery larger"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    if store.dialect == "postgresql":
        # The server notices the dropped connection and rolls back; wait until the backend is gone.
        def gone() -> bool:
            with store.engine.connect() as connection:
                return not connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ddas-kill-test'")
                ).scalar_one()

        assert _wait_for(gone, 30)
    reopened = Store.open(store_url)
    try:
        assert fingerprint(reopened) == before
    finally:
        reopened.close()
