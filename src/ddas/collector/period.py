"""Reporting periods as people write them: `2025-H1`, `2025-Q3`, `2025` or `2025-01-01..2025-06-30`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Period", "PeriodError", "parse_period"]

_HALF = re.compile(r"^(\d{4})-?[Hh]([12])$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period that cannot be read (Dutch message)."""


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def __str__(self) -> str:
        return self.label


def _last_day(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """`2025-H1` (half-year), `2025-Q3` (quarter), `2025` (year) or `START..END` (ISO dates, inclusive)."""
    value = text.strip()
    if match := _HALF.match(value):
        year, half = int(match[1]), int(match[2])
        return Period(dt.date(year, 6 * half - 5, 1), _last_day(year, 6 * half), f"{year}-H{half}")
    if match := _QUARTER.match(value):
        year, quarter = int(match[1]), int(match[2])
        return Period(dt.date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter), f"{year}-Q{quarter}")
    if match := _YEAR.match(value):
        year = int(match[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    if ".." in value:
        first, _, last = value.partition("..")
        try:
            start, end = dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
        except ValueError:
            raise PeriodError(
                f"Ongeldige datum in periode {value!r}; gebruik JJJJ-MM-DD..JJJJ-MM-DD."
            ) from None
        if start > end:
            raise PeriodError(f"De periode {value!r} begint na het einde.")
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")
    raise PeriodError(
        f"Onbekende periode {value!r}; gebruik bijvoorbeeld 2025-H1 (halfjaar), 2025-Q3 (kwartaal), 2025 (jaar) "
        "of 2025-01-01..2025-06-30."
    )
