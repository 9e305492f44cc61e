"""Synthetic vroegsignalen and vroegsignaalzaken (VS v0.9) for one levering.

Signals arrive in small bursts per inwoner (a rent and an energy arrear in the same weeks); the gemeente makes
one zaak per burst, picks it up, tries to make contact and records a result. Results are chosen first and the
contactpogingen are drawn to fit them, so a result that implies contact always has a reached poging and a
"no contact" result never has one (§4.20).
"""

from __future__ import annotations

import math
import random
from typing import Any

from ddas.synth.dates import iso, month_end, month_start
from ddas.synth.draw import Weighted, rint
from ddas.synth.pool import Huishouden
from ddas.synth.reference import CONTACTSOORTEN, DAGDELEN, SIGNAALPARTNERS

__all__ = ["SignaalFactory"]

_PARTNER = Weighted(tuple((p, w) for p, w, _ in SIGNAALPARTNERS))
_MEDIAN_BEDRAG = {p: m for p, _, m in SIGNAALPARTNERS}
_SOORT = Weighted(CONTACTSOORTEN)
_DAGDEEL = Weighted(DAGDELEN)
_FAILURES = Weighted(((0, 45), (1, 30), (2, 15), (3, 10)))

#: Results that are also a signal status: the zaak was closed without being picked up.
_NIET_OPGEPAKT = (
    ("Niet opgepakt: herhaalde melding", 3),
    ("Persoon is geen inwoner (meer) in de gemeente", 2),
    ("Niet opgepakt: onterecht signaal", 1),
    ("Niet opgepakt: andere reden", 1),
    ("Inwoner is overleden", 1),
)
#: Results reached without ever speaking to the inwoner.
_ZONDER_CONTACT = (("Definitief geen contact kunnen krijgen", 20), ("Verwijzing zonder contact", 2))
#: Results that presuppose contact with the inwoner.
_MET_CONTACT = (
    ("Inwoner hoeft geen hulp vanuit vroegsignalering", 15),
    ("(Budget)advies en/of quick fix", 14),
    ("Vervolghulp en/of verwijzing financieel", 12),
    ("Inwoner heeft zelf al betaald/betalingsregeling getroffen", 10),
    ("Inwoner al bekend bij schuldhulpverlening", 6),
    ("Geen reactie na eerder contact", 5),
    ("Vervolghulp en/of verwijzing niet financieel", 4),
    ("Inwoner heeft al een ander lopend traject", 2),
)
_RESULTAAT = Weighted(_NIET_OPGEPAKT + _ZONDER_CONTACT + _MET_CONTACT)
_NIET_OPGEPAKT_SET = frozenset(r for r, _ in _NIET_OPGEPAKT)
_ZONDER_CONTACT_SET = frozenset(r for r, _ in _ZONDER_CONTACT)
#: Status of a signal without a zaak once the gemeente decided not to pick it up (or not yet).
_ZONDER_ZAAK_STATUS = Weighted(
    (
        ("Nog niet opgepakt", 25),
        ("Niet opgepakt: herhaalde melding", 45),
        ("Niet opgepakt: onterecht signaal", 15),
        ("Niet opgepakt: andere reden", 15),
    )
)


class SignaalFactory:
    """Draws the vroegsignalen and vroegsignaalzaken of one levering."""

    def __init__(self, rng: random.Random, period_start: int, period_end: int) -> None:
        self.rng = rng
        self.ps = period_start
        self.pe = period_end

    def levering(
        self, gemeentecode: str, groups: list[tuple[Huishouden, int]], plaatsnaam: str | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Signals for each (household, number of signals) and the zaken that handle them.

        Signals are numbered in order of signaaldatum, as a registration system would; `plaatsnaam` is the
        gemeente's name, used as the clients' Plaatsnaam when known.
        """
        bursts = [self._burst(household, n, plaatsnaam) for household, n in groups]
        signalen = sorted((s for burst, _ in bursts for s in burst), key=lambda s: s["signaaldatum"])
        for number, signaal in enumerate(signalen, 1):
            signaal["ID"] = f"VS-{gemeentecode}-{number:06d}"
        zaken = [zaak for burst, days in bursts if (zaak := self._zaak(burst, days)) is not None]
        zaken.sort(key=lambda z: z["startdatum_matchtingperiode"])
        # Put ID first in each signal, as the official examples do.
        signalen = [{"ID": s.pop("ID"), **s} for s in signalen]
        return signalen, zaken

    def _burst(
        self, household: Huishouden, n: int, plaatsnaam: str | None
    ) -> tuple[list[dict[str, Any]], list[int]]:
        """`n` signals of one inwoner within a few weeks, and their signaaldatums as ordinals."""
        rng, pe = self.rng, self.pe
        anchor = rint(rng, self.ps, pe)
        partners = set[str]()
        out: list[dict[str, Any]] = []
        days: list[int] = []
        for _ in range(n):
            partner = _PARTNER(rng)
            while partner in partners:  # one burst has signals of different partners
                partner = _PARTNER(rng)
            partners.add(partner)
            signaaldatum = min(pe, anchor + rint(rng, 0, 21))
            days.append(signaaldatum)
            bedrag = int(rng.lognormvariate(math.log(_MEDIAN_BEDRAG[partner]), 0.7))
            out.append(
                {
                    "crisissignaal": rng.random() < 0.10,
                    "warmeOverdracht": rng.random() < 0.04,
                    "bedrag": max(1, bedrag),
                    "ontstaansdatum": iso(signaaldatum - int(rng.triangular(14, 180, 45))),
                    "signaaldatum": iso(signaaldatum),
                    "signaalpartner": {"type": partner},
                    "client": _client(household, pe, plaatsnaam),
                }
            )
        return out, days

    def _zaak(self, burst: list[dict[str, Any]], days: list[int]) -> dict[str, Any] | None:
        """The zaak for a burst, or None (then the signals carry a status saying why there is none yet)."""
        rng, pe = self.rng, self.pe
        first, last = min(days), max(days)
        recent = last >= pe - 14
        if rng.random() < (0.6 if recent else 0.12):
            status = "Nog niet opgepakt" if recent and rng.random() < 0.8 else _ZONDER_ZAAK_STATUS(rng)
            for s in burst:
                s["status"] = status
            return None

        zaak: dict[str, Any] = {}
        crisis = any(s["crisissignaal"] for s in burst)
        opgepakt = min(pe, last + (rint(rng, 0, 3) if crisis else rint(rng, 0, 14)))
        still_open = rng.random() < (0.7 if opgepakt >= pe - 21 else 0.07)
        resultaat = None if still_open else _RESULTAAT(rng)
        if resultaat is not None:
            zaak["resultaat"] = resultaat
        zaak["matchingsdatum"] = iso(min(pe, first + rint(rng, 0, 3)))
        zaak["startdatum_matchtingperiode"] = iso(month_start(first))
        if resultaat not in _NIET_OPGEPAKT_SET:
            zaak["datum_opgepakt"] = iso(opgepakt)
        zaak["einddatum_matchingperiode"] = iso(min(pe, month_end(first)))
        zaak["vroegsignalen"] = [{"ID": s["ID"]} for s in burst]
        if resultaat in _NIET_OPGEPAKT_SET:
            for s in burst:  # closed unseen: the signals say why
                s["status"] = resultaat
        else:
            zaak["contactpogingen"] = self._pogingen(opgepakt, resultaat)
        return zaak

    def _pogingen(self, opgepakt: int, resultaat: str | None) -> list[dict[str, Any]]:
        rng = self.rng
        if resultaat is None:  # still trying
            bereikt = [rng.random() < 0.3 for _ in range(rint(rng, 0, 3))]
        elif resultaat in _ZONDER_CONTACT_SET:
            bereikt = [False] * rint(rng, 2, 5)
        elif resultaat == "Geen reactie na eerder contact":
            bereikt = [False] * rint(rng, 0, 2) + [True] + [False] * rint(rng, 1, 3)
        else:
            failures = _FAILURES(rng)
            bereikt = [False] * failures + [True]
            if rng.random() < 0.3:  # a follow-up conversation
                bereikt.append(rng.random() < 0.7)
        day = opgepakt + rint(rng, 0, 3)
        out: list[dict[str, Any]] = []
        for reached in bereikt:
            out.append(
                {
                    "soort": _SOORT(rng),
                    "bereikt": reached,
                    "datum": iso(min(day, self.pe)),
                    "dagdeel": _DAGDEEL(rng),
                }
            )
            day += rint(rng, 1, 10)
        return out


def _client(household: Huishouden, pe: int, plaatsnaam: str | None) -> dict[str, Any]:
    p = household.personen[0]
    client: dict[str, Any] = {"Burgerservicenummer": p.bsn, "Voorletters": p.voorletters}
    if p.voorvoegsel:
        client["Voorvoegsel"] = p.voorvoegsel
    client["Achternaam"] = p.achternaam
    client["Geboortedatum"] = p.geboortedatum(pe)
    client["Straatnaam"] = household.straatnaam
    client["Postcode"] = household.postcode
    client["Huisnummer"] = household.huisnummer
    if household.toevoeging:
        client["Huisnummertoevoeging"] = household.toevoeging
    client["Plaatsnaam"] = plaatsnaam or household.plaatsnaam
    return client
