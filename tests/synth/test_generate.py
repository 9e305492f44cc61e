"""generate(): determinism, counts, delivery variants, periods and arguments."""

from __future__ import annotations

import datetime as dt
import gc
import random
import re

import pytest
from _synth_helpers import day, trajecten

from ddas.synth import DEFAULT_GEMEENTEN, SUPPLIER_CODE, dump, generate, parse_period
from ddas.synth.reference import fake_kvk, mail_domain

KINDS = ("shv", "vs")
_EMAIL = re.compile(r"[a-z0-9.]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.nl")


def _records(doc: dict, kind: str) -> int:
    key = "schuldhulptrajecten" if kind == "shv" else "vroegsignalen"
    return sum(len(lev[key]) for lev in doc["leveringen"])


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_bytes(kind: str) -> None:
    assert dump(generate(kind, 150, 7)) == dump(generate(kind, 150, 7))


@pytest.mark.parametrize("kind", KINDS)
def test_different_seed_different_document(kind: str) -> None:
    assert dump(generate(kind, 150, 7)) != dump(generate(kind, 150, 8))


@pytest.mark.parametrize("kind", KINDS)
def test_global_random_state_is_not_used(kind: str) -> None:
    random.seed(1)
    first = dump(generate(kind, 50, 3))
    random.seed(2)
    random.random()
    assert dump(generate(kind, 50, 3)) == first


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [0, 1, 2, 7, 333])
def test_count_is_exact(kind: str, count: int) -> None:
    assert _records(generate(kind, count, count), kind) == count


@pytest.mark.parametrize("kind", KINDS)
def test_default_period_and_delivery_moment(kind: str) -> None:
    doc = generate(kind, 10, 1)
    assert doc["startdatumLevering"] == "2025-01-01"
    assert doc["einddatumLevering"] == "2025-06-30"
    assert doc["aanleverdatumEnTijd"] == "2025-07-03T09:15:00Z"
    assert doc["codeGegevensleverancier"] == SUPPLIER_CODE
    assert re.search(r"\d+\.\d+", SUPPLIER_CODE)


@pytest.mark.parametrize("kind", KINDS)
def test_custom_period(kind: str) -> None:
    doc = generate(kind, 20, 1, period=(dt.date(2024, 7, 1), dt.date(2024, 12, 31)))
    assert (doc["startdatumLevering"], doc["einddatumLevering"]) == ("2024-07-01", "2024-12-31")
    assert doc["aanleverdatumEnTijd"].startswith("2025-01-03T")


def test_shv_single_gemeente_is_the_gemeente_itself() -> None:
    doc = generate("shv", 40, 2, gemeenten=["0599"])
    [lev] = doc["leveringen"]
    org = lev["aanleverende_organisatie"]
    assert lev["teller"] == 1
    assert org["(Statutaire) Naam"] == "Gemeente Rotterdam"
    assert org["gemeentecode"] == "0599"
    assert org["KvK-nummer"] == ""
    assert all(t["gemeentecode"] == "0599" for t in lev["schuldhulptrajecten"])


def test_shv_several_gemeenten_one_levering_each_from_one_party() -> None:
    codes = ["0363", "0344", "0014"]
    doc = generate("shv", 90, 2, gemeenten=codes)
    leveringen = doc["leveringen"]
    assert [lev["teller"] for lev in leveringen] == [1, 2, 3]
    names = {lev["aanleverende_organisatie"]["(Statutaire) Naam"] for lev in leveringen}
    assert len(names) == 1
    for code, lev in zip(codes, leveringen, strict=True):
        org = lev["aanleverende_organisatie"]
        assert org["gemeentecode"] == ""
        assert re.fullmatch(r"[1-9]\d{7}", org["KvK-nummer"])
        assert {t["gemeentecode"] for t in lev["schuldhulptrajecten"]} == {code}


def test_default_gemeenten_are_real_cbs_codes() -> None:
    doc = generate("shv", 60, 2)
    assert [lev["schuldhulptrajecten"][0]["gemeentecode"] for lev in doc["leveringen"]] == list(
        DEFAULT_GEMEENTEN
    )
    assert set(DEFAULT_GEMEENTEN) >= {"0363", "0599", "0518", "0344", "0772", "0014"}


def test_vs_one_levering_per_gemeente() -> None:
    doc = generate("vs", 100, 2, gemeenten=["0518", "0772"])
    assert [(lev["teller"], lev["gemeentecode"]) for lev in doc["leveringen"]] == [(1, "0518"), (2, "0772")]
    single = generate("vs", 10, 2, gemeenten=["0518"])
    org = single["leveringen"][0]["aanleverende_organisatie"]
    assert org["naam"] == "Gemeente 's-Gravenhage"
    assert org["kvk-nummer"] == fake_kvk("Gemeente 's-Gravenhage")


@pytest.mark.parametrize("kind", KINDS)
def test_contactpersonen_have_distinct_valid_nl_addresses(kind: str) -> None:
    key = "contactpersonen" if kind == "shv" else "contactpersoonen"
    for seed in range(20):
        for lev in generate(kind, 5, seed)["leveringen"]:
            contacts = lev["aanleverende_organisatie"][key]
            emails = [c["email"] for c in contacts]
            assert 1 <= len(contacts) <= 2
            assert len(set(emails)) == len(emails)
            assert all(_EMAIL.fullmatch(e) for e in emails), emails


def test_mail_domain_is_a_valid_hostname() -> None:
    assert mail_domain("'s-Gravenhage") == "denhaag.nl"
    assert mail_domain("Kredietbank Midden-Nederland") == "kredietbank-midden-nederland.nl"
    assert mail_domain("Budgetbureau Zuid B.V.") == "budgetbureau-zuid-b-v.nl"


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_after_the_delivery_moment(kind: str) -> None:
    doc = generate(kind, 300, 4)
    delivered = doc["aanleverdatumEnTijd"][:10]
    dates = re.findall(rb'"(\d{4}-\d{2}-\d{2})"', dump(doc))
    assert dates and max(d.decode() for d in dates) <= delivered


def test_every_traject_overlaps_the_period_and_starts_before_it_ends() -> None:
    doc = generate("shv", 500, 5)
    start, end = day(doc["startdatumLevering"]), day(doc["einddatumLevering"])
    for _, _, t in trajecten(doc):
        assert day(t["startdatum"]) <= end
        assert "einddatum" not in t or day(t["einddatum"]) >= start


@pytest.mark.parametrize(
    ("gemeenten", "message"),
    [([], "minstens één"), (["363"], "4 cijfers"), (["GM0363"], "4 cijfers"), (["0363", "0363"], "herhalen")],
)
def test_bad_gemeenten_are_refused(gemeenten: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate("shv", 1, 1, gemeenten=gemeenten)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate("shv", -1, 1)
    with pytest.raises(ValueError):
        generate("xyz", 1, 1)
    with pytest.raises(ValueError, match="na het einde"):
        generate("vs", 1, 1, period=(dt.date(2025, 2, 1), dt.date(2025, 1, 1)))


def test_parse_period() -> None:
    assert parse_period("2025-01-01..2025-06-30") == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert parse_period("2024-07-01/2024-12-31") == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    for bad in ("2025-01-01", "2025-06-30..2025-01-01", "2025-01-01..2025-02-30"):
        with pytest.raises(ValueError):
            parse_period(bad)


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        generate("vs", 20, 1)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
