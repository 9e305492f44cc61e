"""Parsing the cell values of exports: Dutch amounts, dates in a stated format, yes/no in its many spellings.

Every parser either returns the value or raises :class:`ParseError` with a stable code and a Dutch message;
nothing is guessed. An amount like ``1.5`` under the Dutch notation is an error, not one and a half, because
the dot is the thousands separator there and ``1.5`` fits neither reading.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ddas.standardize import normalize

__all__ = [
    "FALSE_TEXTS",
    "TRUE_TEXTS",
    "ParseError",
    "parse_amount",
    "parse_boolean",
    "parse_date",
]


class ParseError(ValueError):
    """One cell value that does not parse; ``code`` is stable, ``message`` Dutch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: Spellings of yes and no (compared normalised). ``x`` for a ticked box is not here: say so per column.
TRUE_TEXTS = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "wel"})
FALSE_TEXTS = frozenset({"nee", "n", "no", "false", "onwaar", "0", "niet"})

_CURRENCY = re.compile(r"^(?:€|eur|euro)\s*|\s*(?:€|eur|euro)$", re.IGNORECASE)
# One thousands separator used consistently (dot, space or no-break space), or none at all.
_COMMA_DECIMAL = re.compile(
    r"^(?P<int>\d{1,3}(?P<sep>[. \u00a0])\d{3}(?:(?P=sep)\d{3})*|\d+)(?:,(?P<frac>\d+))?$"
)
_DOT_DECIMAL = re.compile(
    r"^(?P<int>\d{1,3}(?P<sep>[, \u00a0])\d{3}(?:(?P=sep)\d{3})*|\d+)(?:\.(?P<frac>\d+))?$"
)
_WHOLE_SUFFIX = re.compile(r"[,.]-{1,2}$")
_MAX_AMOUNT_DIGITS = 15


def _round_euros(amount: Decimal) -> int:
    """Whole euros, half away from zero (0,50 → 1; −0,50 → −1), as people round money by hand."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(value: str | int | float, decimal: str = ",") -> int:
    """An amount in whole euros from ``"€ 1.234,56"`` (→ 1235), ``"1234"``, ``"12,-"`` or a spreadsheet number.

    ``decimal`` is the decimal separator of the export: ``","`` (Dutch, the default) or ``"."``. The other
    character may only separate thousands in groups of three. Rounding: half away from zero.
    """
    if isinstance(value, bool):
        raise ParseError("AMOUNT_INVALID", "een ja/nee-waarde is geen bedrag")
    if isinstance(value, int):
        if abs(value) >= 10**_MAX_AMOUNT_DIGITS:
            raise ParseError("AMOUNT_INVALID", "een onwaarschijnlijk groot bedrag")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 10**_MAX_AMOUNT_DIGITS:
            raise ParseError("AMOUNT_INVALID", "geen bruikbaar getal")
        return _round_euros(Decimal(repr(value)))
    text = value.strip()
    negative = signed = False
    for _ in range(2):  # sign and currency in either order: "-€ 12", "€ -12"
        if text[:1] in ("-", "−", "+") and not signed:
            negative, signed = text[0] != "+", True
            text = text[1:].strip()
        text = _CURRENCY.sub("", text).strip()
    text = _WHOLE_SUFFIX.sub("", text)
    pattern = _COMMA_DECIMAL if decimal == "," else _DOT_DECIMAL
    match = pattern.fullmatch(text)
    notation = "1.234,56" if decimal == "," else "1,234.56"
    if match is None:
        raise ParseError("AMOUNT_INVALID", f"geen bedrag in de notatie {notation}")
    digits = re.sub(r"\D", "", match.group("int"))
    if len(digits) > _MAX_AMOUNT_DIGITS:
        raise ParseError("AMOUNT_INVALID", "een onwaarschijnlijk groot bedrag")
    try:
        amount = Decimal(f"{digits}.{match.group('frac') or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ParseError("AMOUNT_INVALID", f"geen bedrag in de notatie {notation}") from None
    return _round_euros(-amount if negative else amount)


def parse_date(value: str | dt.date | int | float, formats: Sequence[str]) -> dt.date:
    """A date from text in one of ``formats`` (``strptime`` codes, tried in order) or a spreadsheet date.

    A spreadsheet cell holding a date (``datetime``) is taken as is; a number is refused rather than read
    as an Excel serial day, because a number in a date column is more often a mistake than a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool | int | float):
        raise ParseError("DATE_INVALID", "een getal in plaats van een datum")
    text = value.strip()
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    shown = " of ".join(_human_format(fmt) for fmt in formats)
    raise ParseError("DATE_INVALID", f"geen datum in de vorm {shown}")


def _human_format(fmt: str) -> str:
    """``%d-%m-%Y`` → ``dd-mm-jjjj``: the way the format is written in Dutch instructions."""
    for code, shown in (("%d", "dd"), ("%m", "mm"), ("%Y", "jjjj"), ("%y", "jj"), ("%H", "uu"), ("%M", "mm")):
        fmt = fmt.replace(code, shown)
    return fmt


def parse_boolean(value: str | bool | int | float) -> bool:
    """``ja/nee``, ``J/N``, ``1/0``, ``true/false``, ``waar/onwaar`` (any case) or a spreadsheet true/false/1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ParseError("BOOLEAN_INVALID", "geen ja/nee-waarde (alleen 1 en 0 zijn getallen die tellen)")
    key = normalize(value)
    if key in TRUE_TEXTS:
        return True
    if key in FALSE_TEXTS:
        return False
    raise ParseError("BOOLEAN_INVALID", "geen ja/nee-waarde (ja/nee, j/n, 1/0, true/false, waar/onwaar)")
