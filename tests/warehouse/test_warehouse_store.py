"""The warehouse store: ingest per page, idempotent re-collection, withdrawal, a run killed half-way, order."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest

from ddas.collector.period import Period, parse_period
from ddas.spec.kinds import Kind
from ddas.synth import generate
from ddas.validation.engine import validate_document
from ddas.validation.result import ValidationResult
from ddas.warehouse.extract import extract_page
from ddas.warehouse.pseudonym import PseudonymKey
from ddas.warehouse.store import Warehouse

KEY = PseudonymKey(secrets.token_bytes(32))
H1 = parse_period("2025-H1")


def _pages(document: dict[str, Any], per_page: int) -> list[dict[str, Any]]:
    """The document cut into pages of `per_page` trajecten (whole leveringen kept apart), as a provider pages."""
    out: list[dict[str, Any]] = []
    for levering in document["leveringen"]:
        items = levering["schuldhulptrajecten"]
        for at in range(0, len(items), per_page):
            out.append(
                {**document, "leveringen": [{**levering, "schuldhulptrajecten": items[at : at + per_page]}]}
            )
    return out


def _deliver(
    warehouse: Warehouse,
    provider: str,
    document: dict[str, Any],
    *,
    stop_after: int | None = None,
    derive: bool = True,
    period: Period = H1,
) -> str:
    delivery = warehouse.begin_delivery(provider, "shv", period.start, period.end)
    for number, page in enumerate(_pages(document, 25), start=1):
        if stop_after is not None and number > stop_after:
            return "afgebroken"
        result = ValidationResult(file=provider)
        validate_document(page, result, kind=Kind.SHV)
        rows = extract_page(Kind.SHV, page, result.findings, KEY, page=number)
        warehouse.ingest_page(
            delivery,
            page=number,
            sha256=f"{number:064x}",
            fetched_at=dt.datetime(2025, 7, 10),
            verified=True,
            signature_form="bytes",
            signer_oin=None,
            errors=result.errors,
            warnings=result.warnings,
            rows=rows,
        )
    return warehouse.complete_delivery(delivery, derive=derive)


@pytest.fixture
def documents() -> dict[str, dict[str, Any]]:
    # Two organisations on the same client pool in one gemeente (samenloop), and one elsewhere.
    return {
        "gemeente": generate("shv", 60, 31, gemeenten=["0193"], pool_seed=31),
        "bureau": generate("shv", 60, 32, gemeenten=["0193"], pool_seed=31),
        "kredietbank": generate("shv", 40, 33, gemeenten=["0518", "0599"], pool_seed=33),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def urls(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Warehouse URLs by name, created on first use: SQLite files, or throwaway PostgreSQL databases (skipped
    with a message when PostgreSQL cannot be reached)."""

    class Urls(dict[str, str]):
        def __missing__(self, name: str) -> str:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path / name}"
            else:
                url = request.getfixturevalue("postgres_databases").create()
            self[name] = url
            return url

    return Urls()


def _warehouse(urls: dict[str, str], name: str) -> Warehouse:
    return Warehouse.open(urls[name])


def test_recollecting_changes_nothing_and_order_does_not_matter(
    urls: dict[str, str], documents: dict[str, dict[str, Any]]
) -> None:
    with _warehouse(urls, "a.sqlite") as one, _warehouse(urls, "b.sqlite") as other:
        for name in ("gemeente", "bureau", "kredietbank"):
            assert _deliver(one, name, documents[name]) == "nieuw"
        for name in ("kredietbank", "bureau", "gemeente"):
            _deliver(other, name, documents[name])
        digest = one.state_digest()
        assert other.state_digest() == digest
        summary = one.summary()
        assert summary["trajecten_delivered"] == 160
        assert summary["trajecten_merged"] < 160  # the two organisations on one pool merge
        # The same period collected again: nothing changes, not even the delivery rows.
        before = one.deliveries()
        assert _deliver(one, "bureau", documents["bureau"]) == "ongewijzigd"
        assert one.state_digest() == digest and one.deliveries() == before


def test_a_run_killed_half_way_is_undone_by_the_next(
    urls: dict[str, str], documents: dict[str, dict[str, Any]]
) -> None:
    with _warehouse(urls, "clean.sqlite") as clean:
        for name in ("gemeente", "bureau"):
            _deliver(clean, name, documents[name])
        expected = clean.state_digest()
    with _warehouse(urls, "crash.sqlite") as crashed:
        _deliver(crashed, "gemeente", documents["gemeente"])
        assert _deliver(crashed, "bureau", documents["bureau"], stop_after=1) == "afgebroken"
        # Half a delivery is in, but not counted: only complete deliveries make the picture.
        assert crashed.summary()["trajecten_delivered"] == 60
    with _warehouse(urls, "crash.sqlite") as again:
        _deliver(again, "bureau", documents["bureau"])
        assert again.state_digest() == expected
        assert [d["state"] for d in again.deliveries()] == ["compleet", "compleet"]


def test_withdrawal_removes_a_contribution_and_rederives(
    urls: dict[str, str], documents: dict[str, dict[str, Any]]
) -> None:
    with _warehouse(urls, "only.sqlite") as only:
        _deliver(only, "gemeente", documents["gemeente"])
        expected = only.state_digest()
    with _warehouse(urls, "both.sqlite") as both:
        _deliver(both, "gemeente", documents["gemeente"])
        _deliver(both, "bureau", documents["bureau"])
        assert both.state_digest() != expected
        assert both.withdraw("bureau", H1.start, H1.end) == 1
        assert both.state_digest() == expected
        assert both.withdraw("bureau", H1.start, H1.end) == 0


def test_conflicts_are_kept_side_by_side(urls: dict[str, str], documents: dict[str, dict[str, Any]]) -> None:
    with _warehouse(urls, "c.sqlite") as warehouse:
        _deliver(warehouse, "gemeente", documents["gemeente"])
        _deliver(warehouse, "bureau", documents["bureau"])
        conflicts = warehouse.conflict_rows()
        merged = {row["key"]: row for row in warehouse.merged_trajecten()}
        assert conflicts, (
            "two organisations delivering different data on the same trajecten disagree somewhere"
        )
        for conflict in conflicts:
            providers = {s["provider"] for value in conflict["values"] for s in value["bronnen"]}
            assert providers == {"gemeente", "bureau"}
            assert len({str(value["waarde"]) for value in conflict["values"]}) >= 2
            assert merged[conflict["merged_key"]]["conflicts"] >= 1


def test_two_deliveries_of_one_provider_ending_on_the_same_day_keep_their_disagreement(
    urls: dict[str, str],
) -> None:
    """2025-H1 and 2025-Q2 of one provider both end on 30 June: neither is newer, so a traject whose amount
    differs between them is a conflict with both values (the H1 one chosen), not a silent pick."""
    document = generate("shv", 30, 41, gemeenten=["0193"], pool_seed=41)
    changed = copy.deepcopy(document)
    traject = next(
        t
        for t in changed["leveringen"][0]["schuldhulptrajecten"]
        if isinstance(t.get("totaalSchuldbedragBijAanvangSchuld"), int)
    )
    before = traject["totaalSchuldbedragBijAanvangSchuld"]
    traject["totaalSchuldbedragBijAanvangSchuld"] = before + 1000
    q2 = parse_period("2025-Q2")
    with _warehouse(urls, "tie.sqlite") as warehouse:
        _deliver(warehouse, "bureau", document)
        assert warehouse.conflict_rows() == []
        assert _deliver(warehouse, "bureau", changed, period=q2) == "nieuw"
        (conflict,) = warehouse.conflict_rows()
        assert conflict["field"] == "totaalSchuldbedragBijAanvangSchuld"
        assert [
            (value["waarde"], [source["levering"] for source in value["bronnen"]])
            for value in conflict["values"]
        ] == [(before, ["2025-01-01..2025-06-30"]), (before + 1000, ["2025-04-01..2025-06-30"])]
        merged = {row["key"]: row for row in warehouse.merged_trajecten()}
        assert (
            merged[conflict["merged_key"]]["fields"]["totaalSchuldbedragBijAanvangSchuld"]["waarde"] == before
        )
        assert warehouse.summary()["merge_conflicts"] == 1


def test_deliveries_completed_without_deriving_are_derived_by_the_next_open(
    urls: dict[str, str], documents: dict[str, dict[str, Any]]
) -> None:
    """A run derives the merged trajecten once, at its end; stopped before that, the next open derives them."""
    with _warehouse(urls, "clean.sqlite") as clean:
        for name in ("gemeente", "bureau"):
            _deliver(clean, name, documents[name])
        expected = clean.state_digest()
    with _warehouse(urls, "stopped.sqlite") as stopped:
        for name in ("gemeente", "bureau"):
            _deliver(stopped, name, documents[name], derive=False)
        assert stopped.summary()["trajecten_merged"] == 0
    with _warehouse(urls, "stopped.sqlite") as reopened:
        assert reopened.state_digest() == expected


def test_conflicts_command_shows_every_conflict_with_its_providers(
    urls: dict[str, str], documents: dict[str, dict[str, Any]]
) -> None:
    """`ddas warehouse conflicts`: the JSON is the stored conflicts; the text names each field, its count and
    the providers, in Dutch."""
    import json
    import subprocess
    import sys

    url = urls["cli.sqlite"]
    with _warehouse(urls, "cli.sqlite") as warehouse:
        _deliver(warehouse, "gemeente", documents["gemeente"])
        _deliver(warehouse, "bureau", documents["bureau"])
        _deliver(warehouse, "kredietbank", documents["kredietbank"])
        stored = warehouse.conflict_rows()
    assert stored

    def ddas(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ddas", "warehouse", "conflicts", "--warehouse", url, *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={"COLUMNS": "200", "PATH": ""},
        )

    as_json = ddas("--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == json.loads(json.dumps(stored, default=str))
    as_text = ddas("--examples", "1")
    assert as_text.returncode == 0, as_text.stderr
    assert f"({len(stored)} in totaal)" in as_text.stdout
    for field in {row["field"] for row in stored}:
        count = sum(1 for row in stored if row["field"] == field)
        assert any(field in line and f" {count} " in line for line in as_text.stdout.splitlines()), field
    assert "kredietbank" not in as_text.stdout  # it disagrees with no one
    bad = ddas("--format", "xml")
    assert bad.returncode == 2 and "Fout" in bad.stderr and "Traceback" not in bad.stderr


def _deliver_vs(warehouse: Warehouse, document: dict[str, Any]) -> str:
    delivery = warehouse.begin_delivery("signaalhuis", "vs", H1.start, H1.end)
    result = ValidationResult(file="signaalhuis")
    validate_document(document, result, kind=Kind.VS)
    warehouse.ingest_page(
        delivery,
        page=1,
        sha256="ab" * 32,
        fetched_at=dt.datetime(2025, 7, 10),
        verified=True,
        signature_form="bytes",
        signer_oin=None,
        errors=result.errors,
        warnings=result.warnings,
        rows=extract_page(Kind.VS, document, result.findings, KEY, page=1),
    )
    return warehouse.complete_delivery(delivery)


def test_a_changed_vroegsignaal_replaces_the_delivery(urls: dict[str, str]) -> None:
    """A signal keeps its ID while its status moves on: the same IDs with other content are a new delivery."""
    import copy

    document = generate("vs", 40, 41, gemeenten=["0344"])
    with _warehouse(urls, "vs.sqlite") as warehouse:
        assert _deliver_vs(warehouse, document) == "nieuw"
        assert _deliver_vs(warehouse, copy.deepcopy(document)) == "ongewijzigd"
        changed = copy.deepcopy(document)
        signal = changed["leveringen"][0]["vroegsignalen"][0]
        statuses = {s.get("status") for lev in document["leveringen"] for s in lev["vroegsignalen"]} - {None}
        signal["status"] = next(s for s in sorted(statuses) if s != signal["status"])
        assert _deliver_vs(warehouse, changed) == "vervangen"
        with warehouse.engine.connect() as connection:
            from sqlalchemy import text

            stored = connection.execute(
                text(
                    "SELECT v.status FROM wh_vroegsignalen v JOIN wh_deliveries d ON d.id = v.delivery_id "
                    "WHERE d.state = 'compleet' AND v.signaal_id = :id"
                ),
                {"id": str(signal["ID"])},
            ).scalar_one()
        assert stored == signal["status"]
