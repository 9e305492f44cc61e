"""Errors of the signing package: one small hierarchy, each error with a stable code and Dutch and English text.

The HTTP layer turns a `SignatureError` into a 401 problem+json; the code is what clients and tests match on, the
Dutch text is what a supplier reads, the English text goes into the problem's detail for foreign tooling.
"""

from __future__ import annotations

__all__ = ["KeyMaterialError", "PkiError", "SignatureError", "SigningError"]


class SigningError(Exception):
    """Base class: `code` is stable English, `nl` and `en` say the same thing for people."""

    def __init__(self, code: str, nl: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.nl = nl
        self.en = en

    def message(self, lang: str = "nl") -> str:
        """The human text in the requested language (Dutch unless English is asked for)."""
        return self.en if lang == "en" else self.nl


class SignatureError(SigningError):
    """A received `nlgov-adr-payload-sig` (or its Digest) did not verify; `code` is one of the `SIG_*` codes."""


class KeyMaterialError(SigningError):
    """A key, certificate or trust-anchor file could not be used (missing, unreadable, mismatched)."""


class PkiError(SigningError):
    """The development PKI could not be made as asked (already exists, bad OIN)."""
