"""Which exchange model a document follows, recognised from its content."""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["VERSIONS", "Kind", "detect_kind"]


class Kind(enum.StrEnum):
    """The two DDAS exchange models."""

    SHV = "shv"
    VS = "vs"


#: The published version of each exchange model that ddas implements.
VERSIONS: dict[Kind, str] = {Kind.SHV: "1.0", Kind.VS: "0.9"}

_SHV_LEVERING_KEYS = frozenset({"schuldhulptrajecten"})
_VS_LEVERING_KEYS = frozenset({"vroegsignalen", "vroegsignaalzaken", "gemeentecode"})
_SHV_ORG_KEYS = frozenset({"(Statutaire) Naam", "KvK-nummer", "contactpersonen", "postcode", "gemeentecode"})
_VS_ORG_KEYS = frozenset({"naam", "kvk-nummer", "contactpersoonen"})


def detect_kind(document: Any) -> Kind | None:
    """Recognise SHV or VS from the keys the leveringen use; None when the content says neither.

    Only the first few leveringen are looked at: a delivery holds one kind throughout.
    """
    if not isinstance(document, dict):
        return None
    leveringen = document.get("leveringen")
    if not isinstance(leveringen, list):
        return None
    shv = vs = 0
    for levering in leveringen[:5]:
        if not isinstance(levering, dict):
            continue
        keys = levering.keys()
        shv += 2 * len(_SHV_LEVERING_KEYS & keys)
        vs += 2 * len(_VS_LEVERING_KEYS & keys)
        org = levering.get("aanleverende_organisatie")
        if isinstance(org, dict):
            shv += len(_SHV_ORG_KEYS & org.keys())
            vs += len(_VS_ORG_KEYS & org.keys())
    if shv > vs:
        return Kind.SHV
    if vs > shv:
        return Kind.VS
    return None
