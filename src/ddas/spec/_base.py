"""Building blocks shared by the SHV and VS models: base classes and the JSON value types of the schemas.

The models are meant to accept exactly the documents the official schema accepts under the reference
validator (python ``jsonschema``), so that loading never rejects a valid delivery and a model never holds
something a valid delivery could not. Hence no lax coercion: strings stay strings, ``true`` is not ``1``,
and ``null`` is never a value of a declared field — while absence of an optional field is always fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from typing_extensions import TypeAliasType

from ddas.spec.formats import DATE_PATTERN, DATE_TIME_PATTERN, is_date, is_date_time, is_email

__all__ = [
    "UNIQUE_ITEMS",
    "Bedrag",
    "ClosedObject",
    "Datum",
    "DatumTijd",
    "Email",
    "Integer",
    "OpenObject",
    "Tekst",
    "Vlag",
    "json_equal",
]

_CONFIG = ConfigDict(
    # Documents are read by their published names only (``by_name=False`` at load time); Python code may use
    # either, which keeps tests and generators readable.
    validate_by_alias=True,
    validate_by_name=True,
    serialize_by_alias=True,
    # No coercion of str/bool/int: a value of the wrong JSON type is invalid under the schema, so it must not
    # slip into a model. The value types below relax this only where the reference does (1.0 is an integer).
    strict=True,
    # Building the validators costs more than importing; code that only needs the types should not pay it.
    defer_build=True,
)


class _Object(BaseModel):
    model_config = _CONFIG

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        """Optional fields are ``X | None`` in Python (None = absent); JSON ``null`` is invalid for them."""
        if value is None:
            raise ValueError("null is not allowed here: leave the field out instead")
        return value


class ClosedObject(_Object):
    """An object the official schema closes with ``additionalProperties: false``."""

    model_config = ConfigDict(extra="forbid")


class OpenObject(_Object):
    """An object the official schema leaves open: unknown fields are valid and kept for the round trip."""

    model_config = ConfigDict(extra="allow")


def _integer(value: Any) -> Any:
    """JSON Schema's ``integer``: any number with a zero fraction (so ``1.0`` counts), never a boolean."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _datum(value: Any) -> Any:
    """``format: date`` as the reference checks it; a ``date`` passes for Python callers."""
    if isinstance(value, str):
        if not is_date(value):
            raise ValueError("not a date in the form YYYY-MM-DD")
        return date.fromisoformat(value)
    return value


def _datum_tijd(value: str) -> str:
    if not is_date_time(value):
        raise ValueError("not an RFC 3339 date-time")
    return value


def _email(value: str) -> str:
    if not is_email(value):
        raise ValueError("not an e-mail address")
    return value


#: A plain JSON string.
Tekst = StrictStr
#: A JSON boolean.
Vlag = StrictBool
#: A JSON Schema ``integer`` (``teller``).
Integer = Annotated[int, BeforeValidator(_integer), Strict()]

# The aliases below become ``$defs`` entries; schema.py renames them to the published names
# (``datum``, ``datum-tijd``, ``bedrag``, ``email``), which are not valid Python names.

#: ``$defs/datum``: a calendar date.
Datum = TypeAliasType(
    "Datum",
    Annotated[
        date,
        BeforeValidator(_datum),
        Strict(),
        WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
    ],
)

#: ``$defs/datum-tijd``: kept as the exact string so that a round trip reproduces it byte for byte.
DatumTijd = TypeAliasType(
    "DatumTijd",
    Annotated[
        StrictStr,
        AfterValidator(_datum_tijd),
        WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}),
    ],
)

#: ``$defs/bedrag``: whole euros.
Bedrag = TypeAliasType(
    "Bedrag",
    Annotated[int, BeforeValidator(_integer), Strict(), WithJsonSchema({"type": "integer"})],
)

#: ``$defs/email``.
Email = TypeAliasType(
    "Email",
    Annotated[StrictStr, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email"})],
)


def _unbool(value: Any) -> Any:
    # Distinct sentinels so that True/1 and False/0 differ, as in the reference's ``uniq``.
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


_TRUE = object()
_FALSE = object()


def json_equal(one: Any, two: Any) -> bool:
    """Equality of JSON values as JSON Schema's ``uniqueItems`` means it: ``1 == 1.0`` but ``true != 1``."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and json_equal(v, two[key]) for key, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _as_json(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return item


def _check_unique(value: Any) -> Any:
    if isinstance(value, list):
        items = [_as_json(item) for item in value]
        for index, item in enumerate(items):
            if any(json_equal(item, earlier) for earlier in items[:index]):
                raise ValueError(f"item {index} repeats an earlier item (uniqueItems)")
    return value


class _UniqueItems:
    """``uniqueItems: true`` for a list: checked on the raw JSON items, before they become models."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(_check_unique, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["uniqueItems"] = True
        return json_schema


UNIQUE_ITEMS = _UniqueItems()
