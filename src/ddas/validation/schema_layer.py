"""Layer (b): the JSON Schema layer, on ddas's own schema (ddas.spec.schema), run by jsonschema-rs.

One pass finds two things. Errors: everything the official schema rejects (its `format` keywords are
assertions, as with the reference validators' format checking on). Warnings (§4.6): unknown fields in objects the
official schema leaves open. For the second, the layer validates against a *strict* variant of the schema in
which every open object is closed too; an `additionalProperties` failure at an object the official schema left
open is then reported as UNKNOWN_FIELD (warning), one at an object it closes as an error.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from ddas.spec.formats import DATE_TIME_PATTERN
from ddas.spec.kinds import Kind
from ddas.spec.schema import FORMAT_CHECKS
from ddas.validation.findings import Finding, PathParts, Severity, define

__all__ = ["SCHEMA_RULES", "UNKNOWN_FIELD", "SchemaLayer", "schema_layer"]


def _schema_rule(code: str, nl: str, en: str, fix: str) -> Any:
    return define(code, Severity.ERROR, "2/3", nl=nl, en=en, fix=fix, layer="schema")


SCHEMA_REQUIRED = _schema_rule(
    "SCHEMA_REQUIRED",
    "Verplicht veld '{veld}' ontbreekt.",
    "Required field '{veld}' is missing.",
    "Vul het verplichte veld in de bronregistratie of laat de export het veld altijd opnemen.",
)
SCHEMA_TYPE = _schema_rule(
    "SCHEMA_TYPE",
    "Verkeerd type: verwacht {verwacht}, gevonden {gevonden}.",
    "Wrong type: expected {expected}, found {gevonden}.",
    "Lever het veld in het type dat het uitwisselmodel voorschrijft (bijvoorbeeld tekst tussen aanhalingstekens, "
    "bedragen als hele getallen zonder aanhalingstekens); 'null' is nergens toegestaan: laat een leeg veld weg.",
)
SCHEMA_ENUM = _schema_rule(
    "SCHEMA_ENUM",
    "Waarde {waarde} is niet toegestaan; toegestaan zijn: {opties}.",
    "Value {waarde} is not allowed; allowed are: {opties}.",
    "Vertaal de lokale waarde naar een van de standaardwaarden van het uitwisselmodel (let op hoofdletters en "
    "spaties).",
)
SCHEMA_FORMAT = _schema_rule(
    "SCHEMA_FORMAT",
    "Waarde {waarde} is geen geldige {formaat}.",
    "Value {waarde} is not a valid {format_en}.",
    "Datums als JJJJ-MM-DD (bijvoorbeeld 2025-06-30), het aanlevermoment als datum-tijd met tijdzone "
    "(2025-07-03T09:15:00Z), e-mailadressen volledig.",
)
SCHEMA_ADDITIONAL_PROPERTIES = _schema_rule(
    "SCHEMA_ADDITIONAL_PROPERTIES",
    "Veld(en) {velden} horen niet in dit object (het uitwisselmodel staat hier geen andere velden toe).",
    "Field(s) {velden} are not allowed in this object (the exchange model allows no other fields here).",
    "Gebruik alleen de veldnamen van het uitwisselmodel, exact gespeld (ook de gepubliceerde schrijfwijzen "
    "zoals 'aanleverende_organisatie').",
)
SCHEMA_MIN_ITEMS = _schema_rule(
    "SCHEMA_MIN_ITEMS",
    "De lijst bevat {aantal} element(en); minimaal {limiet} vereist.",
    "The list has {aantal} item(s); at least {limiet} required.",
    "Lever ten minste het vereiste aantal elementen (bijvoorbeeld minstens één cliënt of contactpersoon).",
)
SCHEMA_MAX_ITEMS = _schema_rule(
    "SCHEMA_MAX_ITEMS",
    "De lijst bevat {aantal} elementen; maximaal {limiet} toegestaan.",
    "The list has {aantal} items; at most {limiet} allowed.",
    "Een schuldhulptraject heeft ten hoogste twee cliënten (aanvrager en partner); splits of corrigeer.",
)
SCHEMA_UNIQUE_ITEMS = _schema_rule(
    "SCHEMA_UNIQUE_ITEMS",
    "De lijst bevat dubbele elementen; elk element moet uniek zijn.",
    "The list contains duplicate items; every item must be unique.",
    "Verwijder dubbel opgenomen elementen uit de export.",
)
SCHEMA_OTHER = _schema_rule(
    "SCHEMA_OTHER",
    "Voldoet niet aan het schema: {detail}.",
    "Does not conform to the schema: {detail}.",
    "Vergelijk het veld met het uitwisselmodel.",
)
UNKNOWN_FIELD = define(
    "UNKNOWN_FIELD",
    Severity.WARNING,
    "4.6",
    nl="Onbekend veld '{veld}': het uitwisselmodel kent dit veld hier niet; CBS negeert het.",
    en="Unknown field '{veld}': the exchange model has no such field here; CBS ignores it.",
    fix="Controleer de spelling van de veldnaam of laat het veld weg; gegevens in onbekende velden gaan verloren.",
)

#: Every schema-layer rule, by jsonschema-rs error kind.
SCHEMA_RULES = {
    "Required": SCHEMA_REQUIRED,
    "Type": SCHEMA_TYPE,
    "Enum": SCHEMA_ENUM,
    "Format": SCHEMA_FORMAT,
    "Pattern": SCHEMA_FORMAT,
    "AdditionalProperties": SCHEMA_ADDITIONAL_PROPERTIES,
    "MinItems": SCHEMA_MIN_ITEMS,
    "MaxItems": SCHEMA_MAX_ITEMS,
    "UniqueItems": SCHEMA_UNIQUE_ITEMS,
}

_TYPE_NL = {
    "string": "tekst",
    "integer": "geheel getal",
    "number": "getal",
    "boolean": "waar/onwaar",
    "object": "object",
    "array": "lijst",
    "null": "null",
}
_FORMAT_NL = {
    "date": ("datum (JJJJ-MM-DD)", "date (YYYY-MM-DD)"),
    "date-time": ("datum-tijd (RFC 3339, met tijdzone)", "date-time (RFC 3339, with time zone)"),
    "email": ("e-mailadres", "e-mail address"),
    "time": ("tijd", "time"),
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s (`#/$defs/...`) to the schema they name."""
    seen = 0
    while "$ref" in node and seen < 32:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _resolve_with_pointer(
    root: dict[str, Any], node: dict[str, Any], pointer: str
) -> tuple[dict[str, Any], str]:
    """Like `_resolve`, also returning the JSON Pointer (as a `#/...` reference) of the schema reached."""
    while "$ref" in node and isinstance(node["$ref"], str) and node["$ref"].startswith("#/"):
        pointer = node["$ref"]
        node = _resolve(root, {"$ref": pointer})
    return node, pointer


def _close_open_objects(root: dict[str, Any]) -> set[tuple[str, ...]]:
    """Close every open object schema of `root` in place; return the instance-path patterns of those objects.

    Patterns use "*" for array indexes, e.g. ("leveringen", "*", "schuldhulptrajecten", "*", "client", "*").
    """
    open_patterns: set[tuple[str, ...]] = set()
    closed_here: set[int] = set()

    def walk(node: Any, pattern: tuple[str, ...], depth: int) -> None:
        if not isinstance(node, dict) or depth > 64:
            return
        node = _resolve(root, node)
        props = node.get("properties")
        if isinstance(props, dict):
            if "additionalProperties" not in node:
                node["additionalProperties"] = False
                closed_here.add(id(node))
            if id(node) in closed_here:
                open_patterns.add(pattern)
            for name, sub in props.items():
                walk(sub, (*pattern, name), depth + 1)
        items = node.get("items")
        if isinstance(items, dict):
            walk(items, (*pattern, "*"), depth + 1)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, ()) or ():
                walk(sub, pattern, depth + 1)

    walk(root, (), 0)
    return open_patterns


class SchemaLayer:
    """The compiled schema layer for one kind; `check(instance, prefix)` yields findings."""

    def __init__(self, kind: Kind, schema: dict[str, Any]) -> None:
        self.kind = kind
        strict = copy.deepcopy(schema)
        self.open_patterns = _close_open_objects(strict)
        self._strict = strict
        self._validator = jsonschema_rs.validator_for(strict, validate_formats=True, formats=FORMAT_CHECKS)
        self._parts: dict[tuple[str, ...], Any] = {}

    def part(self, pattern: tuple[str, ...]) -> Any:
        """A validator for the sub-schema at an instance-path pattern (for streamed records)."""
        validator = self._parts.get(pattern)
        if validator is None:
            node: dict[str, Any] = self._strict
            pointer = "#/$defs/__ddas_root"
            for name in pattern:
                node, pointer = _resolve_with_pointer(self._strict, node, pointer)
                if name == "*":
                    node, pointer = node["items"], pointer + "/items"
                else:
                    node, pointer = node["properties"][name], pointer + "/properties/" + _escape(name)
            wrapper: dict[str, Any] = {"$schema": self._strict.get("$schema")}
            wrapper["$defs"] = {**self._strict.get("$defs", {}), "__ddas_root": self._strict}
            wrapper["$ref"] = pointer
            validator = jsonschema_rs.validator_for(wrapper, validate_formats=True, formats=FORMAT_CHECKS)
            self._parts[pattern] = validator
        return validator

    def check(
        self, instance: Any, prefix: PathParts = (), pattern: tuple[str, ...] | None = None
    ) -> Iterator[Finding]:
        """Findings for `instance` (the whole document, or the part at `prefix` whose pattern is `pattern`)."""
        validator = self._validator if pattern is None else self.part(pattern)
        for error in validator.iter_errors(instance):
            yield from self._findings(error, prefix)

    def _findings(self, error: Any, prefix: PathParts) -> Iterator[Finding]:
        path: PathParts = (*prefix, *error.instance_path)
        kind = type(error.kind).__name__
        if kind == "AdditionalProperties":
            unexpected = list(error.kind.unexpected)
            pattern = tuple("*" if isinstance(p, int) else p for p in path)
            if pattern in self.open_patterns:
                for name in unexpected:
                    yield Finding.at(UNKNOWN_FIELD, (*path, name), veld=name)
                return
            yield Finding.at(
                SCHEMA_ADDITIONAL_PROPERTIES, path, velden=", ".join(f"'{n}'" for n in unexpected)
            )
            return
        if kind == "Pattern" and error.kind.pattern == DATE_TIME_PATTERN:
            return  # the date-time format check (the reference's own) reports the same value
        rule = SCHEMA_RULES.get(kind, SCHEMA_OTHER)
        instance = error.instance
        params: dict[str, Any] = {}
        if kind == "Required":
            params["veld"] = error.kind.property
            yield Finding.at(rule, path, **params)
            return
        if kind == "Type":
            types = list(error.kind.types)
            params["verwacht"] = " of ".join(_TYPE_NL.get(t, t) for t in types)
            params["expected"] = " or ".join(types)
            params["gevonden"] = _json_type(instance)
        elif kind == "Enum":
            params["opties"] = ", ".join(f"'{o}'" for o in error.kind.options)
            params["waarde"] = repr(instance) if not isinstance(instance, str) else f"'{instance}'"
        elif kind in ("Format", "Pattern"):
            fmt = getattr(error.kind, "format", None) or "date"
            nl, en = _FORMAT_NL.get(fmt, (fmt, fmt))
            params["formaat"], params["format_en"] = nl, en
            params["waarde"] = f"'{instance}'" if isinstance(instance, str) else repr(instance)
        elif kind in ("MinItems", "MaxItems"):
            params["limiet"] = error.kind.limit
            params["aantal"] = len(instance) if isinstance(instance, list) else "?"
        elif rule is SCHEMA_OTHER:
            params["detail"] = kind
        if isinstance(instance, dict | list):
            yield Finding.at(rule, path, **params)
        else:
            if path and path[-1] == "Burgerservicenummer":
                params["waarde"] = "(BSN)"
            yield Finding.at(rule, path, instance, **params)


@functools.cache
def schema_layer(kind: Kind) -> SchemaLayer:
    """The compiled schema layer for a kind, built once per process."""
    from ddas.spec.schema import json_schema

    return SchemaLayer(kind, json_schema(kind))
