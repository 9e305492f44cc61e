#!/usr/bin/env python3
"""Benchmark `ddas validate` against the reference Python validator and a bare parse, as whole processes.

For a generated 25,000-traject SHV delivery, the same delivery made messy, and a 50,000-vroegsignaal VS
delivery this measures, in one run:
- `ddas validate FILE --format json` (all three layers: JSON, schema, rule catalogue; the JSON report lists
  every finding);
- the reference: python-jsonschema, Draft 2020-12 validator with format checking on, the official schema,
  schema layer only (what people use today);
- a bare `orjson.loads` of the same file (the floor: reading and parsing, nothing checked).
Each is a fresh process (startup and imports included), timed by wall clock, with its peak RSS from wait4;
ddas and the bare parse run in turns and the best of `--repeat` runs counts, the reference runs once. With
`--big` it also streams a ~1 GB delivery through `ddas validate` and reports time and peak memory.

The messy delivery is the clean one with the warnings real exports are full of, at rates seen in practice
(`MESSY` below): the schuldeiser's `naam` and `Naam` filled from different sources on most schulden,
peildatums after the delivery date, trajecten of a neighbouring gemeente in a gemeente's own levering. It is
schema-valid and has no errors, only some 180,000 warnings: what costs time is making, masking and writing
findings, not checking.

    .venv/bin/python bench/validate.py [--repeat 7] [--big] [--workdir DIR] [--no-reference]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
SPEC = (REPO / ".." / "shared" / "spec").resolve()
PY = sys.executable

REFERENCE = """
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
cls = jsonschema.Draft202012Validator
errors = sum(1 for _ in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
print(errors)
"""
BARE = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [timed(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def measure_side_by_side(cmds: list[list[str]], repeat: int) -> list[tuple[float, float]]:
    """(best seconds, peak MB) of each command, run in turns.

    On a machine shared with other work, a load that comes and goes only ever adds time: running the
    commands in turns lets it fall on all of them alike, and the best of several runs is the one it touched
    least (as `timeit` reports), so the ratio of two bests holds from run to run where medians wander.
    """
    runs: list[list[tuple[float, float, int]]] = [[] for _ in cmds]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            runs[i].append(timed(cmd))
    return [(min(r[0] for r in rs), max(r[1] for r in rs)) for rs in runs]


def generate(kind: str, count: int, path: Path) -> None:
    if not path.exists():
        subprocess.run(
            [
                PY,
                "-m",
                "ddas",
                "generate",
                kind,
                "--count",
                str(count),
                "--seed",
                "2025",
                "--output",
                str(path),
                "--gemeenten",
                "0363,0599,0518,0344",
            ],
            check=True,
        )


#: Share of schulden whose schuldeiser 'Naam' differs from 'naam' (capitals, or a legal form added), share of
#: schulden with a peildatum after the delivery date, share of trajecten that name another of the gemeenten.
MESSY = {"naam": 0.85, "peildatum": 0.05, "gemeente": 0.05}


def make_messy(clean: Path, path: Path) -> int:
    """The clean delivery with warnings injected at the `MESSY` rates; returns the number of findings.

    Written by a child process: the parent's peak memory would otherwise show in every process it starts
    afterwards (Linux keeps the high-water mark across fork and exec).
    """
    if not path.exists():
        subprocess.run([PY, __file__, "--write-messy", str(clean), str(path)], check=True)
        report = subprocess.run(
            [PY, "-m", "ddas", "validate", str(path), "--format", "json"], capture_output=True, check=False
        )
        counts = orjson.loads(report.stdout)["counts"]
        if counts["errors"]:
            raise SystemExit(f"the messy delivery should have warnings only, not {counts['errors']} errors")
        path.with_suffix(".count").write_text(str(counts["warnings"]))
    return int(path.with_suffix(".count").read_text())


def write_messy(clean: Path, path: Path) -> None:
    import datetime as dt
    import random

    doc = orjson.loads(clean.read_bytes())
    rng = random.Random(2025)
    delivered = dt.date.fromisoformat(doc["aanleverdatumEnTijd"][:10])
    late = (delivered + dt.timedelta(days=20)).isoformat()
    codes = sorted({t["gemeentecode"] for lev in doc["leveringen"] for t in lev["schuldhulptrajecten"]})
    for lev in doc["leveringen"]:
        trajecten = lev["schuldhulptrajecten"]
        own = trajecten[0]["gemeentecode"]
        lev["aanleverende_organisatie"]["gemeentecode"] = own  # a gemeente delivering its own trajecten
        others = [code for code in codes if code != own]
        for traject in trajecten:
            if others and rng.random() < MESSY["gemeente"]:
                traject["gemeentecode"] = rng.choice(others)
            for schuld in traject.get("schulden", ()):
                eiser = schuld["schuldeiser"]
                if rng.random() < MESSY["naam"]:
                    eiser["Naam"] = eiser["naam"].upper() if rng.random() < 0.5 else eiser["naam"] + " B.V."
                if rng.random() < MESSY["peildatum"]:
                    schuld["peildatum"] = late
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


def big_file(path: Path, target_bytes: int) -> int:
    """Write a ~target_bytes SHV delivery from generated chunks (distinct clients per chunk); returns trajecten."""
    from ddas.spec.kinds import Kind
    from ddas.synth import generate

    if path.exists():
        return int(path.with_suffix(".count").read_text())
    written = total = 0
    chunk_no = 0
    with path.open("wb") as out:
        first = generate(Kind.SHV, 10, seed=1)
        head = {k: v for k, v in first.items() if k != "leveringen"}
        out.write(orjson.dumps(head, option=orjson.OPT_INDENT_2)[:-2] + b',\n  "leveringen": [\n')
        while written < target_bytes:
            doc = generate(Kind.SHV, 25_000, seed=1000 + chunk_no, pool_seed=1000 + chunk_no)
            for lev in doc["leveringen"]:
                lev["teller"] = chunk_no + 1
                data = orjson.dumps(lev, option=orjson.OPT_INDENT_2)
                out.write((b",\n" if chunk_no else b"") + data)
                written += len(data)
                total += len(lev["schuldhulptrajecten"])
                chunk_no += 1
        out.write(b"\n  ]\n}\n")
    path.with_suffix(".count").write_text(str(total))
    return total


def main() -> None:
    if sys.argv[1:2] == ["--write-messy"]:
        write_messy(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=7, help="runs per measurement (best; reference runs once)"
    )
    parser.add_argument("--big", action="store_true", help="also stream a ~1 GB delivery")
    parser.add_argument("--only-big", action="store_true", help="only the ~1 GB delivery")
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated files here")
    parser.add_argument(
        "--no-reference",
        dest="reference",
        action="store_false",
        help="skip jsonschema (a minute per file): for a quick look at ddas against the bare parse",
    )
    args = parser.parse_args()
    if not SPEC.is_dir():
        raise SystemExit(f"official schemas not found at {SPEC}: the reference validator needs them")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ddas-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cases = [
        ("SHV", "shv", 25_000, "trajecten", SPEC / "shv-v1.0" / "schema.json", False),
        ("SHV", "shv", 25_000, "trajecten", SPEC / "shv-v1.0" / "schema.json", True),
        ("VS", "vs", 50_000, "vroegsignalen", SPEC / "vs-v0.9" / "schema.json", False),
    ]
    rows = []
    if args.only_big:
        args.big, cases = True, []
    for label, kind, count, unit, schema, messy in cases:
        path = workdir / f"{kind}-{count}.json"
        generate(kind, count, path)
        state = "clean"
        if messy:
            findings = make_messy(path, workdir / f"{kind}-{count}-messy.json")
            path = workdir / f"{kind}-{count}-messy.json"
            state = f"messy: {findings:,} warnings"
        size = path.stat().st_size / 1e6
        (ddas_t, ddas_m), (bare_t, bare_m) = measure_side_by_side(
            [[PY, "-m", "ddas", "validate", str(path), "--format", "json"], [PY, "-c", BARE, str(path)]],
            args.repeat,
        )
        ref_t, ref_m = (
            measure([PY, "-c", REFERENCE, str(schema), str(path)], 1) if args.reference else (0.0, 0.0)
        )
        name = f"{label} {count:,} {unit}, {state} ({size:.0f} MB)"
        rows.append((name, ddas_t, ddas_m, ref_t, ref_m, bare_t, bare_m))
    if rows:
        print()
        print(
            "| delivery | ddas validate (all layers) | jsonschema (schema only) | orjson parse only "
            "| ddas vs jsonschema | ddas / bare parse |"
        )
        print("|---|---|---|---|---|---|")
        for name, dt_, dm, rt, rm, bt, bm in rows:
            ref = f"{rt:.2f} s, {rm:.0f} MB" if rt else "–"
            faster = f"{rt / dt_:.1f}× faster" if rt else "–"
            print(
                f"| {name} | {dt_:.2f} s, {dm:.0f} MB | {ref} | {bt:.2f} s, {bm:.0f} MB "
                f"| {faster} | {dt_ / bt:.2f}× |"
            )
    if args.big:
        path = workdir / "shv-1gb.json"
        trajecten = big_file(path, 1_000_000_000)
        size = path.stat().st_size / 1e9
        big_t, big_m = measure([PY, "-m", "ddas", "validate", str(path), "--format", "json"], 1)
        bare_t, bare_m = measure([PY, "-c", BARE, str(path)], 1)
        print()
        print("| delivery | ddas validate (streamed) | orjson parse only (whole file in memory) |")
        print("|---|---|---|")
        print(
            f"| SHV {trajecten:,} trajecten ({size:.2f} GB) | {big_t:.1f} s, peak {big_m:.0f} MB "
            f"| {bare_t:.1f} s, peak {bare_m:.0f} MB |"
        )
    print(f"\n(files in {workdir}; python {sys.version.split()[0]}, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
