"""Helpers for the synth tests: walking generated documents and validating them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ddas.spec.kinds import Kind
from ddas.synth import dump
from ddas.validation.engine import validate_bytes
from ddas.validation.result import ValidationResult

#: The day the synth tests validate on: after every generated delivery, so "in the future" means it.
TODAY = dt.date(2026, 1, 15)


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def trajecten(doc: dict[str, Any]) -> Iterator[tuple[int, int, dict[str, Any]]]:
    for i, lev in enumerate(doc["leveringen"]):
        for j, t in enumerate(lev["schuldhulptrajecten"]):
            yield i, j, t


def client_key(client: dict[str, Any]) -> Any:
    if "Burgerservicenummer" in client:
        return client["Burgerservicenummer"]
    return tuple(
        client.get(k)
        for k in ("Geboortedatum", "Geslachtsaanduiding", "Postcode", "Huisnummer", "Huisnummertoevoeging")
    )


def validate(doc: dict[str, Any], kind: Kind | str) -> ValidationResult:
    return validate_bytes(dump(doc), name="synth", kind=Kind(kind), today=TODAY)


def findings(result: ValidationResult) -> set[tuple[str, str, str]]:
    return {(f.code, f.path, f.severity.value) for f in result.findings}
