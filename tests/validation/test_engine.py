"""The pipeline as a library: kind detection, the garbage collector left as found, summaries."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_bytes


def test_gc_state_is_restored() -> None:
    assert gc.isenabled()
    validate_bytes(b'{"leveringen": []}')
    assert gc.isenabled()
    gc.disable()
    try:
        validate_bytes(b"not json")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_kind_detection_and_summary(official_examples: list[Path]) -> None:
    for example in official_examples:
        doc = json.loads(example.read_bytes())
        result = validate_bytes(example.read_bytes(), name=example.name)
        assert result.kind is (Kind.SHV if "shv" in example.parent.name else Kind.VS)
        assert result.version == ("1.0" if result.kind is Kind.SHV else "0.9")
        assert result.schema_valid
        assert len(result.leveringen) == len(doc["leveringen"])
        key = "schuldhulptrajecten" if result.kind is Kind.SHV else "vroegsignalen"
        counted = [
            lev.trajecten if result.kind is Kind.SHV else lev.vroegsignalen for lev in result.leveringen
        ]
        assert counted == [len(lev.get(key, [])) for lev in doc["leveringen"]]
        assert result.period_start == doc["startdatumLevering"]


def test_kind_override_reports_the_other_schema(official_examples: list[Path]) -> None:
    shv = next(p for p in official_examples if "shv" in p.parent.name)
    result = validate_bytes(shv.read_bytes(), kind=Kind.VS)
    assert result.kind is Kind.VS and not result.schema_valid


def test_record_lists_of_the_wrong_type_are_reported_not_fatal() -> None:
    # Found by the fuzzer: a record list that is `true` (or any non-list) must not break the progress count.
    for value in ("true", "1", '"x"', "{}", "null"):
        data = f'{{"leveringen": [{{"teller": 1, "schuldhulptrajecten": {value}}}]}}'.encode()
        result = validate_bytes(data, kind=Kind.SHV)
        assert any(f.code == "SCHEMA_TYPE" for f in result.findings)
