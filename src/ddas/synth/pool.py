"""The client pool: households that deliveries draw their clients from.

Samenloop (different providers delivering on the same clients) is only testable when two generated deliveries
can share clients. So clients are not invented per file but taken from a pool fixed by `pool_seed`: household
`i` of a pool is always the same household, whatever file asks for it. Every household is derived from its
own `random.Random`, so asking for household 80,000 does not require generating the 79,999 before it, and BSNs
come from an injective map of the person's index, so no two persons of one pool ever share a BSN.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ddas.synth.draw import Weighted, pick, rint
from ddas.synth.reference import ACHTERNAMEN, PLAATSNAMEN, STRATEN

__all__ = ["ClientPool", "Huishouden", "Persoon", "bsn_check_digit"]

#: Birthdates are drawn as an age on this day, so a pool's persons keep their birthdates across periods.
_ANCHOR = dt.date(2025, 6, 30).toordinal()
_MIN_AGE_DAYS = 18 * 366 + 2
_MAX_AGE_DAYS = 85 * 365 - 2
_BODY_SPAN = 9_000_000  # 7-digit BSN bodies 1000000–9999999
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GESLACHT = Weighted((("Vrouw", 50), ("Man", 48), ("Onbekend", 2)))
_GESLACHT_ZONDER_BSN = Weighted((("Vrouw", 50), ("Man", 50)))


@dataclass(frozen=True, slots=True)
class Persoon:
    """One person as a source system knows them."""

    bsn: str
    #: Age in days on the pool's anchor date; see `geboortedatum`.
    age_days: int
    geslacht: str
    voorletters: str
    voorvoegsel: str
    achternaam: str

    def geboortedatum(self, reference: int) -> str:
        """The birthdate (ISO) that makes this person 18–85 years old on `reference` (an ordinal).

        For reference dates near the anchor (2023–2050) this is the same fixed birthdate; farther away the
        age is wrapped into the plausible range, so that any reporting period yields a plausible population.
        """
        age = self.age_days + (reference - _ANCHOR)
        if not _MIN_AGE_DAYS <= age <= _MAX_AGE_DAYS:
            age = _MIN_AGE_DAYS + (age - _MIN_AGE_DAYS) % (_MAX_AGE_DAYS - _MIN_AGE_DAYS)
        return dt.date.fromordinal(reference - age).isoformat()


@dataclass(frozen=True, slots=True)
class Huishouden:
    """One or two persons at one address: the clients of a schuldhulptraject, or a VS client and partner."""

    index: int
    personen: tuple[Persoon, ...]
    straatnaam: str
    postcode: str
    huisnummer: str
    toevoeging: str
    plaatsnaam: str
    #: Registered without BSN (SHV): identifiable by birthdate, gender and address instead.
    zonder_bsn: bool


def bsn_check_digit(first8: str) -> int:
    """The elfproef check digit for eight digits; 10 means no valid BSN starts with these digits."""
    total = sum((9 - i) * int(c) for i, c in enumerate(first8))
    return total % 11


def _postcode(rng: random.Random) -> str:
    """A `1234AB` postcode as PostNL issues them: first digit 1–9, never the letter pairs SA, SD or SS."""
    while True:
        letters = pick(rng, _LETTERS) + pick(rng, _LETTERS)
        if letters not in ("SA", "SD", "SS"):
            return f"{rint(rng, 1000, 9999)}{letters}"


def _toevoeging(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.80:
        return ""
    if r < 0.90:
        return pick(rng, "ABCD")
    if r < 0.96:
        return pick(rng, ("1", "2", "3", "I", "II", "III"))
    return pick(rng, ("bis", "HS", "1hg", "rood"))


def _voorletters(rng: random.Random) -> str:
    count = 1 if rng.random() < 0.6 else 2
    return "".join(pick(rng, "ABCDEFGHIJKLMNOPRSTWY") + "." for _ in range(count))


class ClientPool:
    """The households of one `pool_seed`, created on demand and always identical for the same index."""

    def __init__(self, pool_seed: int) -> None:
        self.pool_seed = pool_seed
        key = random.Random(pool_seed * 7919 + 17)
        # An affine map k → A·k + B (mod span) is a bijection when A is coprime to the span: unique bodies.
        while True:
            a = key.randrange(1_000_001, _BODY_SPAN)
            if a % 2 and a % 3 and a % 5:
                break
        self._a = a
        self._b = key.randrange(_BODY_SPAN)

    def bsn(self, person_index: int, rng: random.Random) -> str:
        """The BSN of `person_index`: a unique 7-digit body, then an eighth digit that allows a check digit.

        The elfproef weighs the digits 9, 8, …, 2 and the check digit -1; the eighth digit has weight 2, so
        its ten values give ten different remainders and at most one of them makes the check digit 10.
        """
        body = 1_000_000 + (self._a * person_index + self._b) % _BODY_SPAN
        total, rest = 0, body
        for weight in (3, 4, 5, 6, 7, 8, 9):
            rest, digit = divmod(rest, 10)
            total += weight * digit
        eighth = int(rng.random() * 10)
        check = (total + 2 * eighth) % 11
        if check == 10:
            eighth = (eighth + 1) % 10
            check = (total + 2 * eighth) % 11
        return f"{body}{eighth}{check}"

    def household(self, index: int) -> Huishouden:
        rng = random.Random(self.pool_seed * 1_000_003 + index * 31 + 7)
        zonder_bsn = rng.random() < 0.05
        first = self._person(rng, 2 * index, None, zonder_bsn)
        personen: tuple[Persoon, ...] = (first,)
        if rng.random() < 0.20:
            personen = (first, self._person(rng, 2 * index + 1, first, zonder_bsn))
        household = Huishouden(
            index=index,
            personen=personen,
            straatnaam=pick(rng, STRATEN),
            postcode=_postcode(rng),
            huisnummer=str(min(99999, 1 + int(rng.expovariate(1 / 40)))),
            toevoeging=_toevoeging(rng),
            plaatsnaam=pick(rng, PLAATSNAMEN),
            zonder_bsn=zonder_bsn,
        )
        return household

    def _person(
        self, rng: random.Random, person_index: int, partner: Persoon | None, zonder_bsn: bool
    ) -> Persoon:
        if partner is None:
            # Clients of debt assistance are mostly 25–55; the triangular shape keeps a tail to both ends.
            age_days = int(rng.triangular(_MIN_AGE_DAYS, _MAX_AGE_DAYS, 38 * 365))
            # Without a BSN the gender is part of the identification, so it must be a real value.
            geslacht = (_GESLACHT_ZONDER_BSN if zonder_bsn else _GESLACHT)(rng)
            voorvoegsel, achternaam = pick(rng, ACHTERNAMEN)
        else:
            age_days = partner.age_days + rint(rng, -8 * 365, 8 * 365)
            age_days = max(_MIN_AGE_DAYS, min(_MAX_AGE_DAYS, age_days))
            geslacht = "Man" if partner.geslacht == "Vrouw" else "Vrouw"
            voorvoegsel, achternaam = pick(rng, ACHTERNAMEN)
        return Persoon(
            bsn=self.bsn(person_index, rng),
            age_days=age_days,
            geslacht=geslacht,
            voorletters=_voorletters(rng),
            voorvoegsel=voorvoegsel,
            achternaam=achternaam,
        )
