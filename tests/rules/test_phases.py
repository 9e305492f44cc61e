"""§4.11, §4.12, §4.16: phase order, uitstroom, moratoria, crisisinterventie, afwijzing."""

from __future__ import annotations

import datetime as dt

import pytest
from _shv_driver import codes, document, full_traject, of, ptr, run, traject

from ddas.rules.dates import day
from ddas.rules.phases import six_months_later

# --- PHASES_OUT_OF_ORDER -------------------------------------------------------------------------------


def test_intake_before_aanmelding() -> None:
    t = traject(aanmelding={"startdatum": "2024-03-01"}, intake={"startdatum": "2024-02-28"})
    found = of(run(document(t)), "PHASES_OUT_OF_ORDER")
    assert [(f.path, f.value) for f in found] == [(ptr("intake", "startdatum"), "2024-02-28")]
    assert "aanmelding" in found[0].message() and "2024-03-01" in found[0].message()


def test_same_day_phases_are_in_order() -> None:
    t = traject(aanmelding={"startdatum": "2024-03-01"}, intake={"startdatum": "2024-03-01"})
    assert "PHASES_OUT_OF_ORDER" not in codes(run(document(t)))


def test_missing_phases_are_skipped() -> None:
    # schuldregeling before aanmelding, with intake, plan and oplossing absent: the pair is still adjacent.
    t = traject(aanmelding={"startdatum": "2024-03-01"}, schuldregeling={"datum": "2024-02-01"})
    found = of(run(document(t)), "PHASES_OUT_OF_ORDER")
    assert [f.path for f in found] == [ptr("schuldregeling", "datum")]


def test_one_finding_per_violated_pair() -> None:
    full = full_traject()
    full["planVanAanpak"]["datumAfronding"] = "2024-01-15"  # before intake (2024-01-22), after aanmelding
    full["nazorg"]["startdatum"] = "2024-03-31"  # before oplossing (2024-04-01)
    found = of(run(document(full)), "PHASES_OUT_OF_ORDER")
    assert [f.path for f in found] == [ptr("planVanAanpak", "datumAfronding"), ptr("nazorg", "startdatum")]


def test_malformed_date_does_not_take_part() -> None:
    t = traject(
        aanmelding={"startdatum": "2024-03-01"},
        intake={"startdatum": "2024-99-99"},
        oplossing={"startdatum": "2024-04-01"},
    )
    assert "PHASES_OUT_OF_ORDER" not in codes(run(document(t)))


# --- uitstroom (§4.12) ---------------------------------------------------------------------------------


def test_uitstroom_without_einddatum() -> None:
    found = of(run(document(traject(uitstroom={"reden": "Zelf"}))), "UITSTROOM_WITHOUT_EINDDATUM")
    assert [f.path for f in found] == [ptr("einddatum")]


def test_empty_uitstroom_object_is_not_uitstroom() -> None:
    assert "UITSTROOM_WITHOUT_EINDDATUM" not in codes(run(document(traject(uitstroom={}))))


def test_ended_without_reden() -> None:
    found = of(run(document(traject(einddatum="2024-06-30"))), "ENDED_WITHOUT_REDEN")
    assert [f.path for f in found] == [ptr("uitstroom", "reden")]
    t = traject(einddatum="2024-06-30", uitstroom={"datum": "2024-06-30"})
    assert "ENDED_WITHOUT_REDEN" in codes(run(document(t)))


def test_ended_with_reden() -> None:
    t = traject(einddatum="2024-06-30", uitstroom={"reden": "Verhuisd"})
    assert "ENDED_WITHOUT_REDEN" not in codes(run(document(t)))


@pytest.mark.parametrize(
    ("einddatum", "datum", "beschikking", "where"),
    [
        ("2024-06-30", "2024-06-29", None, ("uitstroom", "datum")),
        ("2024-06-30", "2024-06-30", "2024-07-02", ("uitstroom", "datumBeeindigingsbeschikking")),
        ("2024-06-30", None, "2024-06-01", ("uitstroom", "datumBeeindigingsbeschikking")),
        ("2024-06-30", "2024-06-01", "2024-06-02", ("uitstroom", "datum")),
    ],
)
def test_einddatum_uitstroom_mismatch(
    einddatum: str, datum: str | None, beschikking: str | None, where: tuple[str, ...]
) -> None:
    uitstroom = {"reden": "Afgerond"}
    if datum:
        uitstroom["datum"] = datum
    if beschikking:
        uitstroom["datumBeeindigingsbeschikking"] = beschikking
    found = of(
        run(document(traject(einddatum=einddatum, uitstroom=uitstroom))), "EINDDATUM_UITSTROOM_MISMATCH"
    )
    assert [f.path for f in found] == [ptr(*where)]


def test_uitstroom_dates_compared_without_einddatum() -> None:
    t = traject(uitstroom={"datum": "2024-06-30", "datumBeeindigingsbeschikking": "2024-07-01"})
    found = of(run(document(t)), "EINDDATUM_UITSTROOM_MISMATCH")
    assert [f.path for f in found] == [ptr("uitstroom", "datumBeeindigingsbeschikking")]


@pytest.mark.parametrize(
    "uitstroom",
    [
        {"reden": "Afgerond", "datum": "2024-06-30", "datumBeeindigingsbeschikking": "2024-06-30"},
        {"reden": "Afgerond", "datumBeeindigingsbeschikking": "2024-06-30"},
        {"reden": "Afgerond", "datum": "30-06-2024"},  # malformed: the schema's to report
    ],
)
def test_matching_uitstroom_dates(uitstroom: dict[str, str]) -> None:
    assert "EINDDATUM_UITSTROOM_MISMATCH" not in codes(
        run(document(traject(einddatum="2024-06-30", uitstroom=uitstroom)))
    )


# --- MORATORIUM_TOO_LONG -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "too_long"),
    [
        ("2024-02-05", "2024-08-05", False),  # exactly six months
        ("2024-02-05", "2024-08-06", True),
        ("2024-08-31", "2025-02-28", False),  # clipped to the end of February
        ("2024-08-31", "2025-03-01", True),
        ("2024-01-01", "2025-01-01", True),
    ],
)
def test_moratorium_length(start: str, end: str, too_long: bool) -> None:
    t = traject(
        moratoria=[
            {"startdatum": "2024-01-02", "einddatum": "2024-02-01"},
            {"startdatum": start, "einddatum": end},
        ]
    )
    found = of(run(document(t)), "MORATORIUM_TOO_LONG")
    assert [f.path for f in found] == ([ptr("moratoria", 1, "einddatum")] if too_long else [])


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        ("2024-08-31", "2025-02-28"),
        ("2023-08-31", "2024-02-29"),
        ("2024-07-15", "2025-01-15"),
        ("2024-06-30", "2024-12-30"),
    ],
)
def test_six_months_later(start: str, last_day: str) -> None:
    """The unclipped "31 February" orders between the clipped last day and the first day of the next month."""
    limit = six_months_later(day(start))
    following = dt.date.fromisoformat(last_day) + dt.timedelta(days=1)
    assert day(last_day) <= limit < day(following.isoformat())


# --- CRISISINTERVENTIE_INCONSISTENT --------------------------------------------------------------------


@pytest.mark.parametrize("extra", [{}, {"crisisinterventies": []}])
def test_flag_without_crisisinterventies(extra: dict[str, list[object]]) -> None:
    t = traject(aanmelding={"startdatum": "2024-02-01", "crisisinterventie": True}, **extra)
    found = of(run(document(t)), "CRISISINTERVENTIE_INCONSISTENT")
    assert [(f.path, f.value) for f in found] == [(ptr("aanmelding", "crisisinterventie"), True)]


def test_crisisinterventies_without_flag() -> None:
    items = [{"startdatum": "2024-02-02"}]
    for aanmelding in ({"crisisinterventie": False}, {"startdatum": "2024-02-01"}, None):
        t = (
            traject(crisisinterventies=items)
            if aanmelding is None
            else traject(crisisinterventies=items, aanmelding=aanmelding)
        )
        found = of(run(document(t)), "CRISISINTERVENTIE_INCONSISTENT")
        assert [f.path for f in found] == [ptr("aanmelding", "crisisinterventie")]


def test_consistent_crisis() -> None:
    yes = traject(aanmelding={"crisisinterventie": True}, crisisinterventies=[{"startdatum": "2024-02-02"}])
    no = traject(aanmelding={"crisisinterventie": False}, crisisinterventies=[])
    assert "CRISISINTERVENTIE_INCONSISTENT" not in codes(run(document(yes, no)))


def test_non_boolean_flag_is_left_to_the_schema() -> None:
    t = traject(aanmelding={"crisisinterventie": "ja"})
    assert "CRISISINTERVENTIE_INCONSISTENT" not in codes(run(document(t)))


# --- AFWIJZING_WITH_OPLOSSING --------------------------------------------------------------------------


def test_afwijzing_followed_by_oplossing() -> None:
    intake = {"startdatum": "2024-02-05", "beschikkingssoort": "Afwijzingsbeschikking"}
    found = of(
        run(document(traject(intake=intake, oplossing={"soort": "Betalingsregeling"}))),
        "AFWIJZING_WITH_OPLOSSING",
    )
    assert [(f.path, f.value) for f in found] == [(ptr("oplossing", "soort"), "Betalingsregeling")]
    found = of(
        run(document(traject(intake=intake, oplossing={"startdatum": "2024-04-01"}))),
        "AFWIJZING_WITH_OPLOSSING",
    )
    assert [f.path for f in found] == [ptr("oplossing", "startdatum")]


def test_afwijzing_without_oplossing_or_toelating_with_oplossing() -> None:
    afwijzing = {"beschikkingssoort": "Afwijzingsbeschikking"}
    toelating = {"beschikkingssoort": "Toelatingsbeschikking"}
    doc = document(
        traject(intake=afwijzing),
        traject(intake=afwijzing, oplossing={"vtlb": 1200}),
        traject(intake=toelating, oplossing={"soort": "Saneringskrediet"}),
    )
    assert "AFWIJZING_WITH_OPLOSSING" not in codes(run(doc))
