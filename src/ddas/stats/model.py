"""The shapes every part of the statistics layer shares: table specifications, cells, periods and regions.

A table is computed as *cells* in long form (one row per dimension combination and topic, true values and the
cell keys that protect them), then protected (`ddas.stats.protect`) and published wide, one column per topic,
in the shape of a StatLine table (`ddas.stats.publish`). Definitions are in docs/statistieken.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CELL_COLUMNS",
    "NEDERLAND",
    "RECORD_KEY_RANGE",
    "Category",
    "Dimension",
    "Measure",
    "TableSpec",
    "Topic",
    "add_months",
    "half_year_bounds",
    "half_year_key",
    "month_key",
    "period_bounds",
    "quarter_key",
    "region_key",
    "year_key",
]

#: Record keys are drawn uniformly from 0 … RECORD_KEY_RANGE - 1; a cell key is their sum modulo this.
RECORD_KEY_RANGE = 256

#: StatLine's region key for the whole country.
NEDERLAND = "NL01"

#: What a topic measures; it decides how the cell is protected (docs/statistieken.md §4).
#: aantal: a count (teller, ck_teller); aandeel: teller / noemer, both counts with their cell keys;
#: gemiddelde / kwantiel: `waarde` over `noemer` units; overleving: a Kaplan–Meier value with `noemer` at risk.
Measure = Literal["aantal", "aandeel", "gemiddelde", "kwantiel", "overleving"]

#: The columns of a cell relation after its dimension columns, in this order.
#: teller/ck_teller: the count (or numerator) and its cell key; noemer/ck_noemer: the denominator of a share
#: (for gemiddelde/kwantiel/overleving: the number of units the value rests on, ck_noemer NULL); waarde: the
#: true value of a gemiddelde/kwantiel/overleving (NULL for aantal/aandeel); status: NULL, or
#: 'niet_waarneembaar' when the follow-up window has not passed by the peildatum.
CELL_COLUMNS = ("onderwerp", "teller", "ck_teller", "noemer", "ck_noemer", "waarde", "status")


@dataclass(frozen=True, slots=True)
class Category:
    """One value of a dimension, as StatLine describes it: `Key`, `Title`, `Description`."""

    key: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension of a table. `RegioS` and `Perioden` get their categories from the data (all gemeenten in
    the reference list that occur, and the periods built); other dimensions list theirs here, in order."""

    key: str
    title: str
    description: str = ""
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """A measure column of a table (StatLine's `DataProperties` of type Topic)."""

    key: str
    title: str
    measure: Measure
    unit: str  # "aantal", "%", "euro", "dagen"
    definition: str  # Dutch, from docs/statistieken.md
    decimals: int = 0
    #: For follow-up measures: the window in months after the cohort date; the cell is published only when the
    #: window of the whole cohort lies on or before the peildatum.
    window_months: int | None = None


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A published table: StatLine-like identity and metadata, its dimensions (RegioS and Perioden first) and
    topics."""

    id: str  # "S1" … "S8", "V1" … "V6", register breakdowns "S1R" …
    identifier: str  # the OData table identifier, e.g. "DDAS_S1"
    title: str
    summary: str
    period_by: str  # Dutch: which date puts a record in a period
    unit_of_count: str  # Dutch: what is counted (trajecten, personen, signalen, …)
    dimensions: tuple[Dimension, ...]
    topics: tuple[Topic, ...]
    notes: tuple[str, ...] = field(default=())

    def topic(self, key: str) -> Topic:
        for topic in self.topics:
            if topic.key == key:
                return topic
        raise KeyError(key)


def region_key(gemeentecode: str) -> str:
    """`0363` / `GM0363` → `GM0363` (StatLine's form); anything else unchanged."""
    code = gemeentecode.removeprefix("GM")
    return f"GM{code}" if len(code) == 4 and code.isdigit() else gemeentecode


def half_year_key(day: dt.date) -> str:
    return f"{day.year}HJ0{1 if day.month <= 6 else 2}"


def year_key(day: dt.date) -> str:
    return f"{day.year}JJ00"


def quarter_key(day: dt.date) -> str:
    return f"{day.year}KW0{(day.month - 1) // 3 + 1}"


def month_key(day: dt.date) -> str:
    return f"{day.year}MM{day.month:02d}"


def period_bounds(key: str) -> tuple[dt.date, dt.date]:
    """First and last day of a StatLine period key (`2025HJ01`, `2025JJ00`, `2025KW03`, `2025MM07`)."""
    year, kind, number = int(key[:4]), key[4:6], int(key[6:])
    if kind == "JJ":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = {"HJ": 6, "KW": 3, "MM": 1}.get(kind)
    if months is None or not 1 <= number <= 12 // months:
        raise ValueError(f"onbekende periodesleutel {key!r}")
    first = dt.date(year, (number - 1) * months + 1, 1)
    return first, add_months(first, months) - dt.timedelta(days=1)


def half_year_bounds(key: str) -> tuple[dt.date, dt.date]:
    if key[4:6] != "HJ":
        raise ValueError(f"geen halfjaar: {key!r}")
    return period_bounds(key)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clipped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
