"""The report outbox (issue 9, 5d): op-orde-rapporten are queued with their delivery and sent until they are.

`ddas collect` runs as a real subprocess against provider imitations on loopback (HTTPS, mutual TLS, signed pages;
documents with invalid BSNs, so the reports speak of them) and a real SMTP server (aiosmtpd) that is down for the
first run and up for a later one — into a SQLite and into a PostgreSQL warehouse. What the organisations should
receive is derived from the served documents (`contact_addresses`), never written down.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from _collect_scenario import PERIOD, Scenario, run_ddas, serve_documents
from sqlalchemy import select

from ddas.collector.mail import SmtpSettings, contact_addresses
from ddas.collector.outbox import MAX_REPORT_RETRY_SECONDS, ReportSender, next_attempt
from ddas.signing.testing import DevPki
from ddas.synth import generate
from ddas.warehouse.extract import PageRows
from ddas.warehouse.store import OutgoingReport, Warehouse, report_outbox

PAGE_SIZE = 10
#: Invalid BSNs (they fail the elfproef) put into the served documents: the reports must speak of them masked.
BAD_BSNS = ("123456789", "987654320")
SECOND_ORGANISATION = "Stichting Tweede Organisatie"
_MESSAGE_ID = re.compile(r"^<ddas\.[a-z]{26}@cbs\.example\.nl>$")
_NINE_DIGITS = re.compile(rb"(?<!\d)\d{9}(?!\d)")


def _documents() -> dict[str, tuple[str, dict[str, Any]]]:
    shv = generate("shv", 40, 61, gemeenten=["0344", "0599"])
    vs = generate("vs", 40, 62, gemeenten=["0344", "0599"])
    # A second aanleverende organisatie in the SHV delivery: three reports in all, each to its own addresses.
    second = shv["leveringen"][1]["aanleverende_organisatie"]
    second["(Statutaire) Naam"] = SECOND_ORGANISATION
    second["contactpersonen"] = [{"naam": "Tweede Contact", "email": "contact@tweede-organisatie.example"}]
    shv["leveringen"][0]["schuldhulptrajecten"][0]["client"][0]["Burgerservicenummer"] = BAD_BSNS[0]
    vs["leveringen"][0]["vroegsignalen"][0]["client"]["Burgerservicenummer"] = BAD_BSNS[1]
    return {"bureau-shv": ("shv", shv), "signaal-vs": ("vs", vs)}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> Iterator[Scenario]:
    with serve_documents(
        tmp_path_factory.mktemp("collect-outbox"), dev_pki, _documents(), page_size=PAGE_SIZE
    ) as served:
        yield served


def expected_reports(scenario: Scenario) -> Counter[tuple[tuple[str, ...], str]]:
    """One report per organisation with an address: (its addresses sorted, the organisation named in the subject)."""
    expected: Counter[tuple[tuple[str, ...], str]] = Counter()
    for document in scenario.documents.values():
        for organisatie, emails in contact_addresses(document).items():
            if emails:
                expected[(tuple(sorted(emails)), organisatie)] += 1
    return expected


def received(messages: list[Any]) -> Counter[tuple[tuple[str, ...], str]]:
    """The messages the SMTP server got, as (recipients sorted, organisation named in the subject)."""
    got: Counter[tuple[tuple[str, ...], str]] = Counter()
    for message in messages:
        subject = str(message_from_bytes(message.content, policy=policy.default)["Subject"])
        organisatie = subject.rpartition("(")[2].rstrip(")")
        got[(tuple(sorted(message.rcpt_tos)), organisatie)] += 1
    return got


def scenario_bsns(scenario: Scenario) -> set[str]:
    return scenario.bsns() | set(BAD_BSNS)


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return str(request.getfixturevalue("postgres_databases").create())


def collect(scenario: Scenario, folder: Path, url: str, port: int, *extra: str) -> tuple[Any, list[Any]]:
    """`ddas collect` with SMTP at 127.0.0.1:`port`; the process result and its --json outcomes."""
    output = folder / f"uitkomst-{secrets.token_hex(4)}.json"
    result = run_ddas(
        "collect",
        *("--directory", scenario.directory, "--period", PERIOD, "--warehouse", url),
        *("--archive", folder / "archief", "--json", output),
        *("--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-from", "ddas@cbs.example.nl"),
        *extra,
        cwd=folder,
    )
    outcomes = json.loads(output.read_text(encoding="utf-8")) if output.exists() else []
    return result, outcomes


def summary_json(folder: Path, url: str) -> dict[str, int]:
    """`ddas warehouse summary --format json`, as an operator would ask."""
    result = run_ddas("warehouse", "summary", "--warehouse", url, "--format", "json", cwd=folder)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def outbox_rows(url: str) -> list[dict[str, Any]]:
    with Warehouse.open(url) as warehouse, warehouse.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(report_outbox))]


def test_reports_wait_while_the_mail_server_is_down_and_go_out_exactly_once(
    scenario: Scenario, tmp_path: Path, warehouse_url: str, unused_port: int, start_smtp: Any
) -> None:
    expected = expected_reports(scenario)
    total = sum(expected.values())
    assert total == 3 and len(expected) == 3

    # 1. The mail server is down: the deliveries are in, every report waits; exit code 3 and a warning.
    down, outcomes = collect(scenario, tmp_path, warehouse_url, unused_port)
    assert down.returncode == 3, down.stdout + down.stderr
    assert "Traceback" not in down.stderr
    assert f"Let op: {total} op-orde-rapporten wachten nog op verzending" in down.stderr
    assert "niet bereikbaar" in down.stderr and "Exitcode 3" in down.stderr
    assert all(o["ok"] and o["delivery"] == "nieuw" and o["reports_mailed"] == 0 for o in outcomes)
    assert sum(o["reports_waiting"] for o in outcomes) == total
    assert "MISLUKT" not in down.stdout
    assert "2 wachten" in down.stdout and "1 wacht" in down.stdout  # per provider, in the table
    assert "op-orde-rapporten die nog wachten op verzending" in down.stdout
    assert summary_json(tmp_path, warehouse_url)["reports_waiting"] == total
    rows = outbox_rows(warehouse_url)
    # The first report's failure was the server's, so the run tried no other report.
    assert sorted(row["attempts"] for row in rows) == [0] * (total - 1) + [1]
    failed = next(row for row in rows if row["attempts"] == 1)
    assert "niet bereikbaar" in failed["last_error"]

    # What waits in the warehouse holds no BSN of the deliveries, while the reports do speak of the invalid ones.
    stored = json.dumps(rows, default=str, ensure_ascii=False)
    assert not [bsn for bsn in scenario_bsns(scenario) if bsn in stored]
    assert not _NINE_DIGITS.search(stored.encode())
    for bsn in BAD_BSNS:
        assert "*****" + bsn[-4:] in stored

    server = start_smtp()

    # 2. The server is back, but the backoff of the failed report has not passed: nothing is sent by a run that
    #    asks for an hour's wait; the reports never tried go out. (The wait is explicit here, not a race.)
    early, outcomes = collect(scenario, tmp_path, warehouse_url, server.port, "--report-retry-delay", "3600")
    assert early.returncode == 3, early.stdout + early.stderr
    assert sum(o["reports_mailed"] for o in outcomes) == total - 1
    assert sum(o["reports_waiting"] for o in outcomes) == 1
    assert "later opnieuw" in early.stdout
    assert len(server.messages) == total - 1

    # 3. A run after the repair, waits off: the last report goes out; every organisation has exactly one.
    repaired, outcomes = collect(scenario, tmp_path, warehouse_url, server.port, "--report-retry-delay", "0")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "Let op" not in repaired.stderr
    assert all(o["delivery"] == "ongewijzigd" for o in outcomes)
    assert sum(o["reports_mailed"] for o in outcomes) == 1
    assert received(server.messages) == expected
    counts = summary_json(tmp_path, warehouse_url)
    assert (counts["reports_waiting"], counts["reports_mailed"]) == (0, total)
    assert outbox_rows(warehouse_url) == []

    # 4. Once more: nothing to send, nothing sent twice.
    again, outcomes = collect(scenario, tmp_path, warehouse_url, server.port, "--report-retry-delay", "0")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sum(o["reports_mailed"] for o in outcomes) == 0
    assert received(server.messages) == expected
    ids = [message_from_bytes(m.content, policy=policy.default)["Message-ID"] for m in server.messages]
    assert all(_MESSAGE_ID.match(str(i)) for i in ids) and len(set(ids)) == total


def test_no_duplicate_mail_when_everything_succeeds_twice(
    scenario: Scenario, tmp_path: Path, smtp_server: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    expected = expected_reports(scenario)
    first, outcomes = collect(scenario, tmp_path, url, smtp_server.port)
    assert first.returncode == 0, first.stdout + first.stderr
    assert sum(o["reports_mailed"] for o in outcomes) == sum(expected.values())
    assert all(o["reports_waiting"] == 0 for o in outcomes)
    assert received(smtp_server.messages) == expected

    second, outcomes = collect(scenario, tmp_path, url, smtp_server.port)
    assert second.returncode == 0, second.stdout + second.stderr
    assert all(o["delivery"] == "ongewijzigd" and o["reports_mailed"] == 0 for o in outcomes)
    assert received(smtp_server.messages) == expected
    assert summary_json(tmp_path, url)["reports_mailed"] == sum(expected.values())


# --- the sender in-process: backoff across runs, a server failure stops the run --------------------------------


class Clock:
    """A settable clock (naive UTC) for the backoff."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def __call__(self) -> dt.datetime:
        return self.now


def _outgoing(n: int) -> list[OutgoingReport]:
    return [
        OutgoingReport(
            f"Organisatie {i}", (f"contact{i}@org.example",), f"Rapport {i}", "tekst", "<p>html</p>"
        )
        for i in range(n)
    ]


def _queued_warehouse(url: str, n: int) -> Warehouse:
    warehouse = Warehouse.open(url)
    delivery = warehouse.begin_delivery("aanbieder", "vs", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert warehouse.complete_delivery(delivery, reports=lambda: _outgoing(n)) == "nieuw"
    return warehouse


def _smtp(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="ddas@cbs.example.nl", timeout_seconds=5)


def test_a_failed_report_waits_twice_as_long_after_each_failure(
    warehouse_url: str, unused_port: int, start_smtp: Any
) -> None:
    clock = Clock()
    with _queued_warehouse(warehouse_url, 1) as warehouse:
        for failures in range(1, 4):
            sender = ReportSender(warehouse, _smtp(unused_port), retry_delay=60, clock=clock)
            assert sender.send().failures["aanbieder"]
            assert sender.server_problem is not None
            (report,) = warehouse.queued_reports()
            assert report.attempts == failures
            wait = dt.timedelta(seconds=60 * 2 ** (failures - 1))
            assert next_attempt(report, 60) == report.last_attempt_at + wait  # type: ignore[operator]
            # Not due yet: a run now does not try it (not even against a working server).
            clock.now = report.last_attempt_at + wait - dt.timedelta(seconds=1)  # type: ignore[operator]
            server = start_smtp()
            result = ReportSender(warehouse, _smtp(server.port), retry_delay=60, clock=clock).send()
            assert result.deferred == {"aanbieder": 1} and result.mailed == {}
            assert server.messages == []
            clock.now += dt.timedelta(seconds=1)
        # Due: the next run sends it, once.
        server = start_smtp()
        result = ReportSender(warehouse, _smtp(server.port), retry_delay=60, clock=clock).send()
        assert result.mailed == {"aanbieder": 1} and len(server.messages) == 1
        assert warehouse.reports_waiting() == 0
        # The wait is capped.
        assert next_attempt(report.__class__(**{**_fields(report), "attempts": 40}), 60) == (
            report.last_attempt_at + dt.timedelta(seconds=MAX_REPORT_RETRY_SECONDS)  # type: ignore[operator]
        )


def _fields(report: Any) -> dict[str, Any]:
    return {name: getattr(report, name) for name in report.__dataclass_fields__}


def test_a_server_failure_stops_the_run_a_refused_message_does_not(
    warehouse_url: str, unused_port: int, start_smtp: Any
) -> None:
    with _queued_warehouse(warehouse_url, 3) as warehouse:
        sender = ReportSender(warehouse, _smtp(unused_port))
        result = sender.send()
        assert len(result.failures["aanbieder"]) == 1  # the first failed; the others were not tried
        assert sorted(r.attempts for r in warehouse.queued_reports()) == [0, 0, 1]
        # Within the same run, nothing is tried any more.
        assert sender.send().failures == {}

        refusing = start_smtp(refuse={"contact0@org.example", "contact1@org.example"})
        sender = ReportSender(warehouse, _smtp(refusing.port), retry_delay=0)
        result = sender.send()
        assert sender.server_problem is None
        assert len(result.failures["aanbieder"]) == 2 and result.mailed == {"aanbieder": 1}
        assert [r.organisatie for r in warehouse.queued_reports()] == ["Organisatie 0", "Organisatie 1"]
        # A report is tried once per run.
        assert sender.send().failures == {}


def _deliver(warehouse: Warehouse, reports: int, *, pointer: str | None = None) -> str:
    """A delivery of `aanbieder` (2025-H1) with `reports` reports; `pointer` gives it one quarantined record,
    so deliveries with different pointers differ in content."""
    delivery = warehouse.begin_delivery("aanbieder", "vs", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    if pointer is not None:
        rows = PageRows(quarantine=[{"kind": "vs", "pointer": pointer, "codes": [], "findings": []}])
        warehouse.ingest_page(
            delivery,
            page=1,
            sha256="0" * 64,
            fetched_at=dt.datetime(2025, 7, 10),
            verified=True,
            signature_form="bytes",
            signer_oin=None,
            errors=1,
            warnings=0,
            rows=rows,
        )
    return warehouse.complete_delivery(delivery, reports=lambda: _outgoing(reports))


def test_replacing_or_withdrawing_a_delivery_drops_its_waiting_reports(warehouse_url: str) -> None:
    """A report that waits for a delivery that is no longer there describes nothing in the warehouse; an
    unchanged delivery queues nothing (its reports were queued, or sent, the first time)."""
    with Warehouse.open(warehouse_url) as warehouse:
        assert _deliver(warehouse, 2, pointer="/a") == "nieuw"
        assert warehouse.reports_waiting() == 2
        assert _deliver(warehouse, 5, pointer="/a") == "ongewijzigd"
        assert warehouse.reports_waiting() == 2
        assert _deliver(warehouse, 3, pointer="/b") == "vervangen"
        assert [r.organisatie for r in warehouse.queued_reports()] == [f"Organisatie {i}" for i in range(3)]
        assert warehouse.withdraw("aanbieder", dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == 1
        assert warehouse.reports_waiting() == 0
