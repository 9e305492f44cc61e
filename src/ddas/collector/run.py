"""One collection run (SPEC §7): per provider fetch, verify, archive, validate, report back, ingest.

Nothing is read before it is verified (the fetcher checks Digest, signature and chain first); every raw page is
archived before it is processed; one failing provider never stops the others. Per provider the pages are
ingested into a delivery that becomes complete only when every page is in (see `ddas.warehouse.store`). Each
aanleverende organisatie in the delivery gets the report on its own leveringen (`ddas.collector.reports`): the
reports are queued with the delivery, in the transaction that completes it, and sent from that outbox right
after each provider — together with any of its reports still waiting from an earlier run; at the end of the run
the waiting reports of providers not collected in it are sent too (`ddas.collector.outbox`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ddas.collector.archive import RawArchive
from ddas.collector.directory import Directory, ProviderEntry
from ddas.collector.fetch import Endpoint, FetchedPage, OAuth2Client, PageFetcher
from ddas.collector.mail import SmtpSettings
from ddas.collector.outbox import REPORT_RETRY_DELAY_SECONDS, ReportSender
from ddas.collector.period import Period
from ddas.collector.reports import OrganisationReports, render_reports, report_note
from ddas.signing import SigningIdentity, TrustStore, load_identity
from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_document
from ddas.validation.result import ValidationResult
from ddas.warehouse.extract import PageRows, extract_page
from ddas.warehouse.pseudonym import PseudonymKey
from ddas.warehouse.store import Warehouse

__all__ = ["ProviderOutcome", "collect"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class ProviderOutcome:
    """What happened with one provider in a run (for the summary table and `summary.json`)."""

    provider: str
    kind: str
    ok: bool = False
    pages: int = 0
    pages_verified: int = 0
    records: int = 0
    errors: int = 0
    warnings: int = 0
    quarantined: int = 0
    delivery: str = ""
    #: Reports of this provider sent in this run (of this delivery, or waiting from an earlier run).
    reports_mailed: int = 0
    #: Reports of this provider still waiting to be sent after this run (they go out in a later run).
    reports_waiting: int = 0
    report_note: str = ""
    failure: str = ""
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "ok": self.ok,
            "pages": self.pages,
            "pages_verified": self.pages_verified,
            "records": self.records,
            "errors": self.errors,
            "warnings": self.warnings,
            "quarantined": self.quarantined,
            "delivery": self.delivery,
            "reports_mailed": self.reports_mailed,
            "reports_waiting": self.reports_waiting,
            "report_note": self.report_note,
            "failure": self.failure,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
        }


def _endpoint(entry: ProviderEntry, directory: Directory) -> Endpoint:
    oauth = None
    if entry.auth.mode == "oauth2":
        secret = entry.auth.client_secret
        oauth = OAuth2Client(
            token_url=str(entry.auth.token_url),
            client_id=str(entry.auth.client_id),
            client_secret=secret.get_secret_value() if secret is not None else "",
            scope=entry.auth.scope,
        )
    return Endpoint(
        name=entry.name,
        kind=entry.kind,
        base_url=str(entry.base_url).rstrip("/"),
        signature_trust=TrustStore.from_pem(list(entry.signature_roots)),
        tls_ca=entry.tls_ca,
        client_cert=directory.consumer.tls_certificate,
        client_key=directory.consumer.tls_key,
        oauth2=oauth,
        page_size=entry.page_size,
        timeout=entry.timeout_seconds,
    )


def collect(
    directory: Directory,
    period: Period,
    *,
    warehouse: Warehouse,
    archive: RawArchive,
    key: PseudonymKey,
    smtp: SmtpSettings | None = None,
    providers: list[str] | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    retry_base_delay: float = 0.5,
    report_retry_delay: float = REPORT_RETRY_DELAY_SECONDS,
) -> list[ProviderOutcome]:
    """Collect `period` from every (or the named) provider; one outcome per provider, failures included.

    With `smtp`, the op-orde-rapporten are queued with each delivery and sent from the warehouse's outbox;
    `report_retry_delay` is the first wait before a report that could not be sent is tried again (see
    `ddas.collector.outbox`). `Warehouse.reports_waiting()` tells afterwards what is still waiting.
    """
    identity = load_identity(directory.consumer.signing_certificate, directory.consumer.signing_key, None)
    entries = [directory.provider(name) for name in providers] if providers else list(directory.providers)
    sender = ReportSender(warehouse, smtp, retry_delay=report_retry_delay) if smtp is not None else None
    outcomes: list[ProviderOutcome] = []
    for entry in sorted(entries, key=lambda e: e.name):
        if not entry.enabled:
            continue
        outcome = ProviderOutcome(entry.name, entry.kind)
        started = time.perf_counter()
        try:
            _collect_one(
                directory,
                entry,
                period,
                identity=identity,
                warehouse=warehouse,
                archive=archive,
                key=key,
                smtp=smtp,
                strict=strict,
                outcome=outcome,
                progress=progress,
                retry_base_delay=retry_base_delay,
            )
            outcome.ok = True
        except Exception as exc:  # one failing provider never stops the others; the message says what failed
            outcome.failure = f"{type(exc).__name__}: {exc}"
            log.warning("aanbieder %s mislukt: %s", entry.name, outcome.failure)
        # Its reports: this delivery's, and any still waiting from an earlier run (also when this one failed).
        _send_reports(sender, warehouse, outcome)
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    if sender is not None:
        # Waiting reports of providers not collected in this run (another period, --provider, disabled).
        rest = sender.send(skip={o.provider for o in outcomes})
        if rest.mailed:
            log.info("%d op-orde-rapport(en) van eerdere runs verstuurd", sum(rest.mailed.values()))
    # The merged trajecten are derived once for the whole run, not after every provider's delivery.
    if any(o.ok and o.kind == "shv" and o.delivery != "ongewijzigd" for o in outcomes):
        started = time.perf_counter()
        warehouse.derive_merged()
        log.info("samengevoegde trajecten opnieuw afgeleid in %.1f s", time.perf_counter() - started)
    return outcomes


def _collect_one(
    directory: Directory,
    entry: ProviderEntry,
    period: Period,
    *,
    identity: SigningIdentity,
    warehouse: Warehouse,
    archive: RawArchive,
    key: PseudonymKey,
    smtp: SmtpSettings | None,
    strict: bool,
    outcome: ProviderOutcome,
    progress: Progress | None,
    retry_base_delay: float,
) -> None:
    kind = Kind(entry.kind)
    delivery = warehouse.begin_delivery(entry.name, kind.value, period.start, period.end)
    # Only what the reports need, and only when they can be mailed.
    reports = OrganisationReports() if smtp is not None else None
    stages = outcome.stages
    try:
        with PageFetcher(_endpoint(entry, directory), identity, base_delay=retry_base_delay) as fetcher:
            clock = time.perf_counter()
            for fetched in fetcher.fetch_pages(period.start, period.end):
                stages["ophalen+verifiëren"] = (
                    stages.get("ophalen+verifiëren", 0.0) + time.perf_counter() - clock
                )
                _process_page(
                    entry,
                    kind,
                    period,
                    fetched,
                    delivery,
                    warehouse,
                    archive,
                    key,
                    strict,
                    reports,
                    outcome,
                )
                if progress is not None:
                    progress(entry.name, fetched.page, fetched.total_pages)
                clock = time.perf_counter()
        started = time.perf_counter()
        gathered = reports
        outcome.delivery = warehouse.complete_delivery(
            delivery,
            derive=False,
            reports=None if gathered is None else lambda: render_reports(gathered, provider=entry.name),
        )
        stages["afronden"] = time.perf_counter() - started
    except BaseException:
        warehouse.abandon_delivery(delivery)
        raise
    if reports is not None and outcome.delivery != "ongewijzigd":
        outcome.report_note = report_note(reports)
    elif smtp is None:
        outcome.report_note = "niet gemaild (geen SMTP ingesteld)"


def _process_page(
    entry: ProviderEntry,
    kind: Kind,
    period: Period,
    fetched: FetchedPage,
    delivery: Any,
    warehouse: Warehouse,
    archive: RawArchive,
    key: PseudonymKey,
    strict: bool,
    reports: OrganisationReports | None,
    outcome: ProviderOutcome,
) -> None:
    stages = outcome.stages
    started = time.perf_counter()
    archived = archive.put(
        fetched.body,
        provider=entry.name,
        kind=kind.value,
        period=period.label,
        page=fetched.page,
        fetched_at=fetched.fetched_at,
        verification={"form": fetched.verified.form, "oin": fetched.verified.oin, "ok": True},
        headers=fetched.headers,
    )
    stages["archiveren"] = stages.get("archiveren", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    document = orjson.loads(fetched.body)["gegevens"]
    result = ValidationResult(file=f"{entry.name} pagina {fetched.page}", size_bytes=len(fetched.body))
    validate_document(document, result, kind=kind)
    if reports is not None:
        reports.add_page(document, result)
    stages["valideren"] = stages.get("valideren", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    if strict and result.errors:
        rows = PageRows(
            quarantine=[
                {
                    "kind": kind.value,
                    "pointer": f"pagina {fetched.page}",
                    "codes": sorted({f.rule.code for f in result.findings}),
                    "findings": [{"code": "PAGE_REJECTED", "path": "", "message": "hele pagina geweigerd"}],
                }
            ]
        )
    else:
        rows = extract_page(kind, document, result.findings, key, page=fetched.page)
    del document
    warehouse.ingest_page(
        delivery,
        page=fetched.page,
        sha256=archived.sha256,
        fetched_at=fetched.fetched_at,
        verified=True,
        signature_form=fetched.verified.form,
        signer_oin=fetched.verified.oin,
        errors=result.errors,
        warnings=result.warnings,
        rows=rows,
    )
    stages["inlezen"] = stages.get("inlezen", 0.0) + time.perf_counter() - started
    outcome.pages += 1
    outcome.pages_verified += 1
    outcome.records += len(rows.trajecten) + len(rows.vroegsignalen) + len(rows.zaken)
    outcome.errors += result.errors
    outcome.warnings += result.warnings
    outcome.quarantined += len(rows.quarantine)


def _send_reports(sender: ReportSender | None, warehouse: Warehouse, outcome: ProviderOutcome) -> None:
    """Send the provider's waiting reports and note in its outcome what went out and what still waits.

    A report that cannot be sent does not make the provider fail: its delivery is complete and the report
    waits in the outbox for the next run; the note says why it waits.
    """
    notes = [outcome.report_note] if outcome.report_note else []
    if sender is not None:
        sent = sender.send(outcome.provider)
        outcome.reports_mailed += sent.mailed.get(outcome.provider, 0)
        notes.extend(sent.failures.get(outcome.provider, []))
        if sender.server_problem is not None and not sent.failures.get(outcome.provider):
            waiting = warehouse.reports_waiting(outcome.provider)
            if waiting:
                notes.append(f"niet geprobeerd: {sender.server_problem}")
        deferred = sent.deferred.get(outcome.provider, 0)
        if deferred:
            notes.append(f"{deferred} later opnieuw (wachttijd na eerdere mislukte poging)")
    outcome.reports_waiting = warehouse.reports_waiting(outcome.provider)
    outcome.report_note = "; ".join(notes)
