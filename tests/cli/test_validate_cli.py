"""`ddas validate` as a user runs it: real processes, exit codes, output formats, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DDAS = [sys.executable, "-m", "ddas"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([*DDAS, *args], input=stdin, capture_output=True, timeout=300, env=env)


def assert_no_traceback(proc: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stdout


@pytest.fixture
def example(spec_dir: Path) -> Path:
    return spec_dir / "shv-v1.0" / "enkelvoudigVoorbeeld.json"


def test_json_output_shape_and_exit_code(example: Path) -> None:
    proc = run("validate", str(example), "--format", "json")
    assert_no_traceback(proc)
    report = json.loads(proc.stdout)
    assert set(report) >= {"file", "kind", "version", "schema_valid", "valid", "counts", "findings"}
    assert report["kind"] == "shv" and report["version"] == "1.0"
    assert report["schema_valid"] is True
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert report["counts"] == {"errors": len(errors), "warnings": len(report["findings"]) - len(errors)}
    assert proc.returncode == (1 if errors else 0)
    for finding in report["findings"]:
        assert set(finding) >= {"code", "severity", "path", "message"}
        assert finding["path"] == "" or finding["path"].startswith("/")


def test_several_files_give_an_array(spec_dir: Path) -> None:
    files = [str(p) for p in sorted(spec_dir.glob("vs-v0.9/*Voorbeeld*.json"))]
    proc = run("validate", *files, "--format", "json")
    assert_no_traceback(proc)
    reports = json.loads(proc.stdout)
    assert isinstance(reports, list) and [r["file"] for r in reports] == files
    assert all(r["kind"] == "vs" for r in reports)


def test_stdin_and_kind_override(example: Path) -> None:
    proc = run("validate", "-", "--format", "json", "--kind", "vs", stdin=example.read_bytes())
    assert_no_traceback(proc)
    report = json.loads(proc.stdout)
    assert report["file"] == "-" and report["kind"] == "vs"
    assert report["schema_valid"] is False and proc.returncode == 1


def test_english_messages(example: Path) -> None:
    nl = json.loads(run("validate", str(example), "--format", "json").stdout)
    en = json.loads(run("validate", str(example), "--format", "json", "--lang", "en").stdout)
    assert [f["code"] for f in nl["findings"]] == [f["code"] for f in en["findings"]]
    assert nl["findings"] and all(
        a["message"] != b["message"] for a, b in zip(nl["findings"], en["findings"], strict=True)
    )


def test_text_output_has_a_summary_and_no_ansi_when_piped(example: Path) -> None:
    proc = run("validate", str(example))
    assert_no_traceback(proc)
    assert b"\x1b[" not in proc.stdout
    assert proc.stdout.strip()


BAD_INPUTS: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"startdatumLevering": "2025-01-01", "leveringen": [{"teller": 1, ',
    "latin1": '{"codeGegevensleverancier": "Coördinator 1.0", "leveringen": []}'.encode("latin-1"),
    "array": b"[1, 2, 3]",
    "string": b'"een levering"',
    "null_document": b"null",
    "null_levering": b'{"startdatumLevering": "2025-01-01", "leveringen": [null]}',
    "null_object": b'{"leveringen": [{"teller": 1, "aanleverende_organisatie": null, "schuldhulptrajecten": [null]}]}',
    "numbers_for_strings": (
        b'{"startdatumLevering": 20250101, "einddatumLevering": 2, "aanleverdatumEnTijd": 3,'
        b' "codeGegevensleverancier": 4, "leveringen": [{"teller": "1", "aanleverende_organisatie": {},'
        b' "schuldhulptrajecten": [{"gemeentecode": 363, "client": [{"Burgerservicenummer": 123456782}]}]}]}'
    ),
    "deep": b"[" * 10_000 + b"]" * 10_000,
    "deep_object": b'{"leveringen": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
    "random_bytes": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_findings_and_exit_1(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(BAD_INPUTS[name])
    proc = run("validate", str(path), "--format", "json")
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["valid"] is False and report["counts"]["errors"] >= 1
    text = run("validate", str(path))
    assert_no_traceback(text)
    assert text.returncode == 1


def test_bom_is_only_a_warning(example: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + example.read_bytes())
    report = json.loads(run("validate", str(path), "--format", "json").stdout)
    bom = [f for f in report["findings"] if f["code"] == "JSON_BOM"]
    assert len(bom) == 1 and bom[0]["severity"] == "warning"


def test_bsn_is_masked_in_every_format(example: Path, tmp_path: Path) -> None:
    doc = json.loads(example.read_bytes())
    doc["leveringen"][0]["schuldhulptrajecten"][0]["client"][0]["Burgerservicenummer"] = "123456789"
    path = tmp_path / "bsn.json"
    path.write_text(json.dumps(doc))
    for fmt in ("json", "text", "html"):
        proc = run("validate", str(path), "--format", fmt)
        assert_no_traceback(proc)
        assert b"123456789" not in proc.stdout and b"123456789" not in proc.stderr
    report = json.loads(run("validate", str(path), "--format", "json").stdout)
    bsn = [f for f in report["findings"] if f["code"] == "BSN_INVALID"]
    assert bsn and bsn[0]["value"] == "*****6789"


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("validate", "x.json", "--kind", "xyz"),
        ("validate", "x.json", "--format", "pdf"),
        ("validate", "/nonexistent/file.json"),
    ],
)
def test_usage_errors_and_unreadable_files_exit_2(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert_no_traceback(proc)
    assert proc.returncode == 2


def test_directory_is_unreadable_input(tmp_path: Path) -> None:
    proc = run("validate", str(tmp_path))
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert "map" in proc.stderr.decode()


def test_unknown_kind_in_content(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"iets": "anders"}')
    proc = run("validate", str(path), "--format", "json")
    assert proc.returncode == 1
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["KIND_UNKNOWN"]


def test_two_gigabytes_of_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "spaces.json"
    block = b" " * (64 << 20)
    with path.open("wb") as handle:
        for _ in range(32):
            handle.write(block)
    try:
        proc = run("validate", str(path), "--format", "json")
        assert_no_traceback(proc)
        assert proc.returncode == 1
        report = json.loads(proc.stdout)
        assert [f["code"] for f in report["findings"]] == ["JSON_SYNTAX"]
    finally:
        path.unlink()


def test_report_into_a_new_folder_and_unwritable_output(example: Path, tmp_path: Path) -> None:
    target = tmp_path / "nieuw" / "map" / "rapport.html"
    proc = run("validate", str(example), "--format", "html", "--output", str(target))
    assert_no_traceback(proc)
    assert target.is_file() and "Op-orde-rapport" in target.read_text(encoding="utf-8")
    blocked = tmp_path / "bestand"
    blocked.write_text("x")
    proc = run("validate", str(example), "--format", "html", "--output", str(blocked / "rapport.html"))
    assert_no_traceback(proc)
    assert proc.returncode == 2


def test_generate_then_validate_with_manifest(tmp_path: Path) -> None:
    output = tmp_path / "out" / "levering.json"
    proc = run(
        "generate", "vs", "--count", "200", "--seed", "5", "--inject-errors", "0.05", "--output", str(output)
    )
    assert_no_traceback(proc)
    assert proc.returncode == 0
    manifest = json.loads(output.with_name(output.name + ".manifest.json").read_text())
    report = json.loads(run("validate", str(output), "--format", "json").stdout)
    found = {(f["path"], f["code"]) for f in report["findings"]}
    assert found == {(d["path"], d["code"]) for d in manifest["defects"]}


def test_generate_usage_errors(tmp_path: Path) -> None:
    for args in (("--gemeenten", "363"), ("--period", "2025-13-01..2025-06-30"), ("--inject-errors", "0.1")):
        proc = run("generate", "shv", "--count", "5", *args)
        assert_no_traceback(proc)
        assert proc.returncode == 2


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_a_large_report_on_a_pipe_arrives_whole(fmt: str, tmp_path: Path) -> None:
    """`ddas validate` ends its process without Python's teardown: what it wrote must still all arrive."""
    delivery = tmp_path / "levering.json"
    made = run(
        "generate", "shv", "--count", "1500", "--seed", "9", "--inject-errors", "0.3", "-o", str(delivery)
    )
    assert made.returncode == 0
    proc = run("validate", str(delivery), "--format", fmt)
    assert_no_traceback(proc)
    assert proc.returncode == 1
    if fmt != "text":  # the text report groups findings and stays small; it must still end with its summary
        assert len(proc.stdout) > 65_536  # more than a pipe holds: the writer had to wait for the reader
    if fmt == "json":
        report = json.loads(proc.stdout)
        assert len(report["findings"]) == report["counts"]["errors"] + report["counts"]["warnings"]
    elif fmt == "html":
        assert proc.stdout.rstrip().endswith(b"</html>")
    else:
        assert proc.stdout.decode().rstrip().endswith("niet geschikt voor CBS")
