"""§4.10: TRAJECT_NO_STARTDATUM, END_BEFORE_START, TRAJECT_OUTSIDE_PERIOD, DATE_AFTER_DELIVERY."""

from __future__ import annotations

import pytest
from _shv_driver import codes, document, full_traject, of, ptr, run, traject


def test_complete_consistent_traject_has_no_findings() -> None:
    assert run(document(full_traject())) == []


def test_minimal_traject_has_no_findings() -> None:
    assert run(document(traject())) == []


# --- TRAJECT_NO_STARTDATUM -----------------------------------------------------------------------------


def test_no_startdatum_anywhere() -> None:
    t = traject(aanmelding={"crisisinterventie": False})
    del t["startdatum"]
    found = of(run(document(t)), "TRAJECT_NO_STARTDATUM")
    assert [f.path for f in found] == [ptr("startdatum")]
    assert found[0].has_value is False


def test_empty_startdatum_counts_as_missing() -> None:
    assert "TRAJECT_NO_STARTDATUM" in codes(run(document(traject(startdatum=""))))


def test_aanmelding_startdatum_is_enough() -> None:
    t = traject(aanmelding={"startdatum": "2024-01-20"})
    del t["startdatum"]
    assert "TRAJECT_NO_STARTDATUM" not in codes(run(document(t)))


def test_malformed_startdatum_is_left_to_the_schema() -> None:
    assert "TRAJECT_NO_STARTDATUM" not in codes(run(document(traject(startdatum="2024-13-45"))))


# --- END_BEFORE_START ----------------------------------------------------------------------------------


def test_traject_end_before_start() -> None:
    found = of(run(document(traject(startdatum="2024-05-01", einddatum="2024-04-30"))), "END_BEFORE_START")
    assert [(f.path, f.value) for f in found] == [(ptr("einddatum"), "2024-04-30")]
    assert "2024-04-30" in found[0].message() and "2024-05-01" in found[0].message()


def test_traject_ending_on_its_start_day_is_fine() -> None:
    found = run(document(traject(startdatum="2024-05-01", einddatum="2024-05-01")))
    assert "END_BEFORE_START" not in codes(found)


def test_traject_without_startdatum_uses_the_aanmelding() -> None:
    t = traject(einddatum="2024-01-10", aanmelding={"startdatum": "2024-01-20"})
    del t["startdatum"]
    found = of(run(document(t)), "END_BEFORE_START")
    assert [f.path for f in found] == [ptr("einddatum")]


@pytest.mark.parametrize(
    "phase", ["aanmelding", "intake", "stabilisatie", "oplossing", "nazorg", "informatieEnAdvies"]
)
def test_every_phase_is_checked(phase: str) -> None:
    bad = traject(**{phase: {"startdatum": "2024-03-10", "einddatum": "2024-03-09"}})
    good = traject(**{phase: {"startdatum": "2024-03-10", "einddatum": "2024-03-10"}})
    assert [f.path for f in of(run(document(bad)), "END_BEFORE_START")] == [ptr(phase, "einddatum")]
    assert of(run(document(good)), "END_BEFORE_START") == []


@pytest.mark.parametrize(
    "name", ["begeleiding", "crisisinterventies", "moratoria", "voorlopigeVoorzieningen"]
)
def test_every_list_item_is_checked(name: str) -> None:
    items = [
        {"startdatum": "2024-03-01", "einddatum": "2024-03-20"},
        {"startdatum": "2024-04-01", "einddatum": "2024-03-31"},
    ]
    found = of(run(document(traject(**{name: items}))), "END_BEFORE_START")
    assert [f.path for f in found] == [ptr(name, 1, "einddatum")]


def test_malformed_dates_are_not_compared() -> None:
    t = traject(
        startdatum="2024-05-01", einddatum="2024-02-30", intake={"startdatum": "x", "einddatum": "2024"}
    )
    assert "END_BEFORE_START" not in codes(run(document(t)))


# --- TRAJECT_OUTSIDE_PERIOD ----------------------------------------------------------------------------


def test_traject_starting_after_the_period() -> None:
    found = of(run(document(traject(startdatum="2025-01-02"))), "TRAJECT_OUTSIDE_PERIOD")
    assert [(f.path, f.value) for f in found] == [(ptr("startdatum"), "2025-01-02")]


def test_start_from_aanmelding_points_there() -> None:
    t = traject(aanmelding={"startdatum": "2025-01-02"})
    del t["startdatum"]
    found = of(run(document(t)), "TRAJECT_OUTSIDE_PERIOD")
    assert [f.path for f in found] == [ptr("aanmelding", "startdatum")]


def test_traject_ended_before_the_period() -> None:
    found = of(
        run(document(traject(startdatum="2023-02-01", einddatum="2023-12-31"))), "TRAJECT_OUTSIDE_PERIOD"
    )
    assert [f.path for f in found] == [ptr("einddatum")]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2023-02-01", "2024-01-01"),  # ends on the first day of the period
        ("2024-12-31", None),  # starts on the last day
        ("2020-01-01", None),  # started long ago, still running
        ("2023-01-01", "2025-06-30"),  # spans the whole period
    ],
)
def test_trajecten_touching_the_period_overlap(start: str, end: str | None) -> None:
    t = traject(startdatum=start) if end is None else traject(startdatum=start, einddatum=end)
    assert "TRAJECT_OUTSIDE_PERIOD" not in codes(run(document(t)))


def test_reversed_period_does_not_flag_every_traject() -> None:
    doc = document(
        traject(startdatum="2024-02-01"), startdatumLevering="2024-12-31", einddatumLevering="2024-01-01"
    )
    assert "TRAJECT_OUTSIDE_PERIOD" not in codes(run(doc))


# --- DATE_AFTER_DELIVERY -------------------------------------------------------------------------------


def test_dates_after_delivery_one_finding_per_field() -> None:
    t = traject(
        einddatum="2025-03-01",
        schuldregeling={"datum": "2024-06-01", "toegekend": "2025-02-01"},
        moratoria=[{"datumAanvraag": "2024-05-01", "startdatum": "2024-05-02", "einddatum": "2025-01-16"}],
        schulden=[{"bedrag": 10, "peildatum": "2025-01-16"}],
        uitstroom={"reden": "Afgerond", "datum": "2025-03-01"},
    )
    found = of(run(document(t)), "DATE_AFTER_DELIVERY")
    assert sorted(f.path for f in found) == sorted(
        [
            ptr("einddatum"),
            ptr("schuldregeling", "toegekend"),
            ptr("moratoria", 0, "einddatum"),
            ptr("schulden", 0, "peildatum"),
            ptr("uitstroom", "datum"),
        ]
    )
    assert "2025-01-15" in found[0].message()


def test_open_phases_after_delivery() -> None:
    t = traject(
        intake={"startdatum": "2025-02-01"},
        begeleiding=[{"soort": "Budgetbeheer", "startdatum": "2024-03-01"}, {"startdatum": "2025-01-16"}],
    )
    found = of(run(document(t)), "DATE_AFTER_DELIVERY")
    assert [f.path for f in found] == [ptr("intake", "startdatum"), ptr("begeleiding", 1, "startdatum")]


def test_only_the_late_fields_of_a_late_phase() -> None:
    """A phase with one late date: its other dates, one of them on the delivery day itself, are fine."""
    t = traject(schuldregeling={"datum": "2025-01-15", "toegekend": "2025-01-15", "afgewezen": "2025-01-16"})
    found = of(run(document(t)), "DATE_AFTER_DELIVERY")
    assert [f.path for f in found] == [ptr("schuldregeling", "afgewezen")]


def test_date_on_the_delivery_day_is_fine() -> None:
    t = traject(
        einddatum="2025-01-15",
        uitstroom={"reden": "Afgerond", "datum": "2025-01-15"},
        schulden=[{"bedrag": 5, "peildatum": "2025-01-15"}],
    )
    assert "DATE_AFTER_DELIVERY" not in codes(run(document(t)))


def test_no_delivery_date_no_finding() -> None:
    doc = document(traject(einddatum="2026-03-01"), aanleverdatumEnTijd="gisteren")
    assert "DATE_AFTER_DELIVERY" not in codes(run(doc))
