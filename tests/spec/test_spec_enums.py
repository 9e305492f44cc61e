"""The three shapes of each enumeration (Literal alias, StrEnum, tuple) hold the same published values."""

from __future__ import annotations

import enum
from typing import get_args

import pytest

from ddas.spec import enums

_TRIPLES = [
    (enums.EnumBeschikkingssoort, enums.Beschikkingssoort, enums.BESCHIKKINGSSOORTEN),
    (enums.EnumBegeleidingssoort, enums.Begeleidingssoort, enums.BEGELEIDINGSSOORTEN),
    (enums.EnumUitstroomreden, enums.Uitstroomreden, enums.UITSTROOMREDENEN),
    (enums.EnumSchuldensoort, enums.Schuldensoort, enums.SCHULDENSOORTEN),
    (enums.EnumOplossingssoort, enums.Oplossingssoort, enums.OPLOSSINGSSOORTEN),
    (enums.EnumSignaalpartner, enums.Signaalpartner, enums.SIGNAALPARTNERS),
    (enums.EnumContactsoort, enums.Contactsoort, enums.CONTACTSOORTEN),
    (enums.EnumEindresultaat, enums.Eindresultaat, enums.EINDRESULTATEN),
    (enums.EnumDagdeel, enums.Dagdeel, enums.DAGDELEN),
    (enums.EnumSignaalstatus, enums.Signaalstatus, enums.SIGNAALSTATUSSEN),
]


@pytest.mark.parametrize(("alias", "strenum", "values"), _TRIPLES, ids=[t[1].__name__ for t in _TRIPLES])
def test_literal_strenum_and_tuple_agree(
    alias: object, strenum: type[enum.StrEnum], values: tuple[str, ...]
) -> None:
    assert get_args(alias.__value__) == values  # type: ignore[attr-defined]
    assert tuple(member.value for member in strenum) == values
    assert alias.__name__ == f"Enum{strenum.__name__}"  # type: ignore[attr-defined]
    assert len(set(values)) == len(values)


def test_geslacht_is_a_plain_literal_with_the_published_values() -> None:
    assert get_args(enums.GeslachtWaarde) == enums.GESLACHTEN == ("Man", "Vrouw", "Onbekend", "Leeg")
    assert tuple(enums.Geslacht) == enums.GESLACHTEN


def test_every_tuple_is_in_the_per_kind_tables() -> None:
    tables = {**enums.SHV_ENUMS, **enums.VS_ENUMS}
    assert len(tables) == 11
    assert set(tables.values()) == {t[2] for t in _TRIPLES} | {enums.GESLACHTEN}


def test_values_as_published_including_their_odd_spellings() -> None:
    assert enums.Oplossingssoort.NUL_PROCENT_AANBOD == "0%-aanbod"
    assert "Nietverschenen" in enums.UITSTROOMREDENEN
    assert "SMS/Whatsapp" in enums.CONTACTSOORTEN
    assert "(Budget)advies en/of quick fix" in enums.EINDRESULTATEN
