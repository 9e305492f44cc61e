"""normalize: the comparison key of a spelling — examples, and properties for any text (hypothesis)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddas.standardize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SMS / Whatsapp", "sms whatsapp"),
        ("Sms/WhatsApp", "sms whatsapp"),
        ("  Cliënt   niet-bereikt! ", "client niet bereikt"),
        ("'s Ochtends", "s ochtends"),
        ("(Budget)advies en/of quick fix", "budget advies en of quick fix"),
        ("0%-aanbod", "0 aanbod"),
        ("Beëindigd", "beeindigd"),
        ("ℌuisbezoek", "huisbezoek"),  # compatibility letters fold to plain ones
        ("İstanbul", "istanbul"),  # casefolding can add a combining dot; it is stripped too
        ("Straße", "strasse"),
        ("snake_case", "snake case"),
        ("", ""),
        ("!?-", ""),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert normalize(text) == expected


@given(st.text())
def test_stable(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_shape(text: str) -> None:
    """Only lower-case letters and digits, single spaces between words, none at the ends."""
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(char == " " or char.isalnum() for char in out)
    assert out == out.casefold()
    assert not any(unicodedata.combining(char) for char in out)


@given(
    st.text(),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: f"  {s} ", lambda s: s.replace(" ", "/")]),
)
def test_variants_meet(text: str, variant: object) -> None:
    """Case, surrounding space and punctuation-for-space variants of a spelling give the same key."""
    assert callable(variant)
    changed = variant(text)
    if text.isascii() and changed.isascii():  # upper() of some non-ASCII letters expands (ß → SS)
        assert normalize(changed) == normalize(text)
