"""A minimal stand-in for the engine's rule pass, so the rule tests do not wait for (or depend on) the engine.

It calls the registered checks in the order the engine promises: DOCUMENT, then per levering its items, the
LEVERING checks and END_LEVERING, and finally END_DOCUMENT.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ddas.rules
from ddas.rules.base import Context, Emitter, Target, checks_for
from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding

TODAY = dt.date(2026, 1, 1)

#: The official specification files (reference data outside the repository).
SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"

_ITEMS: dict[Kind, tuple[tuple[str, Target], ...]] = {
    Kind.SHV: (("schuldhulptrajecten", Target.TRAJECT),),
    Kind.VS: (("vroegsignalen", Target.VROEGSIGNAAL), ("vroegsignaalzaken", Target.ZAAK)),
}


def run(
    document: Any,
    kind: Kind,
    *,
    today: dt.date = TODAY,
    gemeenten: dict[str, tuple[dt.date | None, dt.date | None]] | None = None,
    streaming: bool = False,
    zaken_first: bool = False,
) -> list[Finding]:
    """All rule findings for a parsed document.

    `streaming` hands LEVERING checks a levering without its item lists; `zaken_first` visits a VS levering's
    zaken before its signals (the engine does not promise an order).
    """
    ddas.rules.load()
    ctx = Context(kind, today=today, gemeenten=gemeenten)
    out = Emitter()
    ctx.begin_document(document)
    for fn in checks_for(kind, Target.DOCUMENT):
        fn(document, (), ctx, out)
    leveringen = document.get("leveringen") if isinstance(document, dict) else None
    for i, levering in enumerate(leveringen if isinstance(leveringen, list) else ()):
        lev = levering
        if streaming and isinstance(levering, dict):
            lev = {k: v for k, v in levering.items() if k not in {name for name, _ in _ITEMS[kind]}}
        ctx.begin_levering(i, lev)
        if isinstance(levering, dict):
            order = _ITEMS[kind][::-1] if zaken_first else _ITEMS[kind]
            for name, target in order:
                items = levering.get(name)
                if isinstance(items, list):
                    for j, item in enumerate(items):
                        for fn in checks_for(kind, target):
                            fn(item, ("leveringen", i, name, j), ctx, out)
        for fn in checks_for(kind, Target.LEVERING):
            fn(lev, ("leveringen", i), ctx, out)
        for fn in checks_for(kind, Target.END_LEVERING):
            fn(None, ("leveringen", i), ctx, out)
    for fn in checks_for(kind, Target.END_DOCUMENT):
        fn(None, (), ctx, out)
    return out.findings


def codes(findings: Iterable[Finding], *wanted: str) -> list[tuple[str, str]]:
    """(code, path) of the findings with one of the wanted codes, in emission order."""
    return [(f.code, f.path) for f in findings if f.code in wanted]


def spec_example(relative: str) -> Any:
    """A parsed official example, or a skip when the specification folder is not there."""
    import pytest

    path = SPEC_DIR / relative
    if not SPEC_DIR.is_dir():
        pytest.skip(f"official specification files not found at {SPEC_DIR} (reference data outside the repo)")
    return json.loads(path.read_text(encoding="utf-8"))


def shv_document(**header: Any) -> dict[str, Any]:
    """A small, clean SHV document: one levering by a gemeente for itself, one traject, one valid client."""
    doc: dict[str, Any] = {
        "startdatumLevering": "2025-01-01",
        "einddatumLevering": "2025-06-30",
        "aanleverdatumEnTijd": "2025-07-05T09:00:00+02:00",
        "codeGegevensleverancier": "Schuldsoft 4.2",
        "leveringen": [
            {
                "teller": 1,
                "aanleverende_organisatie": {
                    "(Statutaire) Naam": "Gemeente Amsterdam",
                    "KvK-nummer": "",
                    "postcode": "1011PN",
                    "gemeentecode": "0363",
                    "contactpersonen": [{"naam": "A. Jansen", "email": "a.jansen@amsterdam.nl"}],
                },
                "schuldhulptrajecten": [shv_traject()],
            }
        ],
    }
    doc.update(header)
    return doc


def shv_traject(**fields: Any) -> dict[str, Any]:
    traject: dict[str, Any] = {
        "gemeentecode": "0363",
        "startdatum": "2025-02-01",
        "client": [shv_client()],
    }
    traject.update(fields)
    return traject


def shv_client(**fields: Any) -> dict[str, Any]:
    client: dict[str, Any] = {
        "Burgerservicenummer": "111222333",
        "Geboortedatum": "1980-05-01",
        "Geslachtsaanduiding": "Vrouw",
        "Postcode": "1011AB",
        "Huisnummer": "12",
        "Huisnummertoevoeging": "A",
    }
    client.update(fields)
    return client


def vs_document(**header: Any) -> dict[str, Any]:
    """A small, clean VS document: one levering, two signals handled in one zaak with contact made."""
    doc: dict[str, Any] = {
        "codeGegevensleverancier": "SignaalSuite v3",
        "startdatumLevering": "2025-01-01",
        "einddatumLevering": "2025-01-31",
        "aanleverdatumEnTijd": "2025-02-05T10:30:00Z",
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": "0518",
                "aanleverende_organisatie": {
                    "naam": "Gemeente 's-Gravenhage",
                    "kvk-nummer": "",
                    "contactpersoonen": [{"naam": "J. de Vries", "email": "j.devries@denhaag.nl"}],
                },
                "vroegsignalen": [vs_signal("S1"), vs_signal("S2", signaaldatum="2025-01-08")],
                "vroegsignaalzaken": [vs_zaak("S1", "S2")],
            }
        ],
    }
    doc.update(header)
    return doc


def vs_signal(sid: str, **fields: Any) -> dict[str, Any]:
    signal: dict[str, Any] = {
        "ID": sid,
        "crisissignaal": False,
        "warmeOverdracht": False,
        "bedrag": 450,
        "ontstaansdatum": "2024-12-10",
        "signaaldatum": "2025-01-05",
        "status": "Nog niet opgepakt",
        "signaalpartner": {"type": "Energie"},
        "client": {
            "Burgerservicenummer": "111222333",
            "Voorletters": "A.",
            "Achternaam": "Dijk",
            "Geboortedatum": "1985-06-15",
            "Postcode": "2511AB",
            "Huisnummer": "10",
            "Plaatsnaam": "Den Haag",
        },
    }
    signal.update(fields)
    return signal


def vs_zaak(*ids: str, **fields: Any) -> dict[str, Any]:
    zaak: dict[str, Any] = {
        "resultaat": "(Budget)advies en/of quick fix",
        "matchingsdatum": "2025-01-09",
        "startdatum_matchtingperiode": "2024-12-01",
        "einddatum_matchingperiode": "2025-01-31",
        "datum_opgepakt": "2025-01-10",
        "vroegsignalen": [{"ID": i} for i in ids],
        "contactpogingen": [
            {"soort": "Telefoon", "bereikt": False, "datum": "2025-01-10", "dagdeel": "Ochtend"},
            {"soort": "Huisbezoek", "bereikt": True, "datum": "2025-01-15", "dagdeel": "Middag"},
        ],
    }
    zaak.update(fields)
    return zaak


def clone(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)
