"""Synthetic deliveries as files: the JSON the way the official examples are written, and the defect manifest.

The manifest is a sidecar (`<output>.manifest.json`) so that a test or a demo can hand the delivery to any
validator and still know exactly which findings it must produce.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ddas.spec.kinds import Kind
from ddas.synth.dates import Period
from ddas.synth.generator import generate
from ddas.synth.inject import Defect, inject

__all__ = ["dump", "generate_file", "manifest", "manifest_path"]


def dump(value: Any) -> bytes:
    """JSON bytes indented by two spaces, like the official examples, with a final newline."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def manifest_path(output: Path) -> Path:
    """Where the manifest of `output` goes: next to it, `<name>.manifest.json`."""
    return output.with_name(output.name + ".manifest.json")


def manifest(
    kind: Kind | str, seed: int, count: int, inject_rate: float, defects: Sequence[Defect]
) -> dict[str, Any]:
    """The manifest document: what was generated and every finding the validator must report for it."""
    return {
        "kind": Kind(kind).value,
        "seed": seed,
        "count": count,
        "inject_rate": inject_rate,
        "defects": [d.to_dict() for d in defects],
    }


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: a reader never sees half a file.

    The temporary file is opened like any other (not with `mkstemp`), so the result gets the usual permissions.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def generate_file(
    kind: Kind | str,
    count: int,
    seed: int,
    *,
    output: Path | None,
    gemeenten: Sequence[str] | None = None,
    inject_rate: float = 0.0,
    period: Period | None = None,
    pool_seed: int | None = None,
) -> tuple[bytes | Path, Path | None]:
    """Generate a delivery (with defects when `inject_rate` > 0) and write it.

    With `output`: writes the file (and, with defects, its manifest) and returns (output, manifest path or
    None). Without: returns (the JSON bytes, None) for the caller to print; defects then need a file, because
    their manifest has nowhere to go, so that combination raises ValueError.
    """
    if output is None and inject_rate > 0:
        raise ValueError("fouten injecteren vraagt om een uitvoerbestand: het manifest komt ernaast")
    document = generate(kind, count, seed, gemeenten=gemeenten, period=period, pool_seed=pool_seed)
    defects = inject(document, kind, inject_rate, seed) if inject_rate > 0 else []
    data = dump(document)
    if output is None:
        return data, None
    _write_atomically(output, data)
    if inject_rate <= 0:
        return output, None
    side = manifest_path(output)
    _write_atomically(side, dump(manifest(kind, seed, count, inject_rate, defects)))
    return output, side
