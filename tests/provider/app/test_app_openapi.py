"""The served OpenAPI documents against the official files: same operation, schemas, headers, status codes.

The official files are read from ../shared/spec (never copied); the tests skip without them. Our document may
add what the service really does (413, 503, a body on 429) and points the Uitwisselmodel to ddas's own schema,
which must have the same properties and required fields as the official exchange model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from _app_helpers import BASE_SHV, BASE_VS

from ddas.provider.app import ProviderSettings
from ddas.provider.app.openapi import openapi_document
from ddas.spec.kinds import Kind

EXTRA_STATUSES = {"408", "413", "415", "500", "503"}
OFFICIAL = {Kind.SHV: "DDAS-SHV.yaml", Kind.VS: "DDAS-VS.yaml"}
EXCHANGE_MODELS = {Kind.SHV: "shv-v1.0/schema.json", Kind.VS: "vs-v0.9/schema.json"}


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (and a single-item allOf) until a plain schema remains."""
    while isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/"):
            target: Any = document
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        elif list(node) in (["allOf"], ["allOf", "description"]) and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            break
    return node


def _shape(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """What the comparison looks at: types, formats, required, enums and property names, recursively."""
    node = _resolve(document, node)
    if not isinstance(node, dict) or depth > 6:
        return None
    shape: dict[str, Any] = {}
    for key in ("type", "format", "enum", "pattern", "minimum", "additionalProperties"):
        if key in node:
            shape[key] = node[key]
    if "required" in node:
        shape["required"] = sorted(node["required"])
    if "properties" in node:
        shape["properties"] = {
            name: _shape(document, sub, depth + 1) for name, sub in node["properties"].items()
        }
    if "items" in node:
        shape["items"] = _shape(document, node["items"], depth + 1)
    return shape


@pytest.fixture(scope="module")
def ours() -> dict[Kind, dict[str, Any]]:
    return {kind: openapi_document(kind, ProviderSettings()) for kind in Kind}


@pytest.fixture(scope="module")
def official(spec_dir: Path) -> dict[Kind, dict[str, Any]]:
    return {
        kind: yaml.safe_load((spec_dir / "api-v1.0" / name).read_text()) for kind, name in OFFICIAL.items()
    }


@pytest.mark.parametrize("kind", list(Kind))
def test_same_operations_and_status_codes(kind: Kind, ours: Any, official: Any) -> None:
    mine, theirs = ours[kind], official[kind]
    assert mine["openapi"].startswith("3.1")
    assert set(mine["paths"]) == set(theirs["paths"]) == {"/gegevens"}
    for path, operations in theirs["paths"].items():
        assert set(mine["paths"][path]) == set(operations)
        for method, operation in operations.items():
            our_operation = mine["paths"][path][method]
            assert our_operation["operationId"] == operation["operationId"]
            assert our_operation["security"] == operation["security"]
            assert set(our_operation["responses"]) - set(operation["responses"]) == EXTRA_STATUSES
            assert set(operation["responses"]) <= set(our_operation["responses"])
            assert our_operation["requestBody"]["required"] == operation["requestBody"]["required"]
            assert set(our_operation["requestBody"]["content"]) == set(operation["requestBody"]["content"])


@pytest.mark.parametrize("kind", list(Kind))
def test_same_response_headers_and_media_types(kind: Kind, ours: Any, official: Any) -> None:
    mine, theirs = ours[kind], official[kind]
    for status, response in theirs["paths"]["/gegevens"]["post"]["responses"].items():
        our_response = mine["paths"]["/gegevens"]["post"]["responses"][status]
        assert set(response.get("headers", {})) <= set(our_response.get("headers", {})), status
        if "content" in response:
            assert set(our_response["content"]) == set(response["content"]), status
        for name, header in response.get("headers", {}).items():
            ours_header = _resolve(mine, our_response["headers"][name])
            theirs_header = _resolve(theirs, header)
            assert _shape(mine, ours_header.get("schema")) == _shape(theirs, theirs_header.get("schema")), (
                name
            )
            assert ours_header.get("required", False) == theirs_header.get("required", False), name
    security = mine["components"]["securitySchemes"]["OAuth2"]
    their_security = theirs["components"]["securitySchemes"]["OAuth2"]
    assert security["type"] == their_security["type"] == "oauth2"
    assert set(security["flows"]) == set(their_security["flows"]) == {"clientCredentials"}
    assert set(security["flows"]["clientCredentials"]["scopes"]) == {"read"}


@pytest.mark.parametrize("kind", list(Kind))
def test_same_request_and_error_schemas(kind: Kind, ours: Any, official: Any) -> None:
    mine, theirs = ours[kind], official[kind]
    request_ours = _shape(
        mine, mine["paths"]["/gegevens"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    )
    request_theirs = _shape(
        theirs, theirs["paths"]["/gegevens"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    )
    assert request_ours == request_theirs
    for status, response in theirs["paths"]["/gegevens"]["post"]["responses"].items():
        for media, content in response.get("content", {}).items():
            our_schema = _shape(
                mine, mine["paths"]["/gegevens"]["post"]["responses"][status]["content"][media]["schema"]
            )
            their_schema = _shape(theirs, content["schema"])
            if status == "200":
                # The Uitwisselmodel is compared with the published exchange model below.
                our_schema["properties"].pop("gegevens")
                their_schema["properties"].pop("gegevens")
                assert our_schema == their_schema
                continue
            # Errors: every official property with the same type; ddas may add members (`code`, `errors`).
            assert our_schema["required"] == their_schema["required"], status
            for name, prop in their_schema["properties"].items():
                assert our_schema["properties"][name] == prop, (status, name)


@pytest.mark.parametrize("kind", list(Kind))
def test_uitwisselmodel_matches_the_published_exchange_model(kind: Kind, ours: Any, spec_dir: Path) -> None:
    published = json.loads((spec_dir / EXCHANGE_MODELS[kind]).read_text())
    mine = ours[kind]
    model = _resolve(
        mine,
        mine["paths"]["/gegevens"]["post"]["responses"]["200"]["content"]["application/json"]["schema"][
            "properties"
        ]["gegevens"],
    )

    def names(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
        node = _resolve(document, node)
        if not isinstance(node, dict) or depth > 8:
            return None
        result: dict[str, Any] = {"required": sorted(node.get("required", []))}
        if "properties" in node:
            result["properties"] = {k: names(document, v, depth + 1) for k, v in node["properties"].items()}
        if "items" in node:
            result["items"] = names(document, node["items"], depth + 1)
        return result

    def published_names(node: Any, depth: int = 0) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = published["$defs"][node["$ref"].split("/")[-1]]
        if not isinstance(node, dict) or depth > 8:
            return None
        result: dict[str, Any] = {"required": sorted(node.get("required", []))}
        if "properties" in node:
            result["properties"] = {k: published_names(v, depth + 1) for k, v in node["properties"].items()}
        if "items" in node:
            result["items"] = published_names(node["items"], depth + 1)
        return result

    assert names(mine, model) == published_names(published)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_reference_resolves_inside_the_document(kind: Kind, ours: Any) -> None:
    document = ours[kind]
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(document, {"$ref": ref})


def test_served_document_equals_the_built_one(server: Any) -> None:
    with httpx.Client() as client:
        for base, kind in ((BASE_SHV, Kind.SHV), (BASE_VS, Kind.VS)):
            served = client.get(server.url + base + "/openapi.json").json()
            built = openapi_document(kind, ProviderSettings())
            assert served["paths"] == built["paths"]
            assert served["servers"] == [{"url": base, "description": "Deze aanbieder"}]
