"""§4.13: toekenningsdatum, dwangakkoord, outcome dates and number of outcomes."""

from __future__ import annotations

import pytest
from _shv_driver import codes, document, of, ptr, run, traject


def regeling(**fields: object) -> dict[str, object]:
    return {"datum": "2024-03-01", **fields}


# --- TOEKENNINGSDATUM_MISMATCH -------------------------------------------------------------------------


def test_toekenningsdatum_differs_from_toegekend() -> None:
    t = traject(toekenningsdatum="2024-04-02", schuldregeling=regeling(toegekend="2024-04-01"))
    found = of(run(document(t)), "TOEKENNINGSDATUM_MISMATCH")
    assert [(f.path, f.value) for f in found] == [(ptr("toekenningsdatum"), "2024-04-02")]
    assert "2024-04-01" in found[0].message()


@pytest.mark.parametrize("schuldregeling", [None, {}, {"datum": "2024-03-01"}, {"toegekend": ""}])
def test_toekenningsdatum_without_toegekend(schuldregeling: dict[str, str] | None) -> None:
    t = traject(toekenningsdatum="2024-04-02")
    if schuldregeling is not None:
        t["schuldregeling"] = schuldregeling
    assert [f.path for f in of(run(document(t)), "TOEKENNINGSDATUM_MISMATCH")] == [ptr("toekenningsdatum")]


def test_toekenningsdatum_equal_to_toegekend_or_absent() -> None:
    same = traject(toekenningsdatum="2024-04-01", schuldregeling=regeling(toegekend="2024-04-01"))
    absent = traject(schuldregeling=regeling(afgewezen="2024-04-01"))
    assert "TOEKENNINGSDATUM_MISMATCH" not in codes(run(document(same, absent)))


# --- DWANGAKKOORD_WITHOUT_TOEGEKEND / VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD ------------------------


def test_dwangakkoord_without_toegekend() -> None:
    t = traject(schuldregeling=regeling(dwangakkoord=True, afgewezen="2024-05-01"))
    found = of(run(document(t)), "DWANGAKKOORD_WITHOUT_TOEGEKEND")
    assert [(f.path, f.value) for f in found] == [(ptr("schuldregeling", "dwangakkoord"), True)]


def test_dwangakkoord_with_toegekend_or_false() -> None:
    granted = traject(
        toekenningsdatum="2024-05-01", schuldregeling=regeling(dwangakkoord=True, toegekend="2024-05-01")
    )
    not_set = traject(schuldregeling=regeling(dwangakkoord=False))
    assert "DWANGAKKOORD_WITHOUT_TOEGEKEND" not in codes(run(document(granted, not_set)))


@pytest.mark.parametrize("extra", [{}, {"dwangakkoord": False}])
def test_verzoek_dwangakkoord_without_dwangakkoord(extra: dict[str, bool]) -> None:
    t = traject(schuldregeling=regeling(datumVerzoekDwangakkoord="2024-04-10", **extra))
    found = of(run(document(t)), "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD")
    assert [(f.path, f.value) for f in found] == [
        (ptr("schuldregeling", "datumVerzoekDwangakkoord"), "2024-04-10")
    ]


def test_verzoek_dwangakkoord_with_dwangakkoord() -> None:
    t = traject(
        toekenningsdatum="2024-05-01",
        schuldregeling=regeling(
            datumVerzoekDwangakkoord="2024-04-10", dwangakkoord=True, toegekend="2024-05-01"
        ),
    )
    assert run(document(t)) == []


# --- SCHULDREGELING_OUTCOME_BEFORE_DATUM ---------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["toegekend", "afgewezen", "ingetrokken"])
def test_outcome_before_datum(outcome: str) -> None:
    t = traject(schuldregeling=regeling(**{outcome: "2024-02-29"}))
    found = of(run(document(t)), "SCHULDREGELING_OUTCOME_BEFORE_DATUM")
    assert [(f.path, f.value) for f in found] == [(ptr("schuldregeling", outcome), "2024-02-29")]


def test_one_finding_per_outcome_field() -> None:
    t = traject(schuldregeling=regeling(toegekend="2024-02-01", ingetrokken="2024-02-02"))
    found = of(run(document(t)), "SCHULDREGELING_OUTCOME_BEFORE_DATUM")
    assert [f.path for f in found] == [
        ptr("schuldregeling", "toegekend"),
        ptr("schuldregeling", "ingetrokken"),
    ]


def test_outcome_on_or_after_datum_or_without_datum() -> None:
    on_day = traject(schuldregeling=regeling(afgewezen="2024-03-01"))
    no_datum = traject(schuldregeling={"afgewezen": "2023-01-01"})
    bad_datum = traject(schuldregeling={"datum": "2024-3-1", "afgewezen": "2023-01-01"})
    assert "SCHULDREGELING_OUTCOME_BEFORE_DATUM" not in codes(run(document(on_day, no_datum, bad_datum)))


# --- SCHULDREGELING_MULTIPLE_OUTCOMES ------------------------------------------------------------------


def test_multiple_outcomes() -> None:
    t = traject(
        toekenningsdatum="2024-04-01",
        schuldregeling=regeling(toegekend="2024-04-01", afgewezen="2024-04-02", ingetrokken="2024-04-03"),
    )
    found = of(run(document(t)), "SCHULDREGELING_MULTIPLE_OUTCOMES")
    assert [f.path for f in found] == [ptr("schuldregeling", "afgewezen")]
    assert "toegekend, afgewezen, ingetrokken" in found[0].message()


def test_single_outcome() -> None:
    t = traject(schuldregeling=regeling(ingetrokken="2024-04-03", afgewezen=""))
    assert "SCHULDREGELING_MULTIPLE_OUTCOMES" not in codes(run(document(t)))
