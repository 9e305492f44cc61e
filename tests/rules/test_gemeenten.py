"""§4.7–4.8 (and §4.18): GEMEENTECODE_INVALID, GEMEENTECODE_ONBEKEND, GEMEENTECODE_NOT_IN_PERIOD,
LEVERING_MIXED_GEMEENTEN, TRAJECT_OTHER_GEMEENTE."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from _doc_driver import codes, run, shv_document, shv_traject, vs_document

from ddas.rules.gemeenten import normalise_gemeentecode
from ddas.spec.kinds import Kind

CODES = (
    "GEMEENTECODE_INVALID",
    "GEMEENTECODE_ONBEKEND",
    "GEMEENTECODE_NOT_IN_PERIOD",
    "LEVERING_MIXED_GEMEENTEN",
    "TRAJECT_OTHER_GEMEENTE",
)

T = "/leveringen/0/schuldhulptrajecten"


def third_party(*traject_codes: str) -> dict[str, Any]:
    """A document by a party that is no gemeente (no org gemeentecode), with trajecten of these codes."""
    doc = shv_document()
    lev = doc["leveringen"][0]
    lev["aanleverende_organisatie"].update({"gemeentecode": "", "KvK-nummer": "12345678"})
    lev["schuldhulptrajecten"] = [shv_traject(gemeentecode=c) for c in traject_codes]
    return doc


def gemeente(org_code: str, *traject_codes: str) -> dict[str, Any]:
    doc = third_party(*traject_codes)
    doc["leveringen"][0]["aanleverende_organisatie"].update({"gemeentecode": org_code, "KvK-nummer": ""})
    return doc


def found(doc: Any, kind: Kind = Kind.SHV, *wanted: str, **kw: Any) -> list[tuple[str, str]]:
    return codes(run(doc, kind, **kw), *(wanted or CODES))


def test_clean_documents() -> None:
    assert found(shv_document()) == []
    assert found(vs_document(), Kind.VS) == []


# --- §4.7 form -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0363", "GM0363", "0001", "GM1234"])
def test_valid_forms(code: str) -> None:
    assert found(third_party(code)) == []


@pytest.mark.parametrize(
    "code", ["GM001", "363", "03630", "gm0363", "GM 0363", " 0363", "Amsterdam", "onbekend", ""]
)
def test_invalid_traject_gemeentecode(code: str) -> None:
    assert found(third_party(code)) == [("GEMEENTECODE_INVALID", f"{T}/0/gemeentecode")]


def test_invalid_code_message_names_the_code() -> None:
    [f] = [f for f in run(third_party("GM001"), Kind.SHV) if f.code == "GEMEENTECODE_INVALID"]
    assert f.value == "GM001" and "GM001" in f.message("nl") and "GM001" in f.message("en")


def test_onbekend_is_a_warning_not_an_error() -> None:
    assert found(third_party("Onbekend")) == [("GEMEENTECODE_ONBEKEND", f"{T}/0/gemeentecode")]


def test_missing_or_mistyped_traject_code_is_left_to_the_schema() -> None:
    doc = third_party("0363", "0363")
    del doc["leveringen"][0]["schuldhulptrajecten"][0]["gemeentecode"]
    doc["leveringen"][0]["schuldhulptrajecten"][1]["gemeentecode"] = 363
    assert found(doc) == []


def test_org_gemeentecode_checked_when_filled() -> None:
    doc = gemeente("GM01", "0363")
    assert ("GEMEENTECODE_INVALID", "/leveringen/0/aanleverende_organisatie/gemeentecode") in found(doc)
    assert found(third_party("0363")) == []  # empty org code: a third party, nothing to check


def test_vs_levering_gemeentecode() -> None:
    doc = vs_document()
    doc["leveringen"][0]["gemeentecode"] = "518"
    assert found(doc, Kind.VS) == [("GEMEENTECODE_INVALID", "/leveringen/0/gemeentecode")]
    doc["leveringen"][0]["gemeentecode"] = "GM0518"
    assert found(doc, Kind.VS) == []


# --- §4.7 reference list -------------------------------------------------------------------------------

REFERENCE = {
    "0363": (dt.date(1900, 1, 1), None),  # Amsterdam
    "0370": (dt.date(1900, 1, 1), dt.date(2021, 12, 31)),  # Beemster, merged into Purmerend in 2022
    "1991": (dt.date(2026, 1, 1), None),  # a gemeente that only starts after the period
}


def test_reference_list_only_when_given() -> None:
    assert found(third_party("9999")) == []
    assert found(third_party("9999"), gemeenten=REFERENCE) == [
        ("GEMEENTECODE_NOT_IN_PERIOD", f"{T}/0/gemeentecode")
    ]


@pytest.mark.parametrize("code", ["0363", "GM0363"])
def test_reference_list_accepts_a_gemeente_of_the_period(code: str) -> None:
    assert found(third_party(code), gemeenten=REFERENCE) == []


@pytest.mark.parametrize(("code", "words"), [("0370", "opgeheven"), ("GM1991", "pas sinds")])
def test_reference_list_rejects_a_gemeente_outside_the_period(code: str, words: str) -> None:
    findings = [f for f in run(third_party(code), Kind.SHV, gemeenten=REFERENCE) if f.code in CODES]
    assert [(f.code, f.path) for f in findings] == [("GEMEENTECODE_NOT_IN_PERIOD", f"{T}/0/gemeentecode")]
    assert words in findings[0].message("nl")


def test_reference_list_with_gm_keys() -> None:
    ref = {"GM0363": (None, None)}
    assert found(third_party("0363"), gemeenten=ref) == []


def test_reference_list_applies_to_vs_levering() -> None:
    assert found(vs_document(), Kind.VS, gemeenten=REFERENCE) == [
        ("GEMEENTECODE_NOT_IN_PERIOD", "/leveringen/0/gemeentecode")
    ]
    assert found(vs_document(), Kind.VS, gemeenten={"0518": (None, None)}) == []


def test_invalid_codes_are_not_looked_up() -> None:
    assert found(third_party("GM001"), gemeenten=REFERENCE) == [
        ("GEMEENTECODE_INVALID", f"{T}/0/gemeentecode")
    ]


# --- §4.8 one gemeente per levering --------------------------------------------------------------------


def test_mixed_gemeenten_once_per_levering_at_the_first_difference() -> None:
    doc = third_party("0363", "GM0363", "0599", "0344", "0363")
    assert found(doc) == [("LEVERING_MIXED_GEMEENTEN", f"{T}/2/gemeentecode")]


def test_gm_prefix_does_not_make_a_difference() -> None:
    assert found(third_party("GM0363", "0363", "GM0363")) == []


def test_onbekend_is_not_another_gemeente() -> None:
    assert found(third_party("0363", "Onbekend"), Kind.SHV, "LEVERING_MIXED_GEMEENTEN") == []


def test_mixed_is_judged_per_levering() -> None:
    doc = third_party("0363")
    second = {**doc["leveringen"][0], "teller": 2, "schuldhulptrajecten": [shv_traject(gemeentecode="0599")]}
    doc["leveringen"].append(second)
    assert found(doc) == []


def test_gemeente_delivering_another_gemeentes_traject() -> None:
    doc = gemeente("0363", "0363", "0599", "GM0363", "0344")
    assert found(doc, Kind.SHV, "TRAJECT_OTHER_GEMEENTE") == [
        ("TRAJECT_OTHER_GEMEENTE", f"{T}/1/gemeentecode"),
        ("TRAJECT_OTHER_GEMEENTE", f"{T}/3/gemeentecode"),
    ]


def test_gemeente_with_gm_prefix_delivering_its_own() -> None:
    assert found(gemeente("GM0363", "0363", "GM0363")) == []


def test_third_party_may_deliver_any_gemeente() -> None:
    assert found(third_party("0599"), Kind.SHV, "TRAJECT_OTHER_GEMEENTE") == []


def test_streaming_gives_the_same_findings() -> None:
    doc = gemeente("GM01", "0363", "0599", "Onbekend", "x")
    batch = found(doc)
    assert {c for c, _ in batch} == set(CODES) - {"GEMEENTECODE_NOT_IN_PERIOD"}
    assert found(doc, streaming=True) == batch


def test_normalise() -> None:
    assert normalise_gemeentecode("GM0363") == normalise_gemeentecode("0363") == "0363"
    assert normalise_gemeentecode(" gm001 ") == "001"
