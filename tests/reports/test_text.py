"""The terminal report: header, grouping, example limit, summary line, colour on and off, both languages."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from rich.console import Console

from ddas.reports.text import print_text, render_text
from ddas.validation.findings import Finding
from ddas.validation.result import ValidationResult

ANSI = re.compile(r"\x1b\[")


def test_plain_text_has_no_ansi_codes_and_colour_has(shv: ValidationResult) -> None:
    plain = render_text([shv], color=False)
    assert not ANSI.search(plain)
    assert ANSI.search(render_text([shv], color=True))


def test_header_findings_and_summary_in_dutch(shv: ValidationResult) -> None:
    text = render_text([shv], color=False)
    lines = text.splitlines()
    assert lines[0] == "✗ kredietbank_2024.json — SHV 1.0, 12,3 kB — niet geschikt voor CBS"
    assert "Periode 2024-01-01 t/m 2024-06-30" in lines[1]
    assert "Schema: voldoet aan het uitwisselmodel" in text
    assert "FOUT  TEST_REPORT_BSN (§4.9) — 2×" in text
    assert "WAARSCHUWING  TEST_REPORT_POSTCODE (§4.9) — 1×" in text
    assert '/leveringen/0/schuldhulptrajecten/1/client/0/Burgerservicenummer = "*****2333"' in text
    assert "Postcode 1234 ab bevat een spatie of kleine letters." in text
    assert lines[-1].strip() == "2 fouten, 1 waarschuwing — niet geschikt voor CBS"
    # Errors come before warnings.
    assert text.index("TEST_REPORT_BSN") < text.index("TEST_REPORT_POSTCODE")


def test_english(shv: ValidationResult) -> None:
    text = render_text([shv], lang="en", color=False)
    assert "SHV 1.0, 12.3 kB — not fit for CBS" in text
    assert "ERROR  TEST_REPORT_BSN" in text
    assert "Citizen service number *****2333 fails the eleven test." in text
    assert text.splitlines()[-1].strip() == "2 errors, 1 warning — not fit for CBS"


def test_examples_are_limited_and_the_rest_counted(make_shv: Callable[..., ValidationResult]) -> None:
    result = make_shv(errors=8, warnings=0)
    text = render_text([result], color=False, max_examples=3)
    shown = re.findall(r"/schuldhulptrajecten/(\d+)/client/0/Burgerservicenummer", text)
    assert shown == ["0", "1", "2"]
    assert "… en nog 5 andere plaatsen" in text
    assert "8 fouten, 0 waarschuwingen — niet geschikt voor CBS" in text
    none = render_text([result], color=False, max_examples=0)
    assert "/schuldhulptrajecten/" not in none
    assert "… en nog 8 andere plaatsen" in none


def test_valid_result_without_findings(vs: ValidationResult) -> None:
    text = render_text([vs], color=False)
    assert text.startswith("✓ vs.json — VS 0.9, 900 B — geschikt voor CBS")
    assert "Geen bevindingen." in text
    assert text.splitlines()[-1].strip() == "0 fouten, 0 waarschuwingen — geschikt voor CBS"


def test_several_files_get_a_total(shv: ValidationResult, vs: ValidationResult) -> None:
    text = render_text([shv, vs], color=False)
    assert "kredietbank_2024.json" in text and "vs.json" in text
    assert text.splitlines()[-1] == "Totaal: 2 bestanden, 1 niet geschikt voor CBS"


def test_delivered_text_is_not_interpreted_as_markup(
    shv: ValidationResult, rules: Any, path: Callable[..., tuple[str | int, ...]]
) -> None:
    shv.findings.append(
        Finding.at(rules.postcode, path(5, "client", 0, "Postcode"), "[bold red]x[/]", pc="[link]")
    )
    text = render_text([shv], color=True)
    assert '"[bold red]x[/]"' in text
    assert "Postcode [link] bevat" in text


def test_print_text_writes_to_a_given_console(shv: ValidationResult) -> None:
    buffer = io.StringIO()
    print_text([shv], Console(file=buffer, force_terminal=False, width=200), max_examples=1)
    out = buffer.getvalue()
    assert "TEST_REPORT_BSN" in out
    assert "… en nog 1 andere plaats\n" in out


def test_unreadable_file_without_kind_renders(rules: Any) -> None:
    result = ValidationResult(file="leeg.json", findings=[Finding(rules.bsn, "", None, False, {"bsn": "?"})])
    text = render_text([result], color=False)
    assert text.startswith("✗ leeg.json — onbekend uitwisselmodel, 0 B — niet geschikt voor CBS")
    assert "Schema: voldoet niet aan het uitwisselmodel" in text
    assert "    / \n" not in text and "\n    /\n" in text


def test_example_messages_only_when_they_say_more_than_the_value(
    make_shv: Callable[..., ValidationResult], rules: Any, path: Callable[..., tuple[str | int, ...]]
) -> None:
    result = make_shv(errors=0, warnings=2)
    # Postcode messages quote the value only: not repeated per example.
    result.findings[1] = Finding.at(rules.postcode, path(1, "client", 0, "Postcode"), "9999 zz", pc="9999 zz")
    # Order messages differ in another parameter: repeated where they differ.
    result.findings += [
        Finding.at(rules.order, path(0, "intake", "startdatum"), "2024-01-01", fase="intake"),
        Finding.at(rules.order, path(1, "nazorg", "startdatum"), "2024-01-01", fase="nazorg"),
    ]
    text = render_text([result], color=False)
    assert '/client/0/Postcode = "9999 zz"\n' in text
    assert text.count("bevat een spatie") == 1
    assert '/intake/startdatum = "2024-01-01"\n' in text
    assert '/nazorg/startdatum = "2024-01-01" — Fase nazorg ligt voor de aanmelding.\n' in text
