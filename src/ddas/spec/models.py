"""Loading a JSON document into the models of its kind, and dumping it back without loss.

The round trip is exact for every schema-valid document: nothing is lost (unknown fields of open objects are
kept), nothing is invented (absent fields stay absent, no defaults appear) and the date-time string is kept as
it was. The only normalisation is the one JSON itself does not see: an integer written ``1.0`` comes back as
``1``, which compares equal.
"""

from __future__ import annotations

from typing import Any

from ddas.spec.kinds import Kind
from ddas.spec.shv import ShvDocument
from ddas.spec.vs import VsDocument

__all__ = ["Document", "dump_document", "load_document", "model_for"]

#: A document of either kind.
Document = ShvDocument | VsDocument


def model_for(kind: Kind) -> type[ShvDocument] | type[VsDocument]:
    """The document model of ``kind``."""
    return ShvDocument if Kind(kind) is Kind.SHV else VsDocument


def load_document(data: Any, kind: Kind) -> ShvDocument | VsDocument:
    """Load parsed JSON into the models; raises ``pydantic.ValidationError`` when it is not schema-valid.

    Only the published names are read (``by_name=False``): in an open object a key that happens to equal a
    Python attribute name (``kvk_nummer``) is an unknown field, kept as such, not the field itself.
    """
    return model_for(kind).model_validate(data, by_alias=True, by_name=False)


def dump_document(model: ShvDocument | VsDocument) -> dict[str, Any]:
    """The document as JSON-ready data under the published names, exactly the fields that were set."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)
