"""The JSON report: one object per file, an array for several, stable keys, parseable."""

from __future__ import annotations

import json

from ddas.reports.json_report import render_json, scrub_tree
from ddas.validation.result import ValidationResult

KEYS = {"file", "kind", "version", "schema_valid", "valid", "counts", "findings"}


def test_one_file_gives_one_object(shv: ValidationResult) -> None:
    raw = render_json([shv], lang="nl")
    assert raw.endswith(b"}")
    data = json.loads(raw)
    assert isinstance(data, dict)
    assert data.keys() >= KEYS
    assert data["file"] == "kredietbank_2024.json"
    assert (data["kind"], data["version"]) == ("shv", "1.0")
    assert data["schema_valid"] is True
    assert data["valid"] is False
    assert data["counts"] == {"errors": 2, "warnings": 1}
    assert [f["code"] for f in data["findings"]] == ["TEST_REPORT_BSN"] * 2 + ["TEST_REPORT_POSTCODE"]
    first = data["findings"][0]
    assert first["path"] == "/leveringen/0/schuldhulptrajecten/0/client/0/Burgerservicenummer"
    assert first["value"] == "*****2333"
    assert first["severity"] == "error"
    assert first["message"].startswith("Burgerservicenummer *****2333")
    # Indented for people reading it.
    assert b'\n  "file"' in raw


def test_several_files_give_an_array(shv: ValidationResult, vs: ValidationResult) -> None:
    data = json.loads(render_json([shv, vs], lang="nl"))
    assert isinstance(data, list)
    assert [d["file"] for d in data] == ["kredietbank_2024.json", "vs.json"]
    assert all(d.keys() >= KEYS for d in data)
    assert data[1]["valid"] is True
    assert data[1]["leveringen"][0]["vroegsignalen"] == 5


def test_no_files_give_an_empty_array() -> None:
    assert json.loads(render_json([], lang="nl")) == []


def test_messages_follow_the_language(shv: ValidationResult) -> None:
    data = json.loads(render_json([shv], lang="en"))
    assert data["findings"][0]["message"].startswith("Citizen service number *****2333")


def test_scrub_tree_masks_delivered_numbers_but_not_counts() -> None:
    tree = {
        "counts": {"errors": 123456789, "warnings": 0},
        "leveringen": [{"teller": 123456789, "gemeentecodes": {"0363": 123456789}, "trajecten": 123456789}],
        "value": 111222333,
        "path": "/x/111222333",
        "flag": True,
        "share": 0.5,
        "nothing": None,
    }
    assert scrub_tree(tree) == {
        "counts": {"errors": 123456789, "warnings": 0},
        "leveringen": [{"teller": "*****6789", "gemeentecodes": {"0363": 123456789}, "trajecten": 123456789}],
        "value": "*****2333",
        "path": "/x/*****2333",
        "flag": True,
        "share": 0.5,
        "nothing": None,
    }
