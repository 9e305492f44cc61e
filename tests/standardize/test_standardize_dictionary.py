"""The built-in dictionary: consistent with the published enums, unambiguous, and right on the known cases."""

from __future__ import annotations

import pytest

from ddas.spec import enums
from ddas.standardize import Standardizer, normalize
from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS

#: Each field's published enumeration, as ddas.spec.enums has it (which a spec test keeps equal to the schema).
PUBLISHED = {
    "contactsoort": enums.CONTACTSOORTEN,
    "eindresultaat": enums.EINDRESULTATEN,
    "signaalstatus": enums.SIGNAALSTATUSSEN,
    "signaalpartner": enums.SIGNAALPARTNERS,
    "uitstroomreden": enums.UITSTROOMREDENEN,
    "begeleidingssoort": enums.BEGELEIDINGSSOORTEN,
    "oplossingssoort": enums.OPLOSSINGSSOORTEN,
    "schuldsoort": enums.SCHULDENSOORTEN,
    "geslacht": enums.GESLACHTEN,
    "beschikkingssoort": enums.BESCHIKKINGSSOORTEN,
    "dagdeel": enums.DAGDELEN,
}


def test_fields_are_the_published_enums() -> None:
    assert {name: info.values for name, info in FIELDS.items()} == PUBLISHED
    assert set(DICTIONARY) <= set(FIELDS)
    assert set(AMBIGUOUS) <= set(FIELDS)


@pytest.mark.parametrize("field", list(FIELDS))
def test_targets_are_official(field: str) -> None:
    for standard in DICTIONARY.get(field, {}):
        assert standard in FIELDS[field].values
    for entry in AMBIGUOUS.get(field, ()):
        assert set(entry.candidates) <= set(FIELDS[field].values)
        assert entry.reason.strip()


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_spelling_means_one_thing(field: str) -> None:
    """No spelling twice (not even after normalisation), none equal to a standard value, none ambiguous too."""
    official = {normalize(value) for value in FIELDS[field].values}
    assert len(official) == len(FIELDS[field].values), "two standard values normalise alike"
    seen: dict[str, str] = {}
    for standard, variants in DICTIONARY.get(field, {}).items():
        for variant in variants:
            key = normalize(variant)
            assert key, f"{variant!r} normalises to nothing"
            assert key not in official, (
                f"{variant!r} is a standard value already (redundant or contradictory)"
            )
            assert key not in seen, f"{variant!r} listed twice ({seen.get(key)} and {standard})"
            seen[key] = standard
    for entry in AMBIGUOUS.get(field, ()):
        key = normalize(entry.variant)
        assert key not in seen and key not in official, f"{entry.variant!r} is both mapped and ambiguous"


# The cases SPEC.md §5 and the issue name, and how ddas decided them.
KNOWN = [
    ("contactsoort", "Huisbezoek samen met collega", "Huisbezoek"),
    ("contactsoort", "Voordeurbezoek", "Huisbezoek"),
    ("contactsoort", "SMS / Whatsapp", "SMS/Whatsapp"),
    ("contactsoort", "Sms/WhatsApp", "SMS/Whatsapp"),
    ("contactsoort", "whatsapp", "SMS/Whatsapp"),
    ("contactsoort", "Klant nam contact op n.a.v. brief", None),  # ambiguous: see the dictionary's reason
    ("geslacht", "M", "Man"),
    ("geslacht", "man", "Man"),
    ("geslacht", "mannelijk", "Man"),
    ("geslacht", "V", "Vrouw"),
    ("geslacht", "O", "Onbekend"),
    ("geslacht", "X", None),
    (
        "eindresultaat",
        "Inwoner heeft al betalingsregeling getroffen",
        "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
    ),
    ("eindresultaat", "Reeds bekend bij schuldhulpverlening", "Inwoner al bekend bij schuldhulpverlening"),
    ("eindresultaat", "Verwezen naar Geldloket", "Vervolghulp en/of verwijzing financieel"),
    ("eindresultaat", "Warme overdracht naar vervolghulp", None),
    ("eindresultaat", "Client niet bereikt", "Definitief geen contact kunnen krijgen"),
    ("eindresultaat", "Cliënt niet bereikt", "Definitief geen contact kunnen krijgen"),
    ("signaalpartner", "Eneco", "Energie"),
    ("signaalpartner", "Vattenfall", "Energie"),
    ("signaalpartner", "Belastingdienst/Toeslagen", "Dienst Toeslagen"),
    ("signaalpartner", "CAK", None),
    ("signaalstatus", "Nieuw", "Nog niet opgepakt"),
    ("uitstroomreden", "Succesvol afgerond", "Afgerond"),
    ("uitstroomreden", "Zelf gestopt", None),
    ("oplossingssoort", "0% aanbod", "0%-aanbod"),
    ("oplossingssoort", "Minnelijke schuldregeling", None),
    ("schuldsoort", "Zilveren Kruis", "Zorg"),
    ("schuldsoort", "Huur", "Overig"),
    ("beschikkingssoort", "Toelating", "Toelatingsbeschikking"),
    ("beschikkingssoort", "Beëindigingsbeschikking", None),
    ("dagdeel", "'s middags", "Middag"),
]


@pytest.mark.parametrize(("field", "value", "expected"), KNOWN)
def test_known_cases(field: str, value: str, expected: str | None) -> None:
    standardizer = Standardizer()
    assert standardizer.standard(field, value) == expected
    if expected is None:
        entry = standardizer.ambiguity(field, value)
        assert entry is not None, "an unmapped known case must say why"
        suggested = [standard for standard, _ in standardizer.suggest(field, value)]
        assert suggested[: len(entry.candidates)] == list(entry.candidates)
