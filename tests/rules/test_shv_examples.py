"""The SHV traject rules on the five official examples (read from ../shared/spec/, skipped when absent).

The examples are valid against the schema and internally consistent in their dates, but they do not follow
every FAQ rule: each expectation below is derived from the example's data, not from this implementation.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from _shv_driver import example, of, run

from ddas.validation.findings import Severity

EXAMPLES = [
    "enkelvoudigVoorbeeld.json",
    "meervoudigVoorbeeld.json",
    "meerdereLeveringenVoorbeeld.json",
    "samenloopVoorbeeldDeel1.json",
    "samenloopVoorbeeldDeel2.json",
]


def trajecten(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(JSON Pointer, traject) of every traject in the document."""
    return [
        (f"/leveringen/{i}/schuldhulptrajecten/{j}", t)
        for i, lev in enumerate(doc["leveringen"])
        for j, t in enumerate(lev.get("schuldhulptrajecten", []))
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_examples_have_no_errors(name: str) -> None:
    """Their dates are consistent, amounts positive and clients distinct: nothing makes them unusable."""
    found = run(example(name))
    assert [f.code for f in found if f.severity is Severity.ERROR] == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_faq_rules_the_examples_break(name: str) -> None:
    """Every example traject has a toekenningsdatum and einddatum; few a schuldregeling, none an uitstroom."""
    doc = example(name)
    found = run(doc)
    toekenning = {
        p + "/toekenningsdatum"
        for p, t in trajecten(doc)
        if t.get("toekenningsdatum")
        and t.get("toekenningsdatum") != t.get("schuldregeling", {}).get("toegekend")
    }
    no_reden = {
        p + "/uitstroom/reden" for p, t in trajecten(doc) if t.get("einddatum") and not t.get("uitstroom")
    }
    assert toekenning and no_reden  # the examples do break these rules
    assert {f.path for f in of(found, "TOEKENNINGSDATUM_MISMATCH")} == toekenning
    assert {f.path for f in of(found, "ENDED_WITHOUT_REDEN")} == no_reden


def test_enkelvoudig() -> None:
    doc = example("enkelvoudigVoorbeeld.json")
    (t,) = doc["leveringen"][0]["schuldhulptrajecten"]
    assert t["aanmelding"]["crisisinterventie"] is True and "crisisinterventies" not in t
    assert t["toekenningsdatum"] != t["schuldregeling"]["toegekend"]
    assert t["schuldregeling"]["dwangakkoord"] is True and t["schuldregeling"]["toegekend"]
    found = run(doc)
    base = "/leveringen/0/schuldhulptrajecten/0"
    assert [f.path for f in of(found, "CRISISINTERVENTIE_INCONSISTENT")] == [
        base + "/aanmelding/crisisinterventie"
    ]
    (mismatch,) = of(found, "TOEKENNINGSDATUM_MISMATCH")
    assert mismatch.value == t["toekenningsdatum"] and t["schuldregeling"]["toegekend"] in mismatch.message()
    # dwangakkoord with a toegekend date, requested after the schuldregeling's datum: all as the FAQ wants
    for code in ("DWANGAKKOORD_WITHOUT_TOEGEKEND", "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD"):
        assert of(found, code) == []
    # the latest date (einddatum 2024-12-31) is the delivery day itself: not after it
    assert max(t["einddatum"], t["schuldregeling"]["toegekend"]) == doc["aanleverdatumEnTijd"][:10]
    assert of(found, "DATE_AFTER_DELIVERY") == []


def test_meervoudig() -> None:
    doc = example("meervoudigVoorbeeld.json")
    items = trajecten(doc)
    assert len(items) == 10
    found = run(doc)
    assert len(of(found, "TOEKENNINGSDATUM_MISMATCH")) == len(items)  # none has a schuldregeling
    assert all("schuldregeling" not in t for _, t in items)
    # every traject starts and ends inside 2024, the reporting period
    assert all(
        doc["startdatumLevering"] <= t["startdatum"] <= t["einddatum"] <= doc["einddatumLevering"]
        for _, t in items
    )
    assert of(found, "TRAJECT_OUTSIDE_PERIOD") == []
    assert of(found, "CLIENT_OVERLAPPING_TRAJECTEN") == []


def test_meerdere_leveringen() -> None:
    doc = example("meerdereLeveringenVoorbeeld.json")
    crisis = {
        p + "/aanmelding/crisisinterventie"
        for p, t in trajecten(doc)
        if t.get("aanmelding", {}).get("crisisinterventie") is True and not t.get("crisisinterventies")
    }
    assert len(crisis) == 2  # teller 1 and 4 flag a crisisinterventie without recording one
    assert {f.path for f in of(run(doc), "CRISISINTERVENTIE_INCONSISTENT")} == crisis


def bsns(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """BSN → (startdatum, einddatum) of its traject; in these examples every client has one traject."""
    return {
        c["Burgerservicenummer"]: (t["startdatum"], t["einddatum"])
        for _, t in trajecten(doc)
        for c in t["client"]
    }


def merged(*docs: dict[str, Any]) -> dict[str, Any]:
    """One document holding the leveringen of several, as a party delivering for several would send it."""
    out = copy.deepcopy(docs[0])
    for doc in docs[1:]:
        out["leveringen"].extend(copy.deepcopy(doc["leveringen"]))
    return out


def test_samenloop_parts_share_no_client() -> None:
    """The two 'samenloop' examples name disjoint BSNs: even in one delivery, no client has two trajecten."""
    deel1, deel2 = example("samenloopVoorbeeldDeel1.json"), example("samenloopVoorbeeldDeel2.json")
    assert not bsns(deel1).keys() & bsns(deel2).keys()
    assert of(run(merged(deel1, deel2)), "CLIENT_OVERLAPPING_TRAJECTEN") == []


def test_samenloop_with_a_shared_client() -> None:
    """Give deel 2 a traject of a deel 1 client: the copy is reported, pointing at the original."""
    deel1, deel2 = example("samenloopVoorbeeldDeel1.json"), example("samenloopVoorbeeldDeel2.json")
    deel2["leveringen"][0]["schuldhulptrajecten"].append(
        copy.deepcopy(deel1["leveringen"][0]["schuldhulptrajecten"][0])
    )
    found = of(run(merged(deel1, deel2)), "CLIENT_OVERLAPPING_TRAJECTEN")
    last = len(deel2["leveringen"][0]["schuldhulptrajecten"]) - 1
    assert [f.path for f in found] == [f"/leveringen/1/schuldhulptrajecten/{last}/client/0"]
    assert found[0].params["ander_traject"] == "/leveringen/0/schuldhulptrajecten/0"


def test_meerdere_leveringen_and_samenloop_deel2_share_bsns() -> None:
    """These two examples reuse BSNs with overlapping periods: delivered together, each reuse is reported."""
    first, second = example("meerdereLeveringenVoorbeeld.json"), example("samenloopVoorbeeldDeel2.json")
    a, b = bsns(first), bsns(second)
    overlapping = {bsn for bsn in a.keys() & b.keys() if a[bsn][0] <= b[bsn][1] and b[bsn][0] <= a[bsn][1]}
    assert overlapping
    found = of(run(merged(first, second)), "CLIENT_OVERLAPPING_TRAJECTEN")
    offset = len(first["leveringen"])
    expected = {
        f"/leveringen/{offset}/schuldhulptrajecten/{j}/client/{k}"
        for j, t in enumerate(second["leveringen"][0]["schuldhulptrajecten"])
        for k, c in enumerate(t["client"])
        if c["Burgerservicenummer"] in overlapping
    }
    assert {f.path for f in found} == expected
