"""Fixtures shared by the whole suite: databases on SQLite and a real PostgreSQL, a real Redis,
a pinned clock, and an isolated CLI environment."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import servers

PINNED_NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("ADUAN_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        context = servers.postgres_server()
        url = context.__enter__()
    except (RuntimeError, OSError) as exc:
        pytest.fail(f"a real PostgreSQL is needed for this test: {exc}")
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("ADUAN_TEST_REDIS_URL")
    if url:
        yield url
        return
    try:
        context = servers.redis_server()
        url, _proc = context.__enter__()
    except (RuntimeError, OSError) as exc:
        pytest.fail(f"a real Redis is needed for this test: {exc}")
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_url: str) -> str:
    from ticketing.store.db import open_database

    engine = open_database(postgres_url, auto_upgrade=True)
    engine.dispose()
    return postgres_url


def _truncate_postgres(url: str) -> None:
    from ticketing.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
        if tables:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """A fresh, migrated database: a SQLite file, and the same on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aduan.db'}"
    url = request.getfixturevalue("_migrated_postgres")
    _truncate_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str):
    from ticketing.store.db import open_database

    engine = open_database(db_url, auto_upgrade=True)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    from ticketing.store.db import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'aduan.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return PINNED_NOW


def count(engine, table: str, where: str = "") -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table} {where}")).scalar()


@contextlib.contextmanager
def env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
