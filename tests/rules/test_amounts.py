"""§4.14: AMOUNT_NEGATIVE (SHV), VTLB, sum of schulden, schuldeiser naam and KvK."""

from __future__ import annotations

import pytest
from _shv_driver import codes, document, of, ptr, run, traject


def schuld(bedrag: object = 100, **eiser: object) -> dict[str, object]:
    out: dict[str, object] = {"bedrag": bedrag}
    if eiser:
        out["schuldeiser"] = eiser
    return out


# --- AMOUNT_NEGATIVE -----------------------------------------------------------------------------------


def test_negative_amounts() -> None:
    t = traject(
        totaalSchuldbedragBijAanvangSchuld=-5,
        oplossing={"vtlb": -1},
        schulden=[schuld(10), schuld(-15)],
    )
    found = of(run(document(t)), "AMOUNT_NEGATIVE")
    assert [(f.path, f.value) for f in found] == [
        (ptr("totaalSchuldbedragBijAanvangSchuld"), -5),
        (ptr("oplossing", "vtlb"), -1),
        (ptr("schulden", 1, "bedrag"), -15),
    ]
    assert "-5" in found[0].message() and "-5" in found[0].message("en")


def test_zero_and_non_integer_amounts_are_not_negative() -> None:
    t = traject(totaalSchuldbedragBijAanvangSchuld=0, schulden=[schuld("-5"), schuld(-2.5), schuld(True)])
    assert "AMOUNT_NEGATIVE" not in codes(run(document(t)))


# --- VTLB_OUT_OF_RANGE ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vtlb", "out_of_range"), [(0, True), (1, False), (5000, False), (5001, True), (-3, False)]
)
def test_vtlb_range(vtlb: int, out_of_range: bool) -> None:
    found = of(run(document(traject(oplossing={"vtlb": vtlb}))), "VTLB_OUT_OF_RANGE")
    assert [(f.path, f.value) for f in found] == ([(ptr("oplossing", "vtlb"), vtlb)] if out_of_range else [])


# --- SCHULDBEDRAG_SUM_MISMATCH -------------------------------------------------------------------------


def test_total_differs_from_sum() -> None:
    t = traject(totaalSchuldbedragBijAanvangSchuld=1000, schulden=[schuld(300), schuld(600)])
    found = of(run(document(t)), "SCHULDBEDRAG_SUM_MISMATCH")
    assert [(f.path, f.value) for f in found] == [(ptr("totaalSchuldbedragBijAanvangSchuld"), 1000)]
    assert "900" in found[0].message()


@pytest.mark.parametrize(
    "fields",
    [
        {"totaalSchuldbedragBijAanvangSchuld": 900, "schulden": [schuld(300), schuld(600)]},  # equal
        {"totaalSchuldbedragBijAanvangSchuld": 900, "schulden": []},  # no schulden to add up
        {"schulden": [schuld(300)]},  # no total
        {"totaalSchuldbedragBijAanvangSchuld": 900, "schulden": [schuld(300), {"peildatum": "2024-01-01"}]},
        {"totaalSchuldbedragBijAanvangSchuld": 900, "schulden": [schuld(300), schuld("600")]},
        {"totaalSchuldbedragBijAanvangSchuld": "900", "schulden": [schuld(300)]},
    ],
)
def test_no_sum_mismatch(fields: dict[str, object]) -> None:
    assert "SCHULDBEDRAG_SUM_MISMATCH" not in codes(run(document(traject(**fields))))


# --- SCHULDEISER_NAAM_MISMATCH -------------------------------------------------------------------------


def test_naam_differs() -> None:
    t = traject(schulden=[schuld(naam="Eneco", Naam="Vattenfall")])
    found = of(run(document(t)), "SCHULDEISER_NAAM_MISMATCH")
    assert [(f.path, f.value) for f in found] == [(ptr("schulden", 0, "schuldeiser", "Naam"), "Vattenfall")]
    assert "Eneco" in found[0].message()


@pytest.mark.parametrize(
    ("eiser", "missing"), [({"naam": "Eneco"}, "Naam"), ({"Naam": "Eneco", "naam": ""}, "naam")]
)
def test_only_one_naam(eiser: dict[str, str], missing: str) -> None:
    found = of(run(document(traject(schulden=[schuld(**eiser)]))), "SCHULDEISER_NAAM_MISMATCH")
    assert [f.path for f in found] == [ptr("schulden", 0, "schuldeiser", missing)]


def test_naam_equal_or_both_absent() -> None:
    t = traject(schulden=[schuld(naam="Eneco", Naam="Eneco"), schuld(kvknummer="12345678"), schuld()])
    assert "SCHULDEISER_NAAM_MISMATCH" not in codes(run(document(t)))


# --- SCHULDEISER_KVK_INVALID / PRIVEPERSOON_WITH_KVK ---------------------------------------------------


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234 5678", "1234567a", "１２３４５６７８"])
def test_kvk_invalid(kvk: str) -> None:
    found = of(run(document(traject(schulden=[schuld(kvknummer=kvk)]))), "SCHULDEISER_KVK_INVALID")
    assert [f.path for f in found] == [ptr("schulden", 0, "schuldeiser", "kvknummer")]


def test_kvk_that_looks_like_a_bsn_is_masked() -> None:
    found = of(run(document(traject(schulden=[schuld(kvknummer="123456782")]))), "SCHULDEISER_KVK_INVALID")
    assert found[0].value == "*****6782"
    assert "123456782" not in found[0].message() and "6782" in found[0].message()


@pytest.mark.parametrize("kvk", ["12345678", "00000001", ""])
def test_kvk_valid_or_empty(kvk: str) -> None:
    assert "SCHULDEISER_KVK_INVALID" not in codes(run(document(traject(schulden=[schuld(kvknummer=kvk)]))))


def test_privepersoon_with_kvk() -> None:
    t = traject(schulden=[schuld(privepersoon=True, kvknummer="12345678")])
    found = of(run(document(t)), "PRIVEPERSOON_WITH_KVK")
    assert [(f.path, f.value) for f in found] == [(ptr("schulden", 0, "schuldeiser", "privepersoon"), True)]


def test_privepersoon_without_kvk_or_company_with_kvk() -> None:
    t = traject(
        schulden=[
            schuld(privepersoon=True, kvknummer=""),
            schuld(privepersoon=True),
            schuld(privepersoon=False, kvknummer="12345678"),
        ]
    )
    assert "PRIVEPERSOON_WITH_KVK" not in codes(run(document(t)))
