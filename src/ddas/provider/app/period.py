"""The reporting period a request asks for, with the koppelvlak's defaults (SPEC.md §6).

No period given: the last *completed* reporting period (half-year by default: asked in July → 1 January–30 June;
asked in March → 1 July–31 December of the year before). Exactly one bound given: the reporting period that
contains the given date supplies the other bound (start 2025-01-01 alone → up to 2025-06-30 with half-years),
so a caller who names one date gets the period that date belongs to rather than an open-ended selection.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

__all__ = ["Granularity", "containing_period", "last_completed_period", "resolve_period"]

Granularity = Literal["half-year", "quarter"]

_MONTHS: dict[str, int] = {"half-year": 6, "quarter": 3}


def containing_period(day: dt.date, granularity: Granularity) -> tuple[dt.date, dt.date]:
    """The reporting period (first day, last day) that `day` falls in."""
    months = _MONTHS[granularity]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    next_month = first_month + months
    if next_month > 12:
        # Not "1 January next year minus a day": in the year 9999 there is no next year (a request may ask).
        return start, dt.date(day.year, 12, 31)
    return start, dt.date(day.year, next_month, 1) - dt.timedelta(days=1)


def last_completed_period(today: dt.date, granularity: Granularity) -> tuple[dt.date, dt.date]:
    """The reporting period that ended most recently before `today`."""
    current_start, _ = containing_period(today, granularity)
    return containing_period(current_start - dt.timedelta(days=1), granularity)


def resolve_period(
    start: dt.date | None, end: dt.date | None, *, today: dt.date, granularity: Granularity
) -> tuple[dt.date, dt.date]:
    """Fill in what the request left out; the caller checks start ≤ end (a 422, not a default)."""
    if start is None and end is None:
        return last_completed_period(today, granularity)
    if start is None:
        assert end is not None
        return containing_period(end, granularity)[0], end
    if end is None:
        return start, containing_period(start, granularity)[1]
    return start, end
