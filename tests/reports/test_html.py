"""The op-orde-rapport: well-formed, self-contained, printable HTML: verdict, counts, completeness, rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

from ddas import __version__
from ddas.reports.html import render_html
from ddas.validation.findings import Finding
from ddas.validation.result import ValidationResult

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
AT = dt.datetime(2025, 7, 5, 10, 30, tzinfo=dt.UTC)


@dataclass
class Parsed:
    problems: list[str] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    #: Text per element with a data-* attribute, keyed by (attribute, value).
    data: dict[tuple[str, str], str] = field(default_factory=dict)
    classes: dict[tuple[str, str], str] = field(default_factory=dict)


class _Checker(HTMLParser):
    """Checks that every element is closed in order and collects what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.stack: list[tuple[str, tuple[str, str] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.out.tags.append((tag, attributes))
        key = next(((k, v) for k, v in attributes.items() if k.startswith("data-")), None)
        if key is not None:
            self.out.data[key] = ""
            self.out.classes[key] = attributes.get("class", "")
        if tag not in VOID:
            self.stack.append((tag, key))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.out.problems.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.out.text.append(data)
        for _, key in self.stack:
            if key is not None:
                self.out.data[key] += data


def parse(html: str) -> Parsed:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    if checker.stack:
        checker.out.problems.append(f"unclosed: {[t for t, _ in checker.stack]}")
    return checker.out


def _text(parsed: Parsed) -> str:
    return re.sub(r"\s+", " ", "".join(parsed.text))


def test_well_formed_and_self_contained(shv: ValidationResult, vs: ValidationResult) -> None:
    html = render_html([shv, vs], generated_at=AT)
    parsed = parse(html)
    assert parsed.problems == []
    assert html.startswith("<!DOCTYPE html>")
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    for _, attrs in parsed.tags:
        assert "src" not in attrs
        assert not attrs.get("href", "#").startswith(("http", "//")), attrs
    assert not re.search(r"url\(|@import", html)
    assert ("html", {"lang": "nl"}) in parsed.tags


def test_verdict_and_counts(shv: ValidationResult) -> None:
    parsed = parse(render_html([shv], generated_at=AT))
    assert parsed.data[("data-count", "errors")] == "2"
    assert parsed.data[("data-count", "warnings")] == "1"
    text = _text(parsed)
    assert "Niet geschikt voor CBS: 2 fouten" in text
    assert "Voldoet aan het uitwisselmodel (schema)" in text
    assert any(a.get("class") == "verdict verdict-bad" for _, a in parsed.tags)


def test_verdicts_for_warnings_only_and_clean_results(
    make_shv: Callable[..., ValidationResult], vs: ValidationResult
) -> None:
    text = _text(parse(render_html([make_shv(errors=0, warnings=3)], generated_at=AT)))
    assert "Geschikt voor CBS, met 3 waarschuwingen" in text
    text = _text(parse(render_html([vs], generated_at=AT)))
    assert "In orde: geschikt voor CBS" in text
    assert "Er zijn geen bevindingen." in text


def test_schema_failure_is_stated(make_shv: Callable[..., ValidationResult]) -> None:
    result = make_shv()
    result.schema_valid = False
    text = _text(parse(render_html([result], generated_at=AT)))
    assert "Voldoet niet aan het uitwisselmodel (schema)" in text


def test_what_was_delivered(shv: ValidationResult) -> None:
    text = _text(parse(render_html([shv], generated_at=AT)))
    assert "2024-01-01 t/m 2024-06-30" in text
    assert "2024-07-05T10:00:00+02:00" in text
    assert "RegistratieSoft 4.2" in text
    assert "Kredietbank Voorbeeld" in text
    assert "87654321" in text
    assert "0363 (7), 0518 (2)" in text
    assert "rapport@kredietbank.example" in text
    assert "12,3 kB" in text


def test_vs_delivery_counts_signals_and_zaken(vs: ValidationResult) -> None:
    text = _text(parse(render_html([vs], generated_at=AT)))
    assert "Vroegsignalering (VS) 0.9" in text
    assert "Vroegsignalen" in text and "Zaken" in text
    assert "Gemeente Voorbeeld" in text
    assert "geen contactpersoon met een e-mailadres" in text


def test_findings_grouped_with_fix_spec_and_examples(make_shv: Callable[..., ValidationResult]) -> None:
    html = render_html([make_shv(errors=14, warnings=1)], generated_at=AT, max_examples=10)
    parsed = parse(html)
    text = _text(parsed)
    assert parsed.data[("data-code", "TEST_REPORT_BSN")].split()[:4] == [
        "Fout",
        "TEST_REPORT_BSN",
        "§4.9",
        "14",
    ]
    assert "Neem het BSN over uit de BRP." in text
    assert "Registreer postcodes als 1234AB." in text
    assert "Wat kunt u doen?" in text
    assert text.count("levering 1 › traject ") == 11  # 10 BSN examples, 1 postcode example
    assert "levering 1 › traject 10 › cliënt 1 › Burgerservicenummer" in text
    assert "/leveringen/0/schuldhulptrajecten/9/client/0/Burgerservicenummer" in text
    assert "… en nog 4 andere plaatsen." in text
    assert '"*****2333"' in text


def test_completeness_bars_and_highlighting(shv: ValidationResult) -> None:
    html = render_html([shv], generated_at=AT)
    parsed = parse(html)
    # Core field filled 3 of 9: poor; non-core einddatum stays neutral; total-0 sub-fields are left out.
    assert "lvl-poor" in parsed.classes[("data-field", "startdatum")]
    assert "lvl-neutral" in parsed.classes[("data-field", "einddatum")]
    assert "lvl-good" in parsed.classes[("data-field", "gemeentecode")]
    assert "lvl-fair" in parsed.classes[("data-field", "client.Burgerservicenummer")]
    assert "lvl-neutral" in parsed.classes[("data-field", "intake.beschikkingssoort")]
    assert ("data-field", "moratoria.datumAanvraag") not in parsed.data
    row = re.sub(r"\s+", " ", parsed.data[("data-field", "startdatum")])
    assert "33%" in row and "3 / 9" in row and "trajecten" in row
    sub = re.sub(r"\s+", " ", parsed.data[("data-field", "intake.beschikkingssoort")])
    assert "50%" in sub and "2 / 4" in sub and "trajecten met intake" in sub
    assert 'style="width: 33.3%"' in html
    text = _text(parsed)
    assert "Aandachtspunten" in text
    assert "startdatum: 33% (3 van 9 trajecten)" in text
    # Poorest first.
    assert text.index("startdatum: 33%") < text.index("client.Burgerservicenummer: 67%")
    assert "Schuldhulptrajecten (9 trajecten)" in text


def test_completeness_not_determined(make_shv: Callable[..., ValidationResult]) -> None:
    text = _text(parse(render_html([make_shv(completeness=False)], generated_at=AT)))
    assert "De volledigheid is voor dit bestand niet bepaald." in text


def test_several_deliveries_get_an_overview_and_page_breaks(
    shv: ValidationResult, vs: ValidationResult
) -> None:
    html = render_html([shv, vs], generated_at=AT)
    parsed = parse(html)
    sections = [a for t, a in parsed.tags if t == "section" and "delivery" in a.get("class", "")]
    assert [a["id"] for a in sections] == ["d0", "d1"]
    assert "Overzicht van de bestanden" in _text(parsed)
    assert "@page" in html and "size: A4" in html and "break-before: page" in html and "@media print" in html


def test_footer_has_timestamp_and_version(shv: ValidationResult) -> None:
    text = _text(parse(render_html([shv], generated_at=AT)))
    assert f"Gemaakt op 5 juli 2025 om 10:30 met ddas {__version__}." in text


def test_english(shv: ValidationResult) -> None:
    parsed = parse(render_html([shv], lang="en", generated_at=AT))
    text = _text(parsed)
    assert ("html", {"lang": "en"}) in parsed.tags
    assert "Not fit for CBS: 2 errors" in text
    assert "Citizen service number *****2333 fails the eleven test." in text
    assert f"Generated on 05 July 2025 at 10:30 by ddas {__version__}." in text


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_delivered_text_is_escaped(
    shv: ValidationResult, rules: Any, path: Callable[..., tuple[str | int, ...]], payload: str
) -> None:
    shv.findings.append(Finding.at(rules.postcode, path(3, "client", 0, "Postcode"), payload, pc=payload))
    shv.leveringen[0].organisatie = payload
    shv.file = payload
    html = render_html([shv], generated_at=AT)
    parsed = parse(html)
    assert parsed.problems == []
    assert "script" not in [t for t, _ in parsed.tags]
    assert "img" not in [t for t, _ in parsed.tags]
    assert payload in _text(parsed)


def test_unreadable_file_without_kind_renders(rules: Any) -> None:
    result = ValidationResult(file="leeg.json", findings=[Finding(rules.bsn, "", None, False, {"bsn": "?"})])
    parsed = parse(render_html([result], generated_at=AT))
    assert parsed.problems == []
    text = _text(parsed)
    assert "onbekend uitwisselmodel" in text
    assert "Niet geschikt voor CBS: 1 fout" in text
    assert "Er zijn geen leveringen gevonden in het bestand." in text
    assert "De volledigheid is voor dit bestand niet bepaald." in text
    assert "het hele bestand" in text
