"""The `GegevensRequest` body, checked exactly as the OpenAPI files describe it (SPEC.md §6).

All fields are optional and no other field is allowed (`additionalProperties: false`). Every way the body can
break the schema is a 400 with a pointer per problem; a period whose start lies after its end is well-formed
but cannot be served, so it is a 422. Checked by hand rather than by a schema library because the messages
must be Dutch, precise and free of the values sent (a body might carry personal data).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import orjson

from ddas.provider.app.period import Granularity, resolve_period
from ddas.provider.app.problems import Problem

__all__ = ["FIELDS", "GegevensQuery", "parse_gegevens_request"]

FIELDS = (
    "aanleverperiodeStartdatum",
    "aanleverperiodeEinddatum",
    "aanleverende_organisatie",
    "page",
    "pageSize",
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class GegevensQuery:
    """What one request asks for, with the defaults filled in."""

    start: dt.date
    end: dt.date
    organisatie: str | None
    page: int
    page_size: int
    #: The caller named a page size (else the maximum applies).
    page_size_given: bool


def _integer(value: Any) -> int | None:
    """A JSON Schema `integer` (1 and 1.0, never true or 1.5), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_gegevens_request(
    body: bytes, *, max_page_size: int, today: dt.date, granularity: Granularity
) -> GegevensQuery:
    """The query a request body asks for; raises Problem (400 or 422) saying precisely what is wrong."""
    if not body.strip():
        raise Problem(
            400,
            "body-missing",
            "Ongeldig verzoek",
            "Het verzoek heeft geen body; stuur een JSON-object (ten minste {}).",
        )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(
            400,
            "malformed-json",
            "Ongeldig verzoek",
            f"De body is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}).",
        ) from None
    if not isinstance(data, dict):
        raise Problem(400, "not-an-object", "Ongeldig verzoek", "De body moet een JSON-object zijn.")

    errors: list[dict[str, str]] = []

    def fail(name: str, code: str, detail: str) -> None:
        errors.append(
            {"pointer": "/" + name.replace("~", "~0").replace("/", "~1"), "code": code, "detail": detail}
        )

    for name in data:
        if name not in FIELDS:
            fail(name, "unknown-field", f"Onbekend veld '{name}'; toegestaan zijn: {', '.join(FIELDS)}.")

    dates: dict[str, dt.date | None] = {}
    for name in FIELDS[:2]:
        if name in data:
            dates[name] = _date(data[name])
            if dates[name] is None:
                fail(name, "invalid-date", f"'{name}' moet een datum zijn in de vorm JJJJ-MM-DD.")

    organisatie = data.get("aanleverende_organisatie")
    if "aanleverende_organisatie" in data and not isinstance(organisatie, str):
        fail("aanleverende_organisatie", "invalid-type", "'aanleverende_organisatie' moet een tekst zijn.")

    page = 1
    if "page" in data:
        number = _integer(data["page"])
        if number is None:
            fail("page", "invalid-type", "'page' moet een geheel getal zijn.")
        elif number < 1:
            fail("page", "out-of-range", "'page' moet 1 of groter zijn.")
        else:
            page = number

    page_size = max_page_size
    if "pageSize" in data:
        number = _integer(data["pageSize"])
        if number is None:
            fail("pageSize", "invalid-type", "'pageSize' moet een geheel getal zijn.")
        elif number < 1:
            fail("pageSize", "out-of-range", "'pageSize' moet 1 of groter zijn.")
        elif number > max_page_size:
            fail("pageSize", "page-size-too-large", f"'pageSize' mag hoogstens {max_page_size} zijn.")
        else:
            page_size = number

    if errors:
        first = errors[0]
        more = f" (en {len(errors) - 1} andere fout(en), zie 'errors')" if len(errors) > 1 else ""
        raise Problem(400, first["code"], "Ongeldig verzoek", first["detail"] + more, errors=errors)

    start, end = resolve_period(
        dates.get("aanleverperiodeStartdatum"),
        dates.get("aanleverperiodeEinddatum"),
        today=today,
        granularity=granularity,
    )
    if start > end:
        raise Problem(
            422,
            "period-reversed",
            "Periode niet verwerkbaar",
            f"De aanleverperiode begint ({start.isoformat()}) na het einde ({end.isoformat()}).",
        )
    org = organisatie.strip() if isinstance(organisatie, str) else None
    return GegevensQuery(
        start=start,
        end=end,
        organisatie=org or None,
        page=page,
        page_size=page_size,
        page_size_given="pageSize" in data,
    )
