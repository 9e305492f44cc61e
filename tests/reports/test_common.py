"""Shared report helpers: readable locations, sizes, counts, percentages that do not round away a gap."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from ddas.reports.common import describe_path, display_value, format_size, summary_line
from ddas.reports.html import render_html
from ddas.validation.result import ValidationResult


@pytest.mark.parametrize(
    ("pointer", "lang", "expected"),
    [
        ("", "nl", "het hele bestand"),
        (
            "/leveringen/0/schuldhulptrajecten/3/client/1/Postcode",
            "nl",
            "levering 1 › traject 4 › cliënt 2 › Postcode",
        ),
        (
            "/leveringen/1/vroegsignaalzaken/0/contactpogingen/2/datum",
            "en",
            "delivery 2 › case 1 › contact attempt 3 › datum",
        ),
        (
            "/leveringen/0/vroegsignalen/4/client/Postcode",
            "nl",
            "levering 1 › vroegsignaal 5 › client › Postcode",
        ),
        (
            "/leveringen/0/aanleverende_organisatie/(Statutaire) Naam",
            "nl",
            "levering 1 › aanleverende_organisatie › (Statutaire) Naam",
        ),
        ("/a~1b/onbekend/0/x~0y", "nl", "a/b › onbekend 1 › x~y"),
    ],
)
def test_describe_path(pointer: str, lang: str, expected: str) -> None:
    assert describe_path(pointer, lang) == expected  # type: ignore[arg-type]


def test_format_size() -> None:
    assert format_size(812, "nl") == "812 B"
    assert format_size(12_345, "nl") == "12,3 kB"
    assert format_size(48_000_000, "en") == "48.0 MB"
    assert format_size(3_000_000_000_000, "nl") == "3000,0 GB"


def test_display_value() -> None:
    assert display_value("") == '""'
    assert display_value(None) == "null"
    assert display_value(False) == "false"
    assert display_value(-5) == "-5"
    assert display_value("a 123456782 b") == '"a *****6782 b"'


def test_summary_line_uses_singular_and_thousands(make_shv: Callable[..., ValidationResult]) -> None:
    assert (
        summary_line(make_shv(errors=1, warnings=1), "nl")
        == "1 fout, 1 waarschuwing — niet geschikt voor CBS"
    )
    assert (
        summary_line(make_shv(errors=0, warnings=1200), "nl")
        == "0 fouten, 1.200 waarschuwingen — geschikt voor CBS"
    )
    assert summary_line(make_shv(errors=0, warnings=1200), "en") == "0 errors, 1,200 warnings — fit for CBS"


def test_percentages_never_round_a_gap_away(make_shv: Callable[..., ValidationResult]) -> None:
    result = make_shv()
    result.completeness = {
        "traject": {"gemeentecode": [999, 1000], "startdatum": [1, 1000], "einddatum": [0, 9]}
    }
    html = render_html([result], generated_at=dt.datetime(2025, 1, 1))
    rows = dict(re.findall(r'data-field="([^"]+)".*?<span class="pct">([^<]+)</span>', html, flags=re.S))
    assert rows == {"gemeentecode": "99,9%", "startdatum": "&lt;1%", "einddatum": "0%"}
