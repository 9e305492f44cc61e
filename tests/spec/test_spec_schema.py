"""ddas's own JSON Schema: generated from the models, shipped fresh, and structurally the official one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _spec_corpus import SKIP_REASON, SPEC_DIR, official_schema, resolve

from ddas.spec import enums
from ddas.spec.kinds import VERSIONS, Kind
from ddas.spec.schema import (
    FORMAT_CHECKS,
    SCHEMA_IDS,
    generate_json_schema,
    json_schema,
    schema_bytes,
    schema_validator,
    write_schema,
)

needs_spec = pytest.mark.skipif(not SPEC_DIR.is_dir(), reason=SKIP_REASON)


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("kind", list(Kind))
def test_shipped_schema_equals_a_fresh_generation_from_the_models(kind: Kind) -> None:
    fresh = generate_json_schema(kind)
    assert json_schema(kind) == fresh, (
        "the shipped schema is stale: run `python -m ddas.spec.schema` after changing the models"
    )
    assert schema_bytes(kind).endswith(b"}\n")


@pytest.mark.parametrize("kind", list(Kind))
def test_schema_header(kind: Kind) -> None:
    schema = json_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_IDS[kind]
    assert VERSIONS[kind] in schema["$id"]
    assert "VNG-Realisatie" not in schema["$id"]


@pytest.mark.parametrize("kind", list(Kind))
def test_no_null_branches_defaults_or_generated_titles(kind: Kind) -> None:
    nodes = [node for node in _walk(json_schema(kind)) if isinstance(node, dict)]
    assert not [node for node in nodes if node.get("type") == "null"]
    assert not [node for node in nodes if "anyOf" in node or "oneOf" in node]
    assert not [node for node in nodes if "default" in node]
    for node in nodes:
        for name, prop in node.get("properties", {}).items():
            assert "title" not in prop, name
    assert not [node for node in nodes if node.get("additionalProperties") is True]


@pytest.mark.parametrize("kind", list(Kind))
def test_formats_and_their_patterns(kind: Kind) -> None:
    defs = json_schema(kind)["$defs"]
    assert defs["datum"]["format"] == "date" and "pattern" in defs["datum"]
    assert defs["datum-tijd"]["format"] == "date-time" and "pattern" in defs["datum-tijd"]
    assert defs["email"]["format"] == "email"
    assert defs["bedrag"] == {"type": "integer"}


def test_json_schema_returns_a_copy_and_the_validator_is_cached() -> None:
    schema = json_schema(Kind.SHV)
    schema["properties"].clear()
    assert json_schema(Kind.SHV)["properties"]
    assert schema_validator(Kind.SHV) is schema_validator(Kind.SHV)
    assert schema_validator(Kind.SHV) is not schema_validator(Kind.VS)
    assert set(FORMAT_CHECKS) == {"date-time", "email"}


def test_write_schema_writes_the_pretty_bytes(tmp_path: Path) -> None:
    target = tmp_path / "vs.json"
    write_schema(Kind.VS, target)
    assert target.read_bytes() == schema_bytes(Kind.VS)
    assert json.loads(target.read_text("utf-8")) == json_schema(Kind.VS)
    assert b'\n  "$id"' in target.read_bytes()


def test_importing_the_schema_module_and_validating_does_not_import_pydantic() -> None:
    code = (
        "import sys; from ddas.spec.schema import schema_validator; from ddas.spec.kinds import Kind; "
        "assert schema_validator(Kind.SHV).is_valid({}) is False; print('pydantic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- structural equality with the official schema ---------------------------------------------------------

#: Keywords of the official schemas and what ddas's schema must do with them.
_COMPARED = {
    "type",
    "enum",
    "format",
    "required",
    "additionalProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
}
_IGNORED = {"description", "$schema", "$id", "title", "$defs", "$ref", "properties", "items"}


def _compare(
    official_root: dict[str, Any],
    official: dict[str, Any],
    our_root: dict[str, Any],
    ours: dict[str, Any],
    at: str,
) -> list[str]:
    official = resolve(official_root, official)
    ours = resolve(our_root, ours)
    problems = [
        f"{at}: keyword {key!r} not understood" for key in official if key not in _COMPARED | _IGNORED
    ]
    for key in _COMPARED:
        theirs, mine = official.get(key), ours.get(key)
        if key == "required":
            theirs, mine = set(theirs or ()), set(mine or ())
        if theirs != mine:
            problems.append(f"{at}: {key} is {mine!r} in ddas's schema, {theirs!r} in the official one")
    extra = set(ours) - _COMPARED - _IGNORED - {"pattern"}
    if extra:
        problems.append(f"{at}: ddas's schema adds {sorted(extra)}")
    if "pattern" in ours and ours.get("format") not in ("date", "date-time"):
        problems.append(f"{at}: a pattern on something that is not a date or date-time")
    official_props, our_props = official.get("properties", {}), ours.get("properties", {})
    for name in sorted(set(official_props) | set(our_props)):
        if name not in our_props:
            problems.append(f"{at}/{name}: missing in ddas's schema")
        elif name not in official_props:
            problems.append(f"{at}/{name}: not in the official schema")
        else:
            problems += _compare(
                official_root, official_props[name], our_root, our_props[name], f"{at}/{name}"
            )
    if "items" in official or "items" in ours:
        problems += _compare(
            official_root, official.get("items", {}), our_root, ours.get("items", {}), f"{at}/*"
        )
    return problems


@needs_spec
@pytest.mark.parametrize("kind", list(Kind))
def test_every_property_and_constraint_of_the_official_schema_is_in_ours(kind: Kind) -> None:
    official, ours = official_schema(kind), json_schema(kind)
    problems = _compare(official, official, ours, ours, "")
    assert not problems, "\n".join(problems)


@needs_spec
@pytest.mark.parametrize(("kind", "published"), [(Kind.SHV, enums.SHV_ENUMS), (Kind.VS, enums.VS_ENUMS)])
def test_every_official_enum_is_published_exactly(kind: Kind, published: dict[str, tuple[str, ...]]) -> None:
    official_defs = official_schema(kind)["$defs"]
    official_enums = {name: tuple(node["enum"]) for name, node in official_defs.items() if "enum" in node}
    assert published == official_enums
    our_defs = json_schema(kind)["$defs"]
    for name, values in official_enums.items():
        if name == "geslacht":
            # Defined but unused in the official SHV schema (Geslachtsaanduiding is a plain string).
            assert '"#/$defs/geslacht"' not in json.dumps(official_schema(kind))
            assert name not in our_defs
            continue
        assert tuple(our_defs[name]["enum"]) == values, name
