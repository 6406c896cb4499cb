"""The ticket store: tables, engine and sessions, migrations, and the SQL that needs care.

`models` (tables only: no logic), `db` (engine, sessions, write retries), `migrate` (Alembic from
code), `bulk` (set-based hot-path SQL), `sql` (the few places SQLite and PostgreSQL differ),
`search` (full-text search), `flags` (the comma-separated column codec). May import
`ticketing.errors`, `ticketing.clock` and `ticketing.config`; nothing above the store.
"""
