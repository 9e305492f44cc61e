"""Generation of ddas's own JSON Schema from the models (imported lazily: it needs pydantic).

pydantic's output is close to what the official schema means, but not equal: an optional ``X | None``
field would accept ``null`` and carry ``"default": null``, and every property would get a generated title.
The subclass below removes those, so the generated schema accepts and rejects what the official one does.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

__all__ = ["model_json_schema"]

#: Python-friendly alias names in the models → the published ``$defs`` names.
_DEF_NAMES = {"Datum": "datum", "DatumTijd": "datum-tijd", "Bedrag": "bedrag", "Email": "email"}


class _OfficialSemantics(GenerateJsonSchema):
    """No ``null`` branches, no injected defaults, no generated property titles."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        # None stands for "absent" in the models; JSON null is invalid for every field of both schemas.
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        # A default is an annotation only, but it would suggest that ddas fills in values; it never does.
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: CoreSchema | Any) -> bool:
        return False


def _postprocess(node: Any) -> Any:
    """Published ``$defs`` names, no ``additionalProperties: true``, Markdown (not RST) in descriptions."""
    if isinstance(node, dict):
        renamed: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.removeprefix("#/$defs/")
                renamed[key] = f"#/$defs/{_DEF_NAMES.get(name, name)}"
            elif key == "additionalProperties" and value is True:
                # Open objects say nothing, as in the official schema: tools (the strict variant of the schema
                # layer, for instance) recognise an open object by the keyword's absence.
                continue
            elif key == "description" and isinstance(value, str):
                renamed[key] = value.replace("``", "`")
            else:
                renamed[key] = _postprocess(value)
        return renamed
    if isinstance(node, list):
        return [_postprocess(item) for item in node]
    return node


def _def_order(item: tuple[str, Any]) -> str:
    return item[0].casefold()


def model_json_schema(
    model: type[BaseModel], *, schema_id: str, title: str, description: str
) -> dict[str, Any]:
    """The draft 2020-12 schema of ``model`` with the published ``$defs`` names and ddas's own ``$id``."""
    generated = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_OfficialSemantics)
    defs = generated.pop("$defs", {})
    generated.pop("title", None)
    generated.pop("description", None)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        "description": description,
        **generated,
        "$defs": dict(
            sorted(((_DEF_NAMES.get(name, name), value) for name, value in defs.items()), key=_def_order)
        ),
    }
    result: dict[str, Any] = _postprocess(schema)
    return result
