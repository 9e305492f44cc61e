"""§4.9 (SHV clients) and §4.18 (VS clients): identity, BSN, geslacht, geboortedatum, age, address."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from _doc_driver import codes, run, shv_client, shv_document, shv_traject, vs_document
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

from ddas.rules.persons import bsn_problem, normalise_postcode
from ddas.spec.kinds import Kind

CODES = (
    "CLIENT_NOT_IDENTIFIABLE",
    "BSN_INVALID",
    "BSN_DUPLICATE_IN_TRAJECT",
    "GESLACHT_INVALID",
    "GEBOORTEDATUM_INVALID",
    "AGE_IMPLAUSIBLE",
    "POSTCODE_INVALID",
    "POSTCODE_NOT_NORMALISED",
    "HUISNUMMER_OUT_OF_RANGE",
    "TOEVOEGING_TOO_LONG",
    "VS_CLIENT_NO_ADDRESS",
)

C0 = "/leveringen/0/schuldhulptrajecten/0/client/0"
C1 = "/leveringen/0/schuldhulptrajecten/0/client/1"
V0 = "/leveringen/0/vroegsignalen/0/client"

# The default documents' period ends 2025-06-30 (SHV) and 2025-01-31 (VS); the driver's today is 2026-01-01.


def shv(*clients: dict[str, Any], **header: Any) -> dict[str, Any]:
    doc = shv_document(**header)
    doc["leveringen"][0]["schuldhulptrajecten"] = [shv_traject(client=list(clients))]
    return doc


def vs(**client: Any) -> dict[str, Any]:
    doc = vs_document()
    doc["leveringen"][0]["vroegsignalen"][0]["client"].update(client)
    return doc


def drop(client: dict[str, Any], *keys: str) -> dict[str, Any]:
    for k in keys:
        client.pop(k, None)
    return client


def found(doc: Any, kind: Kind = Kind.SHV, *wanted: str, **kw: Any) -> list[tuple[str, str]]:
    return codes(run(doc, kind, **kw), *(wanted or CODES))


def test_clean_documents() -> None:
    assert found(shv(shv_client(), shv_client(Burgerservicenummer="123456782"))) == []
    assert found(vs_document(), Kind.VS) == []


# --- identity -----------------------------------------------------------------------------------------


def test_client_without_bsn_but_with_the_full_set_is_identifiable() -> None:
    assert found(shv(shv_client(Burgerservicenummer=""))) == []
    assert found(shv(drop(shv_client(), "Burgerservicenummer"))) == []


@pytest.mark.parametrize("missing", ["Geboortedatum", "Geslachtsaanduiding", "Postcode", "Huisnummer"])
def test_client_not_identifiable(missing: str) -> None:
    doc = shv(drop(shv_client(), "Burgerservicenummer", missing))
    assert found(doc) == [("CLIENT_NOT_IDENTIFIABLE", C0)]
    [f] = [f for f in run(doc, Kind.SHV) if f.code == "CLIENT_NOT_IDENTIFIABLE"]
    assert missing in f.message("nl") and missing in f.message("en")


def test_empty_value_does_not_count_for_identity() -> None:
    assert found(shv(shv_client(Burgerservicenummer="", Postcode=""))) == [("CLIENT_NOT_IDENTIFIABLE", C0)]


def test_geslacht_leeg_does_not_count_for_identity() -> None:
    """ "Leeg" records that the sex is unknown: without a BSN the person is then not identifiable."""
    assert found(shv(shv_client(Burgerservicenummer="", Geslachtsaanduiding="Leeg"))) == [
        ("CLIENT_NOT_IDENTIFIABLE", C0)
    ]
    assert found(shv(shv_client(Burgerservicenummer="", Geslachtsaanduiding="Onbekend"))) == []


def test_a_bsn_alone_identifies() -> None:
    assert found(shv({"Burgerservicenummer": "111222333"})) == []


def test_not_identifiable_is_shv_only() -> None:
    doc = vs(Burgerservicenummer="")
    del doc["leveringen"][0]["vroegsignalen"][0]["client"]["Geboortedatum"]
    assert found(doc, Kind.VS) == []


# --- BSN ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bsn", "reason"),
    [
        ("987654321", "elfproef"),
        ("123456789", "elfproef"),
        ("11122233", "9 cijfers"),
        ("1112223330", "9 cijfers"),
        ("111 222 333", "9 cijfers"),
        ("11122233X", "9 cijfers"),
        ("000000000", "nullen"),
    ],
)
def test_bsn_invalid(bsn: str, reason: str) -> None:
    doc = shv(shv_client(Burgerservicenummer=bsn))
    findings = [f for f in run(doc, Kind.SHV) if f.code in CODES]
    assert [(f.code, f.path) for f in findings] == [("BSN_INVALID", f"{C0}/Burgerservicenummer")]
    assert reason in findings[0].message("nl")
    # The number itself never appears in clear: not as value, not in a message, not in params.
    text = repr(findings[0].to_dict("nl")) + repr(findings[0].to_dict("en")) + repr(findings[0].params)
    assert bsn not in text
    assert findings[0].value != bsn


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "010000008"])
def test_bsn_valid(bsn: str) -> None:
    assert bsn_problem(bsn) is None
    assert found(shv(shv_client(Burgerservicenummer=bsn))) == []


def test_elfproef_agrees_with_stdnum() -> None:
    rng = random.Random(20250101)
    numbers = [f"{rng.randrange(10**9):09d}" for _ in range(20000)] + ["000000000", "999999999"]
    numbers += [n[:8] + str(d) for n in numbers[:500] for d in range(10)]
    for n in numbers:
        assert (bsn_problem(n) is None) == stdnum_bsn.is_valid(n), n


def test_vs_bsn_invalid() -> None:
    assert found(vs(Burgerservicenummer="123456789"), Kind.VS) == [
        ("BSN_INVALID", f"{V0}/Burgerservicenummer")
    ]
    assert found(vs(Burgerservicenummer=""), Kind.VS) == []


def test_bsn_duplicate_in_traject() -> None:
    doc = shv(shv_client(), shv_client(Geslachtsaanduiding="Man"))
    assert found(doc) == [("BSN_DUPLICATE_IN_TRAJECT", f"{C1}/Burgerservicenummer")]


def test_two_clients_without_bsn_are_not_duplicates() -> None:
    assert found(shv(shv_client(Burgerservicenummer=""), shv_client(Burgerservicenummer=""))) == []


def test_duplicate_of_an_invalid_bsn_is_still_a_duplicate() -> None:
    doc = shv(shv_client(Burgerservicenummer="123"), shv_client(Burgerservicenummer="123"))
    assert found(doc, Kind.SHV, "BSN_DUPLICATE_IN_TRAJECT") == [
        ("BSN_DUPLICATE_IN_TRAJECT", f"{C1}/Burgerservicenummer")
    ]


# --- geslacht -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("geslacht", ["M", "V", "man", "X", "Vrouw "])
def test_geslacht_invalid(geslacht: str) -> None:
    assert found(shv(shv_client(Geslachtsaanduiding=geslacht))) == [
        ("GESLACHT_INVALID", f"{C0}/Geslachtsaanduiding")
    ]


@pytest.mark.parametrize("geslacht", ["Man", "Vrouw", "Onbekend", "Leeg"])
def test_geslacht_valid(geslacht: str) -> None:
    assert found(shv(shv_client(Geslachtsaanduiding=geslacht))) == []


# --- geboortedatum and age ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "datum", ["1980-02-30", "01-05-1980", "1980/05/01", "19800501", "1980-5-1", "onbekend"]
)
def test_shv_geboortedatum_not_a_date(datum: str) -> None:
    assert found(shv(shv_client(Geboortedatum=datum))) == [("GEBOORTEDATUM_INVALID", f"{C0}/Geboortedatum")]


def test_geboortedatum_in_the_future() -> None:
    # Born after today (2026-01-01) is the future; born after the period end only makes the age implausible.
    doc = shv(shv_client(Geboortedatum="2026-01-02"))
    assert found(doc) == [("GEBOORTEDATUM_INVALID", f"{C0}/Geboortedatum")]
    assert found(doc, today=dt.date(2026, 1, 2)) == [("AGE_IMPLAUSIBLE", f"{C0}/Geboortedatum")]
    assert found(vs(Geboortedatum="2026-03-01"), Kind.VS) == [
        ("GEBOORTEDATUM_INVALID", f"{V0}/Geboortedatum")
    ]


def test_vs_leaves_the_date_format_to_the_schema() -> None:
    assert found(vs(Geboortedatum="1985-02-30"), Kind.VS) == []


@pytest.mark.parametrize(
    ("born", "plausible"),
    [
        ("2009-06-30", True),  # turns 16 on the last day of the period (2025-06-30)
        ("2009-07-01", False),  # 15 on that day
        ("1915-07-01", True),  # 109, turning 110 tomorrow
        ("1915-06-30", True),  # 110 exactly
        ("1914-06-30", False),  # 111
        ("1900-01-01", False),
    ],
)
def test_age_bounds(born: str, plausible: bool) -> None:
    doc = shv(shv_client(Geboortedatum=born))
    assert found(doc) == ([] if plausible else [("AGE_IMPLAUSIBLE", f"{C0}/Geboortedatum")])


def test_age_message_states_the_age() -> None:
    [f] = [
        f for f in run(shv(shv_client(Geboortedatum="1900-01-01")), Kind.SHV) if f.code == "AGE_IMPLAUSIBLE"
    ]
    assert "125" in f.message("nl") and "2025-06-30" in f.message("en")


def test_age_reference_is_today_without_a_period_end() -> None:
    doc = shv(shv_client(Geboortedatum="2009-07-01"))
    del doc["einddatumLevering"]
    assert found(doc, today=dt.date(2025, 7, 1)) == []
    assert found(doc, today=dt.date(2025, 6, 30)) == [("AGE_IMPLAUSIBLE", f"{C0}/Geboortedatum")]


def test_leap_day_reference() -> None:
    doc = shv(shv_client(Geboortedatum="2008-03-01"), einddatumLevering="2024-02-29")
    doc["startdatumLevering"] = "2024-01-01"
    doc["aanleverdatumEnTijd"] = "2024-03-05T10:00:00Z"
    assert found(doc) == [("AGE_IMPLAUSIBLE", f"{C0}/Geboortedatum")]
    doc["leveringen"][0]["schuldhulptrajecten"][0]["client"][0]["Geboortedatum"] = "2008-02-29"
    assert found(doc) == []


def test_vs_age() -> None:
    assert found(vs(Geboortedatum="2012-01-01"), Kind.VS) == [("AGE_IMPLAUSIBLE", f"{V0}/Geboortedatum")]


# --- postcode -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"), [("1011 AB", "1011AB"), ("1011ab", "1011AB"), (" 1011AB", "1011AB")]
)
def test_postcode_not_normalised(raw: str, normal: str) -> None:
    doc = shv(shv_client(Postcode=raw))
    findings = [f for f in run(doc, Kind.SHV) if f.code in CODES]
    assert [(f.code, f.path) for f in findings] == [("POSTCODE_NOT_NORMALISED", f"{C0}/Postcode")]
    assert normal in findings[0].message("nl")
    assert normalise_postcode(raw) == normal


@pytest.mark.parametrize("raw", ["0123AB", "1011A", "10111AB", "1011SS", "1011 SA", "B-1000", "Onbekend"])
def test_postcode_invalid(raw: str) -> None:
    assert found(shv(shv_client(Postcode=raw))) == [("POSTCODE_INVALID", f"{C0}/Postcode")]
    assert found(vs(Postcode=raw), Kind.VS) == [("POSTCODE_INVALID", f"{V0}/Postcode")]


def test_postcode_normal_form_agrees_with_stdnum() -> None:
    for digits in ("1000", "9999", "0999"):
        for a in "ABCDSZ":
            for b in "ABDSZ":
                pc = digits + a + b
                assert (normalise_postcode(pc) is not None) == stdnum_postcode.is_valid(pc), pc


def test_postcode_empty_is_absent() -> None:
    assert found(shv(shv_client(Postcode=""))) == []


# --- huisnummer and toevoeging --------------------------------------------------------------------------


@pytest.mark.parametrize("nr", ["0", "100000", "12a", "12-14", "-1", " 12", "twaalf"])
def test_huisnummer_out_of_range(nr: str) -> None:
    assert found(shv(shv_client(Huisnummer=nr))) == [("HUISNUMMER_OUT_OF_RANGE", f"{C0}/Huisnummer")]
    assert found(vs(Huisnummer=nr), Kind.VS) == [("HUISNUMMER_OUT_OF_RANGE", f"{V0}/Huisnummer")]


@pytest.mark.parametrize("nr", ["1", "99999", "012"])
def test_huisnummer_in_range(nr: str) -> None:
    assert found(shv(shv_client(Huisnummer=nr))) == []


def test_huisnummer_as_a_number_is_judged_by_its_value() -> None:
    assert found(shv(shv_client(Huisnummer=12))) == []
    assert found(shv(shv_client(Huisnummer=0))) == [("HUISNUMMER_OUT_OF_RANGE", f"{C0}/Huisnummer")]


def test_toevoeging_too_long() -> None:
    assert found(shv(shv_client(Huisnummertoevoeging="bis A"))) == [
        ("TOEVOEGING_TOO_LONG", f"{C0}/Huisnummertoevoeging")
    ]
    assert found(shv(shv_client(Huisnummertoevoeging="2hgA"))) == []
    assert found(vs(Huisnummertoevoeging="achter"), Kind.VS) == [
        ("TOEVOEGING_TOO_LONG", f"{V0}/Huisnummertoevoeging")
    ]


# --- VS address ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["Postcode", "Huisnummer"])
def test_vs_client_without_address(missing: str) -> None:
    doc = vs_document()
    del doc["leveringen"][0]["vroegsignalen"][0]["client"][missing]
    assert found(doc, Kind.VS) == [("VS_CLIENT_NO_ADDRESS", V0)]
    doc = vs(**{missing: ""})
    assert found(doc, Kind.VS) == [("VS_CLIENT_NO_ADDRESS", V0)]


def test_vs_client_with_bsn_still_needs_an_address() -> None:
    doc = vs_document()
    client = doc["leveringen"][0]["vroegsignalen"][0]["client"]
    assert client["Burgerservicenummer"]
    del client["Postcode"], client["Huisnummer"]
    assert found(doc, Kind.VS) == [("VS_CLIENT_NO_ADDRESS", V0)]


def test_vs_missing_client_is_left_to_the_schema() -> None:
    doc = vs_document()
    del doc["leveringen"][0]["vroegsignalen"][0]["client"]
    assert found(doc, Kind.VS) == []


def test_each_client_of_a_traject_is_checked() -> None:
    doc = shv(
        shv_client(), shv_client(Burgerservicenummer="123456782", Postcode="1011 ab", Geslachtsaanduiding="V")
    )
    assert found(doc) == [
        ("GESLACHT_INVALID", f"{C1}/Geslachtsaanduiding"),
        ("POSTCODE_NOT_NORMALISED", f"{C1}/Postcode"),
    ]
