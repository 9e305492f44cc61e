"""Free-text values → standard DDAS values: normalisation, a built-in dictionary, fuzzy suggestions, review.

- ``normalize``: the comparison key of a spelling (case, accents, punctuation and spacing folded);
- ``dictionary``: the spellings people type by hand and the standard value each means (documented in
  ``docs/standaardisatie.md``), and the spellings deliberately left to review;
- ``Standardizer``: exact value, then the mapping's overrides, then the dictionary — else None, never a guess;
  ``suggest`` ranks likely standard values with rapidfuzz for the review file;
- ``review``: the review file (YAML) and copying accepted entries into a mapping's ``values``;
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
    "Match",
    "Source",
    "StandardizeError",
    "Standardizer",
    "field_names",
    "normalize",
    "official_values",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS)
