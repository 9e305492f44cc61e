"""The op-orde-rapport per aanleverende organisatie (SPEC.md §7): each organisation reads about its own leveringen.

A provider's page can hold the leveringen of several organisations (a software supplier delivering for thirty
gemeenten, or one levering per gemeente in VS). Each page is validated once, as a whole — the rules across
leveringen (teller order, one traject per client at a time) need the whole page — and its `ValidationResult` is
then split per organisation:

* a finding under `/leveringen/i` goes to the organisation of levering i only;
* a finding about the document as a whole (the header fields, the list of leveringen) goes to every organisation
  on the page;
* a levering summary (record counts, gemeentecodes, contactpersonen) goes to its own organisation.

Errors, warnings, the verdict and the record totals of a report are computed from its part, so every count
describes the organisation's own leveringen. The completeness profile is a sum over the whole page that cannot be
split afterwards: a part keeps it only when the organisation has every levering of the page, and otherwise the
report says that completeness was not determined. A levering that names no aanleverende organisatie cannot be
traced to anyone: its findings reach no one, and the note of the run says how many there were.

A finding may quote another record than the one it is about (samenloop: "this client also has traject X from …
to …"). When that record belongs to another organisation, the reference and the other record's facts (the
rule's `ander_*` parameters) are replaced, so no organisation reads about another's records.

Across pages only the parts are kept (findings and levering summaries), never a page document. The rendered
reports are queued with the delivery in the warehouse and sent from there (`ddas.collector.outbox`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ddas.collector.mail import contact_addresses, levering_organisations
from ddas.reports.html import render_html
from ddas.reports.text import render_text
from ddas.validation.findings import Finding, Severity, scrub
from ddas.validation.result import ValidationResult
from ddas.warehouse.store import OutgoingReport

__all__ = [
    "FOREIGN_RECORD",
    "OrganisationReports",
    "levering_of",
    "render_reports",
    "report_note",
    "report_subject",
    "split_by_organisation",
]

#: Replaces a reference to another organisation's record in a finding's message.
FOREIGN_RECORD = "van een andere aanleverende organisatie"
#: Replaces the other record's facts (the `ander_*` parameters) in such a finding.
_WITHHELD = "…"

_LEVERING = re.compile(r"/leveringen/(\d+)(?=/|$)")


def levering_of(path: str) -> int | None:
    """The levering a JSON Pointer lies in (`/leveringen/3/schuldhulptrajecten/7/…` → 3); None for a pointer to
    the document as a whole (`""`, `/codeGegevensleverancier`, `/leveringen`)."""
    match = _LEVERING.match(path)
    return int(match.group(1)) if match else None


def _owner(index: int, organisations: Sequence[str | None]) -> str | None:
    return organisations[index] if index < len(organisations) else None


def _as_seen_by(finding: Finding, name: str, organisations: Sequence[str | None]) -> Finding:
    """The finding as organisation `name` may read it: references to another organisation's records withheld."""
    foreign = [
        key
        for key, value in finding.params.items()
        if isinstance(value, str)
        and (index := levering_of(value)) is not None
        and _owner(index, organisations) != name
    ]
    if not foreign:
        return finding
    params: dict[str, Any] = {}
    for key, value in finding.params.items():
        if key in foreign:
            params[key] = FOREIGN_RECORD
        elif key.startswith("ander_"):
            params[key] = _WITHHELD
        else:
            params[key] = value
    return Finding(finding.rule, finding.path, finding.value, finding.has_value, params)


def split_by_organisation(
    result: ValidationResult, organisations: Sequence[str | None]
) -> dict[str, ValidationResult]:
    """One page's validation result split per aanleverende organisatie (see the module docstring).

    `organisations[i]` names the organisation of levering i (`ddas.collector.mail.levering_organisations`); the
    parts come in the order the organisations first appear. Findings keep their order; a finding in a levering
    without organisation (None) is in no part.
    """
    names = list(dict.fromkeys(name for name in organisations if name is not None))
    findings: dict[str, list[Finding]] = {name: [] for name in names}
    for finding in result.findings:
        index = levering_of(finding.path)
        if index is None:
            for own in findings.values():
                own.append(finding)
            continue
        owner = _owner(index, organisations)
        if owner is not None:
            findings[owner].append(_as_seen_by(finding, owner, organisations))
    parts: dict[str, ValidationResult] = {}
    for name in names:
        own = findings[name]
        whole_page = all(owner == name for owner in organisations)
        parts[name] = ValidationResult(
            file=result.file,
            kind=result.kind,
            findings=own,
            # Valid against the schema unless a schema (or JSON) error of its own part says otherwise.
            schema_valid=result.schema_valid
            or not any(f.rule.layer != "rule" and f.rule.severity is Severity.ERROR for f in own),
            period_start=result.period_start,
            period_end=result.period_end,
            delivered_at=result.delivered_at,
            supplier_code=result.supplier_code,
            leveringen=[lev for lev in result.leveringen if _owner(lev.index, organisations) == name],
            completeness=result.completeness if whole_page else None,
            size_bytes=result.size_bytes,
            seconds=result.seconds,
            streamed=result.streamed,
        )
    return parts


@dataclass(slots=True)
class OrganisationReports:
    """What the op-orde-rapporten of one delivery need, gathered page by page (no page document is kept)."""

    #: Per organisation, its part of each page it has leveringen on, in page order.
    parts: dict[str, list[ValidationResult]] = field(default_factory=dict)
    #: Per organisation, the e-mail addresses of its contactpersonen over all pages (may be empty).
    addresses: dict[str, list[str]] = field(default_factory=dict)
    #: Leveringen that name no aanleverende organisatie: nobody can be told about them.
    unattributed: int = 0

    def add_page(self, document: Mapping[str, Any], result: ValidationResult) -> None:
        """Take what the reports need from a validated page; `document` is not kept."""
        for name, emails in contact_addresses(document).items():
            known = self.addresses.setdefault(name, [])
            folded = {e.casefold() for e in known}
            known.extend(e for e in emails if e.casefold() not in folded)
        organisations = levering_organisations(document)
        for name, part in split_by_organisation(result, organisations).items():
            self.parts.setdefault(name, []).append(part)
        self.unattributed += organisations.count(None)


def report_subject(provider: str, organisatie: str) -> str:
    """The subject of an organisation's report: which provider's delivery, for which organisation."""
    return f"Op-orde-rapport DDAS-levering {provider} ({organisatie})"


def render_reports(
    reports: OrganisationReports, *, provider: str, generated_at: dt.datetime | None = None
) -> list[OutgoingReport]:
    """Every organisation with a contact address its report on its own leveringen, ready to queue (one
    message each, in organisation order). Subject, text and HTML are scrubbed of nine-digit runs here, before
    they are stored or sent (`send_report` scrubs again)."""
    at = generated_at or dt.datetime.now().astimezone()
    outgoing: list[OutgoingReport] = []
    for organisatie, emails in sorted(reports.addresses.items()):
        if not emails:
            continue
        parts = reports.parts.get(organisatie, [])
        outgoing.append(
            OutgoingReport(
                organisatie=scrub(organisatie),
                recipients=tuple(emails),
                subject=scrub(report_subject(provider, organisatie)),
                text=scrub(render_text(parts, color=False)),
                html=scrub(render_html(parts, generated_at=at)),
            )
        )
    return outgoing


def report_note(reports: OrganisationReports) -> str:
    """A note for the operator (Dutch, no nine-digit run): organisations without a contact address (or that the
    delivery has none at all), and leveringen without aanleverende organisatie. Empty when there is nothing to
    say."""
    notes: list[str] = []
    if not any(reports.addresses.values()):
        notes.append("geen contactadres in de levering")
    else:
        missing = sorted(name for name, emails in reports.addresses.items() if not emails)
        if missing:
            notes.append("geen contactadres: " + ", ".join(missing))
    if reports.unattributed:
        n = reports.unattributed
        notes.append(f"{n} {'levering' if n == 1 else 'leveringen'} zonder aanleverende organisatie")
    return scrub("; ".join(notes))
