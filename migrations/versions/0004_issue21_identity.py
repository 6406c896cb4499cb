"""Identity: every audit event records the OS account of the process that wrote it.

Revision ID: 0004_issue21
Revises: 0003_issue19
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_issue21"
down_revision = "0003_issue19"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("event", sa.Column("os_account", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("os_account")
