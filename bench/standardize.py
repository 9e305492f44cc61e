#!/usr/bin/env python3
"""Benchmark and quality report of free-text standardisation: precision/recall on the labelled set, lookups/s.

Quality, per part of the labelled set (``tests/standardize/data``: ``dev`` was seen while writing the rules,
``heldout`` was not) and per field, for the standardiser and — the baseline, in the same run — the spelling
lookup alone (exact value, then the dictionary: how values were standardised before the recognition rules).

Speed, on distinct values (the import looks each distinct cell up once and caches the outcome):
- the spelling lookup alone (the baseline);
- ``Standardizer().lookup`` on values it has not seen (new instance per round; the rules compiled, as in a
  long-running process);
- the same on values it has seen (its cache);
- compiling the rules of every field once (the first lookup of a process pays this).

The distinct values are the labelled set's values of every field, each also with a number and with words
added before and after ("2e …", "… (zie notitie 17)"), as exports have them.

    .venv/bin/python bench/standardize.py [--rounds 5] [--show-misses]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from ddas.standardize import Source, Standardizer, normalize, official_values
from ddas.standardize.evaluation import Case, Score, evaluate, load_cases
from ddas.standardize.matcher import Matcher, stem_keys
from ddas.standardize.standardizer import _builtin

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "standardize" / "data"
PARTS = {"dev": DATA / "eval_dev.tsv", "heldout": DATA / "eval_heldout.tsv"}
TEMPLATES = ("{v}", "{n}e {v}", "{v} (zie notitie {n})", "Collega {n}: {v}")


def spelled(field: str, value: str) -> str | None:
    """The baseline: exact value, then the dictionary's normalised spellings; nothing else."""
    if value in official_values(field):
        return value
    key = normalize(value)
    return _builtin(field).get(key) if key else None


def line(name: str, score: Score) -> str:
    return (
        f"| {name} | {score.cases} | {score.single} | {score.made} | {score.correct} | "
        f"{score.precision:.1%} | {score.recall:.1%} | {score.ambiguous_mapped} | {score.junk_mapped} |"
    )


def quality(show_misses: bool) -> None:
    parts = {name: load_cases(path) for name, path in PARTS.items()}
    parts["all"] = [case for cases in parts.values() for case in cases]
    print(
        "| set | values | one meaning | mapped | correct | precision | recall | ambiguous mapped | junk mapped |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, cases in parts.items():
        print(line(f"{name}: standardiser", evaluate(Standardizer().standard, cases)["*"]))
        print(line(f"{name}: baseline (spelling only)", evaluate(spelled, cases)["*"]))
    print()
    print("Per field (all values; baseline recall in brackets):")
    print()
    print("| field | values | precision | recall | ambiguous mapped |")
    print("|---|---|---|---|---|")
    scores = evaluate(Standardizer().standard, parts["all"])
    base = evaluate(spelled, parts["all"])
    for field, score in scores.items():
        if field == "*":
            continue
        print(
            f"| {field} | {score.cases} | {score.precision:.1%} | {score.recall:.1%} "
            f"({base[field].recall:.0%}) | {score.ambiguous_mapped} |"
        )
    held = evaluate(Standardizer().standard, parts["heldout"])
    print()
    print(
        "Held-out, per field:",
        ", ".join(f"{f} {s.recall:.0%}/{s.precision:.0%}" for f, s in held.items() if f != "*"),
    )
    if show_misses:
        total = scores["*"]
        for case, got in total.wrong:
            print(f"  wrong  {case.field}: {case.value!r} → {got} (expected {case.expected})")
        for case in total.missed:
            print(f"  missed {case.field}: {case.value!r} (expected {case.expected})")


def distinct_values(cases: list[Case]) -> list[tuple[str, str]]:
    values: dict[tuple[str, str], None] = {}
    for number, case in enumerate(cases):
        for template in TEMPLATES:
            values[(case.field, template.format(v=case.value, n=number % 9 + 1))] = None
    return list(values)


def rate(
    values: list[tuple[str, str]], rounds: int, make: Callable[[], Callable[[str, str], object]]
) -> float:
    """Median lookups per second over ``rounds``, each round with a fresh function from ``make``."""
    speeds = []
    for _ in range(rounds):
        lookup = make()
        started = time.perf_counter()
        for field, value in values:
            lookup(field, value)
        speeds.append(len(values) / (time.perf_counter() - started))
    return statistics.median(speeds)


def speed(rounds: int) -> None:
    cases = [case for path in PARTS.values() for case in load_cases(path)]
    values = distinct_values(cases)
    started = time.perf_counter()
    for field in {case.field for case in cases}:
        Matcher(field)
    compile_seconds = time.perf_counter() - started
    Standardizer().lookup("contactsoort", "warm")  # compiled once per process, like a long-running service
    baseline = rate(values, rounds, lambda: spelled)
    cold = rate(values, rounds, lambda: Standardizer().lookup)
    warm_standardizer = Standardizer()
    for field, value in values:
        warm_standardizer.lookup(field, value)
    warm = rate(values, rounds, lambda: warm_standardizer.lookup)
    by_rule = sum(
        1
        for field, value in values
        if (match := warm_standardizer.lookup(field, value)) is not None and match.source is Source.RULE
    )
    print()
    print(f"{len(values)} distinct values ({by_rule} mapped by the rules); median of {rounds} rounds:")
    print()
    print("| measurement | lookups/s |")
    print("|---|---|")
    print(f"| baseline: spelling lookup only (exact, dictionary) | {baseline:,.0f} |")
    print(f"| standardiser, values not seen before | {cold:,.0f} |")
    print(f"| standardiser, values seen before (its cache) | {warm:,.0f} |")
    print(
        f"| compiling the rules of all {len({c.field for c in cases})} fields once | {compile_seconds * 1000:.0f} ms |"
    )
    print(f"(stem cache: {stem_keys.cache_info().currsize} words)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--show-misses", action="store_true", help="list the values mapped wrongly or not at all"
    )
    args = parser.parse_args()
    quality(args.show_misses)
    speed(args.rounds)


if __name__ == "__main__":
    main()
