"""The conformance corpus: the official examples, completed and mutated programmatically.

Everything is derived from the *official* schema (walked alongside the document), so the corpus does not
inherit the assumptions of ddas's own schema or models. A mutation is a whole document plus a label saying
where and what was changed; whether it is valid is left to the reference validator to decide.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ddas.spec.kinds import Kind

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = (REPO / ".." / "shared" / "spec").resolve()
SKIP_REASON = f"official DDAS files not found at {SPEC_DIR} (../shared/spec); skipping reference tests"
FOLDERS = {Kind.SHV: "shv-v1.0", Kind.VS: "vs-v0.9"}

JSON = Any


def official_schema(kind: Kind) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SPEC_DIR / FOLDERS[kind] / "schema.json").read_text("utf-8"))
    return schema


def example_paths() -> list[tuple[Kind, Path]]:
    """Every official example, or nothing when the official files are not there (the tests then skip)."""
    if not SPEC_DIR.is_dir():
        return []
    return [
        (kind, path) for kind in Kind for path in sorted((SPEC_DIR / FOLDERS[kind]).glob("*Voorbeeld*.json"))
    ]


def reference_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """The reference: python jsonschema, draft 2020-12, format checking on (``date-time`` needs rfc3339)."""
    checker = Draft202012Validator.FORMAT_CHECKER
    assert {"date", "date-time", "email"} <= set(checker.checkers), "reference format checker is incomplete"
    return Draft202012Validator(schema, format_checker=checker)


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def sample(root: dict[str, Any], schema: dict[str, Any]) -> JSON:
    """A valid value for ``schema`` with every optional property present (to reach every field)."""
    schema = resolve(root, schema)
    if "enum" in schema:
        return schema["enum"][-1]
    kind = schema.get("type")
    if kind == "object":
        return {name: sample(root, sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(root, schema["items"])]
    if kind == "integer":
        return 7
    if kind == "boolean":
        return True
    return {"date": "2024-03-15", "date-time": "2024-03-15T10:00:00+01:00", "email": "a@b.nl"}.get(
        schema.get("format", ""), "tekst"
    )


def complete(root: dict[str, Any], schema: dict[str, Any], value: JSON) -> JSON:
    """``value`` with every absent property of the schema added (recursively), still valid."""
    schema = resolve(root, schema)
    if isinstance(value, dict) and schema.get("type") == "object":
        props = schema.get("properties", {})
        result = {
            key: complete(root, props[key], item) if key in props else item for key, item in value.items()
        }
        for key, sub in props.items():
            result.setdefault(key, sample(root, sub))
        return result
    if isinstance(value, list) and schema.get("type") == "array":
        return [complete(root, schema["items"], item) for item in value]
    return value


def snake(name: str) -> str:
    """A Python-style spelling of a published name (``KvK-nummer`` → ``kvk_nummer``), as models might use."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", spaced).strip("_").lower()


INVALID_DATES = ["2024-13-45", "0000-01-01", "2023-02-29", "2024-1-1", "2024-01-01T00:00:00Z", "20240101", ""]
VALID_DATES = ["2024-02-29", "0001-01-01", "9999-12-31"]
INVALID_DATE_TIMES = [
    "2024-12-31T23:59:60Z",
    "2016-12-31T23:59:60Z",
    "2024-12-31T23:59:59",
    "2024-12-31 23:59:59Z",
    "0000-01-01T00:00:00Z",
    "2024-12-31T24:00:00Z",
    "2024-12-31T23:59:59+0100",
    "2024-12-31",
    "2023-02-29T12:00:00Z",
]
VALID_DATE_TIMES = [
    "2024-12-31t23:59:59z",
    "2024-12-31T23:59:59.123456789+01:00",
    "2024-12-31T23:59:59-23:59",
    "2024-12-31T23:59:59Z\n",
]
INVALID_EMAILS = ["not-an-email", ""]
VALID_EMAILS = ["a@b", "é@x.nl", "a b@c", "@", "x@[1.2.3.4]"]
WRONG_TYPES: list[tuple[str, JSON]] = [
    ("null", None),
    ("int", 1),
    ("float", 1.5),
    ("string", "x"),
    ("bool", True),
    ("list", []),
    ("object", {}),
]


@dataclass
class Mutant:
    label: str
    document: JSON


@dataclass
class Corpus:
    kind: Kind
    source: str
    mutants: list[Mutant] = field(default_factory=list)


def _set(document: JSON, path: tuple[str | int, ...], value: JSON) -> JSON:
    if not path:
        return value
    result = copy.deepcopy(document)
    node = result
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return result


def _pointer(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(part) for part in path)


def _replacements(
    root: dict[str, Any], schema: dict[str, Any], value: JSON, leaf_types: bool
) -> Iterator[tuple[str, JSON]]:
    """Changed versions of one node, valid and invalid, from what its official schema says."""
    kind = schema.get("type")
    if leaf_types or kind in ("object", "array"):
        for label, wrong in WRONG_TYPES:
            yield f"{label} instead of {kind}", wrong
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        for key in value:
            yield f"without {key!r}", {k: v for k, v in value.items() if k != key}
        yield "unknown field", {**value, "onbekendVeld": "x"}
        yield "unknown field null", {**value, "onbekendVeld": None}
        yield "unknown nested field", {**value, "onbekendVeld": {"a": [1, {"b": None}], "c": 1.5}}
        for key in props:
            if snake(key) != key and snake(key) not in props:
                yield f"python-style key {snake(key)!r}", {**value, snake(key): sample(root, props[key])}
        yield "empty object", {}
    elif kind == "array" and isinstance(value, list):
        yield "empty array", []
        if value:
            first = value[0]
            yield "first item twice", [first, *value]
            yield "three items", [copy.deepcopy(first) for _ in range(3)]
            yield "wrong-typed item", [*value, 1]
            yield "null item", [*value, None]
            if isinstance(first, dict):
                # uniqueItems: true ≠ 1 but 1 == 1.0 (JSON Schema equality).
                yield "items differing as true/1", [{**first, "x": True}, {**first, "x": 1}]
                yield "items differing as 1/1.0", [{**first, "x": 1}, {**first, "x": 1.0}]
                yield "items differing in key order", [first, dict(reversed(list(first.items())))]
    elif "enum" in schema:
        yield "unknown enum value", "Onbekende waarde"
        yield "enum value in lower case", str(value).lower()
        yield "enum value with a space", f"{value} "
        for option in schema["enum"]:
            yield f"enum value {option!r}", option
    elif kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            candidates = INVALID_DATES + VALID_DATES
        elif fmt == "date-time":
            candidates = INVALID_DATE_TIMES + VALID_DATE_TIMES
        elif fmt == "email":
            candidates = INVALID_EMAILS + VALID_EMAILS
        else:
            candidates = ["", "M", "é ünïcode"]
        for candidate in candidates:
            yield f"string {candidate!r}", candidate
    elif kind == "integer":
        for number in (1.0, -3, 0, 10**30, 1e20, "1", False):
            yield f"integer {number!r}", number
    elif kind == "boolean":
        for flag in (False, 0, 1, "true"):
            yield f"boolean {flag!r}", flag


def _nodes(
    root: dict[str, Any], schema: dict[str, Any], value: JSON, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any], JSON]]:
    schema = resolve(root, schema)
    yield path, schema, value
    if isinstance(value, dict) and schema.get("type") == "object":
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                yield from _nodes(root, sub, value[key], (*path, key))
    elif isinstance(value, list) and value and schema.get("type") == "array":
        # The first item stands for all: the completed documents give it every field.
        yield from _nodes(root, schema["items"], value[0], (*path, 0))


def first_items(value: JSON) -> JSON:
    """``value`` with every array cut to its first item: the mutations only touch first items, and the
    reference validator's time grows with the document."""
    if isinstance(value, dict):
        return {key: first_items(item) for key, item in value.items()}
    if isinstance(value, list):
        return [first_items(item) for item in value[:1]]
    return value


def build_corpus(kind: Kind, path: Path, *, leaf_types: bool = True) -> Corpus:
    """The mutants of one example. ``leaf_types=False`` leaves out wrong JSON types at strings, numbers and
    booleans, which behave the same in every example: the reference validator is slow (milliseconds per
    document) and the other examples of a kind then add what differs, their values and structure."""
    root = official_schema(kind)
    original = json.loads(path.read_text("utf-8"))
    completed = complete(root, root, original)
    base = first_items(completed)
    corpus = Corpus(kind, f"{kind.value}/{path.name}")
    corpus.mutants.append(Mutant("original", original))
    corpus.mutants.append(Mutant("completed with every field", completed))
    for node_path, schema, value in _nodes(root, root, base, ()):
        for label, replacement in _replacements(root, schema, value, leaf_types):
            corpus.mutants.append(
                Mutant(f"{_pointer(node_path)}: {label}", _set(base, node_path, replacement))
            )
    return corpus


@dataclass
class Tally:
    """How many documents were checked, for the terminal summary."""

    documents: int = 0
    valid: int = 0
    sources: set[str] = field(default_factory=set)

    def add(self, source: str, valid: bool) -> None:
        self.documents += 1
        self.valid += valid
        self.sources.add(source)


TALLY = Tally()
