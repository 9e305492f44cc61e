"""Free-text values → standard DDAS values: normalisation, a built-in dictionary, fuzzy suggestions, review.

- ``normalize``: the comparison key of a spelling (case, accents, punctuation and spacing folded);
- ``dictionary``: the spellings people type by hand and the standard value each means (documented in
  ``docs/standaardisatie.md``), and the spellings deliberately left to review;
- ``matcher`` and ``rules``: recognising a value by its words (extra words, word order, compounds, inflection,
  abbreviations, typing errors) when exactly one standard value is meant, with the reason for every decision;
- ``Standardizer``: exact value, then the mapping's overrides, the dictionary, the rules — else None, never a
  guess; ``explain`` says why;
  ``suggest`` ranks likely standard values with rapidfuzz for the review file;
- ``review``: the review file (YAML) and copying accepted entries into a mapping's ``values``;
- ``evaluation``: precision and recall on a labelled set of values (``tests/standardize/data``);
- ``commands``: the ``ddas standardize`` sub-commands.
"""

from __future__ import annotations

from ddas._lazy import lazy_getattr

# Imported eagerly: the function shares its name with its (light) module, which would otherwise shadow it.
from ddas.standardize.normalize import normalize

#: Public names and their modules, imported on first use (PEP 562): the `ddas` command imports
#: `ddas.standardize.commands` at start-up and should not load rapidfuzz and the dictionary for every command.
_EXPORTS = {
    **dict.fromkeys(
        (
            "MIN_SCORE",
            "Explanation",
            "Match",
            "Source",
            "StandardizeError",
            "Standardizer",
            "field_names",
            "official_values",
        ),
        "ddas.standardize.standardizer",
    ),
}

__all__ = [
    "MIN_SCORE",
    "Explanation",
    "Match",
    "Source",
    "StandardizeError",
    "Standardizer",
    "field_names",
    "normalize",
    "official_values",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS)
