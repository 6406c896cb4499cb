"""Engine and sessions: SQLite tuned for several writers on one PC, or PostgreSQL from a URL.

SQLite writers take the lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads
and then writes fails at once with "database is locked" instead of waiting (sqlite.org,
lang_transaction). Readers use a plain deferred BEGIN.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from ticketing.errors import AduanError, DatabaseBusy, SchemaOutdated  # noqa: F401  (re-raised here)

# The Alembic head this code expects; tests check it against migrations/versions.
SCHEMA_REVISION = "0008_quarantine"

LOCK_RETRIES = 3  # extra tries of a whole write transaction after busy_timeout ran out
T = TypeVar("T")




def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, busy_timeout_ms: int = 15000) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("aduan_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine_or_conn) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session that owns the write lock from its first statement and commits on success."""
    bound = engine.execution_options(aduan_begin="IMMEDIATE") if is_sqlite(engine) else engine
    with Session(bound, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def run_write(engine: Engine, work: Callable[[Session], T], retries: int = LOCK_RETRIES) -> T:
    """Run `work` in a write transaction, retrying a bounded number of times on a held lock."""
    for attempt in range(retries + 1):
        try:
            with write_session(engine) as session:
                return work(session)
        except OperationalError as exc:
            if not _is_lock_error(exc) or attempt == retries:
                if _is_lock_error(exc):
                    raise DatabaseBusy("basis data terus dikunci proses aduan lain; tidak ada yang diubah, "
                                       "coba lagi semenit lagi") from None
                raise
            time.sleep(0.05 * (2**attempt))
    raise AssertionError("unreachable")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (`aduan db upgrade`)."""
    from ticketing.store.migrate import upgrade_to_head

    refuse_newer_schema(current_revision(engine))
    upgrade_to_head(engine)


def refuse_newer_schema(revision: str | None) -> None:
    """A database written by a newer aduan (a package rolled back after an upgrade): say so
    instead of Alembic's traceback, and touch nothing."""
    from ticketing.store.migrate import known_revisions

    if revision is not None and revision not in known_revisions():
        raise SchemaOutdated(f"skema basis data {revision} lebih baru dari aduan ini (paling baru yang dikenal: "
                             f"{SCHEMA_REVISION}); pasang versi aduan yang menulisnya. Tidak ada yang diubah")


def open_database(url: str, busy_timeout_ms: int = 15000, auto_upgrade: bool | None = None) -> Engine:
    """Engine ready for use; the embedded SQLite default migrates itself on first use."""
    engine = make_engine(url, busy_timeout_ms)
    revision = current_revision(engine)
    if revision == SCHEMA_REVISION:
        return engine
    refuse_newer_schema(revision)
    if auto_upgrade is None:
        auto_upgrade = is_sqlite(engine)
    if not auto_upgrade:
        raise SchemaOutdated(f"skema basis data ada di {revision or 'kosong'}, aduan ini butuh {SCHEMA_REVISION}: "
                             "jalankan `aduan db upgrade`")
    upgrade(engine)
    return engine
