"""The store's tables as typed SQLAlchemy 2 models; the Alembic migrations in `ddas.provider.migrations` create them.

Every record table (`trajecten`, `vroegsignalen`, `zaken`) keeps versions: a row is one version of a record,
current while `valid_to` is NULL. The record itself is stored as the bytes that were delivered (compact JSON,
keys in delivered order), so a response page is assembled by concatenating bytes rather than by rebuilding
JSON; the other columns exist for selection and for queries (the derived rows: clients, schulden, signal
links, contactpogingen belong to one version each).

Times are naive UTC (`valid_from`, `created_at`, ...): SQLite has no time zone type, and one convention for
both databases keeps comparisons exact. Dates from the records are `date` columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "Contactpoging",
    "Organisatie",
    "OrganisatieGemeente",
    "PageCacheEntry",
    "Schuld",
    "SnapshotItem",
    "SnapshotRow",
    "Traject",
    "TrajectClient",
    "Vroegsignaal",
    "Zaak",
    "ZaakSignaal",
    "table_of",
]

#: Constraint names fixed by convention, so that migrations on SQLite (batch mode) and PostgreSQL agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: 64-bit keys on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")

#: A SHA-256 as 64 lower-case hex characters.
Hash = String(64)

#: Names and codes that responses are ordered by: byte order ("C") on PostgreSQL too, so that both databases
#: order alike and PostgreSQL can use its indexes for the order.
SortText = Text().with_variant(Text(collation="C"), "postgresql")

_CURRENT = text("valid_to IS NULL")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisatie(Base):
    """An aanleverende organisatie, identified by its name (the koppelvlak selects organisations by name)."""

    __tablename__ = "organisaties"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    naam: Mapped[str] = mapped_column(SortText, unique=True)
    kvk_nummer: Mapped[str | None] = mapped_column(Text)
    #: Set when the organisation is a gemeente (SHV `aanleverende_organisatie.gemeentecode`).
    gemeentecode: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OrganisatieGemeente(Base):
    """How an organisation presents itself in the leveringen for one gemeente, per kind.

    The `aanleverende_organisatie` object exactly as last delivered: the two exchange models spell it
    differently, and a party serving several gemeenten may name other contactpersonen for each, so a response
    levering (one per organisation and gemeente) repeats what the supplier delivered for that gemeente.
    """

    __tablename__ = "organisatie_gemeenten"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(ForeignKey("organisaties.id"))
    kind: Mapped[str] = mapped_column(String(3))
    gemeentecode: Mapped[str] = mapped_column(SortText)
    aanleverende_organisatie: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("organisatie_id", "kind", "gemeentecode", name="uq_organisatie_gemeenten_key"),
    )


class Traject(Base):
    """One version of a schuldhulptraject.

    `natural_key`: SHA-256 of (gemeentecode, sorted client keys, startdatum) within the organisation — what
    makes a re-delivered traject the same traject. `startdatum` is the traject's startdatum, or the
    aanmelding's when the traject has none (as the validator reads it); selection uses it with `einddatum`.
    """

    __tablename__ = "trajecten"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(ForeignKey("organisaties.id"))
    gemeentecode: Mapped[str] = mapped_column(SortText)
    natural_key: Mapped[str] = mapped_column(Hash)
    startdatum: Mapped[dt.date] = mapped_column(Date)
    einddatum: Mapped[dt.date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(Hash)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_trajecten_current",
            "natural_key",
            "organisatie_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        # Selection in response order without touching the wide rows: organisation, gemeente, start, id.
        Index(
            "ix_trajecten_selectie",
            "organisatie_id",
            "gemeentecode",
            "startdatum",
            "id",
            "einddatum",
            "valid_to",
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )


class TrajectClient(Base):
    """A client of one traject version: the identifying key (hashed) and the non-BSN identifying fields."""

    __tablename__ = "trajectclienten"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    traject_id: Mapped[int] = mapped_column(ForeignKey("trajecten.id", ondelete="CASCADE"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the client key: the BSN, or geboortedatum/geslacht/postcode/huisnummer/toevoeging.
    client_key: Mapped[str] = mapped_column(Hash, index=True)
    geboortedatum: Mapped[dt.date | None] = mapped_column(Date)
    geslacht: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    huisnummer: Mapped[str | None] = mapped_column(Text)
    huisnummertoevoeging: Mapped[str | None] = mapped_column(Text)


class Schuld(Base):
    """A schuld of one traject version."""

    __tablename__ = "schulden"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    traject_id: Mapped[int] = mapped_column(ForeignKey("trajecten.id", ondelete="CASCADE"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    bedrag: Mapped[int | None] = mapped_column(BigInteger)
    peildatum: Mapped[dt.date | None] = mapped_column(Date)
    schuldsoort: Mapped[str | None] = mapped_column(Text)
    zakelijke_schuld: Mapped[bool | None] = mapped_column(Boolean)
    schuldeiser: Mapped[str | None] = mapped_column(Text)


class Vroegsignaal(Base):
    """One version of a vroegsignaal; its natural key is (organisation, gemeentecode, ID).

    `zaak_id` is derived, kept up to date by every import for current versions only: the current zaak version
    that refers to this signal (None: no zaak). It spares the selection a join on the signal's natural key,
    which is what makes a snapshot of half a million signals affordable.
    """

    __tablename__ = "vroegsignalen"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(ForeignKey("organisaties.id"))
    gemeentecode: Mapped[str] = mapped_column(SortText)
    signaal_id: Mapped[str] = mapped_column(Text)
    signaaldatum: Mapped[dt.date | None] = mapped_column(Date)
    ontstaansdatum: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(Text)
    signaalpartner: Mapped[str | None] = mapped_column(Text)
    crisissignaal: Mapped[bool | None] = mapped_column(Boolean)
    content_hash: Mapped[str] = mapped_column(Hash)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime)
    zaak_id: Mapped[int | None] = mapped_column(Id)

    __table_args__ = (
        Index(
            "uq_vroegsignalen_current",
            "signaal_id",
            "organisatie_id",
            "gemeentecode",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        # The two ways the selection reaches current signals — by date, and by zaak — from the index alone.
        # `valid_to` (always NULL here) is in the selection indexes so that SQLite counts them as covering.
        Index(
            "ix_vroegsignalen_selectie",
            "signaaldatum",
            "organisatie_id",
            "gemeentecode",
            "zaak_id",
            "id",
            "valid_to",
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        Index(
            "ix_vroegsignalen_zaak",
            "zaak_id",
            "organisatie_id",
            "gemeentecode",
            "signaaldatum",
            "id",
            "valid_to",
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )


class Zaak(Base):
    """One version of a vroegsignaalzaak; natural key: SHA-256 of its sorted signal IDs within
    (organisation, gemeentecode)."""

    __tablename__ = "zaken"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(ForeignKey("organisaties.id"))
    gemeentecode: Mapped[str] = mapped_column(SortText)
    natural_key: Mapped[str] = mapped_column(Hash)
    datum_opgepakt: Mapped[dt.date | None] = mapped_column(Date)
    matchingsdatum: Mapped[dt.date | None] = mapped_column(Date)
    resultaat: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Hash)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_zaken_current",
            "natural_key",
            "organisatie_id",
            "gemeentecode",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        Index(
            "ix_zaken_selectie",
            "datum_opgepakt",
            "organisatie_id",
            "gemeentecode",
            "id",
            "valid_to",
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )


class ZaakSignaal(Base):
    """A zaak version's reference to a vroegsignaal, by natural key: signals and zaken version separately."""

    __tablename__ = "zaak_signalen"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaken.id", ondelete="CASCADE"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    organisatie_id: Mapped[int] = mapped_column(ForeignKey("organisaties.id"))
    gemeentecode: Mapped[str] = mapped_column(SortText)
    signaal_id: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_zaak_signalen_signaal", "signaal_id", "organisatie_id", "gemeentecode", "zaak_id"),
    )


class Contactpoging(Base):
    """A contactpoging of one zaak version."""

    __tablename__ = "contactpogingen"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaken.id", ondelete="CASCADE"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    soort: Mapped[str | None] = mapped_column(Text)
    bereikt: Mapped[bool | None] = mapped_column(Boolean)
    datum: Mapped[dt.date | None] = mapped_column(Date)
    dagdeel: Mapped[str | None] = mapped_column(Text)


class SnapshotRow(Base):
    """A frozen selection: the ordered record versions one request series pages through.

    `request_key` (SHA-256 of kind, period and organisation) is how identical requests find it again within
    its lifetime. `total_records` counts trajecten (SHV) or vroegsignalen (VS); `total_items` counts rows in
    `snapshot_items` (VS: signals and zaken).
    """

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))
    request_key: Mapped[str] = mapped_column(Hash)
    periode_start: Mapped[dt.date] = mapped_column(Date)
    periode_eind: Mapped[dt.date] = mapped_column(Date)
    organisatie: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    total_records: Mapped[int] = mapped_column(Integer)
    total_items: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_snapshots_request", "request_key", "expires_at"),
        # Never hand out the id of a purged snapshot again: a caller may still hold the old one.
        {"sqlite_autoincrement": True},
    )


class SnapshotItem(Base):
    """One record version in a snapshot.

    Items are ordered by (`unit_end`, `position`, `record_id`) — the primary key, so a page is one range scan
    without a sort. `unit_end`: the number of counted records (trajecten or vroegsignalen) up to and including
    the item's group — a traject is its own group; a zaak with its signals, or a signal without a zaak, is a
    VS group. Pages are cut on `unit_end`, so a zaak never leaves its signals. `position`: a traject's rank;
    for a VS group 0 for the zaak and 1 for its signals (ordered among themselves by id; `unit_end` orders the
    groups).
    `record_type`: T (traject), S (vroegsignaal), Z (zaak). No foreign key: items are written and deleted
    only with their snapshot, and a key check per item would double the cost of making a snapshot.
    """

    __tablename__ = "snapshot_items"

    snapshot_id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    unit_end: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    record_type: Mapped[str] = mapped_column(String(1))

    __table_args__ = ({"sqlite_with_rowid": False},)


class PageCacheEntry(Base):
    """A response page kept for reuse, with the SHA-256 it must still have when it is read."""

    __tablename__ = "page_cache"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(Hash)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model; `Model.__table__` is typed only as a FromClause."""
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - every model here maps one table
        raise TypeError(f"{model.__name__} does not map a table")
    return table
