"""Webhook deliveries that fail are retried with backoff, then dead-lettered (issue 16).

Revision ID: 0005_issue16a
Revises: 0004_issue21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_issue16a"
down_revision = "0004_issue21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_webhook_delivery_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_webhook_delivery_dead_at"), ["dead_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_dead_at"))
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_next_attempt_at"))
        batch_op.drop_column("dead_at")
        batch_op.drop_column("next_attempt_at")
