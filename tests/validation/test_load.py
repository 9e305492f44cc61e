"""Layer (a): bytes → JSON, every problem a finding with a position, never an exception."""

from __future__ import annotations

import json

import orjson
import pytest

from ddas.validation.load import find_duplicate_keys, line_col, load_bytes


def codes(data: bytes) -> list[str]:
    return [f.code for f in load_bytes(data).findings]


def test_valid_object_has_no_findings() -> None:
    loaded = load_bytes(b'{"a": [1, {"b": "12:00"}], "c": "x:y"}')
    assert loaded.parsed and loaded.findings == []
    assert loaded.document == {"a": [1, {"b": "12:00"}], "c": "x:y"}


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"", 1, 1),
        (b" \n\t ", 1, 1),
        (b'{\n  "a": 1,\n  "b": tru\n}', 3, 8),
        (b'{"a": 1', 1, 8),
        (b'{"a": [1, 2,]}', 1, 12),
    ],
)
def test_syntax_errors_report_line_and_column(data: bytes, line: int, column: int) -> None:
    loaded = load_bytes(data)
    assert not loaded.parsed
    [finding] = loaded.findings
    assert finding.code == "JSON_SYNTAX"
    assert finding.params["regel"] == line
    assert finding.params["kolom"] == column


def test_bom_is_a_warning_and_the_document_still_loads() -> None:
    loaded = load_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert loaded.parsed and loaded.document == {"a": 1}
    assert [(f.code, f.severity.value) for f in loaded.findings] == [("JSON_BOM", "warning")]


def test_latin1_bytes_are_an_encoding_error_with_position_and_the_rest_is_still_read() -> None:
    loaded = load_bytes('{"functie": "Coördinator",\n "b": "é"}'.encode("latin-1"))
    [finding] = loaded.findings
    assert finding.code == "JSON_ENCODING"
    assert (finding.params["regel"], finding.params["kolom"]) == (1, 16)
    assert finding.params["aantal"] == 2
    assert loaded.parsed and set(loaded.document) == {"functie", "b"}


def test_utf16_is_refused_as_encoding_error() -> None:
    assert codes('{"a": 1}'.encode("utf-16")) == ["JSON_ENCODING"]


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        (b'{"a": 1, "a": 2}', [("a",)]),
        (b'{"x": [{"k": 1}, {"k": 1, "k": 2}]}', [("x", 1, "k")]),
        (b'{"t": "12:00", "t": "13:00"}', [("t",)]),
        (b'{"a": {"b": 1, "b": 2}, "a": 3}', [("a", "b"), ("a",)]),
    ],
)
def test_duplicate_keys_are_found_with_their_path(data: bytes, paths: list[tuple[object, ...]]) -> None:
    loaded = load_bytes(data)
    assert [f.code for f in loaded.findings] == ["JSON_DUPLICATE_KEY"] * len(paths)
    assert find_duplicate_keys(data) == paths


def test_escaped_colon_does_not_hide_a_duplicate() -> None:
    # One escaped colon in a value (+1 colon after re-serialising) and one duplicate key (-1): counts balance.
    data = b'{"a": "x\\u003ay", "k": 1, "k": 2}'
    assert codes(data) == ["JSON_DUPLICATE_KEY"]


def test_nesting_beyond_what_orjson_reads_is_too_deep() -> None:
    data = b"[" * 10_000 + b"]" * 10_000
    loaded = load_bytes(data)
    [finding] = loaded.findings
    assert finding.code == "JSON_TOO_DEEP"
    assert not loaded.parsed
    # Where the 255th level opens, as for depths orjson does read (the same finding for every depth).
    assert finding.message("nl").startswith(
        "Het bestand is dieper genest dan 254 niveaus (regel 1, kolom 255)"
    )


def test_line_col_counts_characters_not_bytes() -> None:
    data = "é\né€x".encode()
    assert line_col(data, data.index(b"x")) == (2, 3)


def test_colon_invariant_on_a_generated_document() -> None:
    doc = {"k" + str(i): [{"t": "2025-01-01T10:00:00Z", "v": i}] for i in range(200)}
    data = json.dumps(doc, indent=2).encode()
    assert data.count(b":") == orjson.dumps(orjson.loads(data)).count(b":")
    assert load_bytes(data).findings == []
