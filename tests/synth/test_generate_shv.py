"""Generated schuldhulptrajecten are internally consistent and look like practice."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from typing import Any

import pytest
from _synth_helpers import client_key, day, trajecten
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from ddas.synth import generate

_ORDER = (
    ("aanmelding", "startdatum"),
    ("intake", "startdatum"),
    ("planVanAanpak", "datumAfronding"),
    ("schuldregeling", "datum"),
    ("oplossing", "startdatum"),
    ("nazorg", "startdatum"),
)
_POSTCODE = re.compile(r"[1-9]\d{3}(?!S[ADS])[A-Z]{2}")
_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(scope="module")
def big() -> dict[str, Any]:
    return generate("shv", 4000, 20250630)


def _spans(t: dict[str, Any]) -> list[dict[str, Any]]:
    objects = [
        t[name] for name in ("aanmelding", "intake", "stabilisatie", "oplossing", "nazorg") if name in t
    ]
    for name in ("begeleiding", "crisisinterventies", "moratoria"):
        objects.extend(t.get(name, ()))
    return objects


def _check_traject(t: dict[str, Any], period_end: dt.date) -> None:
    # Phases in NVVK process order, every span ending on or after its start.
    starts = [t[phase][field] for phase, field in _ORDER if phase in t]
    assert starts == sorted(starts)
    assert t["startdatum"] == t["aanmelding"]["startdatum"]
    for obj in _spans(t):
        if "einddatum" in obj:
            assert obj["einddatum"] >= obj["startdatum"]
    # Uitstroom exactly when ended, with the same date three times and a reden.
    if "einddatum" in t:
        u = t["uitstroom"]
        assert u["datum"] == u["datumBeeindigingsbeschikking"] == t["einddatum"]
        assert u["reden"]
    else:
        assert "uitstroom" not in t
    # Schuldregeling: one outcome on or after the request, toekenningsdatum = toegekend, dwangakkoord only then.
    sr = t.get("schuldregeling")
    if sr is not None:
        outcomes = [o for o in ("toegekend", "afgewezen", "ingetrokken") if o in sr]
        assert len(outcomes) <= 1
        assert all(sr[o] >= sr["datum"] for o in outcomes)
        if sr.get("dwangakkoord"):
            assert "toegekend" in sr
        if "datumVerzoekDwangakkoord" in sr:
            assert sr["dwangakkoord"] is True
    assert t.get("toekenningsdatum") == (sr or {}).get("toegekend")
    # Crisis flag exactly when there are crisisinterventies.
    assert t["aanmelding"]["crisisinterventie"] == bool(t.get("crisisinterventies"))
    # Afwijzing never leads to an oplossing.
    if t.get("intake", {}).get("beschikkingssoort") == "Afwijzingsbeschikking":
        assert "oplossing" not in t
    # Amounts.
    if "schulden" in t:
        assert t["totaalSchuldbedragBijAanvangSchuld"] == sum(s["bedrag"] for s in t["schulden"])
        for s in t["schulden"]:
            assert s["bedrag"] >= 0
            eiser = s["schuldeiser"]
            assert eiser["naam"] == eiser["Naam"]
            if eiser["privepersoon"]:
                assert "kvknummer" not in eiser
            else:
                assert re.fullmatch(r"\d{8}", eiser["kvknummer"])
    else:
        assert "totaalSchuldbedragBijAanvangSchuld" not in t
    if "vtlb" in t.get("oplossing", {}):
        assert 1 <= t["oplossing"]["vtlb"] <= 5000
    for m in t.get("moratoria", ()):
        if "einddatum" in m:
            assert day(m["einddatum"]) - day(m["startdatum"]) <= dt.timedelta(days=181)
    # Clients: 1–2, identifiable, plausible.
    clients = t["client"]
    assert 1 <= len(clients) <= 2
    bsns = [c["Burgerservicenummer"] for c in clients if "Burgerservicenummer" in c]
    assert len(set(bsns)) == len(bsns)
    assert len(bsns) in (0, len(clients))
    for c in clients:
        if "Burgerservicenummer" in c:
            assert stdnum_bsn.is_valid(c["Burgerservicenummer"])
        else:
            assert c["Geslachtsaanduiding"] in ("Man", "Vrouw")
        assert c["Geslachtsaanduiding"] in ("Man", "Vrouw", "Onbekend")
        assert _POSTCODE.fullmatch(c["Postcode"])
        assert 1 <= int(c["Huisnummer"]) <= 99999
        assert len(c.get("Huisnummertoevoeging", "")) <= 4
        born = day(c["Geboortedatum"])
        age = period_end.year - born.year - ((period_end.month, period_end.day) < (born.month, born.day))
        assert 18 <= age <= 85


@settings(max_examples=25, deadline=None)
@given(seed=_SEEDS)
def test_every_traject_is_consistent(seed: int) -> None:
    doc = generate("shv", 60, seed)
    end = day(doc["einddatumLevering"])
    for _, _, t in trajecten(doc):
        _check_traject(t, end)


@settings(max_examples=10, deadline=None)
@given(seed=_SEEDS, year=st.integers(min_value=2015, max_value=2040), months=st.integers(1, 24))
def test_consistent_in_any_period(seed: int, year: int, months: int) -> None:
    start = dt.date(year, 1, 1)
    end = dt.date(year + (months - 1) // 12, (months - 1) % 12 + 1, 28)
    doc = generate("shv", 40, seed, period=(start, end))
    for _, _, t in trajecten(doc):
        _check_traject(t, end)


def test_all_traject_checks_pass_on_a_large_file(big: dict[str, Any]) -> None:
    end = day(big["einddatumLevering"])
    for _, _, t in trajecten(big):
        _check_traject(t, end)


def test_sequential_trajecten_of_one_client_never_overlap(big: dict[str, Any]) -> None:
    spans: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for _, _, t in trajecten(big):
        for c in t["client"]:
            spans[client_key(c)].append((t["startdatum"], t.get("einddatum", "9999-12-31")))
    repeated = {k: sorted(v) for k, v in spans.items() if len(v) > 1}
    # About 3% of the clients come back with a second traject.
    assert 0.015 < len(repeated) / len(spans) < 0.06
    for first, second in repeated.values():
        assert len(repeated) and first[1] < second[0]


def test_distributions_look_like_practice(big: dict[str, Any]) -> None:
    ts = [t for _, _, t in trajecten(big)]
    totals = [t["totaalSchuldbedragBijAanvangSchuld"] for t in ts if "schulden" in t]
    assert 15_000 <= statistics.median(totals) <= 25_000
    assert max(totals) > 5 * statistics.median(totals)  # a long tail
    running = sum("einddatum" not in t for t in ts)
    assert running > len(ts) / 2
    redenen = Counter(t["uitstroom"]["reden"] for t in ts if "uitstroom" in t).most_common()
    assert redenen[0][0] == "Afgerond"
    assert {r for r, _ in redenen[1:4]} <= {"Nietverschenen", "Ingetrokken", "Zelf"}
    soorten = Counter(t["oplossing"]["soort"] for t in ts if "oplossing" in t).most_common()
    assert {s for s, _ in soorten[:2]} == {"Schuldbemiddeling", "Saneringskrediet"}
    two = sum(len(t["client"]) == 2 for t in ts)
    assert 0.15 < two / len(ts) < 0.25
    without_bsn = sum("Burgerservicenummer" not in t["client"][0] for t in ts)
    assert 0.03 < without_bsn / len(ts) < 0.07
    crisis = sum(t["aanmelding"]["crisisinterventie"] for t in ts)
    assert 0.03 < crisis / len(ts) < 0.12


def test_zero_percent_aanbod_grows_over_the_years() -> None:
    def share(year: int) -> float:
        doc = generate("shv", 3000, 9, period=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        soorten = Counter(t["oplossing"]["soort"] for _, _, t in trajecten(doc) if "oplossing" in t)
        return soorten["0%-aanbod"] / sum(soorten.values())

    assert share(2022) < share(2025)
