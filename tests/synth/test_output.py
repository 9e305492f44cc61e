"""generate_file(): the delivery as written, the manifest beside it, and bytes for stdout."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from _synth_helpers import findings, validate

from ddas.synth import dump, generate, generate_file, manifest_path


def test_without_output_returns_the_bytes() -> None:
    data, side = generate_file("shv", 20, 3, output=None)
    assert side is None
    assert data == dump(generate("shv", 20, 3))
    assert isinstance(data, bytes) and data.startswith(b'{\n  "startdatumLevering"') and data.endswith(b"}\n")


def test_clean_file_has_no_manifest(tmp_path: Path) -> None:
    out = tmp_path / "levering.json"
    written, side = generate_file("vs", 30, 4, output=out, gemeenten=["0344"])
    assert written == out and side is None
    assert out.read_bytes() == dump(generate("vs", 30, 4, gemeenten=["0344"]))
    assert not manifest_path(out).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["levering.json"]  # no temporary files left


@pytest.mark.parametrize("kind", ["shv", "vs"])
def test_injected_file_and_its_manifest(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.json"
    written, side = generate_file(kind, 200, 6, output=out, inject_rate=0.1)
    assert written == out and side == tmp_path / f"{kind}.json.manifest.json"
    assert side is not None
    man = orjson.loads(side.read_bytes())
    assert {k: man[k] for k in ("kind", "seed", "count", "inject_rate")} == {
        "kind": kind,
        "seed": 6,
        "count": 200,
        "inject_rate": 0.1,
    }
    expected = {(d["code"], d["path"], d["severity"]) for d in man["defects"]}
    assert len(expected) >= 20
    assert findings(validate(orjson.loads(out.read_bytes()), kind)) == expected


def test_injection_needs_an_output_file() -> None:
    with pytest.raises(ValueError, match="uitvoerbestand"):
        generate_file("shv", 10, 1, output=None, inject_rate=0.1)
