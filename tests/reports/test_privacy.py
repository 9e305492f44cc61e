"""No report format lets a BSN through, wherever a producer forgot to mask it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from ddas.reports.html import render_html
from ddas.reports.json_report import render_json
from ddas.reports.text import render_text
from ddas.spec.kinds import Kind
from ddas.synth import generate
from ddas.validation.engine import validate_bytes
from ddas.validation.findings import Finding, RuleDef, Severity
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


# --- BSNs the nine-digit scrub could not see: a JSON number, and written in groups --------------------------

#: Each BSN written the way a registration or an export may hold it, and where it is put in a delivery. Every
#: one lands in a finding: a wrong type (SCHEMA_TYPE, the value a number), a wrong postcode, a too long
#: huisnummertoevoeging, a wrong KvK-nummer of a schuldeiser, two differing schuldeiser names (the message).
WRITTEN = {
    "int": (123456782, ("client", "Postcode")),
    "float": (192837465.0, ("gemeentecode",)),
    "spaces": ("111 222 333", ("client", "Postcode")),
    "dots": ("246.813.579", ("client", "Huisnummertoevoeging")),
    "hyphens": ("135-792-468", ("schuldeiser", "kvknummer")),
    "document notation": ("9753.18.642", ("schuldeiser", "naam")),
}
MASKED = {
    name: "*****" + "".join(c for c in str(int(v) if isinstance(v, float) else v) if c.isdigit())[-4:]
    for name, (v, _) in WRITTEN.items()
}


def _delivery_with_written_bsns() -> bytes:
    doc = generate(Kind.SHV, 12, seed=5, gemeenten=["0363"])
    trajecten = doc["leveringen"][0]["schuldhulptrajecten"]
    for traject, (value, where) in zip(trajecten, WRITTEN.values(), strict=False):
        if where[0] == "client":
            traject["client"][0][where[1]] = value
        elif where[0] == "schuldeiser":
            traject["schulden"][0]["schuldeiser"][where[1]] = value
        else:
            traject[where[0]] = value
    return orjson.dumps(doc)


def _clear_forms() -> list[str]:
    forms = []
    for value, _ in WRITTEN.values():
        text = str(int(value)) if isinstance(value, float) else str(value)
        digits = "".join(c for c in text if c.isdigit())
        forms += [text, digits, digits[:3] + " " + digits[3:6] + " " + digits[6:]]
    return forms


@pytest.fixture(scope="module")
def written() -> ValidationResult:
    return validate_bytes(_delivery_with_written_bsns(), name="levering.json", today=dt.date(2026, 1, 1))


def test_every_written_form_lands_in_a_finding(written: ValidationResult) -> None:
    codes = {f.code for f in written.findings}
    assert {"SCHEMA_TYPE", "POSTCODE_INVALID", "TOEVOEGING_TOO_LONG", "SCHULDEISER_KVK_INVALID"} <= codes
    assert "SCHULDEISER_NAAM_MISMATCH" in codes
    assert any(isinstance(f.value, str) and f.code == "SCHEMA_TYPE" for f in written.findings)


def test_written_bsns_are_masked_in_every_report(written: ValidationResult) -> None:
    outputs = _outputs(written)
    for name, output in outputs.items():
        for form in _clear_forms():
            assert form not in output, (name, form)
        assert not NINE_DIGITS.search(output), (name, NINE_DIGITS.search(output))
    for how, mask in MASKED.items():
        # Masked, not dropped: the JSON report lists every finding and so every masked BSN.
        assert mask in outputs["json"], how
        assert mask in outputs["json-several"], how


def test_written_bsns_are_masked_in_findings_and_messages(written: ValidationResult) -> None:
    texts = []
    for finding in written.findings:
        texts += [finding.path, str(finding.value), finding.message("nl"), finding.message("en")]
        texts += [str(v) for v in finding.params.values()]
        texts.append(orjson.dumps(finding.to_dict("nl")).decode())
    joined = "\n".join(texts)
    for form in _clear_forms():
        assert form not in joined, form
    assert "*****6782" in joined  # the integer, now text
    assert "*****7465" in joined  # the float


def test_a_finding_made_by_hand_is_masked_too(rules: Any) -> None:
    finding = Finding(
        rules.postcode,
        "/leveringen/0/123 456 782",
        123456782.0,
        True,
        {"pc": "BSN 1234.56.782", "n": [111222333]},
    )
    assert finding.path == "/leveringen/0/*****6782"
    assert finding.value == "*****6782.0"
    assert finding.params["pc"] == "BSN *****6782"
    assert finding.params["n"] == "[*****2333]"
    assert "1234" not in finding.message("nl").replace("*****", "")


def test_a_template_joining_parameters_is_scrubbed_after_filling_in() -> None:
    # Neither part is a BSN on its own; the message puts them together as one. (A rule outside the catalogue.)
    joined = RuleDef(
        "TEST_REPORT_JOINED",
        Severity.WARNING,
        "4.9",
        nl="Huisnummer {nummer} {toevoeging}.",
        en="House number {nummer}{toevoeging}.",
        fix="-",
    )
    finding = Finding.at(joined, ("x",), nummer="123", toevoeging="456 782")
    assert finding.message("nl") == "Huisnummer *****6782."
    assert (
        Finding.at(joined, ("x",), nummer="12345", toevoeging="6782").message("en")
        == "House number *****6782."
    )


def test_harmless_numbers_are_shown_as_delivered(rules: Any) -> None:
    harmless = [
        "2025-07-23",
        "2025-07-03T09:15:00Z",
        "2025-07-03 9:15",
        "23-07-2025",
        "1234AB",
        "12345678",
        "06 1234 5678",
        "020-123 4567",
        "NL91 ABNA 0417 1643 00",
        "1.234.567,89",
        "1234567890",
    ]
    for text in harmless:
        finding = Finding.at(rules.postcode, ("x",), text, pc=text)
        assert finding.value == text
        assert text in finding.message("nl")
        output = render_json([ValidationResult(file="a.json", findings=[finding])]).decode()
        assert json.dumps(text) in output
    amounts = Finding.at(rules.postcode, ("x",), 99_999_999, pc=1_000_000_000)
    assert (amounts.value, amounts.params["pc"]) == (99_999_999, 1_000_000_000)
