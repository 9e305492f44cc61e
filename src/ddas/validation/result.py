"""The result object of one validation: one source for every report format (text, JSON, HTML)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, Lang, Severity

__all__ = ["LeveringSummary", "ValidationResult"]


@dataclass(slots=True)
class LeveringSummary:
    """What one levering delivered: who, for which gemeente(n), how many records."""

    index: int
    teller: Any = None
    organisatie: str | None = None
    kvk: str | None = None
    org_gemeentecode: str | None = None
    #: VS: the levering's gemeentecode; SHV: the gemeentecode of each traject, counted.
    gemeentecodes: Counter[str] = field(default_factory=Counter)
    trajecten: int = 0
    vroegsignalen: int = 0
    zaken: int = 0
    contact_emails: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "teller": self.teller,
            "organisatie": self.organisatie,
            "kvk": self.kvk,
            "org_gemeentecode": self.org_gemeentecode,
            "gemeentecodes": dict(self.gemeentecodes),
            "trajecten": self.trajecten,
            "vroegsignalen": self.vroegsignalen,
            "zaken": self.zaken,
        }


@dataclass(slots=True)
class ValidationResult:
    """Everything the validator learned about one file."""

    file: str
    kind: Kind | None = None
    findings: list[Finding] = field(default_factory=list)
    #: False when the schema layer (or the JSON layer below it) found an error.
    schema_valid: bool = False
    period_start: str | None = None
    period_end: str | None = None
    delivered_at: str | None = None
    supplier_code: str | None = None
    leveringen: list[LeveringSummary] = field(default_factory=list)
    #: object type → field → [filled, total]; only when asked for (the HTML report).
    completeness: dict[str, dict[str, list[int]]] | None = None
    size_bytes: int = 0
    seconds: float = 0.0
    streamed: bool = False

    @property
    def version(self) -> str | None:
        from ddas.spec.kinds import VERSIONS

        return VERSIONS[self.kind] if self.kind else None

    @property
    def errors(self) -> int:
        return [f.rule.severity for f in self.findings].count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return [f.rule.severity for f in self.findings].count(Severity.WARNING)

    @property
    def valid(self) -> bool:
        """No errors (warnings allowed): fit for CBS as delivered."""
        error = Severity.ERROR
        return all(f.rule.severity is not error for f in self.findings)

    def by_code(self) -> dict[str, list[Finding]]:
        """Findings grouped per rule code, errors first, then by count."""
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.rule.code, []).append(f)
        return dict(
            sorted(
                groups.items(),
                key=lambda kv: (kv[1][0].rule.severity is not Severity.ERROR, -len(kv[1]), kv[0]),
            )
        )

    def to_dict(self, lang: Lang = "nl") -> dict[str, Any]:
        """The machine-readable form printed by `ddas validate --format json` (stable English keys)."""
        out = self.head_dict()
        out["findings"] = [f.to_dict(lang) for f in self.findings]
        return out

    def head_dict(self) -> dict[str, Any]:
        """`to_dict` without the findings: what the file is and what it delivered (the findings come last)."""
        severities = [f.rule.severity for f in self.findings]
        errors = severities.count(Severity.ERROR)
        return {
            "file": self.file,
            "kind": self.kind.value if self.kind else None,
            "version": self.version,
            "schema_valid": self.schema_valid,
            "valid": errors == 0,
            "counts": {"errors": errors, "warnings": severities.count(Severity.WARNING)},
            "period": {"start": self.period_start, "end": self.period_end},
            "delivered_at": self.delivered_at,
            "supplier_code": self.supplier_code,
            "leveringen": [lev.to_dict() for lev in self.leveringen],
        }
