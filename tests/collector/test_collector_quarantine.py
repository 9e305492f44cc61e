"""`ddas collect` on deliveries with errors, and `ddas withdraw`, as real subprocesses against providers on loopback.

The real provider service never serves a record with an error (its import refuses them), so here a provider
imitation serves the documents as they are, over HTTPS with mutual TLS and signed pages (see
`_collect_scenario.serve_documents`). Defects are injected into records of generated documents; what must end up
in quarantine is derived from the validator's own findings on the served documents, never written down. Only
the warehouse `ddas withdraw` is compared with is collected in-process (`collect()`), to save a subprocess.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _collect_scenario import PERIOD, PSEUDONYM_KEY, Scenario, collect_args, run_ddas, serve_documents

from ddas.collector.archive import RawArchive
from ddas.collector.directory import load_directory
from ddas.collector.period import parse_period
from ddas.collector.run import collect as run_collect
from ddas.signing.testing import DevPki
from ddas.spec.kinds import Kind
from ddas.synth import generate, inject
from ddas.validation.engine import validate_document
from ddas.validation.findings import Severity
from ddas.validation.result import ValidationResult
from ddas.warehouse.pseudonym import PseudonymKey
from ddas.warehouse.store import Warehouse

PAGE_SIZE = 8
#: The provider whose delivery is withdrawn: it shares clients with gemeente-a, so their trajecten merge.
WITHDRAWN = "bureau-b"
_MEMBERS = {"shv": ("schuldhulptrajecten",), "vs": ("vroegsignalen", "vroegsignaalzaken")}
_RECORD = re.compile(r"^/leveringen/\d+/(schuldhulptrajecten|vroegsignalen|vroegsignaalzaken)/\d+(?=/|$)")


def damaged(
    kind: str, count: int, seed: int, *, pool_seed: int, gemeenten: tuple[str, ...]
) -> dict[str, Any]:
    """A generated document with defects injected into some of its records.

    `inject` also breaks the header, tellers and organisations; those parts are taken back from the clean
    document, so that every error lies in a record and a page without a broken record is clean.
    """
    document = generate(kind, count, seed, gemeenten=list(gemeenten), pool_seed=pool_seed)
    broken = copy.deepcopy(document)
    assert inject(broken, kind, 0.15, seed)
    for levering, hurt in zip(document["leveringen"], broken["leveringen"], strict=False):
        for member in _MEMBERS[kind]:
            if member in hurt:
                levering[member] = hurt[member]
    return document


def error_findings(document: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(pointer of the record, code) of every error the validator reports; "" for an error outside a record."""
    result = ValidationResult(file="test")
    validate_document(document, result, kind=Kind(kind))
    found = []
    for finding in result.findings:
        if finding.rule.severity is Severity.ERROR:
            match = _RECORD.match(finding.path)
            found.append((match[0] if match else "", finding.rule.code))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Expected:
    """What the validator says about one provider's document, and where its records are served."""

    kind: str
    #: document pointer of each record with an error → the codes of its errors
    errors: dict[str, frozenset[str]]
    #: how many error findings in all
    findings: int
    #: document pointer of each record → the page it is served on
    page_of: dict[str, int]
    #: per page: how many records of each list (schuldhulptrajecten, vroegsignalen, …) it serves
    counts: list[Counter[str]]

    def rejected_pages(self) -> set[int]:
        """The pages --strict refuses: those with a record with an error."""
        return {self.page_of[pointer] for pointer in self.errors}

    def quarantined(self, member: str) -> int:
        return sum(1 for pointer in self.errors if pointer.split("/")[3] == member)


def expectations(scenario: Scenario, name: str) -> Expected:
    """The errors of the whole served document, checked to be what the validator also says page by page
    (the collector validates each page on its own)."""
    kind = scenario.kinds[name]
    whole = error_findings(scenario.documents[name], kind)
    assert "" not in {pointer for pointer, _ in whole}, "an error outside any record"
    per_page: list[tuple[str, str]] = []
    page_of: dict[str, int] = {}
    counts: list[Counter[str]] = []
    for number, page in enumerate(scenario.pages[name], start=1):
        per_page.extend((page.origin[pointer], code) for pointer, code in error_findings(page.gegevens, kind))
        page_of.update(dict.fromkeys(page.origin.values(), number))
        counts.append(Counter(pointer.split("/")[3] for pointer in page.origin))
    assert sorted(per_page) == whole, "paging changes what the validator says"
    errors: dict[str, set[str]] = {}
    for pointer, code in whole:
        errors.setdefault(pointer, set()).add(code)
    return Expected(kind, {p: frozenset(c) for p, c in errors.items()}, len(whole), page_of, counts)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> Iterator[Scenario]:
    documents = {
        "gemeente-a": ("shv", damaged("shv", 40, 62, pool_seed=61, gemeenten=("0344",))),
        WITHDRAWN: ("shv", damaged("shv", 30, 63, pool_seed=61, gemeenten=("0344",))),
        "signaal-c": ("vs", damaged("vs", 30, 64, pool_seed=61, gemeenten=("0344", "0599"))),
    }
    with serve_documents(
        tmp_path_factory.mktemp("collect-quarantine"), dev_pki, documents, page_size=PAGE_SIZE
    ) as served:
        yield served


@pytest.fixture(scope="module")
def expected(scenario: Scenario) -> dict[str, Expected]:
    found = {name: expectations(scenario, name) for name in scenario.names}
    for name, item in found.items():
        # Broken records, on some pages but not on all: quarantine and --strict both have something to do.
        assert len(item.errors) >= 2, name
        assert 0 < len(item.rejected_pages()) < len(item.counts), name
    return found


@dataclass(frozen=True, slots=True)
class Collected:
    """A finished `ddas collect`: its output, the outcome per provider (--json) and the warehouse file."""

    result: subprocess.CompletedProcess[str]
    outcomes: dict[str, dict[str, Any]]
    json_text: str
    warehouse: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.warehouse}"


def collect(scenario: Scenario, folder: Path, *extra: str) -> Collected:
    """`ddas collect --json` into `folder/warehouse.sqlite`; it must succeed."""
    folder.mkdir(parents=True, exist_ok=True)
    warehouse, output = folder / "warehouse.sqlite", folder / "uitkomst.json"
    result = run_ddas(
        *collect_args(scenario.directory, warehouse, folder / "archief", "--json", output, *extra), cwd=folder
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    text = output.read_text(encoding="utf-8")
    return Collected(result, {o["provider"]: o for o in json.loads(text)}, text, warehouse)


@pytest.fixture(scope="module")
def collected(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Collected:
    return collect(scenario, tmp_path_factory.mktemp("collect-records"))


def quarantine_rows(warehouse: Path) -> list[dict[str, Any]]:
    """Every quarantine row with its provider and page, read straight from the SQLite file."""
    with closing(sqlite3.connect(f"file:{warehouse}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT d.provider, p.page, q.kind, q.pointer, q.codes, q.findings FROM wh_quarantine q "
            "JOIN wh_pages p ON p.id = q.page_id JOIN wh_deliveries d ON d.id = q.delivery_id "
            "WHERE d.state = 'compleet'"
        ).fetchall()
    return [
        {
            "provider": provider,
            "page": page,
            "kind": kind,
            "pointer": pointer,
            "codes": json.loads(codes),
            "findings": json.loads(findings),
        }
        for provider, page, kind, pointer, codes, findings in rows
    ]


def summary(url: str, cwd: Path) -> dict[str, int]:
    shown = run_ddas("warehouse", "summary", "--warehouse", url, "--format", "json", cwd=cwd)
    assert shown.returncode == 0, shown.stderr
    counts: dict[str, int] = json.loads(shown.stdout)
    return counts


def no_bsn_leaves(scenario: Scenario, run: Collected) -> None:
    bsns = scenario.bsns()
    assert len(bsns) > 50
    for where, text in (
        ("stdout", run.result.stdout),
        ("stderr", run.result.stderr),
        ("--json", run.json_text),
    ):
        assert not [b for b in bsns if b in text], where
    stored = b"".join(p.read_bytes() for p in run.warehouse.parent.glob(f"{run.warehouse.name}*"))
    assert not [b for b in bsns if b.encode() in stored], "warehouse"


def withdraw(url: str, cwd: Path, period: str = PERIOD) -> subprocess.CompletedProcess[str]:
    return run_ddas("withdraw", "--provider", WITHDRAWN, "--period", period, "--warehouse", url, cwd=cwd)


def test_records_with_errors_are_quarantined_with_their_findings(
    scenario: Scenario, expected: dict[str, Expected], collected: Collected
) -> None:
    for name, item in expected.items():
        outcome = collected.outcomes[name]
        assert outcome["ok"] is True and outcome["delivery"] == "nieuw"
        assert outcome["pages"] == outcome["pages_verified"] == len(scenario.pages[name])
        assert outcome["quarantined"] == len(item.errors)
        assert outcome["errors"] == item.findings
        assert outcome["records"] == scenario.records(name) - len(item.errors)

    counts = summary(collected.url, collected.warehouse.parent)
    assert counts["quarantined_records"] == sum(len(item.errors) for item in expected.values())
    shv = [item for item in expected.values() if item.kind == "shv"]
    [vs] = [item for item in expected.values() if item.kind == "vs"]
    delivered = scenario.total("shv", "schuldhulptrajecten")
    assert counts["trajecten_delivered"] == delivered - sum(i.quarantined("schuldhulptrajecten") for i in shv)
    assert counts["vroegsignalen"] == scenario.total("vs", "vroegsignalen") - vs.quarantined("vroegsignalen")
    assert counts["zaken"] == scenario.total("vs", "vroegsignaalzaken") - vs.quarantined("vroegsignaalzaken")

    # Each row: the record it stands for (its pointer on its page), and the codes of exactly that record.
    found: dict[tuple[str, str], list[str]] = {}
    for row in quarantine_rows(collected.warehouse):
        page = scenario.pages[row["provider"]][row["page"] - 1]
        key = (row["provider"], page.origin[row["pointer"]])
        assert key not in found
        found[key] = row["codes"]
        assert row["kind"] == scenario.kinds[row["provider"]]
        assert sorted({f["code"] for f in row["findings"]}) == row["codes"]
        assert all(f["path"].startswith(row["pointer"]) for f in row["findings"])
    assert found == {
        (name, pointer): sorted(codes)
        for name, item in expected.items()
        for pointer, codes in item.errors.items()
    }
    no_bsn_leaves(scenario, collected)


def test_strict_refuses_every_page_with_an_error_as_a_whole(
    scenario: Scenario, expected: dict[str, Expected], tmp_path: Path
) -> None:
    run = collect(scenario, tmp_path, "--strict")
    ingested: Counter[str] = Counter()
    for name, item in expected.items():
        rejected = item.rejected_pages()
        clean = [count for page, count in enumerate(item.counts, start=1) if page not in rejected]
        outcome = run.outcomes[name]
        assert outcome["ok"] is True
        assert outcome["pages"] == outcome["pages_verified"] == len(item.counts)
        assert outcome["quarantined"] == len(rejected)
        assert outcome["records"] == sum(sum(count.values()) for count in clean)
        ingested.update(sum(clean, Counter[str]()))

    with Warehouse.open(run.url) as warehouse:
        counts = warehouse.summary()
    assert counts["quarantined_records"] == sum(len(item.rejected_pages()) for item in expected.values())
    assert counts["pages"] == sum(len(item.counts) for item in expected.values())
    assert counts["trajecten_delivered"] == ingested["schuldhulptrajecten"]
    assert counts["vroegsignalen"] == ingested["vroegsignalen"]
    assert counts["zaken"] == ingested["vroegsignaalzaken"]

    rows = quarantine_rows(run.warehouse)
    assert sorted((r["provider"], r["page"]) for r in rows) == sorted(
        (name, page) for name, item in expected.items() for page in item.rejected_pages()
    )
    for row in rows:
        item = expected[row["provider"]]
        assert row["pointer"] == f"pagina {row['page']}"
        assert [f["code"] for f in row["findings"]] == ["PAGE_REJECTED"]
        on_page = {
            code for p, codes in item.errors.items() if item.page_of[p] == row["page"] for code in codes
        }
        assert on_page <= set(row["codes"])
    no_bsn_leaves(scenario, run)


def test_withdraw_takes_one_providers_delivery_out(
    scenario: Scenario, expected: dict[str, Expected], collected: Collected, tmp_path: Path
) -> None:
    # A copy of the warehouse with every provider, and one into which only the others were collected.
    for path in collected.warehouse.parent.glob(f"{collected.warehouse.name}*"):
        shutil.copy(path, tmp_path / path.name)
    url = f"sqlite:///{tmp_path / collected.warehouse.name}"
    others = [name for name in scenario.names if name != WITHDRAWN]
    with Warehouse.open(url) as warehouse:
        before, digest_before = warehouse.summary(), warehouse.state_digest()
    # In-process (a subprocess costs a second): the same collection, the same key.
    with Warehouse.open(f"sqlite:///{tmp_path / 'zonder.sqlite'}") as warehouse:
        outcomes = run_collect(
            load_directory(scenario.directory),
            parse_period(PERIOD),
            warehouse=warehouse,
            archive=RawArchive(tmp_path / "archief"),
            key=PseudonymKey.from_config(PSEUDONYM_KEY),
            providers=others,
        )
        assert sorted(o.provider for o in outcomes if o.ok) == sorted(others)
        expected_after, digest_without = warehouse.summary(), warehouse.state_digest()
    assert digest_before != digest_without

    result = withdraw(url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"1 levering(en) van {WITHDRAWN} over" in result.stdout and "ingetrokken" in result.stdout
    with Warehouse.open(url) as warehouse:
        after, digest_after = warehouse.summary(), warehouse.state_digest()
        assert WITHDRAWN not in {d["provider"] for d in warehouse.deliveries()}
    item = expected[WITHDRAWN]
    dropped = {
        "providers": 1,
        "deliveries": 1,
        "pages": len(item.counts),
        "pages_verified": len(item.counts),
        "trajecten_delivered": scenario.records(WITHDRAWN) - len(item.errors),
        "quarantined_records": len(item.errors),
    }
    dropped.update(dict.fromkeys(("vroegsignalen", "zaken", "reports_mailed"), 0))
    assert {name: before[name] - after[name] for name in dropped} == dropped
    # The merged trajecten are derived again: as if the provider had never delivered.
    assert before["trajecten_merged"] < before["trajecten_delivered"]
    assert after == expected_after
    assert digest_after == digest_without

    again = withdraw(url, tmp_path)
    assert again.returncode == 1
    assert "Traceback" not in again.stderr
    assert f"Geen levering van {WITHDRAWN} over" in again.stderr and "niets veranderd" in again.stderr
    bad = withdraw(url, tmp_path, period="2025-H3")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "Fout: Onbekende periode '2025-H3'" in bad.stderr
    with Warehouse.open(url) as warehouse:
        assert warehouse.state_digest() == digest_without
