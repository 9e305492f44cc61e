"""The ``format`` checks of the official schemas, exactly as the reference validator applies them.

The reference is python ``jsonschema`` (Draft 2020-12) with its format checker and ``rfc3339-validator``:
that is what the programme's examples are checked with, so ddas must accept and reject the same strings.
These functions are plain Python without dependencies so that both the models and the fast
``jsonschema_rs`` validator can use them without importing pydantic.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

__all__ = [
    "DATE_PATTERN",
    "DATE_TIME_PATTERN",
    "is_date",
    "is_date_time",
    "is_email",
]

#: Excludes year 0000, which the reference rejects (python's ``date`` cannot hold it) and ``jsonschema_rs``
#: accepts. Only anchored at the start: python's ``re.search`` lets ``$`` match before a final newline, so an
#: end anchor would not mean the same in every validator. No look-arounds, so that any regex engine copes.
DATE_PATTERN = "^(?:[1-9]|0[1-9]|00[1-9]|000[1-9])"

#: Excludes year 0000 and leap seconds (``:60``) in a date-time, both rejected by the reference and accepted
#: by ``jsonschema_rs``; ``[Tt]`` because the reference upper-cases the value before checking it.
DATE_TIME_PATTERN = (
    "^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5]"
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

_RFC3339 = re.compile(
    r"""
    ^
    (\d{4}) - (0[1-9]|1[0-2]) - (\d{2})
    T (?:[01]\d|2[0123]) : (?:[0-5]\d) : (?:[0-5]\d) (?:\.\d+)?
    (?: Z | [+-](?:[01]\d|2[0123]):[0-5]\d )
    $
    """,
    re.VERBOSE | re.ASCII,
)


def is_date(value: str) -> bool:
    """``format: date`` as the reference checks it: ``YYYY-MM-DD``, ASCII digits, a real date, year ≥ 1."""
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """``format: date-time`` as the reference checks it (``rfc3339-validator`` on the upper-cased value).

    Faithful to the reference on purpose, quirks included: lower-case ``t``/``z`` pass, leap seconds and
    year 0000 fail, and — because its regex ends in ``$`` and uses ``re.match`` — one trailing newline passes.
    """
    match = _RFC3339.match(value.upper())
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    if year == 0:
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def is_email(value: str) -> bool:
    """``format: email`` as the reference checks it: the value contains an ``@``, nothing more."""
    return "@" in value
