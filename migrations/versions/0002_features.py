"""Schema changes after the initial schema, gathered in one revision until the first release.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- email attachments (issue 4): identity-document photos are flagged, never exported
    op.add_column("attachment", sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false()))
    # --- end email attachments
    # --- recaps (issue 7): the backlog finds recently answered/closed tickets by index, not by a scan
    op.create_index("ix_ticket_answered", "ticket", ["answered_at"])
    op.create_index("ix_ticket_closed", "ticket", ["closed_at"])
    # --- end recaps
    # --- full-text search (issue 5); keep this block last: a batch table rebuild of `message`
    # after it would drop the triggers that keep the index in sync.
    _search_upgrade()
    # --- end full-text search


def downgrade() -> None:
    # --- full-text search (issue 5); first, mirroring upgrade()
    _search_downgrade()
    # --- end full-text search
    # --- recaps (issue 7)
    op.drop_index("ix_ticket_closed", table_name="ticket")
    op.drop_index("ix_ticket_answered", table_name="ticket")
    # --- end recaps
    # --- email attachments (issue 4)
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_column("sensitive")
    # --- end email attachments


# --- full-text search (issue 5) -------------------------------------------------------------
# SQLite: an external-content FTS5 table with the trigram tokenizer (SQLite >= 3.34) kept in sync
# with message.text by triggers; PostgreSQL: a pg_trgm GIN index for ILIKE. Names are listed in
# ticketing/search.py (SEARCH_OBJECTS).
_FTS_TRIGGERS = (
    """CREATE TRIGGER message_fts_ai AFTER INSERT ON message BEGIN
         INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text);
       END""",
    """CREATE TRIGGER message_fts_ad AFTER DELETE ON message BEGIN
         INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text);
       END""",
    """CREATE TRIGGER message_fts_au AFTER UPDATE OF text ON message BEGIN
         INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text);
         INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text);
       END""",
)


def _search_upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        import sqlite3

        fts5 = bind.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar()
        if not fts5 or sqlite3.sqlite_version_info < (3, 34):
            return  # searches fall back to LIKE scans
        op.execute("CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message', content_rowid='id', "
                   "tokenize='trigram')")
        for trigger in _FTS_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
        if not available:
            return
        savepoint = bind.begin_nested()
        try:
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError:
            savepoint.rollback()  # not allowed to create it: searches scan instead
            return
        savepoint.commit()
        op.execute("CREATE INDEX IF NOT EXISTS ix_message_text_trgm ON message USING gin (text gin_trgm_ops)")


def _search_downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("message_fts_ai", "message_fts_ad", "message_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_message_text_trgm")
