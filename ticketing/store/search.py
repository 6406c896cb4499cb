"""Full-text search over message text, the same substring semantics on both databases.

SQLite: an external-content FTS5 table with the trigram tokenizer (`message_fts`), kept in
sync with `message.text` by triggers created in migration 0002. A trigram phrase query is an
exact, case-insensitive substring match answered from the index. PostgreSQL: `ILIKE` over a
`pg_trgm` GIN index. Terms shorter than a trigram fall back to `LIKE` on each candidate
ticket's messages. The search term is data, never SQL or a pattern: it is bound as a
parameter, FTS5 quotes are doubled and LIKE wildcards escaped.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "message_fts"
FTS_SHADOW_SUFFIXES = ("data", "idx", "docsize", "config", "content")
PG_TRGM_INDEX = "ix_message_text_trgm"
TRIGRAM = 3  # the shortest term the trigram index can answer
LIKE_ESCAPE = "\\"

# Database objects the search adds outside the ORM models (the migration test ignores them).
SEARCH_OBJECTS = frozenset({FTS_TABLE, PG_TRGM_INDEX, *(f"{FTS_TABLE}_{s}" for s in FTS_SHADOW_SUFFIXES)})


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic `include_name` hook: leave the search objects out of model comparisons."""
    return name not in SEARCH_OBJECTS


def normalise_term(term: str | None) -> str:
    """The term as searched: NUL removed (PostgreSQL refuses it), outer whitespace trimmed."""
    return (term or "").replace("\x00", "").strip()


def escape_like(term: str) -> str:
    """`%` and `_` match themselves: the term is looked for verbatim."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
    return escaped.replace("_", LIKE_ESCAPE + "_")


def like_pattern(term: str) -> str:
    return f"%{escape_like(term)}%"


def fts_phrase(term: str) -> str:
    """An FTS5 string literal (a phrase): operators and column filters inside it are plain text."""
    return '"' + term.replace('"', '""') + '"'


def fts_available(session) -> bool:
    """Whether this SQLite database has the trigram index (FTS5 may be compiled out)."""
    import sqlalchemy as sa

    found = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                            {"n": FTS_TABLE}).first()
    return found is not None


def matching_tickets(session, term: str):
    """A WHERE clause on `ticket` for tickets with a message containing `term`."""
    import sqlalchemy as sa

    from ticketing.store.models import Message, Ticket

    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= TRIGRAM and fts_available(session):
        hits = sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase").bindparams(
            phrase=fts_phrase(term)).columns(sa.column("rowid", sa.Integer))
        return Ticket.id.in_(sa.select(Message.ticket_id).where(Message.id.in_(hits.subquery().select())))
    condition = Message.text.ilike(like_pattern(term), escape=LIKE_ESCAPE)
    if dialect == "postgresql" and len(term) >= TRIGRAM:
        return Ticket.id.in_(sa.select(Message.ticket_id).where(condition))
    return sa.exists().where(Message.ticket_id == Ticket.id, condition)
