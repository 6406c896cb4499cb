"""Who handled a quarantined item and how: `aduan quarantine resolve` records it beside resolved_at.

Revision ID: 0008_quarantine
Revises: 0007_issue18
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_quarantine"
down_revision = "0007_issue18"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("quarantine", sa.Column("resolved_by", sa.String(), nullable=True))
    op.add_column("quarantine", sa.Column("resolution_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("resolution_note")
        batch.drop_column("resolved_by")
