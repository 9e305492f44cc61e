"""Date helpers for the generator: dates travel as ordinals (ints) and become ISO strings only on output."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = ["DEFAULT_PERIOD", "Period", "iso", "month_end", "month_start", "parse_period"]

#: A reporting period (startdatumLevering, einddatumLevering), both inclusive.
Period = tuple[dt.date, dt.date]

#: The first half of 2025: fixed, so that generated files never depend on the day they are generated.
DEFAULT_PERIOD: Period = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))


@lru_cache(maxsize=8192)
def iso(ordinal: int) -> str:
    """`YYYY-MM-DD` of an ordinal; cached because a delivery repeats the same few hundred days endlessly."""
    return dt.date.fromordinal(ordinal).isoformat()


def month_start(ordinal: int) -> int:
    return dt.date.fromordinal(ordinal).replace(day=1).toordinal()


def month_end(ordinal: int) -> int:
    day = dt.date.fromordinal(ordinal)
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next.toordinal() - 1


def parse_period(text: str) -> Period:
    """`2025-01-01..2025-06-30` (or `/` or `,` between) as a period; ValueError when malformed or reversed."""
    for sep in ("..", "/", ","):
        if sep in text:
            start_text, end_text = text.split(sep, 1)
            break
    else:
        raise ValueError(f"periode {text!r} is niet BEGIN..EINDE (bijv. 2025-01-01..2025-06-30)")
    start = dt.date.fromisoformat(start_text.strip())
    end = dt.date.fromisoformat(end_text.strip())
    if start > end:
        raise ValueError(f"periode {text!r} begint na het einde")
    return start, end
