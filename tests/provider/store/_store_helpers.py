"""Helpers for the store tests: synthetic deliveries and a fingerprint of everything a store holds."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from sqlalchemy import select, text

from ddas.provider.store import Store
from ddas.provider.store.models import Base
from ddas.synth import generate

#: A run of exactly nine digits: what a BSN looks like; summaries and messages must never contain one.
NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def shv(count: int, seed: int, gemeenten: list[str] | None = None) -> dict[str, Any]:
    return generate("shv", count, seed, gemeenten=gemeenten or ["0363", "0599"])


def vs(count: int, seed: int, gemeenten: list[str] | None = None) -> dict[str, Any]:
    return generate("vs", count, seed, gemeenten=gemeenten or ["0363", "0599"])


def trajecten(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for lev in document["leveringen"] for t in lev["schuldhulptrajecten"]]


def clone(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)


def table_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def fingerprint(store: Store) -> dict[str, str]:
    """Per table: a hash over all its rows in primary-key order — equal fingerprints, equal stores."""
    out: dict[str, str] = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            digest = hashlib.sha256()
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            for row in rows:
                digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            out[table.name] = digest.hexdigest()
    return out


def bsn(n: int) -> str:
    """The n-th nine-digit number that passes the elfproef (a valid-looking, made-up BSN)."""
    base = 10_000_000 + n * 7
    while True:
        digits = [int(c) for c in f"{base:08d}"]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            return f"{base:08d}{check}"
        base += 1


ORG_SHV = {
    "(Statutaire) Naam": "Gemeente Teststad",
    "KvK-nummer": "",
    "postcode": "1234AB",
    "gemeentecode": "0363",
    "contactpersonen": [
        {
            "naam": "T. Tester",
            "email": "t.tester@teststad.nl",
            "telefoonnummer": "0201234567",
            "functietitel": "Beleid",
        }
    ],
}
ORG_VS = {
    "naam": "Gemeente Teststad",
    "kvk-nummer": "12345678",
    "contactpersoonen": [
        {
            "naam": "T. Tester",
            "email": "t.tester@teststad.nl",
            "telefoonnummer": "0201234567",
            "functietitel": "Beleid",
        }
    ],
}


def document(
    kind: str, leveringen: list[dict[str, Any]], start: str = "2025-01-01", end: str = "2025-06-30"
) -> dict[str, Any]:
    return {
        "startdatumLevering": start,
        "einddatumLevering": end,
        "aanleverdatumEnTijd": "2025-07-05T10:00:00Z",
        "codeGegevensleverancier": "ddas-test 1.0",
        "leveringen": [{"teller": i + 1, **lev} for i, lev in enumerate(leveringen)],
    }


def traject(
    n: int,
    start: str | None,
    end: str | None = None,
    *,
    gemeente: str = "0363",
    aanmelding: str | None = None,
) -> dict[str, Any]:
    """A small, valid traject of client n."""
    record: dict[str, Any] = {"gemeentecode": gemeente}
    if start is not None:
        record["startdatum"] = start
    if end is not None:
        record["einddatum"] = end
    record["client"] = [
        {
            "Burgerservicenummer": bsn(n),
            "Geboortedatum": "1980-01-01",
            "Geslachtsaanduiding": "Man",
            "Postcode": "1234AB",
            "Huisnummer": str(n + 1),
        }
    ]
    if aanmelding is not None:
        record["aanmelding"] = {"startdatum": aanmelding}
    if end is not None:
        record["uitstroom"] = {"datum": end, "datumBeeindigingsbeschikking": end, "reden": "Afgerond"}
    return record


def signaal(sid: str, signaaldatum: str, n: int) -> dict[str, Any]:
    return {
        "ID": sid,
        "crisissignaal": False,
        "warmeOverdracht": False,
        "bedrag": 100 + n,
        "ontstaansdatum": "2024-01-01",
        "signaaldatum": signaaldatum,
        "status": "Nog niet opgepakt",
        "signaalpartner": {"type": "Energie"},
        "client": {
            "Burgerservicenummer": bsn(1000 + n),
            "Voorletters": "A.",
            "Achternaam": "Tester",
            "Geboortedatum": "1980-01-01",
            "Straatnaam": "Teststraat",
            "Postcode": "1234AB",
            "Huisnummer": str(n + 1),
            "Plaatsnaam": "Teststad",
        },
    }


def zaak(ids: list[str], opgepakt: str) -> dict[str, Any]:
    return {
        "resultaat": "Inwoner hoeft geen hulp vanuit vroegsignalering",
        "matchingsdatum": opgepakt,
        "startdatum_matchtingperiode": "2024-01-01",
        "einddatum_matchingperiode": opgepakt,
        "datum_opgepakt": opgepakt,
        "vroegsignalen": [{"ID": i} for i in ids],
        "contactpogingen": [{"soort": "Brief", "bereikt": True, "datum": opgepakt, "dagdeel": "Ochtend"}],
    }
