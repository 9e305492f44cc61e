"""Warehouse schema: deliveries and their pages, the pseudonymised records, quarantine, mailed reports, the
merged trajecten with their conflicts, and the warehouse's own state.

This is the schema `metadata.create_all` made before the warehouse had migrations; such a warehouse is stamped
at this revision when it is first opened.

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

#: The tables holding what one delivery brought, each with an index on its delivery.
_DELIVERY_ROWS = ("wh_trajecten", "wh_vroegsignalen", "wh_zaken", "wh_quarantine")


def _owned() -> list[sa.Column[int]]:
    """The columns every row of a delivery starts with: its id, its delivery and the page it came from."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
    ]


def _record() -> list[sa.Column[str]]:
    """…and for a delivered record: its stable key, and who delivered it for which gemeente."""
    return [
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("organisatie", sa.Text(), nullable=False),
        sa.Column("gemeentecode", sa.Text(), nullable=False),
    ]


def _owned_constraints() -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(["delivery_id"], ["wh_deliveries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["page_id"], ["wh_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "wh_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_wh_deliveries_key",
        "wh_deliveries",
        ["provider", "kind", "period_start", "period_end", "state"],
        unique=False,
    )
    op.create_table(
        "wh_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("signature_form", sa.Text(), nullable=True),
        sa.Column("signer_oin", sa.Text(), nullable=True),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["wh_deliveries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_wh_pages", "wh_pages", ["delivery_id", "page"], unique=True)

    op.create_table(
        "wh_trajecten",
        *_owned(),
        *_record(),
        sa.Column("startdatum", sa.Date(), nullable=True),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("clients", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        *_owned_constraints(),
    )
    op.create_table(
        "wh_vroegsignalen",
        *_owned(),
        *_record(),
        sa.Column("signaal_id", sa.Text(), nullable=False),
        sa.Column("persoon", sa.String(length=64), nullable=True),
        sa.Column("persoon_soort", sa.String(length=5), nullable=True),
        sa.Column("geboortejaar", sa.Integer(), nullable=True),
        sa.Column("signaaldatum", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("signaalpartner", sa.Text(), nullable=True),
        sa.Column("bedrag", sa.Integer(), nullable=True),
        sa.Column("crisissignaal", sa.Boolean(), nullable=True),
        sa.Column("zaak_key", sa.String(length=64), nullable=True),
        *_owned_constraints(),
    )
    op.create_index("ix_wh_vroegsignalen_persoon", "wh_vroegsignalen", ["persoon"], unique=False)
    op.create_table(
        "wh_zaken",
        *_owned(),
        *_record(),
        sa.Column("signalen", sa.JSON(), nullable=False),
        sa.Column("datum_opgepakt", sa.Date(), nullable=True),
        sa.Column("resultaat", sa.Text(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        *_owned_constraints(),
    )
    op.create_table(
        "wh_quarantine",
        *_owned(),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("pointer", sa.Text(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        *_owned_constraints(),
    )
    for table in _DELIVERY_ROWS:
        op.create_index(f"ix_{table}_delivery_id", table, ["delivery_id"], unique=False)

    op.create_table(
        "wh_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("organisatie", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["wh_deliveries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "wh_merged_trajecten",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("gemeentecode", sa.Text(), nullable=False),
        sa.Column("startdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("clients", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "wh_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merged_key", sa.String(length=64), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["merged_key"], ["wh_merged_trajecten.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "wh_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("wh_state")
    op.drop_table("wh_conflicts")
    op.drop_table("wh_merged_trajecten")
    op.drop_table("wh_reports")
    for table in reversed(_DELIVERY_ROWS):
        op.drop_index(f"ix_{table}_delivery_id", table_name=table)
    op.drop_index("ix_wh_vroegsignalen_persoon", table_name="wh_vroegsignalen")
    for table in reversed(_DELIVERY_ROWS):
        op.drop_table(table)
    op.drop_index("uq_wh_pages", table_name="wh_pages")
    op.drop_table("wh_pages")
    op.drop_index("ix_wh_deliveries_key", table_name="wh_deliveries")
    op.drop_table("wh_deliveries")
