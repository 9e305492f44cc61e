"""Standardisation quality on the labelled evaluation set: recall ≥ 80 % at precision ≥ 98 %, and never an
ambiguous (or junk) value mapped. The set is ``tests/standardize/data``: values as registration clerks type them,
written before the recognition rules; the held-out part was not used while writing the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddas.standardize import Standardizer, field_names, normalize
from ddas.standardize.evaluation import AMBIGUOUS, JUNK, Case, Score, evaluate, load_cases

DATA = Path(__file__).resolve().parent / "data"
PARTS = {"dev": DATA / "eval_dev.tsv", "heldout": DATA / "eval_heldout.tsv"}
MIN_RECALL = 0.80
MIN_PRECISION = 0.98


def cases(part: str) -> list[Case]:
    if part == "all":
        return [case for path in PARTS.values() for case in load_cases(path)]
    return load_cases(PARTS[part])


def test_the_set_is_large_varied_and_its_parts_apart() -> None:
    every = cases("all")
    assert len(every) >= 300
    assert {case.field for case in every} == set(field_names())  # every enum of SPEC §5 and the models
    for field in ("contactsoort", "eindresultaat"):
        labelled = [case for case in every if case.field == field]
        assert len(labelled) >= 100
        assert any(case.expected == AMBIGUOUS for case in labelled)
        assert any(case.expected == JUNK for case in labelled)
    # A value of the held-out part never repeats one of the dev part, not even in another spelling.
    dev = {(case.field, normalize(case.value)) for case in cases("dev")}
    assert not [case for case in cases("heldout") if (case.field, normalize(case.value)) in dev]


def _report(score: Score) -> str:
    wrong = [f"{case.field} {case.value!r} → {got} (verwacht {case.expected})" for case, got in score.wrong]
    missed = [f"{case.field} {case.value!r} (verwacht {case.expected})" for case in score.missed]
    return "\n".join(["fout vertaald:", *wrong, "niet vertaald:", *missed])


@pytest.mark.parametrize("part", ["dev", "heldout", "all"])
def test_recall_and_precision(part: str) -> None:
    scores = evaluate(Standardizer().standard, cases(part))
    total = scores["*"]
    assert total.ambiguous_mapped == 0, _report(total)
    assert total.junk_mapped == 0, _report(total)
    assert total.precision >= MIN_PRECISION, _report(total)
    assert total.recall >= MIN_RECALL, _report(total)
    for field in ("contactsoort", "eindresultaat"):
        assert scores[field].recall >= MIN_RECALL, (field, _report(scores[field]))
        assert scores[field].precision >= MIN_PRECISION, (field, _report(scores[field]))


def test_the_dictionary_alone_was_far_below_the_target() -> None:
    """The spelling lookup of before (exact value, then the dictionary) on the same set: the gap the rules close."""
    standardizer = Standardizer()

    def spelled(field: str, value: str) -> str | None:
        match = standardizer.lookup(field, value)
        return match.standard if match is not None and match.source.value != "rule" else None

    total = evaluate(spelled, cases("all"))["*"]
    assert total.precision == 1.0 and total.recall < 0.6


def test_load_cases_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "set.tsv"
    path.write_text("# comment\ncontactsoort\tbrief\tBrief\ncontactsoort\tbrief\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.tsv:3"):
        load_cases(path)
    path.write_text("contactsoort\tbrief\tBrieven\n", encoding="utf-8")
    with pytest.raises(ValueError, match="geen standaardwaarde"):
        load_cases(path)


def test_score_counts() -> None:
    labelled = [
        Case("contactsoort", "a", "Brief"),
        Case("contactsoort", "b", "Mail"),
        Case("contactsoort", "c", AMBIGUOUS),
        Case("contactsoort", "d", JUNK),
    ]
    answers = {"a": "Brief", "b": None, "c": "Brief", "d": None}
    score = evaluate(lambda _field, value: answers[value], labelled)["contactsoort"]
    assert (score.made, score.correct, score.single) == (2, 1, 2)
    assert (score.precision, score.recall, score.ambiguous_mapped, score.junk_mapped) == (0.5, 0.5, 1, 0)
    assert [case.value for case in score.missed] == ["b"]
