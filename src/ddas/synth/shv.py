"""Synthetic schuldhulptrajecten that follow the NVVK reference process.

A traject is simulated in two steps. First its whole course is drawn as if the future were known (aanmelding,
intake, plan van aanpak, stabilisatie, schuldregeling, oplossing, nazorg, uitstroom — or a dropout somewhere
on the way). Then it is rendered as a source system sees it on the last day of the reporting period: what lies
after that day has not happened yet, so those dates, and everything that depends on them, are left out. Doing
it in this order keeps every rendered traject consistent by construction: no phase can end before it started,
no outcome can precede its request, and a running traject simply has no einddatum and no uitstroom.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from dataclasses import dataclass, field
from typing import Any

from ddas.synth.dates import iso
from ddas.synth.draw import Weighted, pick, rint
from ddas.synth.pool import Huishouden
from ddas.synth.reference import ACHTERNAMEN, BEGELEIDINGSSOORTEN, SCHULDEISERS, fake_kvk

__all__ = ["TrajectFactory"]

_SCHULDREGELING_SOORTEN = frozenset({"Schuldbemiddeling", "Saneringskrediet", "0%-aanbod"})
_BEGELEIDING = Weighted(BEGELEIDINGSSOORTEN)
_UITKOMST = Weighted((("toegekend", 82), ("afgewezen", 11), ("ingetrokken", 7)))
# Uitstroomredenen per moment of leaving; Afgerond is the most common overall, then the early dropouts.
_NO_SHOW = Weighted((("Nietverschenen", 60), ("Zelf", 20), ("Ingetrokken", 20)))
_AFGEWEZEN_INTAKE = Weighted((("Voldoet niet", 60), ("Niet passend", 40)))
_STABILISATIE_DROPOUT = Weighted(
    (
        ("Zelf", 28),
        ("Nietverschenen", 24),
        ("Ingetrokken", 18),
        ("Overig", 12),
        ("Niet passend", 8),
        ("Verhuisd", 7),
        ("Overleden", 3),
    )
)
_AFGEWEZEN_SCHULDREGELING = Weighted((("Overig", 70), ("Voldoet niet", 30)))
_INGETROKKEN = Weighted((("Ingetrokken", 1),))
_AFGEROND = Weighted((("Afgerond", 1),))
_OPLOSSING_MISLUKT = Weighted((("Overig", 50), ("Zelf", 30), ("Nietverschenen", 20)))
_PAIR_DROPOUT_INTAKE = Weighted((("Nietverschenen", 40), ("Zelf", 30), ("Ingetrokken", 30)))
_PAIR_DROPOUT = Weighted((("Nietverschenen", 70), ("Zelf", 30)))
_INITIALEN = "ABCDEHJKMPRSW"
#: Longest moratorium drawn: safely inside the legal maximum of six months.
_MORATORIUM_MAX_DAYS = 175


@dataclass(slots=True)
class _Course:
    """A traject's full course in ordinals; None means "does not happen"."""

    aanmelding_start: int
    aanmelding_end: int = 0
    crisis_end: int | None = None
    intake_start: int | None = None
    intake_end: int | None = None
    beschikking: str | None = None
    pva: int | None = None
    stab_start: int | None = None
    stab_end: int | None = None
    sr_datum: int | None = None
    sr_uitkomst: str | None = None
    sr_uitkomst_datum: int | None = None
    dwang_verzoek: int | None = None
    opl_soort: str | None = None
    opl_start: int | None = None
    opl_end: int | None = None
    nazorg_start: int | None = None
    nazorg_end: int | None = None
    end: int | None = None
    reden: str | None = None
    begeleiding: list[tuple[str, int, int | None]] = field(default_factory=list)
    moratoria: list[tuple[int, int, int, int]] = field(default_factory=list)


class TrajectFactory:
    """Draws schuldhulptrajecten for one reporting period; `rng` is the delivery's own generator."""

    def __init__(self, rng: random.Random, period_start: int, period_end: int) -> None:
        self.rng = rng
        self.ps = period_start
        self.pe = period_end
        self._oplossing: dict[int, Weighted[str]] = {}

    # --- public ---------------------------------------------------------------------------------------------

    def traject(self, household: Huishouden, gemeentecode: str) -> dict[str, Any]:
        """A traject that overlaps the reporting period, for the clients of `household`."""
        course = self._overlapping_course()
        return self._render(course, household, gemeentecode)

    @property
    def pairs_fit(self) -> bool:
        """Whether the period is long enough for a dropout and a return within it."""
        return self.pe - self.ps >= 60

    def traject_pair(self, household: Huishouden, gemeentecode: str) -> list[dict[str, Any]]:
        """Two sequential trajecten of one household: an early dropout, then a new aanmelding weeks later.

        The first ends inside the period, at least two weeks before the second starts: never an overlap
        (§4.15). Only for periods where `pairs_fit`.
        """
        rng, ps, pe = self.rng, self.ps, self.pe
        if not self.pairs_fit:
            raise ValueError("de periode is te kort voor opeenvolgende trajecten")
        for _ in range(50):
            first = self._dropout_course(rint(rng, ps - 60, pe - 75))
            if first.end is not None and ps <= first.end <= pe - 21:
                break
        else:  # a plain no-show at the start of the period always fits
            first = _Course(aanmelding_start=ps, aanmelding_end=ps)
            self._end(first, ps + 7, _NO_SHOW)
        assert first.end is not None
        second = self._course(rint(rng, first.end + 14, pe))
        return [self._render(first, household, gemeentecode), self._render(second, household, gemeentecode)]

    # --- the course -----------------------------------------------------------------------------------------

    def _overlapping_course(self) -> _Course:
        """Draw start dates until the course overlaps the period: many start in it, others years before."""
        rng, ps, pe = self.rng, self.ps, self.pe
        for _ in range(30):
            # Up to four years back: a full traject with an 18-month regeling takes two to three years.
            start = rint(rng, ps, pe) if rng.random() < 0.35 else ps - rint(rng, 1, 4 * 365)
            course = self._course(start)
            if course.end is None or course.end >= ps:
                return course
        return self._course(rint(rng, ps, pe))

    def _course(self, start: int) -> _Course:
        rng = self.rng
        c = _Course(aanmelding_start=start)
        if rng.random() < 0.07:
            c.crisis_end = start + rint(rng, 1, 30)
        c.intake_start = start + int(rng.triangular(3, 56, 14))
        c.aanmelding_end = min(c.intake_start, start + rint(rng, 0, 14))

        if rng.random() < 0.10:  # never came to the intake
            c.intake_start = None
            self._end(c, c.aanmelding_end + rint(rng, 7, 42), _NO_SHOW)
            return c

        c.intake_end = c.intake_start + int(rng.triangular(7, 70, 21))
        if rng.random() < 0.06:
            c.beschikking = "Afwijzingsbeschikking"
            self._end(c, c.intake_end + rint(rng, 0, 21), _AFGEWEZEN_INTAKE)
            return c
        c.beschikking = "Toelatingsbeschikking"

        c.pva = c.intake_end + rint(rng, 3, 42)
        c.stab_start = c.pva + rint(rng, 0, 14)
        c.stab_end = c.stab_start + int(rng.triangular(30, 360, 120))
        self._begeleiding(c)

        if rng.random() < 0.20:  # drops out while stabilising
            c.stab_end = c.stab_start + rint(rng, 14, c.stab_end - c.stab_start)
            self._end(c, c.stab_end, _STABILISATIE_DROPOUT)
            return c
        if rng.random() < 0.08:  # stable without a debt solution: budget support was enough
            self._end(c, c.stab_end + rint(rng, 0, 30), _AFGEROND)
            return c

        c.opl_soort = self._oplossingssoort(c.stab_end)
        if c.opl_soort in _SCHULDREGELING_SOORTEN:
            c.sr_datum = c.stab_end + rint(rng, 0, 30)
            if rng.random() < 0.03:
                self._moratorium(c, c.sr_datum)
            uitkomst = _UITKOMST(rng)
            c.sr_uitkomst = uitkomst
            if uitkomst == "toegekend" and rng.random() < 0.06:
                c.dwang_verzoek = c.sr_datum + rint(rng, 30, 90)
                c.sr_uitkomst_datum = c.dwang_verzoek + rint(rng, 30, 100)
            else:
                c.sr_uitkomst_datum = c.sr_datum + int(rng.triangular(14, 120, 42))
            if uitkomst != "toegekend":
                c.opl_soort = None
                if uitkomst == "afgewezen":  # often on to the Wsnp, outside the gemeente's traject
                    self._end(c, c.sr_uitkomst_datum + rint(rng, 7, 60), _AFGEWEZEN_SCHULDREGELING)
                else:
                    self._end(c, c.sr_uitkomst_datum + rint(rng, 0, 30), _INGETROKKEN)
                return c
            c.opl_start = c.sr_uitkomst_datum + rint(rng, 0, 30)
        else:
            c.opl_start = c.stab_end + rint(rng, 7, 60)

        duration = {
            "Schuldbemiddeling": rint(rng, 530, 560),
            "Saneringskrediet": rint(rng, 530, 560),
            "0%-aanbod": rint(rng, 60, 540),
            "Betalingsregeling": rint(rng, 180, 1080),
            "Herfinanciering": rint(rng, 360, 1800),
        }[c.opl_soort]
        if rng.random() < 0.10:  # ended early: the regeling failed
            c.opl_end = c.opl_start + rint(rng, 60, duration)
            self._end(c, c.opl_end + rint(rng, 0, 30), _OPLOSSING_MISLUKT)
            return c
        c.opl_end = c.opl_start + duration
        if rng.random() < 0.5:
            c.nazorg_start = c.opl_end + rint(rng, 0, 14)
            c.nazorg_end = c.nazorg_start + rint(rng, 30, 180)
            self._end(c, c.nazorg_end, _AFGEROND)
        else:
            self._end(c, c.opl_end + rint(rng, 0, 30), _AFGEROND)
        return c

    def _dropout_course(self, start: int) -> _Course:
        """The first of a sequential pair: ended within weeks, so the client can come back in the period."""
        rng = self.rng
        c = _Course(aanmelding_start=start)
        c.aanmelding_end = start + rint(rng, 0, 10)
        if rng.random() < 0.5:
            c.intake_start = c.aanmelding_end + rint(rng, 0, 20)
            c.intake_end = c.intake_start + rint(rng, 7, 30)
            c.beschikking = "Toelatingsbeschikking"
            self._end(c, c.intake_end + rint(rng, 5, 20), _PAIR_DROPOUT_INTAKE)
        else:
            self._end(c, c.aanmelding_end + rint(rng, 5, 30), _PAIR_DROPOUT)
        return c

    def _end(self, c: _Course, end: int, redenen: Weighted[str]) -> None:
        c.end = end
        c.reden = redenen(self.rng)
        # Whatever support was still running stops with the traject.
        c.begeleiding = [
            (s, b, e if e is not None and e <= end else end) for s, b, e in c.begeleiding if b <= end
        ]
        c.moratoria = [m for m in c.moratoria if m[3] <= end]

    def _oplossingssoort(self, when: int) -> str:
        # The 0%-aanbod is growing year on year since its introduction around 2021.
        year = dt.date.fromordinal(when).year - 2021
        zero = max(4, min(25, 6 + 4 * year))
        weighted = self._oplossing.get(zero)
        if weighted is None:
            weighted = Weighted(
                (
                    ("Schuldbemiddeling", 38),
                    ("Saneringskrediet", 30),
                    ("0%-aanbod", zero),
                    ("Betalingsregeling", 13),
                    ("Herfinanciering", 7),
                )
            )
            self._oplossing[zero] = weighted
        return weighted(self.rng)

    def _begeleiding(self, c: _Course) -> None:
        rng = self.rng
        assert c.pva is not None
        if rng.random() < 0.35:
            start = c.pva + rint(rng, 0, 60)
            end = start + rint(rng, 60, 720) if rng.random() < 0.6 else None
            c.begeleiding.append((_BEGELEIDING(rng), start, end))
            if rng.random() < 0.1:  # budgetbeheer often comes with budgetcoaching
                c.begeleiding.append(("Budgetcoaching", start + rint(rng, 0, 30), None))

    def _moratorium(self, c: _Course, around: int) -> None:
        rng = self.rng
        aanvraag = around + rint(rng, 0, 20)
        goedkeuring = aanvraag + rint(rng, 3, 21)
        c.moratoria.append(
            (aanvraag, goedkeuring, goedkeuring, goedkeuring + rint(rng, 30, _MORATORIUM_MAX_DAYS))
        )

    # --- rendering as of the period end ---------------------------------------------------------------------

    def _render(self, c: _Course, household: Huishouden, gemeentecode: str) -> dict[str, Any]:
        rng, pe = self.rng, self.pe
        t: dict[str, Any] = {"gemeentecode": gemeentecode, "startdatum": iso(c.aanmelding_start)}
        ended = c.end is not None and c.end <= pe
        if ended:
            assert c.end is not None
            t["einddatum"] = iso(c.end)
        toegekend = c.sr_uitkomst_datum if c.sr_uitkomst == "toegekend" else None
        if toegekend is not None and toegekend <= pe:
            t["toekenningsdatum"] = iso(toegekend)

        schulden: list[dict[str, Any]] | None = None
        if c.intake_start is not None and c.intake_start <= pe:
            schulden = self._schulden(c.intake_start, len(household.personen))
            t["totaalSchuldbedragBijAanvangSchuld"] = sum(s["bedrag"] for s in schulden)
        t["client"] = _clients(household, pe)

        crisis = c.crisis_end is not None
        t["aanmelding"] = _span(c.aanmelding_start, c.aanmelding_end, pe) | {"crisisinterventie": crisis}
        if c.crisis_end is not None:
            t["crisisinterventies"] = [_span(c.aanmelding_start, c.crisis_end, pe)]
        if c.intake_start is not None and c.intake_start <= pe:
            intake = _span(c.intake_start, c.intake_end, pe)
            if c.intake_end is not None and c.intake_end <= pe:
                intake["beschikkingsdatum"] = iso(c.intake_end)
                intake["beschikkingssoort"] = c.beschikking
            t["intake"] = intake
        if c.pva is not None and c.pva <= pe:
            t["planVanAanpak"] = {"datumAfronding": iso(c.pva)}
        if c.stab_start is not None and c.stab_start <= pe:
            t["stabilisatie"] = _span(c.stab_start, c.stab_end, pe)
        if c.moratoria:
            moratoria = [_moratorium(m, pe) for m in c.moratoria if m[0] <= pe]
            if moratoria:
                t["moratoria"] = moratoria
        if c.sr_datum is not None and c.sr_datum <= pe:
            t["schuldregeling"] = _schuldregeling(c, pe)
        if c.opl_start is not None and c.opl_start <= pe:
            oplossing = _span(c.opl_start, c.opl_end, pe)
            oplossing["soort"] = c.opl_soort
            if c.opl_soort in _SCHULDREGELING_SOORTEN:
                base = 1150 if len(household.personen) == 1 else 1650
                oplossing["vtlb"] = base + rint(rng, -150, 700)
            t["oplossing"] = oplossing
        if c.nazorg_start is not None and c.nazorg_start <= pe:
            t["nazorg"] = _span(c.nazorg_start, c.nazorg_end, pe)
        begeleiding = [_span(b, e, pe) | {"soort": s} for s, b, e in c.begeleiding if b <= pe]
        if begeleiding:
            t["begeleiding"] = begeleiding
        if schulden is not None:
            t["schulden"] = schulden
        if ended:
            assert c.end is not None
            day = iso(c.end)
            t["uitstroom"] = {"datum": day, "datumBeeindigingsbeschikking": day, "reden": c.reden}
        return t

    def _schulden(self, peildatum: int, persons: int) -> list[dict[str, Any]]:
        """Debts whose total is skewed like practice: median about €18k, a long tail of large debts."""
        rng = self.rng
        total = int(rng.lognormvariate(math.log(18_000 if persons == 1 else 24_000), 0.95))
        total = max(150, min(total, 750_000))
        count = round(3 + total / 3000 * rng.uniform(0.3, 1.1))
        count = max(1, min(count, 45, total // 25))
        weights = [rng.expovariate(1.0) for _ in range(count)]
        scale = (total - 5 * count) / sum(weights)
        amounts = [5 + int(w * scale) for w in weights]
        amounts[amounts.index(max(amounts))] += total - sum(amounts)
        day = iso(peildatum)
        out = []
        for amount in amounts:
            if rng.random() < 0.025:  # a loan from family or friends
                soort = "Overig"
                voorvoegsel, achternaam = pick(rng, ACHTERNAMEN)
                naam = f"{pick(rng, _INITIALEN)}. {voorvoegsel + ' ' if voorvoegsel else ''}{achternaam}"
                eiser: dict[str, Any] = {"naam": naam, "Naam": naam, "privepersoon": True}
            else:
                soort, template = _SCHULDEISER(rng)
                eiser = template.copy()  # a fresh object per schuld: records are edited independently
            out.append(
                {
                    "bedrag": amount,
                    "peildatum": day,
                    "schuldsoort": soort,
                    "zakelijkeSchuld": rng.random() < 0.03,
                    "schuldeiser": eiser,
                }
            )
        return out


def _creditor_postcode(naam: str) -> str:
    h = zlib.crc32(naam.encode("utf-8"), 7)
    letters = chr(65 + h % 26) + chr(65 + (h // 26) % 26)
    if letters in ("SA", "SD", "SS"):
        letters = "AB"
    return f"{1000 + (h // 676) % 9000}{letters}"


def _span(start: int, end: int | None, pe: int) -> dict[str, Any]:
    """A phase as known on the period end: an end that lies in the future is not known yet."""
    if end is not None and end <= pe:
        return {"startdatum": iso(start), "einddatum": iso(end)}
    return {"startdatum": iso(start)}


def _moratorium(m: tuple[int, int, int, int], pe: int) -> dict[str, Any]:
    aanvraag, goedkeuring, start, end = m
    out: dict[str, Any] = {"datumAanvraag": iso(aanvraag)}
    if goedkeuring <= pe:
        out["datumGoedkeuring"] = iso(goedkeuring)
        out.update(_span(start, end, pe))
    return out


def _schuldregeling(c: _Course, pe: int) -> dict[str, Any]:
    assert c.sr_datum is not None
    out: dict[str, Any] = {"datum": iso(c.sr_datum)}
    decided = c.sr_uitkomst_datum is not None and c.sr_uitkomst_datum <= pe
    if decided:
        assert c.sr_uitkomst is not None and c.sr_uitkomst_datum is not None
        out[c.sr_uitkomst] = iso(c.sr_uitkomst_datum)
    # A pending dwangakkoord cannot be expressed: `dwangakkoord` true requires `toegekend` (FAQ), so the
    # request only appears together with the granted outcome.
    if decided and c.dwang_verzoek is not None:
        out["dwangakkoord"] = True
        out["datumVerzoekDwangakkoord"] = iso(c.dwang_verzoek)
    elif decided and c.sr_uitkomst == "toegekend":
        out["dwangakkoord"] = False
    return out


def _clients(household: Huishouden, pe: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in household.personen:
        client: dict[str, Any] = {}
        if not household.zonder_bsn:
            client["Burgerservicenummer"] = p.bsn
        client["Geboortedatum"] = p.geboortedatum(pe)
        client["Geslachtsaanduiding"] = p.geslacht
        client["Postcode"] = household.postcode
        client["Huisnummer"] = household.huisnummer
        if household.toevoeging:
            client["Huisnummertoevoeging"] = household.toevoeging
        out.append(client)
    return out


def _schuldeisers() -> Weighted[tuple[str, dict[str, Any]]]:
    """(schuldsoort, schuldeiser) to draw from: a soort by its share of debts, then one of its creditors.

    Schuldeisers are the same companies across trajecten, so their KvK-nummer and postcode are fixed per name.
    """
    shares = {"Overig": 40, "Publiek": 25, "Nuts": 20, "Zorg": 15}
    pairs: list[tuple[tuple[str, dict[str, Any]], float]] = []
    for soort, share in shares.items():
        names = SCHULDEISERS[soort]
        for naam in names:
            eiser = {
                "naam": naam,
                "Naam": naam,
                "kvknummer": fake_kvk(naam),
                "postcode": _creditor_postcode(naam),
                "privepersoon": False,
            }
            pairs.append(((soort, eiser), share / len(names)))
    return Weighted(pairs)


_SCHULDEISER = _schuldeisers()
