"""Sending the queued op-orde-rapporten (the warehouse's report outbox), with backoff across runs.

A delivery's reports are queued in the transaction that completes it (`Warehouse.complete_delivery`), so a mail
server that is down or a collector killed before it mailed loses nothing: every `ddas collect` sends what is
waiting, and a report leaves the outbox only once the server has accepted it.

Backoff across runs: a report that failed `n` times is tried again once `retry_delay · 2^(n-1)` seconds (at most
`MAX_REPORT_RETRY_SECONDS`) have passed since its last attempt. The wait is worked out from the delay of the
current run, so an operator who has repaired the mail server can send everything at once with
`--report-retry-delay 0`. Within a run, a failure of the server as a whole (unreachable, TLS, login) stops the
sending until the next run: every other report would fail the same way, each after its own timeout.

Delivery is at least once: a collector killed after the server accepted a report but before the warehouse
recorded it sends it again next time — with the same Message-ID, so a mail client can tell.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from ddas.collector.errors import MailError
from ddas.collector.mail import SmtpSettings, send_report
from ddas.validation.findings import scrub
from ddas.warehouse.store import QueuedReport, Warehouse

__all__ = [
    "MAX_REPORT_RETRY_SECONDS",
    "REPORT_RETRY_DELAY_SECONDS",
    "ReportSender",
    "SendResult",
    "next_attempt",
]

log = logging.getLogger(__name__)

#: The first wait after a failed attempt (doubling per failure): a run every few minutes does not knock on a
#: broken mail server every time, and an operator's rerun a minute later does try again.
REPORT_RETRY_DELAY_SECONDS = 60.0
#: The longest wait between two attempts.
MAX_REPORT_RETRY_SECONDS = 3600.0


def _utc_now() -> dt.datetime:
    """Naive UTC, as the warehouse stores its moments."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def next_attempt(report: QueuedReport, retry_delay: float) -> dt.datetime | None:
    """When `report` may be tried again (naive UTC); None when it has not been tried yet."""
    if report.attempts == 0 or report.last_attempt_at is None:
        return None
    wait = min(MAX_REPORT_RETRY_SECONDS, retry_delay * 2 ** min(report.attempts - 1, 30))
    return report.last_attempt_at + dt.timedelta(seconds=wait)


@dataclass(slots=True)
class SendResult:
    """What one `ReportSender.send` did."""

    #: Reports that went out (to all or some of their recipients), per provider.
    mailed: dict[str, int] = field(default_factory=dict)
    #: What did not go out or reached only some recipients (Dutch, masked), per provider.
    failures: dict[str, list[str]] = field(default_factory=dict)
    #: Reports not tried because their backoff has not passed, per provider.
    deferred: dict[str, int] = field(default_factory=dict)


class ReportSender:
    """Sends the warehouse's waiting reports through one SMTP server during one collection run.

    A report is tried at most once per run; after a failure of the server as a whole (`server_problem`) the run
    tries no more. `clock` (naive UTC) is there for tests of the backoff.
    """

    def __init__(
        self,
        warehouse: Warehouse,
        smtp: SmtpSettings,
        *,
        retry_delay: float = REPORT_RETRY_DELAY_SECONDS,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        if retry_delay < 0:
            raise ValueError("retry_delay kan niet negatief zijn")
        self._warehouse = warehouse
        self._smtp = smtp
        self._retry_delay = retry_delay
        self._clock = clock
        #: The reports tried in this run, by message key (an id may be used again once its row is gone).
        self._tried: set[str] = set()
        #: Why the mail server could not be used in this run (Dutch), once that happened.
        self.server_problem: str | None = None

    def send(self, provider: str | None = None, *, skip: Collection[str] = ()) -> SendResult:
        """Send the due reports of `provider` (or of every provider but those in `skip`), oldest first."""
        result = SendResult()
        for report in self._warehouse.queued_reports(provider):
            if report.provider in skip or report.message_key in self._tried:
                continue
            if self.server_problem is not None:
                break
            due = next_attempt(report, self._retry_delay)
            if due is not None and due > self._clock():
                result.deferred[report.provider] = result.deferred.get(report.provider, 0) + 1
                continue
            self._tried.add(report.message_key)
            self._send_one(report, result)
        return result

    def _send_one(self, report: QueuedReport, result: SendResult) -> None:
        message = self._warehouse.report_message(report.id)
        if message is None:  # withdrawn or replaced meanwhile
            return
        subject, text, html = message
        domain = self._smtp.sender.rpartition("@")[2]
        try:
            send_report(
                self._smtp,
                to=list(report.recipients),
                subject=subject,
                text=text,
                html=html,
                message_id=f"<ddas.{report.message_key}@{domain}>",
            )
        except MailError as exc:
            reason = scrub(f"{report.organisatie}: {exc}")
            result.failures.setdefault(report.provider, []).append(reason)
            # Refused addresses while others accepted it: the report did go out, to those.
            delivered = len(report.recipients) - len(exc.refused) if exc.refused else 0
            if delivered > 0:
                self._sent(report, delivered, result)
                return
            self._warehouse.report_failed(report.id, str(exc))
            log.info("op-orde-rapport voor %s niet verstuurd: %s", report.organisatie, scrub(str(exc)))
            if exc.server:
                self.server_problem = scrub(str(exc))
            return
        self._sent(report, len(report.recipients), result)

    def _sent(self, report: QueuedReport, delivered: int, result: SendResult) -> None:
        self._warehouse.report_sent(report.id, delivered)
        result.mailed[report.provider] = result.mailed.get(report.provider, 0) + 1
