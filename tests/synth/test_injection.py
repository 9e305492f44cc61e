"""The validator reports exactly the injected defects: every one found, at its path, and nothing else.

These tests run the real validator (schema layer and rule catalogue) on generated files, so they also guard the
other direction: a clean generated delivery must validate without a single finding or warning.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from _synth_helpers import findings, validate

from ddas.synth import INJECTABLE, SEVERITIES, dump, generate, inject
from ddas.validation.findings import CATALOGUE

KINDS = ("shv", "vs")
_RECORD_PATH = re.compile(r"/leveringen/\d+/(schuldhulptrajecten|vroegsignalen|vroegsignaalzaken)/")
VARIANTS = {"gemeente": ["0363"], "partij": ["0344", "0599", "0014"]}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize(
    "period",
    [None, (dt.date(2024, 1, 1), dt.date(2024, 12, 31)), (dt.date(2025, 5, 1), dt.date(2025, 5, 31))],
)
def test_clean_delivery_has_no_findings(kind: str, variant: str, period: Any) -> None:
    doc = generate(kind, 400, 11, gemeenten=VARIANTS[variant], period=period)
    result = validate(doc, kind)
    assert [f.to_dict() for f in result.findings] == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(4))
def test_clean_default_delivery_has_no_findings(kind: str, seed: int) -> None:
    assert validate(generate(kind, 600, seed), kind).findings == []


def _check(kind: str, count: int, seed: int, rate: float, gemeenten: list[str] | None) -> set[str]:
    doc = generate(kind, count, seed, gemeenten=gemeenten)
    defects = inject(doc, kind, rate, seed)
    expected = {(d.code, d.path, d.severity) for d in defects}
    assert len(expected) == len(defects), "two defects claim the same finding"
    got = findings(validate(doc, kind))
    assert got - expected == set(), "reported but not injected"
    assert expected - got == set(), "injected but not reported"
    return {d.code for d in defects}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", range(3))
def test_findings_equal_the_manifest(kind: str, variant: str, seed: int) -> None:
    _check(kind, 300, seed, 0.05, VARIANTS[variant])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rate", [0.3, 1.0])
def test_findings_equal_the_manifest_at_high_rates(kind: str, rate: float) -> None:
    _check(kind, 150, 99, rate, None)


@pytest.mark.parametrize("kind", KINDS)
def test_every_injectable_code_is_injected_and_found(kind: str) -> None:
    """Over a handful of files, every code of the injector occurs and the validator finds each exactly."""
    seen: set[str] = set()
    for seed in range(40):
        gemeenten = VARIANTS["gemeente"] if seed % 2 else VARIANTS["partij"]
        seen |= _check(kind, 250, 1000 + seed, 0.3, gemeenten)
        if seen == INJECTABLE[kind]:
            break
    assert sorted(INJECTABLE[kind] - seen) == []


def test_the_injector_covers_the_whole_catalogue_it_was_asked_for() -> None:
    assert INJECTABLE["shv"] | INJECTABLE["vs"] == set(SEVERITIES)
    assert len(SEVERITIES) == 65


def test_severities_match_the_catalogue() -> None:
    validate(generate("shv", 1, 1), "shv")  # the catalogue is filled when the rule modules load
    assert {code: CATALOGUE[code].severity.value for code in SEVERITIES} == SEVERITIES


@pytest.mark.parametrize("kind", KINDS)
def test_injection_is_deterministic(kind: str) -> None:
    a, b = generate(kind, 200, 5), generate(kind, 200, 5)
    assert inject(a, kind, 0.2, 3) == inject(b, kind, 0.2, 3)
    assert dump(a) == dump(b)
    c = generate(kind, 200, 5)
    assert inject(c, kind, 0.2, 4) != inject(generate(kind, 200, 5), kind, 0.2, 3)


@pytest.mark.parametrize("kind", KINDS)
def test_rate_is_the_share_of_records(kind: str) -> None:
    doc = generate(kind, 1000, 8)
    lists = ("schuldhulptrajecten", "vroegsignalen", "vroegsignaalzaken")
    records = sum(len(lev.get(name, ())) for lev in doc["leveringen"] for name in lists)
    defects = inject(doc, kind, 0.05, 8)
    in_records = sum(bool(_RECORD_PATH.match(d.path)) for d in defects)
    # One levering defect (a traject of another gemeente) may also sit in a traject.
    assert round(0.05 * records) <= in_records <= round(0.05 * records) + 1
    assert len(defects) - in_records <= 3


@pytest.mark.parametrize("kind", KINDS)
def test_zero_rate_changes_nothing(kind: str) -> None:
    doc = generate(kind, 50, 2)
    before = copy.deepcopy(doc)
    assert inject(doc, kind, 0.0, 2) == []
    assert doc == before


def test_bad_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        inject(generate("shv", 5, 1), "shv", 1.5, 1)


def test_manifest_entries_have_the_agreed_shape() -> None:
    doc = generate("vs", 100, 1)
    entries = [d.to_dict() for d in inject(doc, "vs", 0.2, 1)]
    assert entries and all(set(e) == {"path", "severity", "code"} for e in entries)
    assert all(e["path"].startswith("/") and e["severity"] in ("error", "warning") for e in entries)
    assert Counter(e["path"] for e in entries).most_common(1)[0][1] == 1
