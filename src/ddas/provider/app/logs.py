"""Logging for `ddas serve`: one handler for ddas, uvicorn and libraries, and never a BSN on it (SPEC.md §6).

ddas's own code logs counts, codes and periods, never a value from a record or request body. Two guards
cover what ddas does not write itself: the database libraries stay at WARNING even when the service runs at
DEBUG (SQLAlchemy at DEBUG would print result rows, records with BSNs in them), and the formatter masks any
BSN-shaped number in the finished line, traceback included, as `*****6789` (the mask the validator uses).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from ddas.privacy import mask_text

__all__ = ["QUIET_LOGGERS", "RedactingFormatter", "configure_logging", "mask_nine_digit_runs"]

#: Libraries whose DEBUG output contains data: pinned at WARNING whatever the service's level.
QUIET_LOGGERS = ("sqlalchemy", "alembic", "psycopg", "aiosqlite", "multipart", "httpcore", "httpx")


def mask_nine_digit_runs(text: str) -> str:
    """Every BSN-shaped number (nine digits, also grouped as `123 456 782`) as `*****` + its last four digits:
    the package's one masking rule (`ddas.privacy`), without its memo of clean values (log lines never repeat)."""
    return mask_text(text, remember=False)


class RedactingFormatter(logging.Formatter):
    """A formatter whose output never holds a nine-digit run, whatever a library put in the record."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_nine_digit_runs(super().format(record))


def configure_logging(level: str = "info", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) through the redacting formatter, at `level`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
