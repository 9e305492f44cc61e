"""Initial schema: organisations, versioned records with derived rows, snapshots and the page cache.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

#: Tables whose content is derived and disposable (PostgreSQL only: UNLOGGED).
UNLOGGED = ("snapshots", "snapshot_items", "page_cache")


def upgrade() -> None:
    op.create_table(
        "organisaties",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("naam", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("kvk_nummer", sa.Text(), nullable=True),
        sa.Column("gemeentecode", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisaties")),
        sa.UniqueConstraint("naam", name=op.f("uq_organisaties_naam")),
    )
    op.create_table(
        "page_cache",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_page_cache")),
    )
    op.create_index(op.f("ix_page_cache_created_at"), "page_cache", ["created_at"], unique=False)

    op.create_table(
        "snapshot_items",
        sa.Column(
            "snapshot_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("unit_end", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "record_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "unit_end", "position", "record_id", name=op.f("pk_snapshot_items")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_eind", sa.Date(), nullable=False),
        sa.Column("organisatie", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("total_records", sa.Integer(), nullable=False),
        sa.Column("total_items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_snapshots_expires_at"), "snapshots", ["expires_at"], unique=False)
    op.create_index("ix_snapshots_request", "snapshots", ["request_key", "expires_at"], unique=False)

    op.create_table(
        "organisatie_gemeenten",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisatie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column(
            "gemeentecode", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("aanleverende_organisatie", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisatie_id"],
            ["organisaties.id"],
            name=op.f("fk_organisatie_gemeenten_organisatie_id_organisaties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisatie_gemeenten")),
        sa.UniqueConstraint("organisatie_id", "kind", "gemeentecode", name="uq_organisatie_gemeenten_key"),
    )
    op.create_table(
        "trajecten",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisatie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "gemeentecode", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("natural_key", sa.String(length=64), nullable=False),
        sa.Column("startdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisatie_id"], ["organisaties.id"], name=op.f("fk_trajecten_organisatie_id_organisaties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajecten")),
    )
    op.create_index(
        "ix_trajecten_selectie",
        "trajecten",
        ["organisatie_id", "gemeentecode", "startdatum", "id", "einddatum"],
        unique=False,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_trajecten_current",
        "trajecten",
        ["natural_key", "organisatie_id"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.create_table(
        "vroegsignalen",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisatie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "gemeentecode", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("signaal_id", sa.Text(), nullable=False),
        sa.Column("signaaldatum", sa.Date(), nullable=True),
        sa.Column("ontstaansdatum", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("signaalpartner", sa.Text(), nullable=True),
        sa.Column("crisissignaal", sa.Boolean(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("zaak_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisatie_id"], ["organisaties.id"], name=op.f("fk_vroegsignalen_organisatie_id_organisaties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vroegsignalen")),
    )
    op.create_index(
        "ix_vroegsignalen_selectie",
        "vroegsignalen",
        ["signaaldatum", "organisatie_id", "gemeentecode", "zaak_id", "id"],
        unique=False,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "ix_vroegsignalen_zaak",
        "vroegsignalen",
        ["zaak_id", "organisatie_id", "gemeentecode", "signaaldatum", "id"],
        unique=False,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_vroegsignalen_current",
        "vroegsignalen",
        ["signaal_id", "organisatie_id", "gemeentecode"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.create_table(
        "zaken",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisatie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "gemeentecode", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("natural_key", sa.String(length=64), nullable=False),
        sa.Column("datum_opgepakt", sa.Date(), nullable=True),
        sa.Column("matchingsdatum", sa.Date(), nullable=True),
        sa.Column("resultaat", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisatie_id"], ["organisaties.id"], name=op.f("fk_zaken_organisatie_id_organisaties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaken")),
    )
    op.create_index(
        "ix_zaken_selectie",
        "zaken",
        ["datum_opgepakt", "organisatie_id", "gemeentecode", "id"],
        unique=False,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_zaken_current",
        "zaken",
        ["natural_key", "organisatie_id", "gemeentecode"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.create_table(
        "contactpogingen",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("zaak_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("soort", sa.Text(), nullable=True),
        sa.Column("bereikt", sa.Boolean(), nullable=True),
        sa.Column("datum", sa.Date(), nullable=True),
        sa.Column("dagdeel", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["zaak_id"], ["zaken.id"], name=op.f("fk_contactpogingen_zaak_id_zaken"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contactpogingen")),
    )
    op.create_index(op.f("ix_contactpogingen_zaak_id"), "contactpogingen", ["zaak_id"], unique=False)

    op.create_table(
        "schulden",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("traject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("bedrag", sa.BigInteger(), nullable=True),
        sa.Column("peildatum", sa.Date(), nullable=True),
        sa.Column("schuldsoort", sa.Text(), nullable=True),
        sa.Column("zakelijke_schuld", sa.Boolean(), nullable=True),
        sa.Column("schuldeiser", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["traject_id"],
            ["trajecten.id"],
            name=op.f("fk_schulden_traject_id_trajecten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schulden")),
    )
    op.create_index(op.f("ix_schulden_traject_id"), "schulden", ["traject_id"], unique=False)

    op.create_table(
        "trajectclienten",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("traject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("geboortedatum", sa.Date(), nullable=True),
        sa.Column("geslacht", sa.Text(), nullable=True),
        sa.Column("postcode", sa.Text(), nullable=True),
        sa.Column("huisnummer", sa.Text(), nullable=True),
        sa.Column("huisnummertoevoeging", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["traject_id"],
            ["trajecten.id"],
            name=op.f("fk_trajectclienten_traject_id_trajecten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectclienten")),
    )
    op.create_index(op.f("ix_trajectclienten_client_key"), "trajectclienten", ["client_key"], unique=False)
    op.create_index(op.f("ix_trajectclienten_traject_id"), "trajectclienten", ["traject_id"], unique=False)

    op.create_table(
        "zaak_signalen",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("zaak_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("organisatie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "gemeentecode", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("signaal_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisatie_id"], ["organisaties.id"], name=op.f("fk_zaak_signalen_organisatie_id_organisaties")
        ),
        sa.ForeignKeyConstraint(
            ["zaak_id"], ["zaken.id"], name=op.f("fk_zaak_signalen_zaak_id_zaken"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak_signalen")),
    )
    op.create_index(
        "ix_zaak_signalen_signaal",
        "zaak_signalen",
        ["signaal_id", "organisatie_id", "gemeentecode", "zaak_id"],
        unique=False,
    )
    op.create_index(op.f("ix_zaak_signalen_zaak_id"), "zaak_signalen", ["zaak_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Snapshots and cached pages can always be made again: without WAL, making them costs half as much.
        # After a crash PostgreSQL empties all three together, so no snapshot outlives its items.
        for table in UNLOGGED:
            op.execute(f"ALTER TABLE {table} SET UNLOGGED")


def downgrade() -> None:
    op.drop_index(op.f("ix_zaak_signalen_zaak_id"), table_name="zaak_signalen")
    op.drop_index("ix_zaak_signalen_signaal", table_name="zaak_signalen")

    op.drop_table("zaak_signalen")
    op.drop_index(op.f("ix_trajectclienten_traject_id"), table_name="trajectclienten")
    op.drop_index(op.f("ix_trajectclienten_client_key"), table_name="trajectclienten")

    op.drop_table("trajectclienten")
    op.drop_index(op.f("ix_schulden_traject_id"), table_name="schulden")

    op.drop_table("schulden")
    op.drop_index(op.f("ix_contactpogingen_zaak_id"), table_name="contactpogingen")

    op.drop_table("contactpogingen")
    op.drop_index(
        "uq_zaken_current",
        table_name="zaken",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index(
        "ix_zaken_selectie",
        table_name="zaken",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.drop_table("zaken")
    op.drop_index(
        "uq_vroegsignalen_current",
        table_name="vroegsignalen",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index(
        "ix_vroegsignalen_zaak",
        table_name="vroegsignalen",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index(
        "ix_vroegsignalen_selectie",
        table_name="vroegsignalen",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.drop_table("vroegsignalen")
    op.drop_index(
        "uq_trajecten_current",
        table_name="trajecten",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index(
        "ix_trajecten_selectie",
        table_name="trajecten",
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.drop_table("trajecten")
    op.drop_table("organisatie_gemeenten")
    op.drop_index("ix_snapshots_request", table_name="snapshots")
    op.drop_index(op.f("ix_snapshots_expires_at"), table_name="snapshots")

    op.drop_table("snapshots")
    op.drop_table("snapshot_items")
    op.drop_index(op.f("ix_page_cache_created_at"), table_name="page_cache")

    op.drop_table("page_cache")
    op.drop_table("organisaties")
