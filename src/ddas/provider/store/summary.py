"""What an import did, as one object: the CLI prints it (table, plain text, JSON), tests read it.

Values shown for a finding are the validator's masked values and its Dutch messages (BSNs never in clear);
the store adds a few reasons of its own (stable codes `IMPORT_*`, not rules of the catalogue).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, scrub

__all__ = [
    "Counts",
    "ImportSummary",
    "Problem",
    "Reason",
    "RecordIssue",
    "RecordType",
    "RejectedLevering",
]


class RecordType(enum.StrEnum):
    TRAJECT = "traject"
    VROEGSIGNAAL = "vroegsignaal"
    ZAAK = "zaak"


class Reason(enum.StrEnum):
    """Why a record did not enter the store (stable codes)."""

    #: The record has findings of severity error.
    RECORD_ERRORS = "IMPORT_RECORD_ERRORS"
    #: The record has warnings and the import was run without --accept-warnings.
    RECORD_WARNINGS = "IMPORT_RECORD_WARNINGS"
    #: A vroegsignaal or zaak it belongs with (same zaak) did not enter: a zaak travels with its signals.
    LINKED = "IMPORT_LINKED_RECORD"
    #: The levering as a whole has errors (its organisation, teller, gemeentecode, ...).
    LEVERING_ERRORS = "IMPORT_LEVERING_ERRORS"
    #: The document as a whole has errors (period, leveringen, ...).
    DOCUMENT_ERRORS = "IMPORT_DOCUMENT_ERRORS"
    #: The organisation has no name, and the koppelvlak selects organisations by name.
    NO_ORGANISATIE = "IMPORT_NO_ORGANISATIE"
    #: The record lacks what the store needs to identify it (a start date, an ID).
    NOT_IDENTIFIABLE = "IMPORT_NOT_IDENTIFIABLE"
    #: The source reader held the row back (a value it could not read or standardise).
    SOURCE_HELD_BACK = "IMPORT_SOURCE_HELD_BACK"


_REASON_NL: dict[Reason, str] = {
    Reason.RECORD_ERRORS: "bevat fouten",
    Reason.RECORD_WARNINGS: "bevat waarschuwingen (importeer met --accept-warnings om ze toch op te nemen)",
    Reason.LINKED: "hoort bij een zaak of signaal dat niet is opgenomen (een zaak gaat samen met zijn signalen)",
    Reason.LEVERING_ERRORS: "de hele levering is afgewezen",
    Reason.DOCUMENT_ERRORS: "het hele bestand is afgewezen",
    Reason.NO_ORGANISATIE: "de aanleverende organisatie heeft geen naam",
    Reason.NOT_IDENTIFIABLE: "niet te identificeren (startdatum of ID ontbreekt)",
    Reason.SOURCE_HELD_BACK: "tegengehouden bij het inlezen van de bron",
}


def reason_text(reason: Reason) -> str:
    """The Dutch explanation of a reason code."""
    return _REASON_NL[reason]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding as the summary shows it: stable code, severity, where, the (masked) value, a Dutch message."""

    code: str
    severity: str
    path: str
    message: str
    value: Any = None
    has_value: bool = False

    @classmethod
    def from_finding(cls, finding: Finding) -> Problem:
        return cls(
            finding.code,
            finding.severity.value,
            finding.path,
            finding.message("nl"),
            finding.value,
            finding.has_value,
        )

    @classmethod
    def own(cls, code: str, message: str, *, path: str = "", severity: str = "error") -> Problem:
        """A problem the store itself reports; the message is scrubbed of anything that looks like a BSN."""
        return cls(code, severity, path, scrub(message))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
        }
        if self.has_value:
            out["value"] = self.value
        return out


@dataclass(slots=True)
class RecordIssue:
    """A record that did not enter the store, and why."""

    record_type: RecordType
    path: str
    label: str
    reason: Reason
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_type": self.record_type.value,
            "path": self.path,
            "label": self.label,
            "reason": self.reason.value,
            "reason_text": reason_text(self.reason),
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(slots=True)
class RejectedLevering:
    """A levering (or, with index None, the whole document) rejected as a whole, with the findings why."""

    index: int | None
    label: str
    reason: Reason
    records: int
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "levering": self.index,
            "label": self.label,
            "reason": self.reason.value,
            "reason_text": reason_text(self.reason),
            "records": self.records,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(slots=True)
class Counts:
    """Per record type: read, and what became of each record read.

    `replaced`: stored records of the same client (SHV) or the same signals (VS) that an imported record
    supersedes; they are closed, not counted among the records read.
    """

    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    held_back: int = 0
    skipped: int = 0
    replaced: int = 0

    @property
    def imported(self) -> int:
        return self.new + self.changed + self.unchanged

    def to_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "imported": self.imported,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "held_back": self.held_back,
            "skipped": self.skipped,
            "replaced": self.replaced,
        }


@dataclass(slots=True)
class ImportSummary:
    """Everything one import did; `exit_code` is 0 when everything read was imported, else 1."""

    source: str
    kind: Kind | None = None
    accept_warnings: bool = False
    counts: dict[RecordType, Counts] = field(default_factory=dict)
    rejected: list[RecordIssue] = field(default_factory=list)
    held_back: list[RecordIssue] = field(default_factory=list)
    rejected_leveringen: list[RejectedLevering] = field(default_factory=list)
    #: Findings on the document or a levering that did not stop anything (warnings on the envelope), and
    #: remarks of the store (duplicates, skipped organisations).
    notes: list[Problem] = field(default_factory=list)
    organisaties: list[str] = field(default_factory=list)
    #: CSV/XLSX: rows in the export; rows the source reader held back (an unmapped value, an unreadable date —
    #: they wait for the mapping or the export to be fixed); the review file written for unmapped values.
    rows_read: int | None = None
    held_back_rows: list[RecordIssue] = field(default_factory=list)
    review_file: str | None = None
    seconds: float = 0.0

    def count(self, record_type: RecordType) -> Counts:
        counts = self.counts.get(record_type)
        if counts is None:
            counts = self.counts[record_type] = Counts()
        return counts

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            for name in Counts.__slots__:
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    @property
    def exit_code(self) -> int:
        total = self.total
        if total.rejected or total.held_back or self.held_back_rows or self.rejected_leveringen:
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind.value if self.kind else None,
            "accept_warnings": self.accept_warnings,
            "exit_code": self.exit_code,
            "totals": self.total.to_dict(),
            "counts": {t.value: c.to_dict() for t, c in self.counts.items()},
            "organisaties": self.organisaties,
            "rejected_leveringen": [r.to_dict() for r in self.rejected_leveringen],
            "rejected": [r.to_dict() for r in self.rejected],
            "held_back": [r.to_dict() for r in self.held_back],
            "notes": [n.to_dict() for n in self.notes],
            "rows_read": self.rows_read,
            "held_back_rows": [r.to_dict() for r in self.held_back_rows],
            "review_file": self.review_file,
            "seconds": round(self.seconds, 3),
        }
