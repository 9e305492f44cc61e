"""`ddas collect` killed with SIGKILL part-way, then run again: the warehouse ends exactly as one clean run leaves it.

The kill point is found by watching the warehouse file itself (SQLite in WAL mode, so a read-only connection can
look while the collector writes): the test waits until the state it wants is committed, kills the process at
once and then checks, with the process dead, that the warehouse really holds that half-done state. Pages are
small (a few records each) so every delivery takes many page transactions and the run lasts long enough to be
caught in the middle; a run that finishes before the kill point was seen fails the test. Killed between ingest and
mailing (a delivery complete, its reports queued, the mail server silent), the next run sends the reports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _collect_scenario import (
    Scenario,
    Supplier,
    collect_args,
    ddas_command,
    ddas_env,
    run_ddas,
    serve_scenario,
)

from ddas.collector.mail import contact_addresses
from ddas.signing.testing import DevPki
from ddas.warehouse.store import Warehouse

#: Collected in name order: the two shv providers first (the first one is the larger), the vs provider last.
SUPPLIERS = (
    Supplier("gemeente-a", "shv", 64, 51, ("0344",), 51),
    Supplier("gemeente-b", "shv", 40, 52, ("0344",), 51),
    Supplier("signaal-c", "vs", 64, 53, ("0344",), 51),
)
PAGE_SIZE = 4
POLL_SECONDS = 0.005


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> Iterator[Scenario]:
    with serve_scenario(
        tmp_path_factory.mktemp("collect-crash"), dev_pki, SUPPLIERS, page_size=PAGE_SIZE
    ) as served:
        yield served


@dataclass(frozen=True, slots=True)
class Reference:
    """What one clean run into a fresh warehouse leaves."""

    digest: str
    pages: dict[str, int]


def pages_per_delivery(connection: sqlite3.Connection, state: str) -> dict[str, int]:
    """Pages ingested per provider in deliveries in `state` (providers without pages are left out)."""
    rows = connection.execute(
        "SELECT d.provider, count(p.id) FROM wh_deliveries d JOIN wh_pages p ON p.delivery_id = d.id "
        "WHERE d.state = ? GROUP BY d.provider",
        (state,),
    ).fetchall()
    return {str(name): int(count) for name, count in rows}


def states(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    return [
        (str(p), str(s))
        for p, s in connection.execute("SELECT provider, state FROM wh_deliveries ORDER BY id")
    ]


def merged_stale(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT value FROM wh_state WHERE name = 'merged_stale'").fetchone()
    return row is not None and row[0] == "1"


@pytest.fixture(scope="module")
def reference(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    folder = tmp_path_factory.mktemp("crash-reference")
    warehouse = folder / "warehouse.sqlite"
    result = run_ddas(*collect_args(scenario.directory, warehouse, folder / "archief"), cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    with closing(sqlite3.connect(warehouse)) as connection:
        pages = pages_per_delivery(connection, "compleet")
    assert sorted(pages) == sorted(scenario.names)
    with Warehouse.open(f"sqlite:///{warehouse}") as store:
        return Reference(store.state_digest(), pages)


Ready = Callable[[sqlite3.Connection], bool]


def _first_delivery_half_in(connection: sqlite3.Connection) -> bool:
    """Nothing complete yet; the first provider's delivery `bezig` with at least two pages in."""
    if any(state == "compleet" for _, state in states(connection)):
        return False
    return any(count >= 2 for count in pages_per_delivery(connection, "bezig").values())


def _last_delivery_half_in(connection: sqlite3.Connection) -> bool:
    """The shv deliveries complete (merged trajecten stale, not derived yet); the vs one `bezig`, pages in."""
    done = {provider for provider, state in states(connection) if state == "compleet"}
    return (
        done == {"gemeente-a", "gemeente-b"}
        and merged_stale(connection)
        and pages_per_delivery(connection, "bezig").get("signaal-c", 0) >= 2
    )


@dataclass(frozen=True, slots=True)
class Running:
    """A `ddas collect` in the background and the file its stderr goes to."""

    process: subprocess.Popen[bytes]
    stderr: Path


def start_collect(scenario: Scenario, folder: Path, *extra: str) -> Running:
    """`ddas collect` (with `extra` arguments) in the background into `folder/warehouse.sqlite`."""
    args = collect_args(scenario.directory, folder / "warehouse.sqlite", folder / "archief", *extra)
    log = folder / f"stderr-{len(list(folder.glob('stderr-*.txt')))}.txt"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            ddas_command(*args), cwd=folder, env=ddas_env(), stdout=subprocess.DEVNULL, stderr=stderr
        )
    return Running(process, log)


def kill_when(running: Running, warehouse: Path, ready: Ready, *, timeout: float = 120) -> None:
    """Watch the warehouse read-only; SIGKILL the process the moment `ready` holds. Fails when the run ends
    (or the time is up) first."""
    process = running.process
    deadline = time.monotonic() + timeout
    connection: sqlite3.Connection | None = None
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if connection is None and warehouse.exists():
                    connection = sqlite3.connect(f"file:{warehouse}?mode=ro", uri=True, timeout=5)
                if connection is not None and ready(connection):
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
                    assert process.returncode == -signal.SIGKILL
                    return
            except sqlite3.Error:  # the file or its tables are still being made: look again
                if connection is not None:
                    connection.close()
                    connection = None
            time.sleep(POLL_SECONDS)
    finally:
        if connection is not None:
            connection.close()
        if process.poll() is None:
            process.kill()
            process.wait()
    pytest.fail(
        f"the run ended (exit {process.returncode}) or took over {timeout} s before the kill point was seen "
        f"(make the scenario bigger); its stderr:\n{running.stderr.read_text(errors='replace')}"
    )


def test_collect_killed_twice_mid_ingest_then_rerun_equals_one_clean_run(
    scenario: Scenario, reference: Reference, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.sqlite"

    # 1. Killed while the first provider's delivery is half in.
    kill_when(start_collect(scenario, tmp_path), warehouse, _first_delivery_half_in)
    with closing(sqlite3.connect(warehouse)) as connection:  # the process is dead: this is what it left
        assert _first_delivery_half_in(connection)
        half = pages_per_delivery(connection, "bezig")
        assert not merged_stale(connection)
    assert list(half) == ["gemeente-a"]
    assert 2 <= half["gemeente-a"] < reference.pages["gemeente-a"]

    # 2. The next run removes that half delivery, completes both shv ones and is killed in the vs one, before
    #    the merged trajecten were derived.
    kill_when(start_collect(scenario, tmp_path), warehouse, _last_delivery_half_in)
    with closing(sqlite3.connect(warehouse)) as connection:
        assert _last_delivery_half_in(connection)
        half = pages_per_delivery(connection, "bezig")
        complete = pages_per_delivery(connection, "compleet")
        merged = connection.execute("SELECT count(*) FROM wh_merged_trajecten").fetchone()[0]
    assert merged == 0  # never derived: whoever opens the warehouse next has to
    assert list(half) == ["signaal-c"]
    assert 2 <= half["signaal-c"] < reference.pages["signaal-c"]
    assert complete == {name: reference.pages[name] for name in ("gemeente-a", "gemeente-b")}

    # 3. A run to the end.
    output = tmp_path / "uitkomst.json"
    args = collect_args(scenario.directory, warehouse, tmp_path / "archief", "--json", output)
    again = run_ddas(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    with closing(sqlite3.connect(f"file:{warehouse}?mode=ro", uri=True)) as connection:
        final = states(connection)
        assert not merged_stale(connection)
        assert pages_per_delivery(connection, "compleet") == reference.pages
    # Every provider complete once; no half delivery left, nothing counted twice.
    assert sorted(final) == sorted((name, "compleet") for name in scenario.names)
    with Warehouse.open(f"sqlite:///{warehouse}") as store:
        assert store.state_digest() == reference.digest
    # The shv deliveries completed before the kill stayed as they were (so this run derived nothing at its end:
    # the merged trajecten in the digest were derived because the stale flag said so); the vs one is new.
    outcomes = {o["provider"]: o["delivery"] for o in json.loads(output.read_text(encoding="utf-8"))}
    assert outcomes == {"gemeente-a": "ongewijzigd", "gemeente-b": "ongewijzigd", "signaal-c": "nieuw"}


# -- killed between ingest and mailing: the queued report goes out with the next run ------------------------------


def _reports_queued(connection: sqlite3.Connection) -> bool:
    """A delivery is complete and its op-orde-rapporten are queued; none has been sent."""
    queued = connection.execute("SELECT count(*) FROM wh_report_outbox").fetchone()[0]
    sent = connection.execute("SELECT count(*) FROM wh_reports").fetchone()[0]
    return bool(queued) and not sent


@contextmanager
def silent_smtp() -> Iterator[int]:
    """A port where a connection is accepted (by the kernel) but no SMTP greeting ever comes: the collector
    hangs in its first report, right after queuing it, until the kill."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield int(listener.getsockname()[1])


def _expected_reports(scenario: Scenario) -> Counter[tuple[str, ...]]:
    return Counter(
        tuple(sorted(emails))
        for document in scenario.documents.values()
        for emails in contact_addresses(document).values()
        if emails
    )


def test_collect_killed_between_ingest_and_mailing_sends_the_report_with_the_next_run(
    scenario: Scenario, tmp_path: Path, start_smtp: Any
) -> None:
    warehouse = tmp_path / "warehouse.sqlite"
    expected = _expected_reports(scenario)
    assert expected

    # 1. The first delivery is complete and its reports queued; the mail server never answers; SIGKILL.
    with silent_smtp() as port:
        smtp = ("--smtp-host", "127.0.0.1", "--smtp-port", str(port))
        kill_when(start_collect(scenario, tmp_path, *smtp), warehouse, _reports_queued)
    with closing(sqlite3.connect(warehouse)) as connection:
        assert _reports_queued(connection)
        done = {provider for provider, state in states(connection) if state == "compleet"}
    assert done == {"gemeente-a"}

    # 2. The next run finds that delivery unchanged — and still sends its report; exactly one per organisation.
    server = start_smtp()
    output = tmp_path / "uitkomst.json"
    smtp = ("--smtp-host", server.host, "--smtp-port", str(server.port))
    again = run_ddas(
        *collect_args(scenario.directory, warehouse, tmp_path / "archief", *smtp, "--json", output),
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    outcomes = {o["provider"]: o for o in json.loads(output.read_text(encoding="utf-8"))}
    assert outcomes["gemeente-a"]["delivery"] == "ongewijzigd"
    assert outcomes["gemeente-a"]["reports_mailed"] >= 1
    assert Counter(tuple(sorted(m.rcpt_tos)) for m in server.messages) == expected
    with Warehouse.open(f"sqlite:///{warehouse}") as store:
        summary = store.summary()
    assert (summary["reports_waiting"], summary["reports_mailed"]) == (0, sum(expected.values()))
