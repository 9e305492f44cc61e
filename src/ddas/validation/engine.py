"""The validation pipeline: load (a) → schema (b) → rules (c), in one pass, every finding reported.

`validate_bytes` works on a document in memory (parsed once with orjson); `validate_path` picks that path for
ordinary files and the streaming path (ddas.validation.stream) for very large ones, so that a 1 GB delivery is
never held in memory as a whole.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ddas import rules
from ddas.rules.base import Context, Emitter, Target, as_dict, as_list, as_str, checks_for
from ddas.spec.kinds import Kind, detect_kind
from ddas.validation.findings import Finding, PathParts, Severity, define
from ddas.validation.load import load_bytes
from ddas.validation.result import LeveringSummary, ValidationResult
from ddas.validation.schema_layer import schema_layer

__all__ = [
    "ITEM_LISTS",
    "KIND_UNKNOWN",
    "STREAM_THRESHOLD",
    "ProgressFn",
    "RuleRunner",
    "validate_bytes",
    "validate_path",
]

KIND_UNKNOWN = define(
    "KIND_UNKNOWN",
    Severity.ERROR,
    "2/3",
    nl="Niet vast te stellen of dit een levering schuldhulpverlening (SHV) of vroegsignalering (VS) is; "
    "het document heeft geen herkenbare leveringen.",
    en="Cannot tell whether this is a debt assistance (SHV) or early warning (VS) delivery; the document has no "
    "recognisable leveringen.",
    fix="Lever een JSON-object volgens het uitwisselmodel, met 'leveringen' (of geef de soort op met --kind).",
    layer="schema",
)

#: The record lists of a levering per kind, with the rule target of their items.
ITEM_LISTS: dict[Kind, tuple[tuple[str, Target], ...]] = {
    Kind.SHV: (("schuldhulptrajecten", Target.TRAJECT),),
    Kind.VS: (("vroegsignalen", Target.VROEGSIGNAAL), ("vroegsignaalzaken", Target.ZAAK)),
}

#: Files larger than this are validated by streaming instead of being parsed whole.
STREAM_THRESHOLD = 192 * 1024 * 1024

#: Called with (stage, fraction done) while a long validation runs.
ProgressFn = Callable[[str, float], None]


class RuleRunner:
    """Drives the rule layer over a document, record by record, and keeps the delivery summary.

    The in-memory path calls it from plain loops, the streaming path from parser events: the same calls in
    the same order, so both report the same findings.
    """

    def __init__(
        self,
        kind: Kind,
        *,
        today: dt.date | None = None,
        profile: bool = False,
        gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    ) -> None:
        rules.load()
        self.kind = kind
        self.ctx = Context(kind, today=today or dt.date.today(), gemeenten=gemeenten)
        self.out = Emitter()
        self.leveringen: list[LeveringSummary] = []
        self._checks = {target: checks_for(kind, target) for target in Target}
        self._profile: Any = None
        if profile:
            from ddas.reports.completeness import CompletenessProfile

            self._profile = CompletenessProfile(kind)

    @property
    def findings(self) -> list[Finding]:
        return self.out.findings

    def completeness(self) -> dict[str, dict[str, list[int]]] | None:
        return self._profile.result() if self._profile is not None else None

    def document(self, doc: Any) -> None:
        """Set the document context and run the document checks."""
        self.ctx.begin_document(doc)
        self.document_checks(doc)

    def document_checks(self, doc: Any) -> None:
        """The document checks alone (the streaming path runs them once the skeleton is complete)."""
        for fn in self._checks[Target.DOCUMENT]:
            fn(doc, (), self.ctx, self.out)
        if self._profile is not None and isinstance(doc, dict):
            self._profile.add(Target.DOCUMENT, doc)

    def begin_levering(self, index: int, levering: Any) -> None:
        self.ctx.begin_levering(index, levering)
        summary = LeveringSummary(index=index)
        lev = as_dict(levering)
        if lev is not None:
            summary.teller = lev.get("teller")
            org = as_dict(lev.get("aanleverende_organisatie")) or {}
            if self.kind is Kind.SHV:
                summary.organisatie = as_str(org.get("(Statutaire) Naam"))
                summary.kvk = as_str(org.get("KvK-nummer"))
                summary.org_gemeentecode = as_str(org.get("gemeentecode"))
                contacts = org.get("contactpersonen")
            else:
                summary.organisatie = as_str(org.get("naam"))
                summary.kvk = as_str(org.get("kvk-nummer"))
                code = as_str(lev.get("gemeentecode"))
                if code:
                    summary.gemeentecodes[code] += 1
                contacts = org.get("contactpersoonen")
            for contact in as_list(contacts) or ():
                email = as_str(contact.get("email")) if isinstance(contact, dict) else None
                if email:
                    summary.contact_emails.append(email)
        self.leveringen.append(summary)

    def item(self, target: Target, obj: Any, path: PathParts) -> None:
        summary = self.leveringen[-1]
        if target is Target.TRAJECT:
            summary.trajecten += 1
            code = as_str(obj.get("gemeentecode")) if isinstance(obj, dict) else None
            summary.gemeentecodes[code or "(leeg)"] += 1
        elif target is Target.VROEGSIGNAAL:
            summary.vroegsignalen += 1
        else:
            summary.zaken += 1
        if not isinstance(obj, dict):
            return
        ctx, out = self.ctx, self.out
        for fn in self._checks[target]:
            fn(obj, path, ctx, out)
        if self._profile is not None:
            self._profile.add(target, obj)

    def end_levering(self, index: int, levering: Any) -> None:
        path: PathParts = ("leveringen", index)
        if isinstance(levering, dict):
            for fn in self._checks[Target.LEVERING]:
                fn(levering, path, self.ctx, self.out)
            if self._profile is not None:
                self._profile.add(Target.LEVERING, levering)
        for fn in self._checks[Target.END_LEVERING]:
            fn(None, path, self.ctx, self.out)

    def end_document(self) -> None:
        for fn in self._checks[Target.END_DOCUMENT]:
            fn(None, (), self.ctx, self.out)

    def run(self, doc: Any, progress: ProgressFn | None = None) -> None:
        """The whole rule layer over a document held in memory."""
        self.document(doc)
        leveringen = as_list(doc.get("leveringen")) if isinstance(doc, dict) else None
        if leveringen is None:
            self.end_document()
            return
        lists = ITEM_LISTS[self.kind]
        total = sum(
            len(items)
            for lev in leveringen
            if isinstance(lev, dict)
            for name, _ in lists
            if isinstance(items := lev.get(name), list)
        )
        done = 0
        step = max(total // 50, 1000)
        for i, levering in enumerate(leveringen):
            self.begin_levering(i, levering)
            if isinstance(levering, dict):
                for name, target in lists:
                    items = levering.get(name)
                    if not isinstance(items, list):
                        continue
                    for j, obj in enumerate(items):
                        self.item(target, obj, ("leveringen", i, name, j))
                    done += len(items)
                    if progress is not None and done >= step:
                        progress("regels", done / max(total, 1))
            self.end_levering(i, levering)
        self.end_document()


def describe(result: ValidationResult, doc: Any) -> None:
    """Copy the document's period, delivery moment and supplier code into the result."""
    if isinstance(doc, dict):
        for key, attr in (
            ("startdatumLevering", "period_start"),
            ("einddatumLevering", "period_end"),
            ("aanleverdatumEnTijd", "delivered_at"),
            ("codeGegevensleverancier", "supplier_code"),
        ):
            value = doc.get(key)
            setattr(result, attr, value if isinstance(value, str) else None)


def validate_document(
    doc: Any,
    result: ValidationResult,
    *,
    kind: Kind | None = None,
    today: dt.date | None = None,
    profile: bool = False,
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    progress: ProgressFn | None = None,
) -> ValidationResult:
    """Layers (b) and (c) on a parsed document; appends to `result` (which may hold layer-(a) findings)."""
    kind = kind or detect_kind(doc)
    describe(result, doc)
    if kind is None:
        result.findings.append(Finding.at(KIND_UNKNOWN, ()))
        result.schema_valid = False
        return result
    result.kind = kind
    if progress is not None:
        progress("schema", 0.0)
    result.findings.extend(schema_layer(kind).check(doc))
    result.schema_valid = all(f.rule.severity is not Severity.ERROR for f in result.findings)
    runner = RuleRunner(kind, today=today, profile=profile, gemeenten=gemeenten)
    runner.run(doc, progress)
    result.findings.extend(runner.findings)
    result.leveringen = runner.leveringen
    result.completeness = runner.completeness()
    return result


def validate_bytes(
    data: bytes,
    *,
    name: str = "-",
    kind: Kind | None = None,
    today: dt.date | None = None,
    profile: bool = False,
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    progress: ProgressFn | None = None,
    retain: list[Any] | None = None,
) -> ValidationResult:
    """Validate one delivery held in memory: every finding of every layer, never an exception on bad input.

    `retain`, when given, receives the parsed document instead of it being freed here: a process that exits
    right after its report (`ddas validate`) skips freeing millions of objects it will never use again.
    """
    started = time.perf_counter()
    result = ValidationResult(file=name, size_bytes=len(data))
    if progress is not None:
        progress("inlezen", 0.0)
    # A parsed delivery is millions of objects without cycles; the cyclic collector would traverse them again
    # and again while they are built and checked (about a third of the time) and can find nothing to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = load_bytes(data)
        if retain is not None:
            retain.append(loaded)
        result.findings.extend(loaded.findings)
        if loaded.parsed:
            validate_document(
                loaded.document,
                result,
                kind=kind,
                today=today,
                profile=profile,
                gemeenten=gemeenten,
                progress=progress,
            )
    finally:
        if collecting:
            # What was made meanwhile and lives on — the findings, one per schuld in a messy delivery — goes
            # straight to the oldest generation (two list splices), instead of being walked by the first young
            # collection after this and again by the next.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    result.seconds = time.perf_counter() - started
    return result


def validate_path(
    path: Path,
    *,
    kind: Kind | None = None,
    today: dt.date | None = None,
    profile: bool = False,
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    progress: ProgressFn | None = None,
    stream_threshold: int = STREAM_THRESHOLD,
    retain: list[Any] | None = None,
) -> ValidationResult:
    """Validate a file: in memory when it is of ordinary size, streamed when it is larger than the threshold.

    Raises OSError when the file cannot be read (a usage problem, not a finding).
    """
    size = os.stat(path).st_size
    if size > stream_threshold:
        from ddas.validation.stream import validate_stream

        return validate_stream(
            path, kind=kind, today=today, profile=profile, gemeenten=gemeenten, progress=progress
        )
    data = path.read_bytes()
    return validate_bytes(
        data,
        name=str(path),
        kind=kind,
        today=today,
        profile=profile,
        gemeenten=gemeenten,
        progress=progress,
        retain=retain,
    )
