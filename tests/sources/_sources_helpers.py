"""Helpers for the sources tests (imported by name, like the other test folders do): mappings, files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

SHV_MAPPING: dict[str, Any] = {
    "kind": "shv",
    "source": {"delimiter": ";"},
    "defaults": {"date_format": "%d-%m-%Y"},
    "organisation": {"name": "Gemeente Test", "gemeentecode": "0999"},
    "fields": {
        "startdatum": "Start",
        "client.0.Burgerservicenummer": "BSN",
        "client.0.Geslachtsaanduiding": "Geslacht",
    },
}

VS_MAPPING: dict[str, Any] = {
    "kind": "vs",
    "source": {"delimiter": ";"},
    "defaults": {"date_format": "%d-%m-%Y"},
    "organisation": {"name": "Gemeente Test", "kvk": "12345678"},
    "gemeentecode": "0999",
    "zaak_key": "Zaak",
    "fields": {
        "vroegsignaal.ID": "ID",
        "vroegsignaal.signaalpartner.type": "Melder",
        "vroegsignaal.client.Postcode": "Postcode",
        "vroegsignaal.client.Huisnummer": "Huisnummer",
        "zaak.resultaat": "Resultaat",
    },
}


def mapping(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with top-level keys replaced (None removes a key)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def write_csv(
    folder: Path, name: str, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ";"
) -> Path:
    path = folder / name
    path.write_bytes("\r\n".join(delimiter.join(row) for row in rows).encode(encoding) + b"\r\n")
    return path
