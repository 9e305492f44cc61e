"""JSON nested deeper than ddas accepts: one JSON_TOO_DEEP finding and the usual exit code, never a traceback.

orjson reads 1024 levels but writes back only 254, and the duplicate-key check writes the document back: a
document between those depths used to crash `ddas validate` and `ddas import`. The depths below straddle both
limits; each is tried as nested arrays, nested objects and inside an otherwise ordinary delivery, through the
command line (a real process, as a user runs it) and through both validation paths (in memory and streamed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from ddas.spec.kinds import Kind
from ddas.synth import generate
from ddas.validation.engine import validate_bytes, validate_path
from ddas.validation.load import MAX_DEPTH

DEPTHS = [100, 254, 255, 500, 1023, 1024, 5000]
DDAS = [sys.executable, "-m", "ddas"]


def nested_arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def in_delivery(depth: int) -> bytes:
    """A generated SHV delivery whose first traject has an extra field making the document `depth` deep.

    Document, leveringen, levering, schuldhulptrajecten and traject are five levels; the rest is the field.
    """
    doc = generate(Kind.SHV, 3, seed=5, gemeenten=["0363"])
    doc["leveringen"][0]["schuldhulptrajecten"][0]["extra"] = "DEEP"
    inner = depth - 5
    return orjson.dumps(doc).replace(b'"DEEP"', b"[" * inner + b"]" * inner, 1)


SHAPES = {"arrays": nested_arrays, "objects": nested_objects, "delivery": in_delivery}


def depth_of(data: bytes) -> int:
    """The nesting depth of a text without brackets in strings (as these are), counted independently."""
    depth = deepest = 0
    for byte in data:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([*DDAS, *args], capture_output=True, timeout=300, env=env)


def assert_no_traceback(proc: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")[-3000:]
    assert b"Traceback" not in proc.stdout


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("depth", DEPTHS)
def test_the_shapes_have_the_depth_they_claim(shape: str, depth: int) -> None:
    assert depth_of(SHAPES[shape](depth)) == depth


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("depth", DEPTHS)
def test_validate_writes_a_report_at_every_depth(shape: str, depth: int, tmp_path: Path) -> None:
    source = tmp_path / f"{shape}-{depth}.json"
    source.write_bytes(SHAPES[shape](depth))
    report = tmp_path / "rapport" / "report.json"
    proc = run("validate", str(source), "--format", "json", "--output", str(report))
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")
    codes = [f["code"] for f in json.loads(report.read_bytes())["findings"]]
    if depth > MAX_DEPTH:
        assert codes == ["JSON_TOO_DEEP"]
    elif shape == "delivery":
        assert "SCHEMA_ADDITIONAL_PROPERTIES" in codes and "JSON_TOO_DEEP" not in codes
    else:
        assert codes == ["KIND_UNKNOWN"]


@pytest.mark.parametrize("depth", [255, 5000])
def test_validate_text_report_names_the_problem(depth: int, tmp_path: Path) -> None:
    source = tmp_path / "diep.json"
    source.write_bytes(nested_objects(depth))
    proc = run("validate", str(source))
    assert_no_traceback(proc)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "JSON_TOO_DEEP" in out
    # Where the 255th level opens: five characters ({"a":) per level.
    assert "dieper genest dan 254 niveaus (regel 1, kolom 1271)" in out


@pytest.mark.parametrize("shape", ["arrays", "delivery"])
@pytest.mark.parametrize("depth", DEPTHS)
def test_import_refuses_or_rejects_at_every_depth(shape: str, depth: int, tmp_path: Path) -> None:
    source = tmp_path / f"{shape}-{depth}.json"
    source.write_bytes(SHAPES[shape](depth))
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    proc = run("import", str(source), "--store", store, "--format", "json")
    assert_no_traceback(proc)
    err = proc.stderr.decode()
    if depth > MAX_DEPTH:
        # An unreadable source (exit 2, nothing stored), with the validator's own finding as the reason.
        assert proc.returncode == 2
        assert "dieper genest dan 254 niveaus" in err
    elif shape == "arrays":
        assert proc.returncode == 2
        assert "geen DDAS-levering" in err
    else:
        # Read and validated: the traject with the unknown field is rejected, the other two imported.
        assert proc.returncode == 1, err
        summary = json.loads(proc.stdout)
        assert (summary["totals"]["imported"], summary["totals"]["rejected"]) == (2, 1)
        [rejected] = summary["rejected"]
        assert [p["code"] for p in rejected["problems"]] == ["SCHEMA_ADDITIONAL_PROPERTIES"]


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("depth", DEPTHS)
def test_streamed_and_in_memory_paths_agree(shape: str, depth: int, tmp_path: Path) -> None:
    data = SHAPES[shape](depth)
    source = tmp_path / "levering.json"
    source.write_bytes(data)
    in_memory = validate_bytes(data, name=str(source))
    streamed = validate_path(source, stream_threshold=0)
    assert streamed.streamed
    codes = [f.code for f in in_memory.findings]
    assert sorted(f.code for f in streamed.findings) == sorted(codes)  # the streamed order differs
    assert (codes == ["JSON_TOO_DEEP"]) is (depth > MAX_DEPTH)
