"""The streaming path reports exactly what the in-memory path reports, in bounded memory."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from ddas.validation.engine import validate_bytes, validate_path
from ddas.validation.result import ValidationResult
from ddas.validation.stream import validate_stream

TODAY = dt.date(2026, 1, 1)


def findings(result: ValidationResult) -> list[tuple[str, str, str]]:
    """Code, path and message; a syntax error's position is only approximate when streamed."""
    return sorted(
        (f.code, f.path, "" if f.code in ("JSON_SYNTAX", "JSON_ENCODING") else f.message("en"))
        for f in result.findings
    )


def both(data: bytes, tmp_path: Path) -> tuple[ValidationResult, ValidationResult]:
    path = tmp_path / "delivery.json"
    path.write_bytes(data)
    return validate_bytes(data, today=TODAY, profile=True), validate_stream(path, today=TODAY, profile=True)


def assert_same(data: bytes, tmp_path: Path) -> ValidationResult:
    memory, stream = both(data, tmp_path)
    assert stream.streamed
    assert findings(stream) == findings(memory)
    assert stream.kind == memory.kind
    assert stream.schema_valid == memory.schema_valid
    assert [lev.to_dict() for lev in stream.leveringen] == [lev.to_dict() for lev in memory.leveringen]
    assert stream.completeness == memory.completeness
    return memory


def test_official_examples(official_examples: list[Path], tmp_path: Path) -> None:
    for example in official_examples:
        assert_same(example.read_bytes(), tmp_path)


def _reorder(doc: dict[str, Any]) -> dict[str, Any]:
    """Context after the records: period fields after `leveringen`, organisation after the records."""
    leveringen = []
    for lev in doc["leveringen"]:
        org = lev.pop("aanleverende_organisatie", None)
        leveringen.append({**lev, "aanleverende_organisatie": org})
    rest = {k: v for k, v in doc.items() if k != "leveringen"}
    return {"leveringen": leveringen, **rest}


def test_late_context_needs_the_second_pass(official_examples: list[Path], tmp_path: Path) -> None:
    for example in official_examples:
        doc = json.loads(example.read_bytes())
        assert_same(json.dumps(_reorder(doc)).encode(), tmp_path)


def test_schema_errors_inside_records(official_examples: list[Path], tmp_path: Path) -> None:
    doc = json.loads(official_examples[0].read_bytes())
    lev = doc["leveringen"][0]
    records = lev.get("schuldhulptrajecten") or lev.get("vroegsignalen")
    records.append({"onbekend": 1})
    records.append("geen object")
    lev["extra"] = True
    memory = assert_same(json.dumps(doc).encode(), tmp_path)
    assert not memory.schema_valid


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b'{"a": 1, "a": 2}',
        b"[1, 2",
        b'{"leveringen": [{"teller": 1, "teller": 2}]}',
        b"null",
        b"[]",
    ],
)
def test_malformed(data: bytes, tmp_path: Path) -> None:
    assert_same(data, tmp_path)


def test_validate_path_streams_above_the_threshold(official_examples: list[Path]) -> None:
    example = official_examples[0]
    streamed = validate_path(example, today=TODAY, stream_threshold=0)
    in_memory = validate_path(example, today=TODAY)
    assert streamed.streamed and not in_memory.streamed
    assert findings(streamed) == findings(in_memory)


def test_generated_deliveries(tmp_path: Path) -> None:
    synth = pytest.importorskip("ddas.synth")
    from ddas.spec.kinds import Kind

    for kind in Kind:
        doc = synth.generate(kind, 300, seed=7, gemeenten=["0363", "0599"])
        synth_inject = pytest.importorskip("ddas.synth.inject")
        synth_inject.inject(doc, kind, 0.1, seed=7)
        assert_same(json.dumps(doc).encode(), tmp_path)
