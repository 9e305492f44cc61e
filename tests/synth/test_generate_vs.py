"""Generated vroegsignalen and vroegsignaalzaken are internally consistent and look like practice."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from _synth_helpers import day
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from ddas.synth import generate
from ddas.synth.vs import _MET_CONTACT, _ZONDER_CONTACT

_CONTACT = {r for r, _ in _MET_CONTACT}
_NO_CONTACT = {r for r, _ in _ZONDER_CONTACT}


def _check_levering(lev: dict[str, Any], start: str, end: str) -> None:
    signals = {s["ID"]: s for s in lev["vroegsignalen"]}
    assert len(signals) == len(lev["vroegsignalen"])  # unique IDs
    in_zaak: Counter[str] = Counter()
    for s in lev["vroegsignalen"]:
        assert start <= s["signaaldatum"] <= end
        assert s["ontstaansdatum"] < s["signaaldatum"]
        assert s["bedrag"] >= 0
        c = s["client"]
        assert stdnum_bsn.is_valid(c["Burgerservicenummer"])
        assert re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", c["Postcode"]) and c["Huisnummer"]
        assert c["Achternaam"] and c["Voorletters"] and c["Straatnaam"] and c["Plaatsnaam"]
    for zaak in lev["vroegsignaalzaken"]:
        ids = [ref["ID"] for ref in zaak["vroegsignalen"]]
        assert ids and len(set(ids)) == len(ids)
        assert all(i in signals for i in ids)
        in_zaak.update(ids)
        clients = {signals[i]["client"]["Burgerservicenummer"] for i in ids}
        assert len(clients) == 1  # one inwoner per zaak
        assert zaak["startdatum_matchtingperiode"] <= zaak["einddatum_matchingperiode"]
        first = min(signals[i]["signaaldatum"] for i in ids)
        pogingen = zaak.get("contactpogingen", [])
        if "datum_opgepakt" in zaak:
            assert zaak["datum_opgepakt"] >= first
            assert all(p["datum"] >= zaak["datum_opgepakt"] for p in pogingen)
        reached = any(p["bereikt"] for p in pogingen)
        if zaak.get("resultaat") in _CONTACT:
            assert reached
        if zaak.get("resultaat") in _NO_CONTACT:
            assert pogingen and not reached
    assert max(in_zaak.values(), default=1) == 1  # a signal in at most one zaak
    for sid, s in signals.items():
        if sid not in in_zaak:
            assert s["status"] == "Nog niet opgepakt" or s["status"].startswith("Niet opgepakt: ")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_every_levering_is_consistent(seed: int) -> None:
    doc = generate("vs", 80, seed)
    for lev in doc["leveringen"]:
        _check_levering(lev, doc["startdatumLevering"], doc["einddatumLevering"])


@pytest.fixture(scope="module")
def big() -> dict[str, Any]:
    return generate("vs", 6000, 20250630, gemeenten=["0363"])


def test_large_levering_is_consistent(big: dict[str, Any]) -> None:
    _check_levering(big["leveringen"][0], big["startdatumLevering"], big["einddatumLevering"])


def test_distributions_look_like_practice(big: dict[str, Any]) -> None:
    lev = big["leveringen"][0]
    signals = lev["vroegsignalen"]
    partners = [p for p, _ in Counter(s["signaalpartner"]["type"] for s in signals).most_common(3)]
    assert partners[:2] == ["Huur", "Energie"]
    crisis = sum(s["crisissignaal"] for s in signals) / len(signals)
    assert 0.07 < crisis < 0.13
    zaken = lev["vroegsignaalzaken"]
    sizes = Counter(len(z["vroegsignalen"]) for z in zaken)
    assert set(sizes) == {1, 2, 3} and sizes[1] > sizes[2] > sizes[3]
    without = len(signals) - sum(sizes[n] * n for n in sizes)
    assert 0.05 < without / len(signals) < 0.4  # some signals wait or are not picked up
    soorten = {p["soort"] for z in zaken for p in z.get("contactpogingen", ())}
    dagdelen = {p["dagdeel"] for z in zaken for p in z.get("contactpogingen", ())}
    assert {"Telefoon", "Brief", "Huisbezoek"} <= soorten
    assert dagdelen == {"Ochtend", "Middag", "Avond"}


def test_plaatsnaam_follows_the_gemeente(big: dict[str, Any]) -> None:
    assert {s["client"]["Plaatsnaam"] for s in big["leveringen"][0]["vroegsignalen"]} == {"Amsterdam"}


def test_signal_dates_within_the_period(big: dict[str, Any]) -> None:
    days = sorted(day(s["signaaldatum"]) for s in big["leveringen"][0]["vroegsignalen"])
    assert days[0] >= day(big["startdatumLevering"]) and days[-1] <= day(big["einddatumLevering"])
    assert (days[-1] - days[0]).days > 150  # spread over the whole half year
