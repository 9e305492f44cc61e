"""Reading the YAML files people edit by hand (mappings, review files) strictly, with Dutch errors.

PyYAML's safe loader silently keeps the last of two equal keys; in a mapping file that would drop a value
map without a word, so duplicate keys are an error here. Only one document per file, and the position of a
syntax error is reported as line and column (1-based, as editors show them).
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["YamlError", "load_yaml"]


class YamlError(ValueError):
    """A file that is not the YAML it should be; ``code`` is stable, ``message`` Dutch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "een sleutel moet tekst zijn", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"de sleutel '{key}' staat twee keer in hetzelfde blok", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, name: str) -> Any:
    """Parse one YAML document; raises :class:`YamlError` (``YAML_INVALID``) with the position on any problem."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
        problem = error.problem or error.context or "onleesbare YAML"
        raise YamlError("YAML_INVALID", f"{name} is geen geldige YAML{where}: {problem}.") from None
    except yaml.YAMLError as error:
        raise YamlError("YAML_INVALID", f"{name} is geen geldige YAML: {error}.") from None
    except RecursionError:
        raise YamlError("YAML_INVALID", f"{name} is te diep genest om te lezen.") from None
