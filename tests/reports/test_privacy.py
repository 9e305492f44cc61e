"""No report format lets a BSN through, wherever a producer forgot to mask it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ddas.reports.html import render_html
from ddas.reports.json_report import render_json
from ddas.reports.text import render_text
from ddas.validation.findings import Finding
from ddas.validation.result import ValidationResult

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


@pytest.fixture
def leaky(make_shv: Callable[..., ValidationResult], rules: Any, bsn: str) -> ValidationResult:
    """A result with the BSN in clear everywhere a producer could put it, bypassing `Finding.at`."""
    result = make_shv()
    result.findings += [
        Finding(rules.bsn, f"/leveringen/0/{bsn}", bsn, True, {"bsn": bsn}),
        Finding(rules.postcode, "/leveringen/0/x", int(bsn), True, {"pc": f"BSN={bsn};"}),
        Finding(rules.order, "/leveringen/0/y", {"Burgerservicenummer": bsn}, True, {"fase": [bsn]}),
    ]
    result.file = f"export_{bsn}.json"
    result.supplier_code = f"Soft {bsn}"
    result.delivered_at = bsn
    lev = result.leveringen[0]
    lev.organisatie = f"Bewindvoerder {bsn}"
    lev.kvk = bsn
    lev.teller = int(bsn)
    lev.org_gemeentecode = bsn
    lev.gemeentecodes[bsn] += 1
    lev.contact_emails.append(f"{bsn}@example.nl")
    assert result.completeness is not None
    result.completeness["traject"][f"veld{bsn}"] = [1, 2]
    return result


def _outputs(result: ValidationResult) -> dict[str, str]:
    return {
        "text": render_text([result], color=False),
        "text-colour": render_text([result], color=True, lang="en"),
        "json": render_json([result], lang="nl").decode(),
        "json-several": render_json([result, result], lang="en").decode(),
        "html": render_html([result]),
        "html-en": render_html([result], lang="en"),
    }


def test_no_bsn_in_any_output(leaky: ValidationResult, bsn: str) -> None:
    for name, output in _outputs(leaky).items():
        assert bsn not in output, name
        assert not NINE_DIGITS.search(output), (name, NINE_DIGITS.search(output))
        assert bsn[-4:] in output, name  # masked, not dropped: the record stays findable


def test_masked_value_is_shown_masked(leaky: ValidationResult) -> None:
    outputs = _outputs(leaky)
    assert '"*****2333"' in outputs["text"]
    assert "/leveringen/0/*****2333" in outputs["json"]
