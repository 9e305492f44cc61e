"""Selection indexes that cover their queries: `valid_to` added to the four partial selection indexes.

SQLite (3.40 and older) uses a partial index as a covering index only when every column the query names is in
the index — including `valid_to`, which the index's own WHERE clause already fixes. Without it each selected
signal or traject was looked up in its wide table row, which made a snapshot of 500,000 vroegsignalen take
seconds. The column is always NULL in these indexes, so it costs one byte per entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_INDEXES = {
    "ix_trajecten_selectie": (
        "trajecten",
        ["organisatie_id", "gemeentecode", "startdatum", "id", "einddatum"],
    ),
    "ix_vroegsignalen_selectie": (
        "vroegsignalen",
        ["signaaldatum", "organisatie_id", "gemeentecode", "zaak_id", "id"],
    ),
    "ix_vroegsignalen_zaak": (
        "vroegsignalen",
        ["zaak_id", "organisatie_id", "gemeentecode", "signaaldatum", "id"],
    ),
    "ix_zaken_selectie": ("zaken", ["datum_opgepakt", "organisatie_id", "gemeentecode", "id"]),
}


def _recreate(with_valid_to: bool) -> None:
    for name, (table, columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(
            name,
            table,
            [*columns, "valid_to"] if with_valid_to else columns,
            unique=False,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )


def upgrade() -> None:
    _recreate(with_valid_to=True)


def downgrade() -> None:
    _recreate(with_valid_to=False)
