"""The format checks ddas uses agree with the reference's, string for string."""

from __future__ import annotations

import jsonschema_rs
import pytest
from _spec_corpus import (
    INVALID_DATE_TIMES,
    INVALID_DATES,
    INVALID_EMAILS,
    VALID_DATE_TIMES,
    VALID_DATES,
    VALID_EMAILS,
)
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ddas.spec.formats import DATE_PATTERN, DATE_TIME_PATTERN, is_date, is_date_time, is_email

CHECKER = Draft202012Validator.FORMAT_CHECKER
CHECKS = {"date": is_date, "date-time": is_date_time, "email": is_email}
PATTERNS = {"date": DATE_PATTERN, "date-time": DATE_TIME_PATTERN}

SAMPLES = {
    "date": [*INVALID_DATES, *VALID_DATES, "２０２４-01-01", "2024-01-01\n", " 2024-01-01", "+2024-01-01"],
    "date-time": [*INVALID_DATE_TIMES, *VALID_DATE_TIMES, "2024-12-31T23:59:59.Z", "2024-12-31T23:59:59,5Z"],
    "email": [*INVALID_EMAILS, *VALID_EMAILS, "a@", "@b"],
}

# Strings shaped like the values, so that the edges (day 31, month 13, year 0, second 60) come up often.
_digits = st.text("0123456789", min_size=1, max_size=4)
_date_like = st.builds(
    lambda y, m, d: f"{y}-{m}-{d}",
    _digits,
    st.text("0123456789", max_size=3),
    st.text("0123456789", max_size=3),
)
_date_time_like = st.builds(
    lambda d, t, s, z: f"{d}{t}{s}{z}",
    _date_like,
    st.sampled_from(["T", "t", " "]),
    st.from_regex(r"\A[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,3})?\Z"),
    st.sampled_from(["Z", "z", "+01:00", "-23:59", "+24:00", "", "\n", "Z\n", "+0100"]),
)


@pytest.mark.parametrize("fmt", list(CHECKS))
def test_samples_agree_with_the_reference(fmt: str) -> None:
    for sample in SAMPLES[fmt]:
        assert CHECKS[fmt](sample) == CHECKER.conforms(sample, fmt), (fmt, sample)


@given(st.one_of(_date_like, st.dates().map(str), st.text(max_size=12)))
def test_is_date_agrees_with_the_reference(value: str) -> None:
    assert is_date(value) == CHECKER.conforms(value, "date")


@given(st.one_of(_date_time_like, st.datetimes().map(lambda d: d.isoformat() + "Z"), st.text(max_size=25)))
def test_is_date_time_agrees_with_the_reference(value: str) -> None:
    assert is_date_time(value) == CHECKER.conforms(value, "date-time")


@given(st.text(max_size=8))
def test_is_email_agrees_with_the_reference(value: str) -> None:
    assert is_email(value) == CHECKER.conforms(value, "email")


@given(st.one_of(_date_like, st.dates().map(str)))
def test_a_native_date_check_plus_the_pattern_is_the_reference_date_check(value: str) -> None:
    """Why ``pattern`` is enough for dates: jsonschema_rs's own date check differs from the reference only
    in year 0000, which the pattern excludes (validation of dates stays native and fast)."""
    schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value) == CHECKER.conforms(
        value, "date"
    )


@given(_date_time_like)
def test_the_date_time_pattern_only_excludes_what_the_reference_rejects(value: str) -> None:
    import re

    if CHECKER.conforms(value, "date-time"):
        assert re.search(DATE_TIME_PATTERN, value)
        rs = jsonschema_rs.validator_for({"pattern": DATE_TIME_PATTERN})
        assert rs.is_valid(value)


def test_the_pure_rust_date_time_check_differs_only_where_documented() -> None:
    """Without ddas's format override jsonschema_rs rejects a trailing newline that the reference accepts:
    the reason ``schema_validator`` checks date-time in Python. Should this fail, the override may go."""
    value = "2024-12-31T23:59:59Z\n"
    assert CHECKER.conforms(value, "date-time")
    schema = {"type": "string", "format": "date-time"}
    assert not jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)
    assert jsonschema_rs.validator_for(
        schema, validate_formats=True, formats={"date-time": is_date_time}
    ).is_valid(value)
