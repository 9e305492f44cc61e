"""`ddas collect` as a real subprocess against provider services on loopback (HTTPS, mutual TLS, signed pages).

The scenario: two schuldhulpverlening providers on the same client pool in one gemeente (so trajecten merge)
and a vroegsignalering provider, a few hundred records in small pages. Every expected number comes from the
generated documents or from the warehouse file itself.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _collect_scenario import (
    PERIOD,
    Scenario,
    Supplier,
    collect_args,
    dead_port,
    foreign_root,
    run_ddas,
    serve_scenario,
)

from ddas.collector.mail import contact_addresses
from ddas.signing.testing import DevPki
from ddas.warehouse.store import Warehouse

SUPPLIERS = (
    Supplier("gemeente-a", "shv", 110, 31, ("0344",), 31),
    Supplier("bureau-a", "shv", 70, 32, ("0344",), 31),
    Supplier("signaal-c", "vs", 110, 33, ("0344", "0599"), 31),
)
PAGE_SIZE = 25


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> Iterator[Scenario]:
    with serve_scenario(
        tmp_path_factory.mktemp("collect-cli"), dev_pki, SUPPLIERS, page_size=PAGE_SIZE
    ) as served:
        yield served


@dataclass(frozen=True, slots=True)
class Run:
    """One finished `ddas collect`: exit code, output, its --json file and the warehouse it wrote."""

    returncode: int
    stdout: str
    stderr: str
    outcomes: list[dict[str, Any]]
    json_text: str
    warehouse: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.warehouse}"

    def outcome(self, name: str) -> dict[str, Any]:
        return next(o for o in self.outcomes if o["provider"] == name)

    def row(self, name: str) -> str:
        """The first line of the provider's row in the summary table."""
        lines = [line for line in self.stdout.splitlines() if line.startswith(f"│ {name} ")]
        assert len(lines) == 1, (name, self.stdout)
        return lines[0]


def collect(directory: Path, folder: Path, *extra: str, warehouse: Path | None = None) -> Run:
    """`ddas collect` into `warehouse` (default `folder/warehouse.sqlite`), with --json."""
    folder.mkdir(parents=True, exist_ok=True)
    target = warehouse or folder / "warehouse.sqlite"
    output = folder / f"uitkomst-{len(list(folder.glob('uitkomst-*.json')))}.json"
    result = run_ddas(
        *collect_args(directory, target, folder / "archief", "--json", output, *extra), cwd=folder
    )
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    return Run(
        result.returncode, result.stdout, result.stderr, json.loads(text) if text else [], text, target
    )


def pages_per_provider(warehouse: Path) -> dict[str, int]:
    """Pages ingested per provider in complete deliveries, read straight from the SQLite file."""
    with closing(sqlite3.connect(f"file:{warehouse}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT d.provider, count(p.id) FROM wh_deliveries d JOIN wh_pages p ON p.delivery_id = d.id "
            "WHERE d.state = 'compleet' GROUP BY d.provider"
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


@dataclass(frozen=True, slots=True)
class FirstRun:
    run: Run
    digest: str
    deliveries: list[dict[str, Any]]


@pytest.fixture(scope="module")
def first_run(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    run = collect(scenario.directory, tmp_path_factory.mktemp("collect-first"))
    assert run.returncode == 0, run.stdout + run.stderr
    with Warehouse.open(run.url) as warehouse:
        return FirstRun(run, warehouse.state_digest(), warehouse.deliveries())


def test_collect_fetches_every_provider_and_the_warehouse_matches_the_data(
    scenario: Scenario, first_run: FirstRun
) -> None:
    run = first_run.run
    assert run.returncode == 0
    assert "Traceback" not in run.stderr
    for name in scenario.names:
        assert "ok (nieuw)" in run.row(name)
    assert sorted(o["provider"] for o in run.outcomes) == sorted(scenario.names)
    ingested = pages_per_provider(run.warehouse)
    for name in scenario.names:
        outcome = run.outcome(name)
        assert outcome["ok"] is True and outcome["failure"] == ""
        assert outcome["delivery"] == "nieuw"
        assert outcome["records"] == scenario.records(name)
        assert outcome["pages"] == outcome["pages_verified"] == ingested[name]
        # Small pages: every provider took several, at least as many as its records need.
        assert outcome["pages"] >= math.ceil(scenario.paged_records(name) / PAGE_SIZE) > 1
        assert outcome["errors"] == outcome["quarantined"] == 0

    shown = run_ddas(
        "warehouse", "summary", "--warehouse", run.url, "--format", "json", cwd=run.warehouse.parent
    )
    assert shown.returncode == 0, shown.stderr
    counts = json.loads(shown.stdout)
    assert counts["providers"] == counts["deliveries"] == len(SUPPLIERS)
    assert counts["trajecten_delivered"] == scenario.total("shv", "schuldhulptrajecten")
    assert counts["vroegsignalen"] == scenario.total("vs", "vroegsignalen")
    assert counts["zaken"] == scenario.total("vs", "vroegsignaalzaken")
    assert counts["pages"] == counts["pages_verified"] == sum(o["pages"] for o in run.outcomes)
    assert counts["quarantined_records"] == 0
    # The two shv providers share clients in one gemeente: some of their trajecten are the same traject.
    assert 0 < counts["trajecten_merged"] < counts["trajecten_delivered"]


def test_collect_writes_no_bsn_to_its_output(scenario: Scenario, first_run: FirstRun) -> None:
    bsns = scenario.bsns()
    assert len(bsns) > 100
    run = first_run.run
    assert run.json_text and run.stdout
    for where, text in (("stdout", run.stdout), ("stderr", run.stderr), ("--json", run.json_text)):
        assert not [b for b in bsns if b in text], where
    stored = b"".join(p.read_bytes() for p in run.warehouse.parent.glob(f"{run.warehouse.name}*"))
    assert not [b for b in bsns if b.encode() in stored], "warehouse"


def test_collect_twice_changes_nothing(scenario: Scenario, first_run: FirstRun) -> None:
    # Same servers, same warehouse, same archive.
    again = collect(scenario.directory, first_run.run.warehouse.parent)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(o["provider"] for o in again.outcomes) == sorted(scenario.names)
    assert {o["delivery"] for o in again.outcomes} == {"ongewijzigd"}
    for name in scenario.names:
        assert "ok (ongewijzigd)" in again.row(name)
        assert again.outcome(name)["records"] == scenario.records(name)
    with Warehouse.open(again.url) as warehouse:
        assert warehouse.state_digest() == first_run.digest
        assert warehouse.deliveries() == first_run.deliveries
    assert {d["state"] for d in first_run.deliveries} == {"compleet"}


def test_collect_goes_on_when_providers_fail_and_exits_1(scenario: Scenario, tmp_path: Path) -> None:
    unreachable = scenario.entry(
        "gemeente-a",
        name="onbereikbaar",
        base_url=f"https://127.0.0.1:{dead_port()}/ddas-schuldhulpverlening/v1",
    )
    # The real service, but its signatures are checked against a CA that never signed its certificate.
    untrusted = scenario.entry(
        "gemeente-a", name="niet-vertrouwd", signature_roots=[str(foreign_root(tmp_path / "vreemd.pem"))]
    )
    directory = scenario.write_directory(tmp_path / "directory.yaml", [unreachable, untrusted])
    run = collect(directory, tmp_path / "run", "--retry-delay", "0")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(o["provider"] for o in run.outcomes) == sorted(
        [*scenario.names, "onbereikbaar", "niet-vertrouwd"]
    )
    assert "MISLUKT" in run.row("onbereikbaar")
    assert "MISLUKT" in run.row("niet-vertrouwd")
    assert "niet bereikbaar" in run.outcome("onbereikbaar")["failure"]
    assert "niet vertrouwd" in run.outcome("niet-vertrouwd")["failure"]
    for name in ("onbereikbaar", "niet-vertrouwd"):
        assert run.outcome(name)["ok"] is False
        assert run.outcome(name)["records"] == 0
    for name in scenario.names:
        assert "ok (nieuw)" in run.row(name)
        assert run.outcome(name)["ok"] is True
        assert run.outcome(name)["records"] == scenario.records(name)
    with Warehouse.open(run.url) as warehouse:
        counts = warehouse.summary()
        states = {(d["provider"], d["state"]) for d in warehouse.deliveries()}
    # Nothing of the failed providers is left behind, everything of the others is in.
    assert states == {(name, "compleet") for name in scenario.names}
    assert counts["trajecten_delivered"] == scenario.total("shv", "schuldhulptrajecten")
    assert counts["vroegsignalen"] == scenario.total("vs", "vroegsignalen")


def test_collect_without_the_key_exits_2_in_dutch(scenario: Scenario, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.sqlite"
    result = run_ddas(
        *collect_args(scenario.directory, warehouse, tmp_path / "archief"), cwd=tmp_path, key=None
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Fout: ")
    assert (
        "sleutel" in result.stderr and "ontbreekt" in result.stderr and "DDAS_PSEUDONYM_KEY" in result.stderr
    )
    assert not warehouse.exists()


def test_collect_with_an_unknown_period_exits_2_in_dutch(scenario: Scenario, tmp_path: Path) -> None:
    args = collect_args(scenario.directory, tmp_path / "warehouse.sqlite", tmp_path / "archief")
    args[args.index(PERIOD)] = "2025-H3"
    result = run_ddas(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Fout: Onbekende periode '2025-H3'" in result.stderr
    assert not (tmp_path / "warehouse.sqlite").exists()


def test_collect_mails_over_starttls_with_a_login_from_the_environment(
    scenario: Scenario, tmp_path: Path, start_smtp: Any, smtp_tls_context: Any, pki_root: Path
) -> None:
    """--smtp-starttls, --smtp-user and --smtp-ca on the command line, the password only from
    DDAS_SMTP_PASSWORD: one report per aanleverende organisatie with contact addresses reaches the server."""
    server = start_smtp(
        tls=smtp_tls_context, require_starttls=True, logins={"verzamelaar": "geheim-wachtwoord"}
    )
    smtp = [
        *("--smtp-host", server.host, "--smtp-port", str(server.port), "--smtp-starttls"),
        *("--smtp-user", "verzamelaar", "--smtp-ca", str(pki_root), "--smtp-from", "cbs@example.nl"),
    ]
    args = collect_args(scenario.directory, tmp_path / "warehouse.sqlite", tmp_path / "archief", *smtp)
    result = run_ddas(*args, cwd=tmp_path, env={"DDAS_SMTP_PASSWORD": "geheim-wachtwoord"})
    assert result.returncode == 0, result.stdout + result.stderr
    expected = sum(
        1
        for document in scenario.documents.values()
        for emails in contact_addresses(document).values()
        if emails
    )
    assert expected > 0
    assert len(server.messages) == expected
    assert all(message.mail_from == "cbs@example.nl" for message in server.messages)
    assert "geheim-wachtwoord" not in result.stdout + result.stderr

    # Into a fresh warehouse (the first one has these deliveries already: nothing new, nothing to mail).
    args[args.index(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")] = (
        f"sqlite:///{tmp_path / 'opnieuw.sqlite'}"
    )
    wrong = run_ddas(*args, cwd=tmp_path, env={"DDAS_SMTP_PASSWORD": "onjuist-geheim"})
    # The data is in, but the reports could not be delivered: they wait in the warehouse, exit code 3.
    assert wrong.returncode == 3, wrong.stdout + wrong.stderr
    assert "MISLUKT" not in wrong.stdout and "Traceback" not in wrong.stderr
    assert "weigert de inlog van verzamelaar" in wrong.stdout + wrong.stderr
    assert f"Let op: {expected} op-orde-rapporten wachten nog op verzending" in wrong.stderr
    assert "onjuist-geheim" not in wrong.stdout + wrong.stderr and len(server.messages) == expected


def test_collect_refuses_a_login_without_starttls_in_dutch(scenario: Scenario, tmp_path: Path) -> None:
    args = collect_args(
        scenario.directory,
        tmp_path / "warehouse.sqlite",
        tmp_path / "archief",
        *("--smtp-host", "127.0.0.1", "--smtp-user", "verzamelaar"),
    )
    result = run_ddas(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Fout in de SMTP-instellingen: inloggen")
    assert not (tmp_path / "warehouse.sqlite").exists()
