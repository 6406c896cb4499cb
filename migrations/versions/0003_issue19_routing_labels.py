"""Routing labels: the office's corrections of kind, category and bidang, kept for training.

Revision ID: 0003_issue19
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_issue19"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_label",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("fields", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("bidang", sa.String(), nullable=True),
        sa.Column("suggested", sa.String(), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_routing_label_ticket_id", "routing_label", ["ticket_id"])
    op.create_index("ix_routing_label_created_at", "routing_label", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_routing_label_created_at", "routing_label")
    op.drop_index("ix_routing_label_ticket_id", "routing_label")
    op.drop_table("routing_label")
