"""Accepted parts of multi-part replies, so a retry sends only the parts not yet accepted.

Revision ID: 0007_issue18
Revises: 0006_issue15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_issue18"
down_revision = "0006_issue15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("part_index", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "part_index", name="uq_outbound_part"),
    )
    op.create_index("ix_outbound_part_message_id", "outbound_part", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbound_part_message_id", table_name="outbound_part")
    op.drop_table("outbound_part")
