"""Fixtures for the report tests: throwaway rules (codes `TEST_…`) and hand-made validation results.

Everything is handed out as fixtures (factories where tests need variants), never imported from this file:
other test folders have a `conftest.py` too, and a module import by that name is ambiguous.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, RuleDef, Severity
from ddas.validation.result import LeveringSummary, ValidationResult

#: A valid BSN (passes the elfproef) that must never appear in any report in clear.
BSN = "111222333"


def _rule(code: str, severity: Severity, spec: str, nl: str, en: str, fix: str) -> RuleDef:
    """A test rule outside the catalogue: the product's catalogue (and the tests that pin it) stay as shipped."""
    return RuleDef(code, severity, spec, nl, en, fix, "rule")


BSN_RULE = _rule(
    "TEST_REPORT_BSN",
    Severity.ERROR,
    "4.9",
    nl="Burgerservicenummer {bsn} voldoet niet aan de elfproef.",
    en="Citizen service number {bsn} fails the eleven test.",
    fix="Neem het BSN over uit de BRP.",
)
POSTCODE_RULE = _rule(
    "TEST_REPORT_POSTCODE",
    Severity.WARNING,
    "4.9",
    nl="Postcode {pc} bevat een spatie of kleine letters.",
    en="Postcode {pc} contains a space or lower case.",
    fix="Registreer postcodes als 1234AB.",
)
ORDER_RULE = _rule(
    "TEST_REPORT_ORDER",
    Severity.WARNING,
    "4.11",
    nl="Fase {fase} ligt voor de aanmelding.",
    en="Phase {fase} lies before the registration.",
    fix="Controleer de datums van de fasen in de bronregistratie.",
)


def traject_path(i: int, *rest: str | int) -> tuple[str | int, ...]:
    return ("leveringen", 0, "schuldhulptrajecten", i, *rest)


def shv_result(*, errors: int = 2, warnings: int = 1, completeness: bool = True) -> ValidationResult:
    """An SHV result with `errors` BSN errors, `warnings` postcode warnings and a small completeness table."""
    findings = [
        Finding.at(BSN_RULE, traject_path(i, "client", 0, "Burgerservicenummer"), BSN, bsn=BSN)
        for i in range(errors)
    ]
    findings += [
        Finding.at(POSTCODE_RULE, traject_path(i, "client", 0, "Postcode"), "1234 ab", pc="1234 ab")
        for i in range(warnings)
    ]
    lev = LeveringSummary(
        index=0,
        teller=1,
        organisatie="Kredietbank Voorbeeld",
        kvk="87654321",
        org_gemeentecode=None,
        gemeentecodes=Counter({"0363": 7, "0518": 2}),
        trajecten=9,
        contact_emails=["rapport@kredietbank.example"],
    )
    return ValidationResult(
        file="kredietbank_2024.json",
        kind=Kind.SHV,
        findings=findings,
        schema_valid=True,
        period_start="2024-01-01",
        period_end="2024-06-30",
        delivered_at="2024-07-05T10:00:00+02:00",
        supplier_code="RegistratieSoft 4.2",
        leveringen=[lev],
        completeness=(
            {
                "traject": {
                    "gemeentecode": [9, 9],
                    "startdatum": [3, 9],
                    "einddatum": [1, 9],
                    "client": [9, 9],
                    "client.Burgerservicenummer": [6, 9],
                    "intake": [4, 9],
                    "intake.startdatum": [4, 4],
                    "intake.beschikkingssoort": [2, 4],
                    "moratoria": [0, 9],
                    "moratoria.datumAanvraag": [0, 0],
                }
            }
            if completeness
            else None
        ),
        size_bytes=12_345,
    )


def vs_result() -> ValidationResult:
    """A VS result without findings."""
    lev = LeveringSummary(
        index=0,
        teller=1,
        organisatie="Gemeente Voorbeeld",
        kvk="12345678",
        gemeentecodes=Counter({"0518": 1}),
        vroegsignalen=5,
        zaken=3,
    )
    return ValidationResult(
        file="vs.json", kind=Kind.VS, schema_valid=True, leveringen=[lev], completeness=None, size_bytes=900
    )


@dataclass(frozen=True)
class Rules:
    bsn: RuleDef
    postcode: RuleDef
    order: RuleDef


@pytest.fixture
def rules() -> Rules:
    return Rules(BSN_RULE, POSTCODE_RULE, ORDER_RULE)


@pytest.fixture
def bsn() -> str:
    return BSN


@pytest.fixture
def make_shv() -> Callable[..., ValidationResult]:
    return shv_result


@pytest.fixture
def path() -> Callable[..., tuple[str | int, ...]]:
    return traject_path


@pytest.fixture
def shv() -> ValidationResult:
    return shv_result()


@pytest.fixture
def vs() -> ValidationResult:
    return vs_result()
