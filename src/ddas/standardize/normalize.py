"""Folding free text to a comparison key, so that spelling variants of one value meet in one dictionary key."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

# Everything that is not a letter or a digit (``\w`` minus the underscore) separates words.
_SEPARATORS = re.compile(r"[\W_]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing folded: ``" Cliënt  niet-bereikt!"`` → ``"client niet bereikt"``.

    Compatibility decomposition (NFKD) comes first, because it can produce upper-case letters (``ℌ`` → ``H``)
    that casefolding must still see; casefolding can in turn produce combining marks (``İ`` → ``i̇``), hence
    a second accent strip. Punctuation becomes a space rather than vanishing, so ``SMS/Whatsapp`` and
    ``SMS / Whatsapp`` both give ``sms whatsapp``. The result is stable: normalising it again changes nothing.
    """
    folded = _strip_accents(_strip_accents(text).casefold())
    return " ".join(_SEPARATORS.sub(" ", folded).split())
