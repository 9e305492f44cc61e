"""What reading an export produces: records for the store, held-back rows with reasons, values to review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from ddas.spec.kinds import Kind
from ddas.standardize.review import ReviewEntry

__all__ = ["HeldBackRow", "Reason", "RecordType", "SourceRecord", "SourceResult", "Translation"]

RecordType = Literal["schuldhulptraject", "vroegsignaal", "vroegsignaalzaak"]


class SourceRecord(TypedDict):
    """One DDAS record with the context the store needs to place it.

    ``record`` is the object exactly as in the exchange model (a schuldhulptraject; a vroegsignaal; a
    vroegsignaalzaak with its ``vroegsignalen`` references), ``organisatie`` the ``aanleverende_organisatie``
    object in the kind's published shape (SHV ``(Statutaire) Naam``/``KvK-nummer``…, VS ``naam``/
    ``kvk-nummer``…), ``gemeentecode`` the gemeente of the levering, ``rows`` the export rows it came from.
    """

    kind: str
    type: RecordType
    organisatie: dict[str, Any]
    gemeentecode: str
    record: dict[str, Any]
    rows: list[int]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row is held back; ``code`` is stable, ``message`` Dutch and free of BSNs in clear."""

    code: str
    message: str
    column: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.column is not None:
            out["column"] = self.column
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass(slots=True)
class HeldBackRow:
    """A row that is not in ``records`` until the mapping (or the export) is fixed, and every reason why."""

    table: str
    row: int
    reasons: list[Reason]

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row": self.row,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Translation:
    """A value that was standardised by the mapping or the dictionary: shown, so nothing happens unseen."""

    field: str
    value: str
    standard: str
    source: str
    count: int
    #: Why (for ``source == "rule"``: the recognition rule's explanation, Dutch); empty otherwise.
    reason: str = ""


@dataclass(slots=True)
class SourceResult:
    """The outcome of :func:`ddas.sources.read_export`.

    ``records`` are complete and usable; a traject (or a vroegsignaalzaak with its signals) of which any
    row has a problem is held back as a whole, so that a record is never imported half. ``unmapped`` lists
    each free-text value nothing could standardise — the entries of the review file.
    """

    kind: Kind
    records: list[SourceRecord] = field(default_factory=list)
    held_back: list[HeldBackRow] = field(default_factory=list)
    unmapped: list[ReviewEntry] = field(default_factory=list)
    rows_read: int = 0
    #: Data rows read per table (label → rows), the main table first.
    table_rows: dict[str, int] = field(default_factory=dict)
    #: Rows without any value, skipped (spreadsheets often end in some).
    empty_rows: int = 0
    translations: list[Translation] = field(default_factory=list)
    delimiter: str | None = None
    encoding: str | None = None

    @property
    def complete(self) -> bool:
        """Every row became part of a record: nothing held back, nothing left to review."""
        return not self.held_back and not self.unmapped

    def counts(self) -> dict[str, int]:
        """Records per type, for summaries."""
        out: dict[str, int] = {}
        for record in self.records:
            out[record["type"]] = out.get(record["type"], 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the records themselves), stable English keys."""
        return {
            "kind": self.kind.value,
            "rows_read": self.rows_read,
            "table_rows": dict(self.table_rows),
            "empty_rows": self.empty_rows,
            "records": self.counts(),
            "held_back": [row.to_dict() for row in self.held_back],
            "unmapped": [entry.to_dict() for entry in self.unmapped],
            "translations": [
                {
                    "field": t.field,
                    "value": t.value,
                    "standard": t.standard,
                    "source": t.source,
                    "count": t.count,
                    **({"reason": t.reason} if t.reason else {}),
                }
                for t in self.translations
            ],
            "delimiter": self.delimiter,
            "encoding": self.encoding,
        }
