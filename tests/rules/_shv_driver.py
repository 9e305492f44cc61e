"""A small driver that runs the SHV traject rules over a document the way the engine does.

It runs only the checks of the modules under test (by default the five SHV traject modules), so these tests do
not depend on the other rule modules, and it uses a fixed `today` so that nothing depends on the calendar.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from ddas import rules
from ddas.rules.base import Context, Emitter, Target, checks_for
from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, PathParts

SHV_MODULES = frozenset(
    f"ddas.rules.{name}" for name in ("dates", "phases", "schuldregeling", "amounts", "samenloop")
)
TODAY = dt.date(2026, 1, 1)
SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
SHV_DIR = SPEC_DIR / "shv-v1.0"


def run(document: Any, modules: Iterable[str] = SHV_MODULES, today: dt.date = TODAY) -> list[Finding]:
    """Every finding of the selected modules' SHV checks on `document`, in engine order."""
    rules.load()
    wanted = frozenset(modules)

    def select(target: Target) -> list[Any]:
        return [fn for fn in checks_for(Kind.SHV, target) if fn.__module__ in wanted]

    ctx = Context(Kind.SHV, today=today)
    out = Emitter()
    ctx.begin_document(document)
    for fn in select(Target.DOCUMENT):
        fn(document, (), ctx, out)
    leveringen = document.get("leveringen") if isinstance(document, dict) else None
    if isinstance(leveringen, list):
        for i, levering in enumerate(leveringen):
            ctx.begin_levering(i, levering)
            lev_path: PathParts = ("leveringen", i)
            trajecten = levering.get("schuldhulptrajecten") if isinstance(levering, dict) else None
            if isinstance(trajecten, list):
                for j, traject in enumerate(trajecten):
                    for fn in select(Target.TRAJECT):
                        fn(traject, (*lev_path, "schuldhulptrajecten", j), ctx, out)
            for fn in select(Target.LEVERING):
                fn(levering, lev_path, ctx, out)
            for fn in select(Target.END_LEVERING):
                fn(None, lev_path, ctx, out)
    for fn in select(Target.END_DOCUMENT):
        fn(None, (), ctx, out)
    return out.findings


def codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


def of(findings: Iterable[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def document(*trajecten: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A minimal SHV document for 2024 delivered on 2025-01-15, with one levering holding `trajecten`."""
    doc: dict[str, Any] = {
        "startdatumLevering": "2024-01-01",
        "einddatumLevering": "2024-12-31",
        "aanleverdatumEnTijd": "2025-01-15T10:00:00+01:00",
        "codeGegevensleverancier": "Test 1.0",
        "leveringen": [
            {
                "teller": 1,
                "aanleverende_organisatie": {"(Statutaire) Naam": "Gemeente Test", "gemeentecode": "0363"},
                "schuldhulptrajecten": [copy.deepcopy(t) for t in trajecten],
            }
        ],
    }
    doc.update(top)
    return doc


def traject(**fields: Any) -> dict[str, Any]:
    """A clean traject (no finding from the SHV traject rules), with `fields` replacing or adding keys."""
    base: dict[str, Any] = {
        "gemeentecode": "0363",
        "startdatum": "2024-02-01",
        "client": [{"Burgerservicenummer": "111222333"}],
    }
    base.update(fields)
    return base


def full_traject() -> dict[str, Any]:
    """A complete, consistent traject through every phase: no SHV traject rule may fire on it."""
    return {
        "gemeentecode": "0363",
        "startdatum": "2024-01-10",
        "einddatum": "2024-11-30",
        "toekenningsdatum": "2024-04-01",
        "totaalSchuldbedragBijAanvangSchuld": 12500,
        "omschrijving": "Minnelijke schuldregeling",
        "client": [
            {"Burgerservicenummer": "111222333"},
            {
                "Geboortedatum": "1981-02-03",
                "Geslachtsaanduiding": "Vrouw",
                "Postcode": "1234AB",
                "Huisnummer": "5",
            },
        ],
        "aanmelding": {"startdatum": "2024-01-10", "einddatum": "2024-01-20", "crisisinterventie": True},
        "crisisinterventies": [{"startdatum": "2024-01-11", "einddatum": "2024-01-15"}],
        "informatieEnAdvies": {"startdatum": "2024-01-10", "einddatum": "2024-01-10"},
        "intake": {
            "startdatum": "2024-01-22",
            "einddatum": "2024-02-15",
            "beschikkingsdatum": "2024-02-15",
            "beschikkingssoort": "Toelatingsbeschikking",
        },
        "stabilisatie": {"startdatum": "2024-02-16", "einddatum": "2024-03-15"},
        "planVanAanpak": {"datumAfronding": "2024-02-20"},
        "schuldregeling": {
            "datum": "2024-03-01",
            "toegekend": "2024-04-01",
            "dwangakkoord": True,
            "datumVerzoekDwangakkoord": "2024-03-20",
        },
        "oplossing": {
            "startdatum": "2024-04-01",
            "einddatum": "2024-10-31",
            "soort": "Saneringskrediet",
            "vtlb": 1450,
        },
        "nazorg": {"startdatum": "2024-11-01", "einddatum": "2024-11-30"},
        "uitstroom": {
            "datum": "2024-11-30",
            "datumBeeindigingsbeschikking": "2024-11-30",
            "reden": "Afgerond",
        },
        "begeleiding": [{"soort": "Budgetbeheer", "startdatum": "2024-02-01", "einddatum": "2024-11-30"}],
        "moratoria": [
            {
                "datumAanvraag": "2024-02-01",
                "datumGoedkeuring": "2024-02-05",
                "startdatum": "2024-02-05",
                "einddatum": "2024-08-05",
            }
        ],
        "voorlopigeVoorzieningen": [{"startdatum": "2024-02-01", "einddatum": "2024-03-01"}],
        "schulden": [
            {
                "bedrag": 10000,
                "peildatum": "2024-01-10",
                "schuldsoort": "Publiek",
                "zakelijkeSchuld": False,
                "schuldeiser": {
                    "naam": "Belastingdienst",
                    "Naam": "Belastingdienst",
                    "kvknummer": "12345678",
                },
            },
            {
                "bedrag": 2500,
                "peildatum": "2024-01-10",
                "schuldsoort": "Overig",
                "schuldeiser": {"naam": "J. Jansen", "Naam": "J. Jansen", "privepersoon": True},
            },
        ],
    }


T0: PathParts = ("leveringen", 0, "schuldhulptrajecten", 0)


def ptr(*parts: str | int, base: PathParts = T0) -> str:
    """The JSON Pointer of a field below the first traject (or below `base`)."""
    return "".join("/" + str(p) for p in (*base, *parts))


def example(name: str) -> dict[str, Any]:
    """An official SHV example, or a skip when the reference files are not next to the repository."""
    path = SHV_DIR / name
    if not path.is_file():
        pytest.skip(f"official SHV examples not available ({path} missing; they live in ../shared/spec/)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
