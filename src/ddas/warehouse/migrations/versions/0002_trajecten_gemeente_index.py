"""An index on the gemeente of the delivered trajecten.

Trajecten merge only within one gemeente, so the merged trajecten are derived gemeente by gemeente (memory
bounded by the largest gemeente instead of the whole country); each gemeente's trajecten are found through
this index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_wh_trajecten_gemeente", "wh_trajecten", ["gemeentecode"])


def downgrade() -> None:
    op.drop_index("ix_wh_trajecten_gemeente", table_name="wh_trajecten")
