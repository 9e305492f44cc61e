"""A response page from stored record bytes: the exchange document built by concatenation, never re-serialised.

The store keeps every record as the compact JSON that was delivered, so a page of 25,000 trajecten is a few
joins away from its response body; parsing and dumping each record again would cost seconds and memory. The
leveringen follow the uitwisselvarianten (SPEC.md §2, §3): one levering per (organisation, gemeente), `teller`
1..n in page order; a VS levering names its gemeente in `gemeentecode`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import orjson

from ddas.spec.kinds import Kind

__all__ = ["LeveringLike", "LeveringRows", "Paginering", "assemble_page", "rfc3339"]

_PREFIX = b'{"gegevens":{"startdatumLevering":"'
_STAMP_LEAD = b'","einddatumLevering":"'
_STAMP_INTRO = b'","aanleverdatumEnTijd":"'
_STAMP_TAIL = b'","codeGegevensleverancier":'
_PAGINERING = b',"paginering":'


class LeveringLike(Protocol):
    """What a levering is built from: the store's `PageGroup`, or `LeveringRows` for an empty answer."""

    @property
    def organisatie_json(self) -> bytes: ...
    @property
    def gemeentecode(self) -> str: ...
    @property
    def records(self) -> list[bytes]: ...
    @property
    def zaken(self) -> list[bytes]: ...


@dataclass(slots=True)
class LeveringRows:
    """One levering of a page: the organisation as delivered, its gemeente and the record bytes in order."""

    organisatie_json: bytes
    gemeentecode: str
    records: list[bytes] = field(default_factory=list)
    #: VS: the vroegsignaalzaken that travel with the signals of this levering.
    zaken: list[bytes] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Paginering:
    """The koppelvlak's paging block: always present and always complete in ddas's answers."""

    page_size: int
    current_page: int
    total_pages: int
    total_records: int

    @classmethod
    def from_body(cls, body: bytes) -> Paginering:
        """The paging block of a page this module built (it is the last member)."""
        at = body.rindex(_PAGINERING)
        data = orjson.loads(body[at + len(_PAGINERING) : -1])
        return cls(data["pageSize"], data["currentPage"], data["totalPages"], data["totalRecords"])

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "pageSize": self.page_size,
                "currentPage": self.current_page,
                "totalPages": self.total_pages,
                "totalRecords": self.total_records,
            }
        )


def rfc3339(moment: dt.datetime) -> str:
    """`aanleverdatumEnTijd`: UTC, whole seconds, `Z` (RFC 3339, as the schema's date-time asks)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _joined(items: list[bytes]) -> Iterator[bytes]:
    """`a,b,c` as separate parts: the one final join is then the only copy of the record bytes."""
    for index, item in enumerate(items):
        if index:
            yield b","
        yield item


def _levering_parts(kind: Kind, teller: int, levering: LeveringLike) -> Iterator[bytes]:
    yield b'{"teller":%d' % teller
    if kind is Kind.VS:
        yield b',"gemeentecode":' + orjson.dumps(levering.gemeentecode)
    yield b',"aanleverende_organisatie":'
    yield levering.organisatie_json
    if kind is Kind.SHV:
        yield b',"schuldhulptrajecten":['
        yield from _joined(levering.records)
        yield b"]}"
    else:
        yield b',"vroegsignalen":['
        yield from _joined(levering.records)
        yield b'],"vroegsignaalzaken":['
        yield from _joined(levering.zaken)
        yield b"]}"


def assemble_page(
    kind: Kind,
    *,
    start: dt.date,
    end: dt.date,
    delivered_at: dt.datetime,
    supplier_code: str,
    leveringen: Iterable[LeveringLike],
    paginering: Paginering,
) -> bytes:
    """The full response body `{"gegevens": <document>, "paginering": {...}}` as one bytes object.

    `leveringen` must not be empty: both schemas ask for at least one levering, so an empty answer carries
    one levering without records (the caller decides which organisation it names).
    """
    parts: list[bytes] = [
        _PREFIX,
        start.isoformat().encode("ascii"),
        _STAMP_LEAD,
        end.isoformat().encode("ascii"),
        _STAMP_INTRO,
        rfc3339(delivered_at).encode("ascii"),
        _STAMP_TAIL,
        orjson.dumps(supplier_code),
        b',"leveringen":[',
    ]
    first = True
    for teller, levering in enumerate(leveringen, start=1):
        if not first:
            parts.append(b",")
        first = False
        parts.extend(_levering_parts(kind, teller, levering))
    if first:
        raise ValueError("a page needs at least one levering")
    parts.append(b"]}" + _PAGINERING)
    parts.append(paginering.to_json())
    parts.append(b"}")
    return b"".join(parts)
