"""The document, gemeente, person and VS rules on the official examples (read from ../shared/spec/, skipped
when that folder is absent).

Every expectation is derived from the example's data and the rule as SPEC.md §4 states it — computed here with
independent means (stdnum for the BSN elfproef and postcodes, a plain pattern for gemeentecodes, date strings
compared directly) — never copied from this implementation's output.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from _doc_driver import SPEC_DIR, TODAY, run, spec_example
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding

SHV_EXAMPLES = [
    "shv-v1.0/enkelvoudigVoorbeeld.json",
    "shv-v1.0/meervoudigVoorbeeld.json",
    "shv-v1.0/meerdereLeveringenVoorbeeld.json",
    "shv-v1.0/samenloopVoorbeeldDeel1.json",
    "shv-v1.0/samenloopVoorbeeldDeel2.json",
]
VS_EXAMPLES = ["vs-v0.9/enkelvoudigVoorbeeld.json", "vs-v0.9/meervoudigVoorbeeld.json"]

DOC_CODES = {
    "PERIOD_START_AFTER_END",
    "DELIVERED_BEFORE_PERIOD_END",
    "TELLER_DUPLICATE",
    "TELLER_NOT_SEQUENTIAL",
    "SUPPLIER_CODE_NO_VERSION",
    "ORG_NO_IDENTIFIER",
    "KVK_INVALID",
    "CONTACT_NO_VALID_EMAIL",
}
GEMEENTE_CODES = {
    "GEMEENTECODE_INVALID",
    "GEMEENTECODE_ONBEKEND",
    "GEMEENTECODE_NOT_IN_PERIOD",
    "LEVERING_MIXED_GEMEENTEN",
    "TRAJECT_OTHER_GEMEENTE",
}
PERSON_CODES = {
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
}
VS_CODES = {
    "VROEGSIGNAAL_ID_DUPLICATE",
    "ZAAK_UNKNOWN_SIGNAL",
    "SIGNAL_IN_MULTIPLE_ZAKEN",
    "SIGNAL_WITHOUT_ZAAK",
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM",
    "SIGNAALDATUM_OUTSIDE_PERIOD",
    "MATCHING_PERIOD_START_AFTER_END",
    "OPGEPAKT_BEFORE_SIGNAL",
    "CONTACT_BEFORE_OPGEPAKT",
    "RESULTAAT_CONTRADICTS_CONTACT",
}
ALL = DOC_CODES | GEMEENTE_CODES | PERSON_CODES | VS_CODES

# SPEC §4.7: 4 digits, GM + 4 digits, or Onbekend.
GEMEENTECODE = re.compile(r"(GM)?[0-9]{4}|Onbekend")

# SPEC §4.20, the results named in the rule.
NO_CONTACT = {"Definitief geen contact kunnen krijgen", "Verwijzing zonder contact"}
WITH_CONTACT = {
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
    "Inwoner hoeft geen hulp vanuit vroegsignalering",
    "Geen reactie na eerder contact",
}


def mine(findings: list[Finding], codes: set[str] = ALL) -> set[tuple[str, str]]:
    return {(f.code, f.path) for f in findings if f.code in codes}


def of(findings: list[Finding], code: str) -> set[str]:
    return {f.path for f in findings if f.code == code}


def person_expectations(client: dict[str, Any], base: str) -> set[tuple[str, str]]:
    """BSN elfproef and postcode form, judged by stdnum; the examples' persons are otherwise unremarkable."""
    out: set[tuple[str, str]] = set()
    bsn = client.get("Burgerservicenummer")
    if bsn and not stdnum_bsn.is_valid(bsn):
        out.add(("BSN_INVALID", f"{base}/Burgerservicenummer"))
    pc = client.get("Postcode")
    if pc and not stdnum_postcode.is_valid(pc):
        out.add(("POSTCODE_INVALID", f"{base}/Postcode"))
    return out


# --- SHV ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHV_EXAMPLES)
def test_shv_example(name: str) -> None:
    doc = spec_example(name)
    found = run(doc, Kind.SHV)
    expected: set[tuple[str, str]] = set()

    # §4.4: the supplier codes ("GL987654", "GL123456", "SL001", …) are names with a number, no version.
    assert not re.search(r"\d\.\d|\bv\d|versie", doc["codeGegevensleverancier"], re.IGNORECASE)
    expected.add(("SUPPLIER_CODE_NO_VERSION", "/codeGegevensleverancier"))

    # §4.2: delivered on the last day of the period, which is allowed.
    assert doc["aanleverdatumEnTijd"][:10] >= doc["einddatumLevering"] >= doc["startdatumLevering"]

    for i, lev in enumerate(doc["leveringen"]):
        assert lev["teller"] == i + 1  # §4.3: tellers 1..n
        org = lev["aanleverende_organisatie"]
        assert re.fullmatch(r"[0-9]{8}", org["KvK-nummer"])  # §4.5: a valid KvK, so identified
        org_code = org["gemeentecode"]
        # The organisations carry both a KvK and a gemeentecode; every gemeentecode is GM + 3 digits.
        if not GEMEENTECODE.fullmatch(org_code):
            expected.add(("GEMEENTECODE_INVALID", f"/leveringen/{i}/aanleverende_organisatie/gemeentecode"))
        first, mixed = None, False
        for j, traject in enumerate(lev["schuldhulptrajecten"]):
            t = f"/leveringen/{i}/schuldhulptrajecten/{j}"
            code = traject["gemeentecode"]
            if not GEMEENTECODE.fullmatch(code):
                expected.add(("GEMEENTECODE_INVALID", f"{t}/gemeentecode"))
            if first is None:
                first = code
            elif code != first and not mixed:  # once per levering, at the first difference
                mixed = True
                expected.add(("LEVERING_MIXED_GEMEENTEN", f"{t}/gemeentecode"))
            if code != org_code:  # the organisation presents itself as a gemeente (its gemeentecode is set)
                expected.add(("TRAJECT_OTHER_GEMEENTE", f"{t}/gemeentecode"))
            for k, client in enumerate(traject["client"]):
                expected |= person_expectations(client, f"{t}/client/{k}")

    assert mine(found) == expected


def test_shv_examples_known_consequences() -> None:
    """The concrete facts the programme's examples lead to, spelled out."""
    single = run(spec_example("shv-v1.0/enkelvoudigVoorbeeld.json"), Kind.SHV)
    # "987654321" fails the elfproef: 9·9+8·8+7·7+6·6+5·5+4·4+3·3+2·2−1 = 283, and 283 mod 11 = 8.
    assert of(single, "BSN_INVALID") == {"/leveringen/0/schuldhulptrajecten/0/client/0/Burgerservicenummer"}
    [bsn] = [f for f in single if f.code == "BSN_INVALID"]
    assert bsn.value == "*****4321"
    # "GM001" is GM + 3 digits: invalid on the traject and on the organisation.
    assert of(single, "GEMEENTECODE_INVALID") == {
        "/leveringen/0/schuldhulptrajecten/0/gemeentecode",
        "/leveringen/0/aanleverende_organisatie/gemeentecode",
    }
    assert of(single, "SUPPLIER_CODE_NO_VERSION") == {"/codeGegevensleverancier"}

    multi = run(spec_example("shv-v1.0/meervoudigVoorbeeld.json"), Kind.SHV)
    # Ten trajecten in one levering for GM002 (twice) and GM003 … GM010 (SPEC §4.8 names this example).
    assert of(multi, "LEVERING_MIXED_GEMEENTEN") == {"/leveringen/0/schuldhulptrajecten/2/gemeentecode"}
    assert len(of(multi, "TRAJECT_OTHER_GEMEENTE")) == 8

    several = run(spec_example("shv-v1.0/meerdereLeveringenVoorbeeld.json"), Kind.SHV)
    # Five leveringen, one gemeente each, tellers 1..5: none of the §4.3 or §4.8 warnings.
    assert not of(several, "LEVERING_MIXED_GEMEENTEN") | of(several, "TELLER_NOT_SEQUENTIAL")


# --- VS -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VS_EXAMPLES)
def test_vs_example(name: str) -> None:
    doc = spec_example(name)
    found = run(doc, Kind.VS)
    expected: set[tuple[str, str]] = {("SUPPLIER_CODE_NO_VERSION", "/codeGegevensleverancier")}
    assert doc["codeGegevensleverancier"] == "SOFT-123"
    start, end = doc["startdatumLevering"], doc["einddatumLevering"]

    for i, lev in enumerate(doc["leveringen"]):
        lp = f"/leveringen/{i}"
        assert lev["teller"] == i + 1
        assert GEMEENTECODE.fullmatch(lev["gemeentecode"])  # "0518", "0307": real 4-digit codes
        signals = {s["ID"]: s for s in lev["vroegsignalen"]}
        assert len(signals) == len(lev["vroegsignalen"])  # unique IDs
        referenced = [r["ID"] for z in lev["vroegsignaalzaken"] for r in z["vroegsignalen"]]
        assert sorted(referenced) == sorted(signals)  # every signal in exactly one zaak, no unknown IDs

        for j, s in enumerate(lev["vroegsignalen"]):
            sp = f"{lp}/vroegsignalen/{j}"
            expected |= person_expectations(s["client"], f"{sp}/client")
            if s["signaaldatum"] < s["ontstaansdatum"]:
                expected.add(("SIGNAALDATUM_BEFORE_ONTSTAANSDATUM", f"{sp}/signaaldatum"))
            if not start <= s["signaaldatum"] <= end:
                expected.add(("SIGNAALDATUM_OUTSIDE_PERIOD", f"{sp}/signaaldatum"))

        for j, z in enumerate(lev["vroegsignaalzaken"]):
            zp = f"{lp}/vroegsignaalzaken/{j}"
            opgepakt = z["datum_opgepakt"]
            if z["startdatum_matchtingperiode"] > z["einddatum_matchingperiode"]:
                expected.add(("MATCHING_PERIOD_START_AFTER_END", f"{zp}/startdatum_matchtingperiode"))
            if opgepakt < min(signals[r["ID"]]["signaaldatum"] for r in z["vroegsignalen"]):
                expected.add(("OPGEPAKT_BEFORE_SIGNAL", f"{zp}/datum_opgepakt"))
            for p, poging in enumerate(z["contactpogingen"]):
                if poging["datum"] < opgepakt:
                    expected.add(("CONTACT_BEFORE_OPGEPAKT", f"{zp}/contactpogingen/{p}/datum"))
            reached = any(p["bereikt"] is True for p in z["contactpogingen"])
            if (z["resultaat"] in NO_CONTACT and reached) or (z["resultaat"] in WITH_CONTACT and not reached):
                expected.add(("RESULTAAT_CONTRADICTS_CONTACT", f"{zp}/resultaat"))

    assert mine(found) == expected


def test_vs_examples_known_consequences() -> None:
    single = run(spec_example("vs-v0.9/enkelvoudigVoorbeeld.json"), Kind.VS)
    # "123456789" fails the elfproef (weighted sum 147, 147 mod 11 = 4).
    assert of(single, "BSN_INVALID") == {"/leveringen/0/vroegsignalen/0/client/Burgerservicenummer"}
    # The zaak's result needs contact, and the huisbezoek of 2025-01-15 reached the inwoner: consistent.
    assert not of(single, "RESULTAAT_CONTRADICTS_CONTACT")
    # The first contactpoging is on the day the zaak was taken up, which is allowed.
    assert not of(single, "CONTACT_BEFORE_OPGEPAKT")

    multi = run(spec_example("vs-v0.9/meervoudigVoorbeeld.json"), Kind.VS)
    # Levering 1, zaak 2: "Inwoner hoeft geen hulp vanuit vroegsignalering" after one unanswered letter.
    assert of(multi, "RESULTAAT_CONTRADICTS_CONTACT") == {"/leveringen/0/vroegsignaalzaken/1/resultaat"}
    # Contact sought before the zaak was taken up: 2025-01-11 < 01-13, 01-06 < 01-10, 01-15 and 01-16 < 01-19.
    assert of(multi, "CONTACT_BEFORE_OPGEPAKT") == {
        "/leveringen/0/vroegsignaalzaken/0/contactpogingen/0/datum",
        "/leveringen/0/vroegsignaalzaken/1/contactpogingen/0/datum",
        "/leveringen/1/vroegsignaalzaken/1/contactpogingen/0/datum",
        "/leveringen/1/vroegsignaalzaken/1/contactpogingen/1/datum",
    }
    # Every signal is referenced by exactly one zaak of its own levering.
    assert (
        not of(multi, "ZAAK_UNKNOWN_SIGNAL")
        | of(multi, "SIGNAL_IN_MULTIPLE_ZAKEN")
        | of(multi, "SIGNAL_WITHOUT_ZAAK")
    )


@pytest.mark.parametrize("name", SHV_EXAMPLES + VS_EXAMPLES)
def test_streaming_and_order_do_not_change_the_findings(name: str) -> None:
    doc = spec_example(name)
    kind = Kind.SHV if name.startswith("shv") else Kind.VS
    batch = mine(run(doc, kind))
    assert mine(run(doc, kind, streaming=True)) == batch
    assert mine(run(doc, kind, zaken_first=True)) == batch


@pytest.mark.parametrize("name", SHV_EXAMPLES + VS_EXAMPLES)
@pytest.mark.parametrize("threshold", [None, 0])
def test_engine_reports_the_same(name: str, threshold: int | None) -> None:
    """Through the real engine — in memory, and streamed (threshold 0) — the rules find exactly the same."""
    from ddas.validation.engine import validate_path

    doc = spec_example(name)
    kind = Kind.SHV if name.startswith("shv") else Kind.VS
    path = SPEC_DIR / name
    kwargs: dict[str, Any] = (
        {"today": TODAY} if threshold is None else {"today": TODAY, "stream_threshold": 0}
    )
    result = validate_path(path, **kwargs)
    assert result.kind is kind
    assert result.streamed is (threshold == 0)
    assert mine(result.findings) == mine(run(doc, kind))
