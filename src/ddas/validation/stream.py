"""Streaming validation for deliveries too large to parse whole.

The file is read as a stream of parser events (ijson's C backend). Everything except the records — the
document's own fields and each levering's organisation — is built into a small *skeleton*; every record
(traject, vroegsignaal, zaak) is built on its own, checked by the schema layer and the rule layer, and dropped.
Memory holds the skeleton, one record and the rules' small accumulators, never the document.

The rules need the reporting period and the levering's organisation before they see a record. In the usual key
order (as in the official examples) those come first. When a file puts them after the records, the rule layer
pauses at that levering; a second pass then checks the remaining records with the skeleton as context. The rule
runner receives the same calls in the same order as on the in-memory path, so both report the same findings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import time
from pathlib import Path
from typing import IO, Any

import orjson

from ddas.spec.kinds import Kind, detect_kind
from ddas.validation.engine import ITEM_LISTS, KIND_UNKNOWN, ProgressFn, RuleRunner, describe
from ddas.validation.findings import Finding, PathParts, Severity
from ddas.validation.load import (
    JSON_BOM,
    JSON_DUPLICATE_KEY,
    JSON_ENCODING,
    JSON_SYNTAX,
    JSON_TOO_DEEP,
    MAX_DEPTH,
)
from ddas.validation.result import ValidationResult
from ddas.validation.schema_layer import SCHEMA_UNIQUE_ITEMS, schema_layer

__all__ = ["validate_stream"]

_TARGETS = {name: target for lists in ITEM_LISTS.values() for name, target in lists}
_CONTEXT_KEYS = ("startdatumLevering", "einddatumLevering", "aanleverdatumEnTijd")
_CHUNK = 1 << 20
_NEVER = 1 << 62


class _TooDeep(Exception):
    """The text opens more than `MAX_DEPTH` levels: the parse stops there."""


class _Frame:
    """An open object or array; `records` names the record list it is, if it is one."""

    __slots__ = ("container", "count", "is_map", "key", "records")

    def __init__(self, container: Any, records: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.records = records
        self.key: str | None = None
        self.count = 0


class _Reader(io.RawIOBase):
    """Wraps the file to report progress and to know the byte offset when the parser stops."""

    def __init__(self, raw: IO[bytes], size: int, progress: ProgressFn | None, stage: str) -> None:
        self._raw = raw
        self._size = max(size, 1)
        self.done = 0
        self._progress = progress
        self._stage = stage
        self._next = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.done += n
        if self._progress is not None and self.done >= self._next:
            self._progress(self._stage, min(self.done / self._size, 1.0))
            self._next = self.done + self._size // 100
        return n


class _Validation:
    """State across the (one or two) passes over one file."""

    def __init__(
        self, path: Path, kind: Kind | None, runner: dict[str, Any], progress: ProgressFn | None
    ) -> None:
        self.path = path
        self.kind = kind
        self.runner_args = runner
        self.progress = progress
        self.findings: list[Finding] = []
        self.runner: RuleRunner | None = None
        #: Leveringen from this index on get their rule checks in the second pass.
        self.rules_from = _NEVER
        #: Records from this levering on get their schema checks in the second pass (kind unknown at first).
        self.schema_from = _NEVER
        self.opened = -1
        self.skeleton: Any = None
        self.parsed = False
        self.digests: list[tuple[bytes, str]] = []
        self._digest = hashlib.blake2b()

    # --- called by the parser ------------------------------------------------------------------------------

    def record(self, frames: list[_Frame], name: str, index: int, obj: Any, second: bool) -> None:
        lev_index = len(frames[1].container)
        if second:
            root, levering = self.skeleton, self.skeleton["leveringen"][lev_index]
        else:
            root, levering = frames[0].container, frames[2].container
        if not second:
            self._digest.update(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS))
            if self.kind is None and self.schema_from == _NEVER:
                self.kind = detect_kind({"leveringen": [{**levering, name: []}]})
                if self.kind is None:
                    self.schema_from = self.rules_from = min(self.rules_from, lev_index)
        path: PathParts = ("leveringen", lev_index, name, index)
        if self.kind is not None and (lev_index >= self.schema_from) == second:
            self.findings.extend(schema_layer(self.kind).check(obj, path, ("leveringen", "*", name, "*")))
        if (lev_index >= self.rules_from) != second or self.kind is None:
            return
        if not second and self.opened != lev_index and not self._context_ready(root, levering):
            self.rules_from = lev_index
            return
        self._open(lev_index, root, levering)
        assert self.runner is not None
        self.runner.item(_TARGETS[name], obj, path)

    def levering_done(self, index: int, levering: dict[str, Any], root: Any, second: bool) -> None:
        if not second:
            self.digests.append(
                (orjson.dumps(levering, option=orjson.OPT_SORT_KEYS), self._digest.hexdigest())
            )
            self._digest = hashlib.blake2b()
        if (index >= self.rules_from) != second or self.kind is None:
            return
        if not second and self.opened != index and not self._context_ready(root, levering):
            self.rules_from = index
            return
        self._open(index, root, levering)
        assert self.runner is not None
        self.runner.end_levering(index, levering)

    # --- helpers -------------------------------------------------------------------------------------------

    def _context_ready(self, root: dict[str, Any], levering: dict[str, Any]) -> bool:
        return all(k in root for k in _CONTEXT_KEYS) and "aanleverende_organisatie" in levering

    def _open(self, index: int, root: Any, levering: dict[str, Any]) -> None:
        if self.runner is None:
            assert self.kind is not None
            self.runner = RuleRunner(self.kind, **self.runner_args)
            self.runner.ctx.begin_document(root)
        if self.opened != index:
            self.runner.begin_levering(index, levering)
            self.opened = index

    # --- the whole file ------------------------------------------------------------------------------------

    def run(self) -> ValidationResult:
        started = time.perf_counter()
        size = os.stat(self.path).st_size
        result = ValidationResult(file=str(self.path), size_bytes=size, streamed=True)
        result.findings = self.findings
        with open(self.path, "rb") as raw:
            start = _json_start(raw, self.findings)
            skeleton = None if start is None else self._pass(raw, start, size, None)
        if not self.parsed:
            result.seconds = time.perf_counter() - started
            return result
        describe(result, skeleton)
        self.kind = self.kind or detect_kind(skeleton)
        if self.kind is None:
            self.findings.append(Finding.at(KIND_UNKNOWN, ()))
            result.seconds = time.perf_counter() - started
            return result
        result.kind = self.kind
        self.skeleton = skeleton
        if self.rules_from != _NEVER:
            if self.runner is None:
                self.runner = RuleRunner(self.kind, **self.runner_args)
                self.runner.ctx.begin_document(skeleton)
            with open(self.path, "rb") as raw:
                self._pass(raw, start or 0, size, skeleton)
        if self.runner is None:  # a document without leveringen
            self.runner = RuleRunner(self.kind, **self.runner_args)
            self.runner.ctx.begin_document(skeleton)
        self._skeleton_schema(self.kind, skeleton)
        self.runner.document_checks(skeleton)
        self.runner.end_document()
        self.findings.extend(self.runner.findings)
        result.schema_valid = all(
            f.rule.severity is not Severity.ERROR for f in self.findings if f.rule.layer != "rule"
        )
        result.leveringen = self.runner.leveringen
        result.completeness = self.runner.completeness()
        result.seconds = time.perf_counter() - started
        return result

    def _pass(self, raw: IO[bytes], start: int, size: int, skeleton: Any) -> Any:
        """One parse; returns the skeleton (sets `parsed` when the first pass read valid JSON)."""
        import ijson

        second = skeleton is not None
        raw.seek(start)
        reader = _Reader(raw, size - start, self.progress, "tweede ronde" if second else "controleren")
        frames: list[_Frame] = []
        root: Any = None
        try:
            for event, value in ijson.basic_parse(io.BufferedReader(reader, _CHUNK), use_float=True):
                if event == "map_key":
                    top = frames[-1]
                    if not second and value in top.container:
                        where: list[str | int] = [
                            (f.key or "") if f.is_map else (f.count if f.records else len(f.container))
                            for f in frames
                        ]
                        self.findings.append(
                            Finding.at(JSON_DUPLICATE_KEY, (*where[:-1], value), sleutel=value)
                        )
                    top.key = value
                    continue
                if event == "start_map" or event == "start_array":
                    if len(frames) >= MAX_DEPTH:
                        raise _TooDeep
                    records = None
                    if (
                        event == "start_array"
                        and len(frames) == 3
                        and frames[0].key == "leveringen"
                        and frames[2].key in _TARGETS
                    ):
                        records = frames[2].key
                    frames.append(_Frame({} if event == "start_map" else [], records))
                    continue
                if event == "end_map" or event == "end_array":
                    frame = frames.pop()
                    if frame.records is not None:
                        continue  # the records went on one by one; the skeleton keeps no list
                    value = frame.container
                if not frames:
                    root = value
                    continue
                top = frames[-1]
                if top.is_map:
                    top.container[top.key] = value
                elif top.records is not None:
                    top.count += 1
                    self.record(frames, top.records, top.count - 1, value, second)
                else:
                    top.container.append(value)
                    if len(frames) == 2 and frames[0].key == "leveringen" and isinstance(value, dict):
                        index = len(top.container) - 1
                        if second:
                            self.levering_done(index, skeleton["leveringen"][index], skeleton, second)
                        else:
                            self.levering_done(index, value, frames[0].container, second)
        except (ijson.IncompleteJSONError, ijson.JSONError, UnicodeDecodeError) as exc:
            if not second:
                self.findings.append(_parse_error(exc, raw, start + reader.done))
            return None
        except _TooDeep:
            # As on the in-memory path (ddas.validation.load): refused as a whole. The parser reads ahead in
            # blocks, so the position is the block where it stopped.
            line, column = _position(raw, start + reader.done)
            self.findings.append(
                Finding.at(JSON_TOO_DEEP, (), grens=MAX_DEPTH, regel=f"±{line}", kolom=column)
            )
            return None
        if second:
            return skeleton
        self.parsed = True
        return root

    def _skeleton_schema(self, kind: Kind, skeleton: Any) -> None:
        for finding in schema_layer(kind).check(skeleton):
            if finding.rule is SCHEMA_UNIQUE_ITEMS and finding.path == "/leveringen":
                continue  # the skeleton lacks the records: uniqueness is decided on their digests below
            self.findings.append(finding)
        if kind is Kind.VS and len(set(self.digests)) < len(self.digests):
            self.findings.append(Finding.at(SCHEMA_UNIQUE_ITEMS, ("leveringen",)))


def _json_start(raw: IO[bytes], findings: list[Finding]) -> int | None:
    """Offset where the JSON text starts (after a BOM), or None for an empty or UTF-16 file."""
    head = raw.read(3)
    start = 0
    if head == b"\xef\xbb\xbf":
        findings.append(Finding.at(JSON_BOM, ()))
        start = 3
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        findings.append(
            Finding.at(JSON_ENCODING, (), byte=head[:2].hex().upper(), regel=1, kolom=1, aantal="UTF-16")
        )
        return None
    raw.seek(start)
    while chunk := raw.read(_CHUNK):
        if chunk.strip(b" \t\r\n"):
            return start
    findings.append(
        Finding.at(JSON_SYNTAX, (), reden="het bestand is leeg", reason="the file is empty", regel=1, kolom=1)
    )
    return None


def _position(raw: IO[bytes], offset: int) -> tuple[int, int]:
    """Line and column of a byte offset, counted by reading the file again in chunks."""
    raw.seek(0)
    line, last = 1, b""
    done = 0
    while done < offset and (chunk := raw.read(min(_CHUNK, offset - done))):
        line += chunk.count(b"\n")
        cut = chunk.rfind(b"\n")
        last = chunk[cut + 1 :] if cut >= 0 else last + chunk
        done += len(chunk)
    return line, len(last.decode("utf-8", errors="replace")) + 1


def _parse_error(exc: Exception, raw: IO[bytes], offset: int) -> Finding:
    """The finding for a parser stop; exact position at a premature end, else the block where it stopped."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, UnicodeDecodeError) or "utf-8" in text.lower() or "utf8" in text.lower():
        line, column = _position(raw, offset)
        return Finding.at(JSON_ENCODING, (), byte="?", aantal="≥1", regel=f"±{line}", kolom=column)
    if "incomplete" in type(exc).__name__.lower() or "premature" in text.lower():
        line, column = _position(raw, offset)
        nl, en = "het bestand houdt onverwacht op (afgebroken?)", "unexpected end of data (truncated?)"
        return Finding.at(JSON_SYNTAX, (), reden=nl, reason=en, regel=line, kolom=column)
    line, column = _position(raw, offset)
    return Finding.at(
        JSON_SYNTAX, (), reden="ongeldige syntaxis: " + text, reason=text, regel=f"±{line}", kolom=column
    )


def validate_stream(
    path: Path,
    *,
    kind: Kind | None = None,
    today: dt.date | None = None,
    profile: bool = False,
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    progress: ProgressFn | None = None,
) -> ValidationResult:
    """Validate a file by streaming it: the same findings as `validate_bytes`, in bounded memory."""
    runner = {"today": today, "profile": profile, "gemeenten": gemeenten}
    return _Validation(path, kind, runner, progress).run()
