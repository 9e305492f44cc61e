"""The recognition rules: what people type beyond the dictionary's spellings, and what must still go to review.

The values here are none of the evaluation set's (tests/standardize/data), so that these tests say something of
their own about each way of reading a value.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddas.standardize import Source, Standardizer, field_names, official_values
from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY
from ddas.standardize.matcher import Matcher
from ddas.standardize.rules import CONCEPTS, RULES

MAPPED = [
    # a known phrase with words before or after it
    ("contactsoort", "Eerste huisbezoek door team vroegsignalering", "Huisbezoek"),
    ("signaalpartner", "Woonstichting Vooruit (huurachterstand)", "Huur"),
    # another word order
    ("eindresultaat", "Schuldhulpverlening: al bekend", "Inwoner al bekend bij schuldhulpverlening"),
    # compounds written apart, together, with an inflection
    ("contactsoort", "Huis bezoeken", "Huisbezoek"),
    ("contactsoort", "uitnodigingsbrieven", "Brief"),
    ("eindresultaat", "schuld hulp verlening al bekend", "Inwoner al bekend bij schuldhulpverlening"),
    ("contactsoort", "vroegsignaleringsbrief", "Brief"),
    ("contactsoort", "Voicemailbericht", "Telefoon"),
    ("schuldsoort", "Energiefactuur", "Nuts"),
    # abbreviations
    ("contactsoort", "Tel. gesprek gevoerd", "Telefoon"),
    ("eindresultaat", "Verwezen nr amw", "Vervolghulp en/of verwijzing niet financieel"),
    # typing errors: a letter added, swapped
    ("contactsoort", "Telefooon", "Telefoon"),
    ("contactsoort", "Huisbeozek", "Huisbezoek"),
    # an outcome in a contact form is not part of the form
    ("contactsoort", "Deur niet opengedaan", "Huisbezoek"),
    # "niet" after the verb it negates
    ("uitstroomreden", "Voldoet niet (zie notitie)", "Voldoet niet"),
    # the wider match wins: "geen contact meer" is more than "geen contact"
    ("eindresultaat", "Geen contact meer", "Geen reactie na eerder contact"),
    # the head of a compound decides: a huurtoeslag is a toeslag, not rent
    ("signaalpartner", "Huurtoeslag", "Dienst Toeslagen"),
    ("signaalpartner", "Kinderopvangtoeslag", "Dienst Toeslagen"),
    # a referral without contact is that, wherever it went
    ("eindresultaat", "Doorverwezen naar GGZ zonder contact", "Verwijzing zonder contact"),
    # "andere" is not "anders", and "meerdere" (several) is not "meer" (any more), though their stems are
    ("uitstroomreden", "Verhuisd, andere woonplaats", "Verhuisd"),
    ("eindresultaat", "Niet bereikt, meerdere huisbezoeken gedaan", "Definitief geen contact kunnen krijgen"),
]

REVIEWED = [
    # a typing error in a short word is usually another word: "gemeld" is not "gebeld"
    ("contactsoort", "Gemeld", "unknown"),
    ("contactsoort", "Postduif", "unknown"),
    # a negation no rule explains may turn the meaning around
    ("contactsoort", "Brief niet verzonden", "negation"),
    ("contactsoort", "Huisbezoek niet uitgevoerd", "negation"),
    ("contactsoort", "Geen brief", "negation"),
    # only an outcome, no contact form
    ("contactsoort", "Niemand thuis", "neutral"),
    # two standard values
    ("contactsoort", "Huisbezoek en telefonisch", "conflict"),
    ("uitstroomreden", "Voldoet niet, niet passend", "conflict"),
    ("eindresultaat", "Quick fix en verwezen naar kredietbank", "conflict"),
    # an ambiguity rule
    ("contactsoort", "Via buurtteam", "ambiguous"),
    ("eindresultaat", "Verwezen naar sociaal team", "ambiguous"),
    ("begeleidingssoort", "Budgetcoaching door vrijwilliger", "ambiguous"),
    # a known ambiguous spelling, with words added, is still ambiguous
    ("oplossingssoort", "Minnelijke schuldregeling via GKB", "ambiguous"),
    ("signaalpartner", "Rabobank", "ambiguous"),
    # an exclusion
    ("eindresultaat", "Binnen de gemeente verhuisd", "unknown"),
    ("eindresultaat", "", "empty"),
]


@pytest.mark.parametrize(("field", "value", "standard"), MAPPED)
def test_recognised(field: str, value: str, standard: str) -> None:
    standardizer = Standardizer()
    match = standardizer.lookup(field, value)
    assert match is not None, standardizer.explain(field, value).reason
    assert (match.standard, match.source) == (standard, Source.RULE)
    assert match.reason.startswith(f"Herkend als '{standard}'") and match.rule
    explanation = standardizer.explain(field, value)
    assert (explanation.standard, explanation.code, explanation.reason) == (standard, "rule", match.reason)


@pytest.mark.parametrize(("field", "value", "code"), REVIEWED)
def test_left_for_review(field: str, value: str, code: str) -> None:
    standardizer = Standardizer()
    assert standardizer.lookup(field, value) is None
    explanation = standardizer.explain(field, value)
    assert (explanation.standard, explanation.code) == (None, code), explanation.reason
    assert explanation.reason


def test_explanations_say_what_was_read_and_what_was_set_aside() -> None:
    standardizer = Standardizer()
    typo = standardizer.explain("contactsoort", "Huisbeozek gedaan")
    assert "'huisbeozek' als 'huisbezoek' (tikfout)" in typo.reason
    assert "@huisbezoek" in typo.reason and "'gedaan'" in typo.reason  # the rule, and the extra word
    outcome = standardizer.explain("contactsoort", "tel: geen gehoor")
    assert outcome.standard == "Telefoon"
    assert "afkorting van 'telefoon'" in outcome.reason and "'geen gehoor'" in outcome.reason
    compound = standardizer.explain("signaalpartner", "Huurtoeslag")
    assert "samenstelling 'huur' + 'toeslag'" in compound.reason or "huurtoeslag" in compound.reason
    wider = standardizer.explain("eindresultaat", "Geen contact meer")
    assert "Opzij gezet" in wider.reason and "Definitief geen contact kunnen krijgen" in wider.reason
    conflict = standardizer.explain("contactsoort", "Huisbezoek en telefonisch")
    assert set(conflict.candidates) == {"Huisbezoek", "Telefoon"}
    assert "Huisbezoek" in conflict.reason and "Telefoon" in conflict.reason
    first = standardizer.explain("eindresultaat", "Doorverwezen naar wijkteam zonder contact")
    assert first.standard == "Verwijzing zonder contact" and "die voorgaat" in first.reason


def test_exact_override_and_dictionary_go_before_the_rules() -> None:
    standardizer = Standardizer({"contactsoort": {"Huisbezoek gepland": "Overige"}})
    assert standardizer.explain("contactsoort", "Huisbezoek").code == "exact"
    assert standardizer.explain("contactsoort", "Huisbezoek gepland").code == "override"
    assert standardizer.standard("contactsoort", "huisbezoek gepland!") == "Overige"
    assert standardizer.explain("contactsoort", "Voordeurbezoek").code == "dictionary"
    # without the override the rules decide
    assert Standardizer().explain("contactsoort", "Huisbezoek gepland").code == "rule"


def test_ambiguity_rules_lead_the_suggestions() -> None:
    standardizer = Standardizer()
    entry = standardizer.ambiguity("eindresultaat", "Verwezen naar sociaal team")
    assert entry is not None and "wijkteam" in entry.reason
    suggestions = [value for value, _ in standardizer.suggest("eindresultaat", "Verwezen naar sociaal team")]
    assert suggestions[:2] == list(entry.candidates)
    # a value the rules map has no ambiguity, even when it holds an ambiguous word
    assert standardizer.ambiguity("eindresultaat", "Geen reactie meer na eerste gesprek") is None


def test_known_spellings_keep_their_meaning_with_words_added() -> None:
    """Every standard value and dictionary spelling, with an unknown word before or after it, still maps."""
    standardizer = Standardizer()
    for field in field_names():
        spellings = [(value, value) for value in official_values(field)]
        spellings += [
            (variant, value) for value, variants in DICTIONARY.get(field, {}).items() for variant in variants
        ]
        for spelling, value in spellings:
            if len(spelling.strip()) <= 1:  # "M", "V": whole values only
                continue
            for text in (f"{spelling} (zie notitie)", f"Collega: {spelling}"):
                assert standardizer.standard(field, text) == value, (
                    field,
                    text,
                    standardizer.explain(field, text),
                )


#: Pairs that do have one meaning by design: a referral without contact is that, wherever it went; the
#: dictionary reads "Belastingdienst/Toeslagen" as the Dienst Toeslagen.
_ONE_MEANING = {
    frozenset({"Verwijzing zonder contact", "Vervolghulp en/of verwijzing financieel"}),
    frozenset({"Verwijzing zonder contact", "Vervolghulp en/of verwijzing niet financieel"}),
    frozenset({"Belastingdienst", "Dienst Toeslagen"}),
}


def test_two_standard_values_are_never_mapped() -> None:
    standardizer = Standardizer()
    for field in field_names():
        for one in official_values(field):
            for other in official_values(field):
                if one == other or frozenset({one, other}) in _ONE_MEANING:
                    continue
                text = f"{one} en {other}"
                assert standardizer.standard(field, text) is None, (
                    field,
                    text,
                    standardizer.explain(field, text),
                )


def test_curated_ambiguities_are_never_mapped_with_words_added() -> None:
    standardizer = Standardizer()
    for field, entries in AMBIGUOUS.items():
        for entry in entries:
            for text in (entry.variant, f"{entry.variant} (zie notitie)"):
                if len(text.strip()) > 1 or text == entry.variant:
                    assert standardizer.standard(field, text) is None, (field, text)


def test_every_rule_and_concept_compiles_and_names_official_values() -> None:
    for field in field_names():
        matcher = Matcher(field)  # compiling raises on a phrase of stop words only or an unknown concept
        assert matcher.rules
        for rule in RULES.get(field, ()):
            assert rule.target is None or rule.target in official_values(field)
            assert all(candidate in official_values(field) for candidate in rule.candidates)
            assert (rule.target is None) == bool(rule.reason)
            for slot in (*rule.slots, *rule.unless):
                assert not slot.startswith("@") or slot[1:] in CONCEPTS[field]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(field_names()), st.text(max_size=80))
def test_any_text(field: str, value: str) -> None:
    """Any text: an official value or None, the same from lookup and explain, and always a reason."""
    standardizer = Standardizer()
    explanation = standardizer.explain(field, value)
    assert explanation.standard is None or explanation.standard in official_values(field)
    assert explanation.standard == standardizer.standard(field, value)
    assert explanation.reason and explanation.code


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["contactsoort", "eindresultaat"]),
    st.lists(
        st.sampled_from(
            [
                "geen",
                "niet",
                "zonder",
                "meer",
                "al",
                "de",
                "brief",
                "huisbezoek",
                "bereikt",
                "contact",
                "verwezen",
                "shv",
                "advies",
                "telefonisch",
                "x",
                "2e",
            ]
        ),
        max_size=7,
    ),
)
def test_word_salad(field: str, words: list[str]) -> None:
    """Negations in any place and order never break reading, and a value is mapped only with a reason."""
    standardizer = Standardizer()
    explanation = standardizer.explain(field, " ".join(words))
    if explanation.standard is not None:
        assert explanation.code in {"rule", "dictionary", "exact"}
