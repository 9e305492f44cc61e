"""§4.17–4.20: references between vroegsignalen and zaken, signal dates and amount, matching period,
contactpogingen against datum_opgepakt, resultaat against contact."""

from __future__ import annotations

from typing import Any

import pytest
from _doc_driver import codes, run, vs_document, vs_signal, vs_zaak

from ddas.spec.kinds import Kind

CODES = (
    "VROEGSIGNAAL_ID_DUPLICATE",
    "ZAAK_UNKNOWN_SIGNAL",
    "SIGNAL_IN_MULTIPLE_ZAKEN",
    "SIGNAL_WITHOUT_ZAAK",
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM",
    "SIGNAALDATUM_OUTSIDE_PERIOD",
    "AMOUNT_NEGATIVE",
    "MATCHING_PERIOD_START_AFTER_END",
    "OPGEPAKT_BEFORE_SIGNAL",
    "CONTACT_BEFORE_OPGEPAKT",
    "RESULTAAT_CONTRADICTS_CONTACT",
)

S = "/leveringen/0/vroegsignalen"
Z = "/leveringen/0/vroegsignaalzaken"


def doc(signals: list[dict[str, Any]], zaken: list[dict[str, Any]]) -> dict[str, Any]:
    d = vs_document()
    d["leveringen"][0]["vroegsignalen"] = signals
    d["leveringen"][0]["vroegsignaalzaken"] = zaken
    return d


def found(d: Any, *wanted: str, streaming: bool = False) -> list[tuple[str, str]]:
    return codes(run(d, Kind.VS, streaming=streaming), *(wanted or CODES))


def test_clean_document() -> None:
    assert found(vs_document()) == []


# --- §4.17 references ---------------------------------------------------------------------------------


def test_duplicate_id_points_at_the_second() -> None:
    d = doc([vs_signal("A"), vs_signal("B"), vs_signal("A")], [vs_zaak("A", "B")])
    assert found(d) == [("VROEGSIGNAAL_ID_DUPLICATE", f"{S}/2/ID")]


def test_same_id_in_two_leveringen_is_fine() -> None:
    d = vs_document()
    d["leveringen"].append({**d["leveringen"][0], "teller": 2})
    assert found(d) == []


def test_zaak_refers_to_unknown_signal() -> None:
    d = doc([vs_signal("A")], [vs_zaak("A", "X")])
    assert found(d) == [("ZAAK_UNKNOWN_SIGNAL", f"{Z}/0/vroegsignalen/1/ID")]


def test_zaken_before_signals_resolve_the_same() -> None:
    """References are resolved at the end of the levering, not when the zaak is seen."""
    signals = [
        vs_signal("A", signaaldatum="2025-01-15"),
        vs_signal("B", status="Inwoner is overleden"),
        vs_signal("C", signaaldatum="2025-01-20"),
    ]
    d = doc(signals, [vs_zaak("A", "X"), vs_zaak("C", "A")])
    batch = found(d)
    assert sorted(batch) == [
        ("OPGEPAKT_BEFORE_SIGNAL", f"{Z}/0/datum_opgepakt"),
        ("OPGEPAKT_BEFORE_SIGNAL", f"{Z}/1/datum_opgepakt"),
        ("SIGNAL_IN_MULTIPLE_ZAKEN", f"{Z}/1/vroegsignalen/1/ID"),
        ("SIGNAL_WITHOUT_ZAAK", f"{S}/1/status"),
        ("ZAAK_UNKNOWN_SIGNAL", f"{Z}/0/vroegsignalen/1/ID"),
    ]
    assert sorted(codes(run(d, Kind.VS, zaken_first=True), *CODES)) == sorted(batch)


def test_signal_in_two_zaken() -> None:
    d = doc([vs_signal("A"), vs_signal("B")], [vs_zaak("A"), vs_zaak("B", "A")])
    assert found(d) == [("SIGNAL_IN_MULTIPLE_ZAKEN", f"{Z}/1/vroegsignalen/1/ID")]
    [f] = [f for f in run(d, Kind.VS) if f.code == "SIGNAL_IN_MULTIPLE_ZAKEN"]
    assert f.value == "A"


def test_unknown_id_in_two_zaken_is_unknown_twice_not_multiple() -> None:
    d = doc([vs_signal("A")], [vs_zaak("A", "X"), vs_zaak("X")])
    assert found(d) == [
        ("ZAAK_UNKNOWN_SIGNAL", f"{Z}/0/vroegsignalen/1/ID"),
        ("ZAAK_UNKNOWN_SIGNAL", f"{Z}/1/vroegsignalen/0/ID"),
    ]


def test_same_id_twice_in_one_zaak_is_left_to_the_schema() -> None:
    assert found(doc([vs_signal("A")], [vs_zaak("A", "A")])) == []


@pytest.mark.parametrize(
    "status", ["Inwoner is overleden", "Persoon is geen inwoner (meer) in de gemeente", "Opgepakt"]
)
def test_signal_without_zaak(status: str) -> None:
    d = doc([vs_signal("A"), vs_signal("B", status=status)], [vs_zaak("A")])
    assert found(d) == [("SIGNAL_WITHOUT_ZAAK", f"{S}/1/status")]


@pytest.mark.parametrize(
    "status",
    [
        "Nog niet opgepakt",
        "Niet opgepakt: onterecht signaal",
        "Niet opgepakt: herhaalde melding",
        "Niet opgepakt: andere reden",
    ],
)
def test_signal_without_zaak_not_taken_up_is_fine(status: str) -> None:
    d = doc([vs_signal("A"), vs_signal("B", status=status)], [vs_zaak("A")])
    assert found(d) == []


def test_signal_in_a_zaak_may_have_any_status() -> None:
    d = doc([vs_signal("A", status="Inwoner is overleden")], [vs_zaak("A")])
    assert found(d) == []


# --- §4.18 signal dates and amount ----------------------------------------------------------------------


def test_signaaldatum_before_ontstaansdatum() -> None:
    d = doc([vs_signal("A", ontstaansdatum="2025-01-06", signaaldatum="2025-01-05")], [vs_zaak("A")])
    assert found(d) == [("SIGNAALDATUM_BEFORE_ONTSTAANSDATUM", f"{S}/0/signaaldatum")]


def test_signaaldatum_on_ontstaansdatum_is_fine() -> None:
    d = doc([vs_signal("A", ontstaansdatum="2025-01-05", signaaldatum="2025-01-05")], [vs_zaak("A")])
    assert found(d) == []


def test_malformed_signal_dates_are_left_to_the_schema() -> None:
    d = doc([vs_signal("A", ontstaansdatum="2025-01-06", signaaldatum="2025-01-0X")], [vs_zaak("A")])
    assert found(d) == []


@pytest.mark.parametrize(
    ("datum", "outside"),
    [("2024-12-31", True), ("2025-01-01", False), ("2025-01-31", False), ("2025-02-01", True)],
)
def test_signaaldatum_outside_period(datum: str, outside: bool) -> None:
    d = doc(
        [vs_signal("A", ontstaansdatum="2024-12-01", signaaldatum=datum)],
        [vs_zaak("A", datum_opgepakt="2025-02-01")],
    )
    assert found(d, "SIGNAALDATUM_OUTSIDE_PERIOD") == (
        [("SIGNAALDATUM_OUTSIDE_PERIOD", f"{S}/0/signaaldatum")] if outside else []
    )


def test_reversed_period_does_not_put_every_signal_outside() -> None:
    d = vs_document(startdatumLevering="2025-02-01", einddatumLevering="2025-01-01")
    assert found(d, "SIGNAALDATUM_OUTSIDE_PERIOD") == []


def test_negative_bedrag() -> None:
    d = doc([vs_signal("A", bedrag=-1)], [vs_zaak("A")])
    assert found(d) == [("AMOUNT_NEGATIVE", f"{S}/0/bedrag")]
    assert found(doc([vs_signal("A", bedrag=0)], [vs_zaak("A")])) == []


# --- §4.19 matching period, opgepakt, contactpogingen ----------------------------------------------------


def test_matching_period_start_after_end() -> None:
    z = vs_zaak("S1", "S2", startdatum_matchtingperiode="2025-02-01", einddatum_matchingperiode="2025-01-31")
    d = doc(vs_document()["leveringen"][0]["vroegsignalen"], [z])
    assert found(d) == [("MATCHING_PERIOD_START_AFTER_END", f"{Z}/0/startdatum_matchtingperiode")]


def test_matching_period_of_one_day_is_fine() -> None:
    z = vs_zaak("S1", "S2", startdatum_matchtingperiode="2025-01-31", einddatum_matchingperiode="2025-01-31")
    assert found(doc(vs_document()["leveringen"][0]["vroegsignalen"], [z])) == []


def test_opgepakt_before_the_first_signal() -> None:
    signals = [vs_signal("A", signaaldatum="2025-01-12"), vs_signal("B", signaaldatum="2025-01-08")]
    pogingen = [{"soort": "Telefoon", "bereikt": True, "datum": "2025-01-09"}]
    d = doc(signals, [vs_zaak("A", "B", datum_opgepakt="2025-01-07", contactpogingen=pogingen)])
    assert found(d) == [("OPGEPAKT_BEFORE_SIGNAL", f"{Z}/0/datum_opgepakt")]
    [f] = [f for f in run(d, Kind.VS) if f.code == "OPGEPAKT_BEFORE_SIGNAL"]
    assert "2025-01-08" in f.message("nl")  # the earliest of the zaak's signals


def test_opgepakt_between_the_signals_is_fine() -> None:
    signals = [vs_signal("A", signaaldatum="2025-01-12"), vs_signal("B", signaaldatum="2025-01-08")]
    pogingen = [{"soort": "Telefoon", "bereikt": True, "datum": "2025-01-09"}]
    d = doc(signals, [vs_zaak("A", "B", datum_opgepakt="2025-01-08", contactpogingen=pogingen)])
    assert found(d) == []


def test_contact_before_opgepakt_one_per_poging() -> None:
    pogingen = [
        {"soort": "Brief", "bereikt": False, "datum": "2025-01-06"},
        {"soort": "Telefoon", "bereikt": False, "datum": "2025-01-09"},
        {"soort": "Huisbezoek", "bereikt": True, "datum": "2025-01-10"},
    ]
    d = doc([vs_signal("A")], [vs_zaak("A", datum_opgepakt="2025-01-10", contactpogingen=pogingen)])
    assert found(d) == [
        ("CONTACT_BEFORE_OPGEPAKT", f"{Z}/0/contactpogingen/0/datum"),
        ("CONTACT_BEFORE_OPGEPAKT", f"{Z}/0/contactpogingen/1/datum"),
    ]


def test_contact_without_opgepakt_is_not_judged() -> None:
    z = vs_zaak("A")
    del z["datum_opgepakt"]
    z["contactpogingen"][0]["datum"] = "2025-01-05"
    assert found(doc([vs_signal("A")], [z])) == []


# --- §4.20 resultaat against contact ---------------------------------------------------------------------

NO_CONTACT = ["Definitief geen contact kunnen krijgen", "Verwijzing zonder contact"]
WITH_CONTACT = [
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
    "Inwoner hoeft geen hulp vanuit vroegsignalering",
    "Geen reactie na eerder contact",
]
NEUTRAL = ["Inwoner al bekend bij schuldhulpverlening", "Niet opgepakt: onterecht signaal"]


def _zaak(resultaat: str, *bereikt: Any) -> dict[str, Any]:
    pogingen = [{"soort": "Telefoon", "bereikt": b, "datum": "2025-01-12"} for b in bereikt]
    return vs_zaak("A", resultaat=resultaat, contactpogingen=pogingen)


@pytest.mark.parametrize("resultaat", NO_CONTACT)
def test_no_contact_result_with_a_reached_poging(resultaat: str) -> None:
    assert found(doc([vs_signal("A")], [_zaak(resultaat, False, True)])) == [
        ("RESULTAAT_CONTRADICTS_CONTACT", f"{Z}/0/resultaat")
    ]
    assert found(doc([vs_signal("A")], [_zaak(resultaat, False, False)])) == []
    assert found(doc([vs_signal("A")], [_zaak(resultaat)])) == []


@pytest.mark.parametrize("resultaat", WITH_CONTACT)
def test_contact_result_without_a_reached_poging(resultaat: str) -> None:
    for bereikt in ((), (False,), (False, None), ("true",)):
        assert found(doc([vs_signal("A")], [_zaak(resultaat, *bereikt)])) == [
            ("RESULTAAT_CONTRADICTS_CONTACT", f"{Z}/0/resultaat")
        ], bereikt
    assert found(doc([vs_signal("A")], [_zaak(resultaat, False, True)])) == []


@pytest.mark.parametrize("resultaat", NEUTRAL)
def test_neutral_results(resultaat: str) -> None:
    assert found(doc([vs_signal("A")], [_zaak(resultaat)])) == []
    assert found(doc([vs_signal("A")], [_zaak(resultaat, True)])) == []


def test_contradiction_message_in_both_languages() -> None:
    [f] = [f for f in run(doc([vs_signal("A")], [_zaak(WITH_CONTACT[0])]), Kind.VS) if f.code in CODES]
    assert "bereikt" in f.message("nl") and "reached" in f.message("en")


# --- order and streaming ------------------------------------------------------------------------------


def test_streaming_gives_the_same_findings() -> None:
    signals = [vs_signal("A"), vs_signal("A"), vs_signal("B", status="Inwoner is overleden"), vs_signal("C")]
    zaken = [vs_zaak("C", "X"), vs_zaak("A", "C", datum_opgepakt="2025-01-01")]
    d = doc(signals, zaken)
    batch = found(d)
    assert {c for c, _ in batch} >= {
        "VROEGSIGNAAL_ID_DUPLICATE",
        "ZAAK_UNKNOWN_SIGNAL",
        "SIGNAL_IN_MULTIPLE_ZAKEN",
        "SIGNAL_WITHOUT_ZAAK",
        "OPGEPAKT_BEFORE_SIGNAL",
    }
    assert found(d, streaming=True) == batch


def test_references_do_not_leak_between_leveringen() -> None:
    d = doc([vs_signal("A")], [vs_zaak("A")])
    second = {
        **d["leveringen"][0],
        "teller": 2,
        "vroegsignalen": [vs_signal("B")],
        "vroegsignaalzaken": [vs_zaak("A")],
    }
    d["leveringen"].append(second)
    assert found(d) == [("ZAAK_UNKNOWN_SIGNAL", "/leveringen/1/vroegsignaalzaken/0/vroegsignalen/0/ID")]
