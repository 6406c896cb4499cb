"""Where SQLite and PostgreSQL differ in the SQL aduan writes by hand: one helper for each difference.

Everything else goes through SQLAlchemy, which hides the dialect; these are the few spots where
the hot paths hand SQL to the driver or need a statement SQLAlchemy spells per dialect.
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa


def dialect_of(session_or_conn):
    """The SQLAlchemy dialect behind a Session or a Connection."""
    bind = session_or_conn.get_bind() if hasattr(session_or_conn, "get_bind") else session_or_conn
    return bind.dialect


def is_postgres(session_or_conn) -> bool:
    return dialect_of(session_or_conn).name == "postgresql"


def param_mark(dialect) -> str:
    """The driver's positional placeholder: `?` for sqlite3 (qmark), `%s` for psycopg (format)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def placeholders(dialect, count: int) -> str:
    return ", ".join([param_mark(dialect)] * count)


def insert_ignoring(session, table: sa.Table, keys: list[str]):
    """INSERT ... ON CONFLICT (keys) DO NOTHING for either database; add `.values(...)`."""
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=keys)


def insert_row_ignoring(session, table: sa.Table, values: dict, keys: list[str]) -> bool:
    """Insert one row unless its key exists; True when it was inserted.

    RETURNING tells, since rowcount is unreliable for ON CONFLICT inserts on PostgreSQL."""
    statement = insert_ignoring(session, table, keys).values(**values)
    return session.execute(statement.returning(table.c[keys[0]])).first() is not None


def advisory_lock(session, name: str) -> None:
    """Serialise writers of `name` until the transaction ends (PostgreSQL; SQLite's write lock
    already serialises every writer)."""
    if is_postgres(session):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(name.encode())})
