"""Cell parsers: Dutch amounts, dates in stated formats, yes/no — examples, round trips and fuzzing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddas.sources.parse import ParseError, parse_amount, parse_boolean, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1235),
        ("1234,56", 1235),
        ("1.234,49", 1234),
        ("0,50", 1),
        ("-0,50", -1),
        ("-1.234,50", -1235),
        ("€ 1.234,-", 1234),
        ("€1.234,--", 1234),
        ("12,-", 12),
        ("1 234,00", 1234),
        ("1\u00a0234", 1234),
        ("1.000.000", 1_000_000),
        ("- € 12", -12),
        ("€ -12", -12),
        ("EUR 7", 7),
        ("7 euro", 7),
        ("  42  ", 42),
        ("+3", 3),
    ],
)
def test_dutch_amounts(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1.5",
        "1,234.56",
        "12.34",
        "1.23.456",
        "1 234.567",
        "abc",
        "",
        "€",
        "--5",
        "1,2,3",
        "1.234.5678",
        "1e5",
    ],
)
def test_not_dutch_amounts(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_amount(text)
    assert caught.value.code == "AMOUNT_INVALID"


def test_decimal_point_notation() -> None:
    assert parse_amount("1,234.56", ".") == 1235
    assert parse_amount("12.5", ".") == 13
    with pytest.raises(ParseError):
        parse_amount("1.234,56", ".")


def test_spreadsheet_numbers() -> None:
    assert parse_amount(12) == 12
    assert parse_amount(12.5) == 13
    assert parse_amount(-12.5) == -13
    assert parse_amount(2.675) == 3
    for bad in (True, float("nan"), float("inf"), 10**20, 1e20):
        with pytest.raises(ParseError):
            parse_amount(bad)


def dutch(cents: int, separator: str = ".") -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", separator) + f",{rest:02d}"


@given(st.integers(min_value=-(10**14), max_value=10**14), st.sampled_from([".", " ", ""]))
def test_amount_round_trip(cents: int, separator: str) -> None:
    """Any amount written the Dutch way comes back as whole euros rounded half away from zero."""
    expected = int((Decimal(cents) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert parse_amount(dutch(cents, separator)) == expected


@given(st.text(max_size=40), st.sampled_from([",", "."]))
def test_amount_fuzz(text: str, decimal: str) -> None:
    try:
        value = parse_amount(text, decimal)
    except ParseError as error:
        assert error.code == "AMOUNT_INVALID" and error.message
    else:
        assert isinstance(value, int) and abs(value) < 10**15


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("31-12-2024", ("%d-%m-%Y",), dt.date(2024, 12, 31)),
        ("1-2-2024", ("%d-%m-%Y",), dt.date(2024, 2, 1)),
        (" 2024-02-29 ", ("%Y-%m-%d",), dt.date(2024, 2, 29)),
        ("31/12/24", ("%d-%m-%Y", "%d/%m/%y"), dt.date(2024, 12, 31)),
    ],
)
def test_dates(text: str, formats: tuple[str, ...], expected: dt.date) -> None:
    assert parse_date(text, formats) == expected


@pytest.mark.parametrize(
    "value", ["31-02-2024", "2024-12-31", "12/31/2024", "gisteren", "", 45000, 45000.5, True]
)
def test_not_dates(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date(value, ("%d-%m-%Y",))  # type: ignore[arg-type]
    assert caught.value.code == "DATE_INVALID"
    if isinstance(value, str):
        assert "dd-mm-jjjj" in caught.value.message


def test_spreadsheet_dates() -> None:
    assert parse_date(dt.datetime(2024, 5, 6, 13, 0), ()) == dt.date(2024, 5, 6)
    assert parse_date(dt.date(2024, 5, 6), ()) == dt.date(2024, 5, 6)


@given(
    st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"])
)
def test_date_round_trip(day: dt.date, fmt: str) -> None:
    assert parse_date(day.strftime(fmt), (fmt,)) == day


@given(st.text(max_size=30))
def test_date_fuzz(text: str) -> None:
    try:
        day = parse_date(text, ("%d-%m-%Y", "%Y-%m-%d"))
    except ParseError as error:
        assert error.code == "DATE_INVALID"
    else:
        assert isinstance(day, dt.date)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ja", True),
        ("J", True),
        ("1", True),
        ("true", True),
        ("WAAR", True),
        ("yes", True),
        ("Nee", False),
        ("n", False),
        ("0", False),
        ("False", False),
        ("onwaar", False),
        (True, True),
        (0, False),
        (1.0, True),
    ],
)
def test_booleans(value: str | bool | int | float, expected: bool) -> None:
    assert parse_boolean(value) is expected


@pytest.mark.parametrize("value", ["x", "misschien", "", "2", 2, 0.5])
def test_not_booleans(value: str | int | float) -> None:
    with pytest.raises(ParseError) as caught:
        parse_boolean(value)
    assert caught.value.code == "BOOLEAN_INVALID"


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans()))
def test_boolean_fuzz(value: str | int | float | bool) -> None:
    try:
        assert parse_boolean(value) in (True, False)
    except ParseError as error:
        assert error.code == "BOOLEAN_INVALID"
