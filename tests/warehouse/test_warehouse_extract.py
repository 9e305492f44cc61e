"""Quarantine at warehouse level: a record with an error-level finding stays out of the warehouse, a record with
only a warning goes in. Over the real rule catalogue (so flipping a severity there changes what is quarantined,
and fails here) and over hand-made rules of each severity (so `extract_page` keys on the severity, not on a code).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest

from ddas.spec.kinds import Kind
from ddas.synth import generate
from ddas.validation.engine import validate_document
from ddas.validation.findings import Finding, RuleDef, Severity
from ddas.validation.result import ValidationResult
from ddas.warehouse.extract import PageRows, extract_page
from ddas.warehouse.pseudonym import PseudonymKey
from ddas.warehouse.store import Warehouse

KEY = PseudonymKey(secrets.token_bytes(32))
RECORDS = {Kind.SHV: "schuldhulptrajecten", Kind.VS: "vroegsignalen"}
#: A BSN that fails the elfproef (BSN_INVALID, an error) and a postcode with a space and lower case letters
#: (POSTCODE_NOT_NORMALISED, a warning).
BAD_BSN = "123456789"
LOOSE_POSTCODE = "9876 zy"


def _client(kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    client = record["client"]
    return client[0] if kind is Kind.SHV else client  # type: ignore[no-any-return]


def _document(kind: Kind) -> dict[str, Any]:
    """One levering; record 0 with an error, record 1 with a warning, the rest clean."""
    document = generate(kind.value, 12, 7, gemeenten=["0363"])
    records = document["leveringen"][0][RECORDS[kind]]
    _client(kind, records[0])["Burgerservicenummer"] = BAD_BSN
    _client(kind, records[1])["Postcode"] = LOOSE_POSTCODE
    return document


def _rows(kind: Kind, document: dict[str, Any]) -> tuple[ValidationResult, PageRows]:
    result = ValidationResult(file="pagina 1")
    validate_document(document, result, kind=kind)
    return result, extract_page(kind, document, result.findings, KEY, page=1)


def _delivered(kind: Kind, rows: PageRows) -> list[dict[str, Any]]:
    return rows.trajecten if kind is Kind.SHV else rows.vroegsignalen


@pytest.mark.parametrize("kind", [Kind.SHV, Kind.VS])
def test_an_error_quarantines_its_record_a_warning_does_not(kind: Kind, tmp_path: Path) -> None:
    document = _document(kind)
    records = document["leveringen"][0][RECORDS[kind]]
    result, rows = _rows(kind, document)
    member = f"/leveringen/0/{RECORDS[kind]}"
    assert sorted(
        (f.code, f.path.startswith(f"{member}/0/"), f.path.startswith(f"{member}/1/"))
        for f in result.findings
    ) == [
        ("BSN_INVALID", True, False),
        ("POSTCODE_NOT_NORMALISED", False, True),
    ]

    # The record with the error is quarantined, with its finding (masked); the one with the warning is not.
    (quarantined,) = rows.quarantine
    assert quarantined["pointer"] == f"{member}/0"
    assert quarantined["codes"] == ["BSN_INVALID"]
    assert BAD_BSN not in str(quarantined)
    assert len(_delivered(kind, rows)) == len(records) - 1

    # In the warehouse: one record in quarantine, the warning's record among the delivered ones.
    with Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}") as warehouse:
        delivery = warehouse.begin_delivery(
            "aanbieder", kind.value, dt.date(2025, 1, 1), dt.date(2025, 6, 30)
        )
        warehouse.ingest_page(
            delivery,
            page=1,
            sha256="0" * 64,
            fetched_at=dt.datetime(2025, 7, 10),
            verified=True,
            signature_form="bytes",
            signer_oin=None,
            errors=result.errors,
            warnings=result.warnings,
            rows=rows,
        )
        assert warehouse.complete_delivery(delivery) == "nieuw"
        summary = warehouse.summary()
    assert summary["quarantined_records"] == 1
    delivered = "trajecten_delivered" if kind is Kind.SHV else "vroegsignalen"
    assert summary[delivered] == len(records) - 1


def _rule(severity: Severity) -> RuleDef:
    """A rule of the given severity that is not in the catalogue."""
    return RuleDef("TEST_RULE", severity, "test", nl="testbevinding", en="test finding", fix="niets")


@pytest.mark.parametrize(("severity", "quarantined"), [(Severity.ERROR, 1), (Severity.WARNING, 0)])
def test_extract_quarantines_on_the_severity_of_a_finding(severity: Severity, quarantined: int) -> None:
    document = generate("shv", 6, 8, gemeenten=["0363"])
    path = "/leveringen/0/schuldhulptrajecten/2/gemeentecode"
    finding = Finding(_rule(severity), path, "0363", True, {})
    rows = extract_page(Kind.SHV, document, [finding], KEY, page=1)
    assert len(rows.quarantine) == quarantined
    assert len(rows.trajecten) == 6 - quarantined
    if quarantined:
        assert rows.quarantine[0]["pointer"] == "/leveringen/0/schuldhulptrajecten/2"
        assert rows.quarantine[0]["codes"] == ["TEST_RULE"]
