"""Alembic owns the schema: the head matches the code and the models match the migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import ticketing.store.models  # noqa: F401
from ticketing.store.db import SCHEMA_REVISION, current_revision
from ticketing.store.migrate import head_revision
from ticketing.store.search import include_name


def test_code_expects_the_newest_migration():
    assert head_revision() == SCHEMA_REVISION


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        # The search index (FTS5 table / pg_trgm index) lives outside the models on purpose.
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}),
                                SQLModel.metadata)
    assert diff == []
    assert current_revision(engine) == SCHEMA_REVISION


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_a_database_from_a_newer_aduan_is_refused_by_name_and_left_alone(tmp_path):
    import sqlite3

    from tests.cli_helpers import make_config, run_cli

    config = make_config(tmp_path)
    assert run_cli(config, "db", "upgrade").code == 0
    with sqlite3.connect(tmp_path / "aduan.db") as conn:  # a later release wrote it, then aduan was rolled back
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    for argv in (("inbox",), ("db", "upgrade"), ("--lang", "en", "inbox")):
        result = run_cli(config, *argv)
        assert result.code == 1 and "Traceback" not in result.err, result.err
        assert ("0099_future lebih baru dari aduan ini" in result.err
                or "schema 0099_future is newer than this aduan" in result.err), result.err
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099_future",)]
