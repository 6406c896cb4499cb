"""The ticket carries the state of the office's reply that has not reached the citizen yet.

Revision ID: 0006_issue15
Revises: 0005_issue16a
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_issue15"
down_revision = "0005_issue16a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ticket", sa.Column("reply_state", sa.String(), nullable=True))
    op.add_column("ticket", sa.Column("reply_error", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("reply_error")
        batch.drop_column("reply_state")
