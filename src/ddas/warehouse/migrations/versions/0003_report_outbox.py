"""The outbox of op-orde-rapporten: reports queued in the same transaction that completes their delivery.

A report used to be mailed after its delivery was complete, so a mail server that was down, or a collector
killed in between, lost it for good (the next run found the delivery `ongewijzigd` and sent nothing). Now each
report waits here — rendered and masked, with its recipients — until it is sent; a sent report moves to
`wh_reports`. Its attempts, the moment of the last one and the last error give the backoff across runs and the
operator's explanation; `message_key` keeps the Message-ID the same on every attempt.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "wh_report_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("organisatie", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_key", sa.String(length=40), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["wh_deliveries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wh_report_outbox_delivery_id", "wh_report_outbox", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_wh_report_outbox_delivery_id", table_name="wh_report_outbox")
    op.drop_table("wh_report_outbox")
