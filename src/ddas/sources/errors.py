"""Errors of the sources path: a mapping that cannot be used, an export that cannot be read.

Both stop the whole conversion (nothing half-converted is returned); problems of single rows are not errors
but :class:`~ddas.sources.result.Reason` entries of held-back rows. ``code`` is stable for machines and
tests, ``message`` is Dutch for the person fixing the file, and never contains a BSN in clear.
"""

from __future__ import annotations

from ddas.validation.findings import scrub

__all__ = ["ExportError", "MappingError", "SourceError"]


class SourceError(ValueError):
    """Base of the errors that stop a conversion; ``problems`` lists each (code, message) when there are several."""

    def __init__(self, code: str, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        message = scrub(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = [(c, scrub(m)) for c, m in problems] if problems else [(code, message)]

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class MappingError(SourceError):
    """The mapping file is not valid YAML or does not describe a usable conversion."""


class ExportError(SourceError):
    """The export (CSV or XLSX) cannot be read as the mapping describes it."""
