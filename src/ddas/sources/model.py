"""Which fields a mapping may fill, and what type each has — read from ddas's own JSON Schema of the models.

Walking the shipped schema (rather than a hand-written list) means every field of the exchange models is
mappable, with the published name, and a model change cannot leave the mapping format behind. Three fields
are typed more precisely than the official schema types them, because the FAQ makes them rules: SHV
``Geslachtsaanduiding`` is the ``geslacht`` enum and SHV ``Geboortedatum`` is a date (both plain strings in
the schema).

Paths: property names joined by dots from the record's root (SHV: the schuldhulptraject; VS: ``vroegsignaal.``
or ``zaak.``). A list property is followed by an item number (``client.0.Burgerservicenummer``: the first
client, from its own columns) or written ``name[]`` (``schulden[].bedrag``: one item per row of the traject).
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ddas.spec.kinds import Kind
from ddas.spec.schema import json_schema

__all__ = [
    "ENUM_FIELDS",
    "ROOTS",
    "FieldType",
    "Leaf",
    "Node",
    "PathError",
    "Step",
    "parse_path",
    "root_node",
]


class FieldType(enum.StrEnum):
    """How a cell becomes a JSON value."""

    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"
    BOOLEAN = "boolean"
    ENUM = "enum"


#: The published ``$defs`` name of each enumeration → the standardiser's field name.
ENUM_FIELDS: dict[str, str] = {
    "EnumContactsoort": "contactsoort",
    "EnumEindresultaat": "eindresultaat",
    "EnumSignaalstatus": "signaalstatus",
    "EnumSignaalpartner": "signaalpartner",
    "EnumUitstroomreden": "uitstroomreden",
    "EnumBegeleidingssoort": "begeleidingssoort",
    "EnumOplossingssoort": "oplossingssoort",
    "EnumSchuldensoort": "schuldsoort",
    "EnumBeschikkingssoort": "beschikkingssoort",
    "EnumDagdeel": "dagdeel",
    "geslacht": "geslacht",
}

#: The record roots per kind: path prefix → ``$defs`` name. SHV paths have no prefix.
ROOTS: dict[Kind, dict[str, str]] = {
    Kind.SHV: {"": "Schuldhulptraject"},
    Kind.VS: {"vroegsignaal": "Vroegsignaal", "zaak": "Vroegsignaalzaak"},
}

#: Fields typed more precisely than the official schema types them (FAQ rules): (kind, def, name) → leaf.
_PRECISE: dict[tuple[Kind, str, str], tuple[FieldType, str | None]] = {
    (Kind.SHV, "Client", "Geslachtsaanduiding"): (FieldType.ENUM, "geslacht"),
    (Kind.SHV, "Client", "Geboortedatum"): (FieldType.DATE, None),
}


@dataclass(frozen=True, slots=True)
class Leaf:
    """A field that holds one value."""

    type: FieldType
    enum_field: str | None = None


@dataclass(slots=True)
class Node:
    """An object of the model: its properties in published order; ``lists`` names those that are arrays."""

    name: str
    properties: dict[str, Node | Leaf] = field(default_factory=dict)
    lists: frozenset[str] = frozenset()
    #: The published ``maxItems`` of list properties that have one (``client``: 2).
    max_items: dict[str, int] = field(default_factory=dict)


class PathError(ValueError):
    """A path that names no field of the model; the message (Dutch) says what is wrong."""


def _leaf_or_node(
    kind: Kind, defs: dict[str, Any], owner: str, name: str, schema: dict[str, Any]
) -> Node | Leaf:
    precise = _PRECISE.get((kind, owner, name))
    if precise is not None:
        return Leaf(*precise)
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = ref.rsplit("/", 1)[-1]
        if target == "datum":
            return Leaf(FieldType.DATE)
        if target == "bedrag":
            return Leaf(FieldType.AMOUNT)
        if target in ENUM_FIELDS:
            return Leaf(FieldType.ENUM, ENUM_FIELDS[target])
        if target in defs and defs[target].get("type") == "object":
            return _node(kind, defs, target)
        return Leaf(FieldType.TEXT)
    if schema.get("type") == "boolean":
        return Leaf(FieldType.BOOLEAN)
    return Leaf(FieldType.TEXT)


def _node(kind: Kind, defs: dict[str, Any], name: str) -> Node:
    node = Node(name)
    lists = set()
    for prop, schema in defs[name].get("properties", {}).items():
        if schema.get("type") == "array":
            lists.add(prop)
            if isinstance(schema.get("maxItems"), int):
                node.max_items[prop] = schema["maxItems"]
            schema = schema.get("items", {})
        node.properties[prop] = _leaf_or_node(kind, defs, name, prop, schema)
    node.lists = frozenset(lists)
    return node


@functools.cache
def _roots(kind: Kind) -> dict[str, Node]:
    defs = json_schema(kind)["$defs"]
    return {prefix: _node(kind, defs, name) for prefix, name in ROOTS[kind].items()}


def root_node(kind: Kind, prefix: str) -> Node:
    """The model object a record root stands for (``""`` for SHV, ``"vroegsignaal"``/``"zaak"`` for VS)."""
    return _roots(kind)[prefix]


#: Marks a ``name[]`` step: the item comes from the current row (or table row), not from numbered columns.
ROW_ITEM = -1


@dataclass(frozen=True, slots=True)
class Step:
    """One property on a path; ``index`` is the item number of a list, :data:`ROW_ITEM` for ``[]``."""

    name: str
    index: int | None = None


_SEGMENT = re.compile(r"^(?P<name>[^.\[\]]+?)(?P<row>\[\])?$")


def parse_path(kind: Kind, path: str, *, base: Node | None = None) -> tuple[str, tuple[Step, ...], Leaf]:
    """Resolve ``path`` to (root prefix, steps, leaf); raises :class:`PathError` with a Dutch explanation.

    With ``base`` the path is relative to that object (the item of a group filled from a separate table)
    and the prefix returned is ``""``.
    """
    parts = path.split(".")
    prefix = ""
    if base is not None:
        node = base
    elif kind is Kind.VS:
        prefix = parts.pop(0)
        if prefix not in ROOTS[Kind.VS] or not parts:
            raise PathError(
                f"'{path}': een veld van vroegsignalering begint met 'vroegsignaal.' of 'zaak.'"
                " (bijvoorbeeld 'vroegsignaal.bedrag', 'zaak.resultaat')."
            )
        node = root_node(kind, prefix)
    else:
        node = root_node(kind, "")
    steps: list[Step] = []
    index = 0
    while index < len(parts):
        segment = parts[index]
        match = _SEGMENT.match(segment)
        if match is None:
            raise PathError(f"'{path}': '{segment}' is geen veldnaam.")
        name = match.group("name")
        target = node.properties.get(name)
        if target is None:
            known = ", ".join(node.properties)
            raise PathError(f"'{path}': {node.name} heeft geen veld '{name}'; wel: {known}.")
        item: int | None = None
        if name in node.lists:
            if match.group("row"):
                item = ROW_ITEM
            elif index + 1 < len(parts) and parts[index + 1].isdigit() and parts[index + 1].isascii():
                index += 1
                item = int(parts[index])
                most = node.max_items.get(name, 1000)
                if item >= most:
                    raise PathError(
                        f"'{path}': '{name}' heeft hoogstens {most} items, genummerd 0 tot en met {most - 1}."
                    )
            else:
                raise PathError(
                    f"'{path}': '{name}' is een lijst; schrijf '{name}.0.…' (genummerde kolommen) of "
                    f"'{name}[].…' (één item per rij)."
                )
        elif match.group("row"):
            raise PathError(f"'{path}': '{name}' is geen lijst, laat '[]' weg.")
        steps.append(Step(name, item))
        index += 1
        if isinstance(target, Leaf):
            if index < len(parts):
                raise PathError(f"'{path}': '{name}' is een enkel veld en heeft geen onderdelen.")
            return prefix, tuple(steps), target
        node = target
    raise PathError(f"'{path}': '{steps[-1].name}' is een blok; kies een veld daarbinnen.")
