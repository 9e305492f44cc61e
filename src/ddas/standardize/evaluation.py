"""Precision and recall of the standardiser on a labelled set of values, as a person would type them.

A set is a UTF-8 file with one value per line: ``field<TAB>value<TAB>expected``; ``#`` starts a comment line.
``expected`` is the one standard value the value means, ``AMBIGUOUS`` when it could mean more than one (or no
single one), or ``JUNK`` when it means nothing in that field. The last two must never be mapped.

- precision = correct mappings / all mappings made (a mapping of an ambiguous or junk value is a wrong one);
- recall = correct mappings / values that have one correct standard value.

The project's sets are in ``tests/standardize/data``; ``bench/standardize.py`` prints the figures and a test
keeps them above the targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ddas.standardize.standardizer import official_values

__all__ = ["AMBIGUOUS", "JUNK", "Case", "Score", "evaluate", "load_cases"]

AMBIGUOUS = "AMBIGUOUS"
JUNK = "JUNK"


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled value; ``expected`` is a standard value, :data:`AMBIGUOUS` or :data:`JUNK`."""

    field: str
    value: str
    expected: str
    line: int = 0

    @property
    def single(self) -> bool:
        """The value has one correct standard value (it counts for recall)."""
        return self.expected not in (AMBIGUOUS, JUNK)


@dataclass(slots=True)
class Score:
    """Counts of one evaluation, and the cases that went wrong (for the report)."""

    cases: int = 0
    single: int = 0
    made: int = 0
    correct: int = 0
    wrong: list[tuple[Case, str]] = field(default_factory=list)
    missed: list[Case] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct mappings / mappings made (1.0 when nothing was mapped: nothing was wrong)."""
        return self.correct / self.made if self.made else 1.0

    @property
    def recall(self) -> float:
        """Correct mappings / values with one correct standard value."""
        return self.correct / self.single if self.single else 1.0

    @property
    def ambiguous_mapped(self) -> int:
        """Values labelled ambiguous that were mapped anyway (must be 0)."""
        return sum(1 for case, _ in self.wrong if case.expected == AMBIGUOUS)

    @property
    def junk_mapped(self) -> int:
        """Values labelled junk that were mapped anyway."""
        return sum(1 for case, _ in self.wrong if case.expected == JUNK)

    def add(self, case: Case, got: str | None) -> None:
        self.cases += 1
        self.single += case.single
        if got is not None:
            self.made += 1
            if got == case.expected:
                self.correct += 1
            else:
                self.wrong.append((case, got))
        elif case.single:
            self.missed.append(case)


def load_cases(path: str | os.PathLike[str]) -> list[Case]:
    """Read a labelled set; raises ValueError naming the line of a malformed row or an unknown label."""
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path}:{number}: verwacht veld, waarde en verwachting, gescheiden door tabs")
        field_name, value, expected = parts
        if expected not in (AMBIGUOUS, JUNK) and expected not in official_values(field_name):
            raise ValueError(f"{path}:{number}: '{expected}' is geen standaardwaarde van {field_name}")
        cases.append(Case(field_name, value, expected, number))
    return cases


def evaluate(standard: Callable[[str, str], str | None], cases: Iterable[Case]) -> dict[str, Score]:
    """Scores per field and in total (key ``"*"``) of ``standard(field, value)`` on ``cases``."""
    scores: dict[str, Score] = {"*": Score()}
    for case in cases:
        got = standard(case.field, case.value)
        scores["*"].add(case, got)
        scores.setdefault(case.field, Score()).add(case, got)
    return scores
