"""Keyed pseudonyms: the key, the BSN and address forms, and SHV and VS agreeing on the same person."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddas.warehouse.pseudonym import (
    Pseudonym,
    PseudonymKey,
    pseudonymise_person,
    pseudonymise_shv_client,
    pseudonymise_vs_client,
)

SECRET = bytes(range(32))
KEY = PseudonymKey(SECRET)
#: Valid BSNs (they pass the elfproef); never real persons.
BSN = "111222333"
OTHER_BSN = "123456782"
INVALID_BSN = "111222334"


def _expected(label: bytes, message: str) -> str:
    return hmac.new(SECRET, label + message.encode(), hashlib.sha256).hexdigest()


# --- the key ---------------------------------------------------------------------------------------------------


def test_key_shorter_than_32_bytes_is_refused_in_dutch() -> None:
    with pytest.raises(ValueError, match="te kort"):
        PseudonymKey(b"x" * 31)
    assert repr(PseudonymKey(b"x" * 32)) == "PseudonymKey(<verborgen>)"


@pytest.mark.parametrize(
    "text",
    [
        SECRET.hex(),
        SECRET.hex().upper(),
        base64.b64encode(SECRET).decode(),
        base64.b64encode(SECRET).decode().rstrip("="),
        base64.urlsafe_b64encode(SECRET).decode(),
        base64.urlsafe_b64encode(SECRET).decode().rstrip("="),
        "  " + SECRET.hex()[:32] + "\n" + SECRET.hex()[32:] + "\n",
    ],
)
def test_key_from_config_reads_hex_and_base64(text: str) -> None:
    key = PseudonymKey.from_config(text)
    assert pseudonymise_person(key, bsn=BSN) == pseudonymise_person(KEY, bsn=BSN)


def test_urlsafe_and_standard_base64_give_the_same_key() -> None:
    secret = bytes([0xFB, 0xFF] * 24)  # encodes with + and / (standard), - and _ (URL-safe)
    standard = base64.b64encode(secret).decode()
    urlsafe = base64.urlsafe_b64encode(secret).decode()
    assert "+" in standard and "-" in urlsafe
    assert pseudonymise_person(PseudonymKey.from_config(standard), bsn=BSN) == pseudonymise_person(
        PseudonymKey.from_config(urlsafe), bsn=BSN
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", SECRET.hex()[:62], "not a key!", "ab+c-" * 10, base64.b64encode(b"short").decode()],
)
def test_key_from_config_refuses_bad_text_without_showing_it(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        PseudonymKey.from_config(text)
    message = str(raised.value)
    assert "sleutel" in message
    if text.strip():
        assert text.strip() not in message


def test_key_never_shows_the_secret() -> None:
    key = PseudonymKey.from_config(SECRET.hex())
    for shown in (repr(key), str(key), f"{key}"):
        assert SECRET.hex() not in shown
        assert base64.b64encode(SECRET).decode() not in shown


def test_key_survives_pickling_for_worker_processes() -> None:
    copy = pickle.loads(pickle.dumps(KEY))
    assert pseudonymise_person(copy, bsn=BSN) == pseudonymise_person(KEY, bsn=BSN)


# --- the pseudonym ---------------------------------------------------------------------------------------------


def test_bsn_pseudonym_is_the_labelled_hmac() -> None:
    pseudonym = pseudonymise_person(KEY, bsn=BSN)
    assert pseudonym == Pseudonym(_expected(b"ddas/bsn/1\x00", BSN), "bsn")
    assert pseudonym.value == pseudonym.value.lower() and len(pseudonym.value) == 64


def test_address_pseudonym_is_the_labelled_hmac() -> None:
    pseudonym = pseudonymise_person(
        KEY, geboortedatum="1980-02-29", postcode="1234 ab", huisnummer=7, toevoeging="a-1"
    )
    assert pseudonym == Pseudonym(_expected(b"ddas/adres/1\x00", "1980-02-29|1234AB|7|A1"), "adres")


def test_bsn_wins_over_the_address_and_spaces_are_ignored() -> None:
    full = pseudonymise_person(
        KEY, bsn="111 222 333", geboortedatum="1980-01-01", postcode="1234AB", huisnummer=1
    )
    assert full == pseudonymise_person(KEY, bsn=BSN)
    assert full is not None and full.kind == "bsn"


def test_bsn_and_address_never_share_a_pseudonym_input() -> None:
    # The same characters under the two labels give different pseudonyms.
    assert _expected(b"ddas/bsn/1\x00", "x") != _expected(b"ddas/adres/1\x00", "x")
    by_bsn = pseudonymise_person(KEY, bsn=BSN)
    by_address = pseudonymise_person(KEY, geboortedatum="1980-01-01", postcode="1234AB", huisnummer=1)
    assert by_bsn is not None and by_address is not None and by_bsn.value != by_address.value


def test_different_key_or_person_gives_a_different_pseudonym() -> None:
    other_key = PseudonymKey(b"\x01" * 32)
    assert pseudonymise_person(other_key, bsn=BSN) != pseudonymise_person(KEY, bsn=BSN)
    assert pseudonymise_person(KEY, bsn=OTHER_BSN) != pseudonymise_person(KEY, bsn=BSN)


@pytest.mark.parametrize("bad", [INVALID_BSN, "000000000", "11122233", "1112223333", "11122233a", "", "   "])
def test_unusable_bsn_falls_back_to_the_address(bad: str) -> None:
    address: dict[str, Any] = {"geboortedatum": "1980-01-01", "postcode": "1234AB", "huisnummer": 1}
    pseudonym = pseudonymise_person(KEY, bsn=bad, **address)
    assert pseudonym == pseudonymise_person(KEY, **address)
    assert pseudonym is not None and pseudonym.kind == "adres"
    assert pseudonymise_person(KEY, bsn=bad) is None


@pytest.mark.parametrize(
    "variant",
    [
        {"postcode": "1234ab", "huisnummer": "12", "toevoeging": "bis"},
        {"postcode": " 1234 AB ", "huisnummer": " 12 ", "toevoeging": " B-IS "},
        {"postcode": "1234AB", "huisnummer": "012", "toevoeging": "b is"},
        {"postcode": "1234aB", "huisnummer": 12, "toevoeging": "BIS"},
    ],
)
def test_address_is_normalised(variant: dict[str, Any]) -> None:
    base = pseudonymise_person(
        KEY, geboortedatum="1975-06-30", postcode="1234AB", huisnummer=12, toevoeging="BIS"
    )
    assert pseudonymise_person(KEY, geboortedatum="1975-06-30", **variant) == base


def test_no_toevoeging_equals_empty_toevoeging() -> None:
    address: dict[str, Any] = {"geboortedatum": "1975-06-30", "postcode": "1234AB", "huisnummer": 12}
    none = pseudonymise_person(KEY, **address)
    assert pseudonymise_person(KEY, toevoeging="", **address) == none
    assert pseudonymise_person(KEY, toevoeging=" - ", **address) == none
    assert pseudonymise_person(KEY, toevoeging="A", **address) != none


def test_geboortedatum_may_be_a_date() -> None:
    address: dict[str, Any] = {"postcode": "1234AB", "huisnummer": 12}
    assert pseudonymise_person(KEY, geboortedatum=dt.date(1975, 6, 30), **address) == pseudonymise_person(
        KEY, geboortedatum="1975-06-30", **address
    )


@pytest.mark.parametrize(
    "address",
    [
        {"postcode": "1234AB", "huisnummer": 1},
        {"geboortedatum": "1980-01-01", "huisnummer": 1},
        {"geboortedatum": "1980-01-01", "postcode": "1234AB"},
        {"geboortedatum": "1980-13-01", "postcode": "1234AB", "huisnummer": 1},
        {"geboortedatum": "19800101", "postcode": "1234AB", "huisnummer": 1},
        {"geboortedatum": "1980-01-01", "postcode": "123AB", "huisnummer": 1},
        {"geboortedatum": "1980-01-01", "postcode": "1234A", "huisnummer": 1},
        {"geboortedatum": "1980-01-01", "postcode": "1234AB", "huisnummer": 0},
        {"geboortedatum": "1980-01-01", "postcode": "1234AB", "huisnummer": -3},
        {"geboortedatum": "1980-01-01", "postcode": "1234AB", "huisnummer": "12a"},
        {"geboortedatum": "1980-01-01", "postcode": "1234AB", "huisnummer": True},
    ],
)
def test_incomplete_or_invalid_address_gives_none(address: dict[str, Any]) -> None:
    assert pseudonymise_person(KEY, **address) is None


# --- SHV and VS --------------------------------------------------------------------------------------------------


def test_same_person_in_shv_and_vs_gets_the_same_pseudonym() -> None:
    shv = {
        "Burgerservicenummer": BSN,
        "Geboortedatum": "1980-01-01",
        "Geslachtsaanduiding": "Vrouw",
        "Postcode": "1234AB",
        "Huisnummer": "5",
        "Huisnummertoevoeging": "",
    }
    vs = {
        "Burgerservicenummer": BSN,
        "Voorletters": "J.",
        "Achternaam": "Jansen",
        "Geboortedatum": "1980-01-01",
        "Straatnaam": "Dorpsstraat",
        "Postcode": "1234 ab",
        "Huisnummer": 5,
        "Huisnummertoevoeging": None,
        "Plaatsnaam": "Ergens",
    }
    assert (
        pseudonymise_shv_client(KEY, shv)
        == pseudonymise_vs_client(KEY, vs)
        == Pseudonym(_expected(b"ddas/bsn/1\x00", BSN), "bsn")
    )
    without_bsn_shv = {**shv, "Burgerservicenummer": None}
    without_bsn_vs = {k: v for k, v in vs.items() if k != "Burgerservicenummer"}
    by_address = pseudonymise_shv_client(KEY, without_bsn_shv)
    assert by_address is not None and by_address.kind == "adres"
    assert by_address == pseudonymise_vs_client(KEY, without_bsn_vs)


def test_both_models_read_the_bsn_where_the_official_schemas_put_it() -> None:
    """`Burgerservicenummer` in SHV v1.0 and in VS v0.9 (SPEC §3 writes "BSN" for short; that is no field)."""
    expected = Pseudonym(_expected(b"ddas/bsn/1\x00", BSN), "bsn")
    assert pseudonymise_shv_client(KEY, {"Burgerservicenummer": BSN}) == expected
    assert pseudonymise_vs_client(KEY, {"Burgerservicenummer": BSN}) == expected
    assert pseudonymise_shv_client(KEY, {"BSN": BSN}) is None
    assert pseudonymise_vs_client(KEY, {"BSN": BSN}) is None


def test_the_vs_bsn_field_matches_the_official_schema(spec_dir: Path) -> None:
    schema = spec_dir / "vs-v0.9" / "schema.json"
    assert '"Burgerservicenummer"' in schema.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "client",
    [
        {},
        {"Burgerservicenummer": 111222333, "BSN": 111222333},
        {"Burgerservicenummer": [BSN], "BSN": {"x": BSN}},
        {"Geboortedatum": 19800101, "Postcode": 1234, "Huisnummer": 1.5, "Huisnummertoevoeging": 3},
        {"Geboortedatum": dt.datetime(1980, 1, 1), "Postcode": "1234AB", "Huisnummer": 1},
        {"Geboortedatum": None, "Postcode": None, "Huisnummer": None, "Huisnummertoevoeging": None},
    ],
)
def test_wrong_types_count_as_absent(client: dict[str, Any]) -> None:
    assert pseudonymise_shv_client(KEY, client) is None
    assert pseudonymise_vs_client(KEY, client) is None


def test_a_non_mapping_client_gives_none() -> None:
    assert pseudonymise_shv_client(KEY, [BSN]) is None  # type: ignore[arg-type]
    assert pseudonymise_vs_client(KEY, None) is None  # type: ignore[arg-type]


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | st.dates()


@given(
    st.dictionaries(
        st.sampled_from(
            ["Burgerservicenummer", "BSN", "Geboortedatum", "Postcode", "Huisnummer", "Huisnummertoevoeging"]
        ),
        _SCALARS | st.lists(_SCALARS, max_size=2),
    )
)
def test_any_client_never_raises(client: dict[str, Any]) -> None:
    for pseudonymise in (pseudonymise_shv_client, pseudonymise_vs_client):
        pseudonym = pseudonymise(KEY, client)
        assert pseudonym is None or len(pseudonym.value) == 64


def test_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        pseudonymise_shv_client(KEY, {"Burgerservicenummer": BSN})
        pseudonymise_vs_client(KEY, {"Burgerservicenummer": INVALID_BSN, "Postcode": "1234AB"})
    assert caplog.records == []
