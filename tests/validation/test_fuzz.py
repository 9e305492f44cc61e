"""Hypothesis fuzzing: whatever bytes or documents come in, the validator returns a structured result."""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_bytes, validate_path
from ddas.validation.load import MAX_DEPTH
from ddas.validation.result import ValidationResult

TODAY = dt.date(2026, 1, 1)
SPEC = Path(__file__).resolve().parents[2] / ".." / "shared" / "spec"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        ["2025-01-01", "2025-13-45", "0000-01-01", "123456782", "1234AB", "Man", "M", "GM0363", ""]
    ),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=40,
)


def check(result: ValidationResult) -> None:
    assert isinstance(result, ValidationResult)
    out = result.to_dict("nl")
    orjson.dumps(out)
    result.to_dict("en")
    for finding in result.findings:
        assert finding.severity.value in ("error", "warning")
        assert finding.path == "" or finding.path.startswith("/")
        finding.message("en")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check(validate_bytes(data, today=TODAY))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, Kind.SHV, Kind.VS]))
def test_random_json(value: Any, kind: Kind | None) -> None:
    check(validate_bytes(json.dumps(value).encode(), kind=kind, today=TODAY))


def _examples() -> list[Any]:
    if not SPEC.is_dir():
        return [{"leveringen": [{"teller": 1, "schuldhulptrajecten": [{"client": [{}]}]}]}]
    return [json.loads(p.read_bytes()) for p in sorted(SPEC.glob("*/*Voorbeeld*.json"))]


EXAMPLES = _examples()


def _mutate(doc: Any, data: st.DataObject, depth: int = 0) -> Any:
    """Replace, delete or insert at random places, keeping most of the structure recognisable."""
    if isinstance(doc, dict) and doc and depth < 8:
        out = dict(doc)
        key = data.draw(st.sampled_from(sorted(out)))
        action = data.draw(st.sampled_from(["recurse", "recurse", "replace", "delete", "insert"]))
        if action == "recurse":
            out[key] = _mutate(out[key], data, depth + 1)
        elif action == "replace":
            out[key] = data.draw(json_values)
        elif action == "delete":
            del out[key]
        else:
            out[data.draw(st.text(max_size=8))] = data.draw(json_values)
        return out
    if isinstance(doc, list) and doc and depth < 8:
        out_list = list(doc)
        index = data.draw(st.integers(0, len(out_list) - 1))
        action = data.draw(st.sampled_from(["recurse", "recurse", "replace", "duplicate"]))
        if action == "recurse":
            out_list[index] = _mutate(out_list[index], data, depth + 1)
        elif action == "replace":
            out_list[index] = data.draw(json_values)
        else:
            out_list.append(out_list[index])
        return out_list
    return data.draw(json_values)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.data(), st.integers(1, 6))
def test_mutated_official_documents(doc: Any, data: st.DataObject, rounds: int) -> None:
    for _ in range(rounds):
        doc = _mutate(doc, data)
    check(validate_bytes(json.dumps(doc).encode(), today=TODAY))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_bytes(doc: Any, data: st.DataObject) -> None:
    raw = bytearray(json.dumps(doc, indent=2).encode())
    for _ in range(data.draw(st.integers(1, 5))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[pos:]
            if not raw:
                break
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
    check(validate_bytes(bytes(raw), today=TODAY))


def _deep_text(depth: int, rnd: random.Random) -> bytes:
    """`depth` nested arrays and objects in random order, with scalar siblings (some holding brackets and
    escaped quotes in strings, which must not count as levels) before and after the deep branch."""
    head: list[bytes] = []
    tail: list[bytes] = []
    siblings = [b"1", b'"[{"', b'"a\\"]}"', b"null", b"[]", b"{}"]
    for _ in range(depth):
        sibling = rnd.choice(siblings)
        if rnd.random() < 0.5:
            head.append(b"[" + sibling + b"," if rnd.random() < 0.3 else b"[")
            tail.append(b"," + sibling + b"]" if rnd.random() < 0.3 else b"]")
        else:
            head.append(b'{"s":' + sibling + b',"k":' if rnd.random() < 0.3 else b'{"k":')
            tail.append(b"}")
    return b"".join(head) + b"0" + b"".join(reversed(tail))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(150, 1100), st.randoms(use_true_random=False), st.booleans())
def test_deep_nesting(depth: int, rnd: random.Random, in_delivery: bool) -> None:
    data = _deep_text(depth, rnd)
    total = depth
    if in_delivery:
        doc = {"leveringen": [{"teller": 1, "schuldhulptrajecten": [{"gemeentecode": "0363", "x": "DEEP"}]}]}
        data = orjson.dumps(doc).replace(b'"DEEP"', data)
        total = depth + 5
    result = validate_bytes(data, today=TODAY)
    check(result)
    codes = [f.code for f in result.findings]
    assert (codes == ["JSON_TOO_DEEP"]) is (total > MAX_DEPTH), codes
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "diep.json"
        path.write_bytes(data)
        streamed = validate_path(path, today=TODAY, stream_threshold=0)
    check(streamed)
    assert sorted(f.code for f in streamed.findings) == sorted(codes)  # the streamed order differs
