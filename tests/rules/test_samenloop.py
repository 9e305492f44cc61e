"""§4.15: CLIENT_OVERLAPPING_TRAJECTEN."""

from __future__ import annotations

from typing import Any

import pytest
from _shv_driver import codes, document, of, ptr, run, traject

from ddas.rules.samenloop import client_key

BSN = "111222333"
ADRES = {
    "Geboortedatum": "1981-02-03",
    "Geslachtsaanduiding": "Vrouw",
    "Postcode": "1234AB",
    "Huisnummer": "5",
}


def t(start: str, end: str | None = None, *clients: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"startdatum": start, "client": list(clients) or [{"Burgerservicenummer": BSN}]}
    if end:
        fields["einddatum"] = end
        fields["uitstroom"] = {"reden": "Afgerond", "datum": end}
    return traject(**fields)


def test_same_bsn_in_overlapping_trajecten() -> None:
    found = of(run(document(t("2024-01-01", "2024-06-30"), t("2024-06-01"))), "CLIENT_OVERLAPPING_TRAJECTEN")
    assert [f.path for f in found] == [ptr("client", 0, base=("leveringen", 0, "schuldhulptrajecten", 1))]
    assert found[0].params["ander_traject"] == "/leveringen/0/schuldhulptrajecten/0"
    message = found[0].message()
    assert "/leveringen/0/schuldhulptrajecten/0" in message and BSN not in message
    assert all(BSN not in str(v) for v in found[0].params.values())


def test_overlap_across_leveringen() -> None:
    doc = document(t("2024-01-01"))
    doc["leveringen"].append({"teller": 2, "schuldhulptrajecten": [t("2024-03-01", "2024-04-01")]})
    found = of(run(doc), "CLIENT_OVERLAPPING_TRAJECTEN")
    assert [f.path for f in found] == [ptr("client", 0, base=("leveringen", 1, "schuldhulptrajecten", 0))]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("2024-01-01", "2024-03-31"), ("2024-04-01", None)),  # sequential
        (("2024-01-01", "2024-03-31"), ("2024-03-31", None)),  # hand-over on the same day
        (("2024-05-01", None), ("2024-01-01", "2024-04-30")),  # sequential, later one listed first
    ],
)
def test_sequential_trajecten_are_fine(first: tuple[str, str | None], second: tuple[str, str | None]) -> None:
    assert "CLIENT_OVERLAPPING_TRAJECTEN" not in codes(run(document(t(*first), t(*second))))


def test_same_start_day_overlaps() -> None:
    found = run(document(t("2024-03-01", "2024-03-01"), t("2024-03-01")))
    assert "CLIENT_OVERLAPPING_TRAJECTEN" in codes(found)


def test_start_from_aanmelding() -> None:
    second = t("2024-02-01")
    del second["startdatum"]
    second["aanmelding"] = {"startdatum": "2024-02-01"}
    assert "CLIENT_OVERLAPPING_TRAJECTEN" in codes(run(document(t("2024-01-01"), second)))


def test_client_without_bsn_identified_by_address() -> None:
    spaced = {**ADRES, "Postcode": "1234 ab"}
    found = of(
        run(document(t("2024-01-01", None, ADRES), t("2024-02-01", None, spaced))),
        "CLIENT_OVERLAPPING_TRAJECTEN",
    )
    assert len(found) == 1


def test_different_toevoeging_is_another_client() -> None:
    other = {**ADRES, "Huisnummertoevoeging": "A"}
    assert run(document(t("2024-01-01", None, ADRES), t("2024-02-01", None, other))) == []


def test_incomplete_identity_is_skipped() -> None:
    incomplete = {k: v for k, v in ADRES.items() if k != "Huisnummer"}
    assert run(document(t("2024-01-01", None, incomplete), t("2024-02-01", None, incomplete))) == []


def test_second_client_of_a_couple() -> None:
    partner = {"Burgerservicenummer": "444555666"}
    doc = document(
        t("2024-01-01", None, {"Burgerservicenummer": BSN}, partner), t("2024-02-01", None, partner)
    )
    found = of(run(doc), "CLIENT_OVERLAPPING_TRAJECTEN")
    assert [f.path for f in found] == [ptr("client", 0, base=("leveringen", 0, "schuldhulptrajecten", 1))]


def test_one_finding_per_client_and_three_trajecten() -> None:
    doc = document(t("2024-01-01"), t("2024-02-01"), t("2024-03-01"))
    found = of(run(doc), "CLIENT_OVERLAPPING_TRAJECTEN")
    assert [f.params["ander_traject"] for f in found] == [
        "/leveringen/0/schuldhulptrajecten/0",
        "/leveringen/0/schuldhulptrajecten/0",
    ]


def test_same_client_twice_within_one_traject_is_not_samenloop() -> None:
    same = {"Burgerservicenummer": BSN}
    assert "CLIENT_OVERLAPPING_TRAJECTEN" not in codes(run(document(t("2024-01-01", None, same, same))))


def test_trajecten_without_start_or_with_reversed_period_are_skipped() -> None:
    no_start = t("2024-01-01")
    del no_start["startdatum"]
    reversed_ = t("2024-05-01", "2024-04-01")
    found = run(document(no_start, reversed_, t("2024-04-15")))
    assert "CLIENT_OVERLAPPING_TRAJECTEN" not in codes(found)


@pytest.mark.parametrize("einddatum", ["2024-04-01", "2024-13-01"])
def test_unreadable_period_is_not_compared(einddatum: str) -> None:
    """A traject ending before it starts, or on a date that does not exist, has no period to compare."""
    broken = t("2024-05-01", einddatum)
    assert "CLIENT_OVERLAPPING_TRAJECTEN" not in codes(run(document(broken, t("2024-05-01"))))


def test_client_key() -> None:
    assert client_key({"Burgerservicenummer": BSN, **ADRES}) == BSN
    assert client_key({"Burgerservicenummer": "12345678", **ADRES}) == (
        "1981-02-03",
        "Vrouw",
        "1234AB",
        "5",
        "",
    )
    assert client_key({**ADRES, "Huisnummer": ""}) is None
    assert client_key({**ADRES, "Huisnummer": 5}) is None
    assert client_key("not a client") is None
