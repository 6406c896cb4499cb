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
    # --- audit grants (issue 10): on PostgreSQL with ADUAN_DB_APP_ROLE set, the application role
    # may add and read audit events but never change or remove them
    _audit_grants_upgrade()
    # --- end audit grants
    # --- full-text search (issue 5); keep this block last: a batch table rebuild of `message`
    # after it would drop the triggers that keep the index in sync.
    _search_upgrade()
    # --- end full-text search


def downgrade() -> None:
    # --- full-text search (issue 5); first, mirroring upgrade()
    _search_downgrade()
    # --- end full-text search
    # --- audit grants (issue 10)
    _audit_grants_downgrade()
    # --- end audit grants
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


# --- audit grants (issue 10) -----------------------------------------------------------------
# Separate roles on PostgreSQL (docs/reliability.md): the owner role runs migrations; the
# application role, named by ADUAN_DB_APP_ROLE when `aduan db upgrade` runs, gets ordinary
# read/write on every table except `event`, where only SELECT and INSERT: the audit trail is
# append-only in the database itself, not just in the code. Opt-in: without the variable (or on
# SQLite) nothing is granted or revoked.
APP_ROLE_ENV = "ADUAN_DB_APP_ROLE"


def _app_role() -> str | None:
    import os
    import re

    role = os.environ.get(APP_ROLE_ENV, "").strip()
    if not role or op.get_bind().dialect.name != "postgresql":
        return None
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"{APP_ROLE_ENV}={role!r}: use a plain lower-case PostgreSQL role name")
    exists = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).scalar()
    if not exists:
        raise ValueError(f"{APP_ROLE_ENV}: role {role} does not exist; CREATE ROLE {role} LOGIN first")
    return role


def _audit_grants_upgrade() -> None:
    role = _app_role()
    if role is None:
        return
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"')
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON event FROM "{role}", PUBLIC')
    op.execute(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"')


def _audit_grants_downgrade() -> None:
    role = _app_role()
    if role is None:
        return
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{role}"')
