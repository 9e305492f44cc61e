"""Standardizer: lookup order, overrides, errors, and the fuzzy suggestions for the review file."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddas.standardize import MIN_SCORE, Source, StandardizeError, Standardizer, field_names, official_values
from ddas.standardize.dictionary import FIELDS


def test_exact_then_override_then_dictionary() -> None:
    standardizer = Standardizer(
        {"contactsoort": {"Klant nam contact op n.a.v. brief": "Brief", "mail": "Brief"}}
    )
    exact = standardizer.lookup("contactsoort", "Mail")
    assert exact is not None and (exact.standard, exact.source) == ("Mail", Source.EXACT)
    # an override beats the dictionary and the case-folded standard value …
    override = standardizer.lookup("contactsoort", "MAIL")
    assert override is not None and (override.standard, override.source) == ("Brief", Source.OVERRIDE)
    # … matched normalised, like the dictionary
    reply = standardizer.lookup("contactsoort", "KLANT nam contact op (n.a.v.) brief")
    assert reply is not None and reply.standard == "Brief"
    dictionary = standardizer.lookup("contactsoort", "Sms/WhatsApp")
    assert dictionary is not None and (dictionary.standard, dictionary.source) == (
        "SMS/Whatsapp",
        Source.DICTIONARY,
    )
    assert standardizer.lookup("contactsoort", "Postduif") is None
    assert standardizer.standard("contactsoort", "") is None


def test_case_variants_of_standard_values() -> None:
    standardizer = Standardizer()
    for field in FIELDS:
        for value in official_values(field):
            assert standardizer.standard(field, value.upper()) == value
            assert standardizer.standard(field, f"  {value.lower()} ") == value


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"contactsoort": {"brief!": "Postduif"}}, "STD_NOT_OFFICIAL"),
        ({"contactsoort": {"--": "Brief"}}, "STD_EMPTY_KEY"),
        ({"contactsoort": {"Per brief": "Brief", "per-brief": "Mail"}}, "STD_OVERRIDE_CONFLICT"),
        ({"kleur": {"rood": "Brief"}}, "STD_UNKNOWN_FIELD"),
    ],
)
def test_bad_overrides(overrides: dict[str, dict[str, str]], code: str) -> None:
    with pytest.raises(StandardizeError) as caught:
        Standardizer(overrides)
    assert caught.value.code == code
    assert caught.value.message  # Dutch, for people


def test_unknown_field_in_lookup() -> None:
    with pytest.raises(StandardizeError) as caught:
        Standardizer().standard("kleur", "rood")
    assert caught.value.code == "STD_UNKNOWN_FIELD"


def test_suggestions_rank_the_likely_value_first() -> None:
    standardizer = Standardizer()
    assert standardizer.suggest("contactsoort", "Huisbezoke")[0][0] == "Huisbezoek"
    assert standardizer.suggest("eindresultaat", "Doorverwezen naar schuldhulp")[0][0] == (
        "Vervolghulp en/of verwijzing financieel"
    )
    assert standardizer.suggest("signaalpartner", "Woonstichting De Key")[0][0] == "Huur"
    assert standardizer.suggest("begeleidingssoort", "Budgetcoach (vrijwilliger)")[0][0] == "Budgetcoaching"


def test_suggestions_know_the_overrides() -> None:
    standardizer = Standardizer({"signaalpartner": {"Woonbedrijf Noord": "Huur"}})
    assert standardizer.suggest("signaalpartner", "Woonbedrijf Nrd")[0][0] == "Huur"


def test_ambiguous_candidates_lead_in_dictionary_order() -> None:
    suggestions = Standardizer().suggest("oplossingssoort", "Minnelijke schuldregeling")
    assert [value for value, _ in suggestions[:2]] == ["Schuldbemiddeling", "Saneringskrediet"]


def test_suggestion_limits() -> None:
    standardizer = Standardizer()
    assert standardizer.suggest("contactsoort", "Huisbezoke", limit=0) == []
    assert len(standardizer.suggest("contactsoort", "Huisbezoke", limit=1)) == 1
    assert standardizer.suggest("contactsoort", "?!") == []


@given(st.sampled_from(field_names()), st.text(max_size=60), st.integers(min_value=0, max_value=6))
def test_suggest_never_fails(field: str, value: str, limit: int) -> None:
    """Any text: official values only, each once, scores 0–100 in order (after the curated candidates)."""
    standardizer = Standardizer()
    suggestions = standardizer.suggest(field, value, limit)
    values = [standard for standard, _ in suggestions]
    assert len(values) == len(set(values))
    assert set(values) <= set(official_values(field))
    assert all(0 <= score <= 100 for _, score in suggestions)
    entry = standardizer.ambiguity(field, value)
    free = suggestions[len(entry.candidates) :] if entry is not None else suggestions
    assert len(free) <= limit
    assert all(score >= MIN_SCORE for _, score in free)
    assert [score for _, score in free] == sorted((score for _, score in free), reverse=True)
    match = standardizer.standard(field, value)
    assert match is None or match in official_values(field)
