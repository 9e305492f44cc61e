"""The client pool: stable households, unique elfproef-valid BSNs, samenloop between deliveries."""

from __future__ import annotations

import datetime as dt
import random

from _synth_helpers import trajecten
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from ddas.synth import generate
from ddas.synth.pool import ClientPool, bsn_check_digit


def _bsns(doc: dict) -> set[str]:
    if "schuldhulptrajecten" in doc["leveringen"][0]:
        return {
            c["Burgerservicenummer"]
            for _, _, t in trajecten(doc)
            for c in t["client"]
            if "Burgerservicenummer" in c
        }
    return {s["client"]["Burgerservicenummer"] for lev in doc["leveringen"] for s in lev["vroegsignalen"]}


def test_check_digit_matches_stdnum() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        first8 = f"{rng.randrange(10**8):08d}"
        check = bsn_check_digit(first8)
        if check < 10:
            assert stdnum_bsn.is_valid(first8 + str(check))
        for wrong in range(10):
            if wrong != check:
                assert not stdnum_bsn.is_valid(first8 + str(wrong))


@settings(max_examples=10, deadline=None)
@given(pool_seed=st.integers(min_value=0, max_value=2**40))
def test_pool_bsns_are_valid_and_unique(pool_seed: int) -> None:
    pool = ClientPool(pool_seed)
    bsns = [p.bsn for i in range(3000) for p in pool.household(i).personen]
    assert len(set(bsns)) == len(bsns)
    assert all(stdnum_bsn.is_valid(b) and b[0] != "0" for b in bsns)


def test_household_is_the_same_whoever_asks() -> None:
    a, b = ClientPool(11), ClientPool(11)
    b.household(5)  # asking in another order changes nothing
    assert a.household(80_000) == b.household(80_000)
    assert a.household(3) == b.household(3)
    assert ClientPool(12).household(3) != a.household(3)


def test_birthdates_are_fixed_near_the_anchor_and_plausible_anywhere() -> None:
    person = ClientPool(3).household(1).personen[0]
    h1 = dt.date(2025, 6, 30).toordinal()
    h2 = dt.date(2025, 12, 31).toordinal()
    assert person.geboortedatum(h1) == person.geboortedatum(h2)
    for year in (1990, 2100):
        reference = dt.date(year, 6, 30)
        for i in range(200):
            for p in ClientPool(3).household(i).personen:
                born = dt.date.fromisoformat(p.geboortedatum(reference.toordinal()))
                assert 18 <= (reference - born).days / 365.25 <= 85


def test_deliveries_with_the_same_pool_share_clients() -> None:
    a = generate("shv", 300, 1, gemeenten=["0363"], pool_seed=42)
    b = generate("shv", 300, 2, gemeenten=["0599"], pool_seed=42)
    shared = _bsns(a) & _bsns(b)
    assert 20 < len(shared) < 250
    assert a["leveringen"][0]["schuldhulptrajecten"] != b["leveringen"][0]["schuldhulptrajecten"]


def test_deliveries_with_different_pools_share_none() -> None:
    a = generate("shv", 300, 1, gemeenten=["0363"])
    b = generate("shv", 300, 2, gemeenten=["0363"])
    assert not _bsns(a) & _bsns(b)


def test_vs_and_shv_draw_on_the_same_pool() -> None:
    shv = generate("shv", 300, 1, pool_seed=7)
    vs = generate("vs", 300, 2, pool_seed=7)
    assert _bsns(shv) & _bsns(vs)


def test_same_client_same_identity_in_both_deliveries() -> None:
    a = generate("shv", 300, 1, pool_seed=42)
    b = generate("shv", 300, 2, pool_seed=42)

    def people(doc: dict) -> dict[str, tuple[str, str, str]]:
        return {
            c["Burgerservicenummer"]: (c["Geboortedatum"], c["Postcode"], c["Huisnummer"])
            for _, _, t in trajecten(doc)
            for c in t["client"]
            if "Burgerservicenummer" in c
        }

    pa, pb = people(a), people(b)
    shared = pa.keys() & pb.keys()
    assert shared and all(pa[k] == pb[k] for k in shared)
