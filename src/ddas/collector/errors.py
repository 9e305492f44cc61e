"""Errors of the collector: one small hierarchy; `str(error)` is a Dutch message fit for an operator.

No message ever contains a BSN: the raw pages are the only place on the collecting side where BSNs live.
"""

from __future__ import annotations

__all__ = ["ArchiveError", "CollectorError", "DirectoryError", "MailError"]


class CollectorError(Exception):
    """Base class: something the collector cannot do; the message says what and, where possible, where."""


class DirectoryError(CollectorError, ValueError):
    """The provider directory cannot be used: unreadable, not YAML, or a setting that is wrong or missing."""


class MailError(CollectorError):
    """An op-orde-rapport could not be sent (server unreachable, refused, bad settings)."""

    def __init__(self, message: str, *, refused: tuple[str, ...] = (), server: bool = False) -> None:
        super().__init__(message)
        #: Addresses the server refused while it accepted others (the message did reach those).
        self.refused = refused
        #: The mail server could not be used at all (unreachable, TLS, login, settings): every other report
        #: would fail the same way, so a run stops trying until the next one. False: this message was refused.
        self.server = server


class ArchiveError(CollectorError):
    """The raw archive cannot store or return a page: an object is missing or damaged, or the index is."""
