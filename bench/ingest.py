"""Ingest throughput against a raw driver insert of the same message rows, SQLite and PostgreSQL.

    python -m bench.ingest [--count 100000] [--no-postgres]

What the raw baseline includes: the same `message` rows (same columns and values, same 5,000-row
transactions, same journal settings) inserted with the driver's executemany into the same
migrated schema: its indexes and, on SQLite, the FTS5 triggers that keep the search index in
step (on PostgreSQL the pg_trgm GIN index). It does NOT include what ingest adds on top: the
duplicate check, threading, tickets, contacts and audit events. A second pair runs both on a
copy of the schema without the search triggers, to show the ingest's own overhead.

Budgets: SQLite ingest within 3x of raw; re-ingest of the same messages (all duplicates) within
2x of the first ingest; PostgreSQL ingest within 3x of raw psycopg (executemany and COPY shown).
Ingest runs with the default policy (no classifier, no due dates); the sample config's policy
is shown as information (it adds the classifier and the calendar).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Row, postgres_database, print_rows
from bench.data import messages

CHUNK = 5000  # messages per transaction, like a busy collector run
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _message_tuples(grouped, sqlite_text: bool):
    """The rows ingest writes for these messages, as plain tuples (one list per transaction)."""
    from ticketing.intake.ingest import MESSAGE_COLUMNS

    assert MESSAGE_COLUMNS[0] == "ticket_id" and MESSAGE_COLUMNS[-3:] == ("sent_at", "created_at",
                                                                          "delivery_attempts")
    created = NOW.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite_text else NOW
    batches = []
    for channel, items in grouped.items():
        for start in range(0, len(items), CHUNK):
            batches.append([(None, channel, m.external_id, m.thread_key, m.direction, m.author_id, m.author_handle,
                             m.author_name, m.is_private, m.in_reply_to, m.subject, m.text, ",".join(m.flags),
                             m.raw_json(), m.sent_at.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
                             if sqlite_text else m.sent_at, created, 0) for m in items[start:start + CHUNK]])
    return batches


def _drop_search(path: Path) -> None:
    """The schema copy without the search index: triggers and the FTS table gone, all else equal."""
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'message'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE IF EXISTS message_fts")
    conn.commit()
    conn.close()


def _fresh_sqlite(path: Path, search: bool) -> Path:
    from ticketing.store.db import open_database

    path.unlink(missing_ok=True)
    open_database(f"sqlite:///{path}").dispose()
    if not search:
        _drop_search(path)
    return path


def raw_sqlite(path: Path, batches) -> float:
    """The floor: the same message rows through sqlite3, no duplicate check, no threading, no tickets."""
    from ticketing.intake.ingest import MESSAGE_COLUMNS

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO message ({', '.join(MESSAGE_COLUMNS)}) VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
    started = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def aduan_ingest(engine, grouped, policy=None) -> tuple[float, int, int]:
    """`ingest_batch` in 5,000-message transactions, as `aduan collect` calls it."""
    from ticketing.intake.ingest import IngestPolicy, ingest_batch
    from ticketing.store.db import write_session

    policy = policy or IngestPolicy()
    stored = duplicates = 0
    started = time.perf_counter()
    for channel, items in grouped.items():
        for start in range(0, len(items), CHUNK):
            with write_session(engine) as session:
                result = ingest_batch(session, channel, items[start:start + CHUNK], now=NOW, policy=policy)
            stored += result.new_messages
            duplicates += result.duplicates
    return time.perf_counter() - started, stored, duplicates


WRITTEN_TABLES = ("contact", "contact_handle", "ticket", "message", "event")  # every table ingest writes to


def _rows_of(fetch, tables=WRITTEN_TABLES) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row ingest wrote, per table, as (columns, rows): the input of the all-rows baseline."""
    return {table: fetch(table) for table in tables}


def _sqlite_fetch(path: Path):
    conn = sqlite3.connect(path)

    def fetch(table: str):
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
        return [d[0] for d in cursor.description], cursor.fetchall()
    return fetch


def raw_all_sqlite(path: Path, written) -> float:
    """The floor of everything ingest writes: the same rows of every table, executemany, 5,000 per commit."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for table, (columns, rows) in written.items():
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), CHUNK):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows[start:start + CHUNK])
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _sqlite_pair(tmp: Path, count: int, search: bool, rounds: int) -> tuple[float, float, float, float]:
    """Best of `rounds` (raw, ingest) interleaved; also the re-ingest of the last round."""
    from ticketing.store.db import open_database

    batches = _message_tuples(messages(count), sqlite_text=True)
    raw, first, again, everything = [], [], [], []
    for _ in range(rounds):
        raw.append(raw_sqlite(_fresh_sqlite(tmp / "raw.db", search), batches))
        engine = open_database(f"sqlite:///{_fresh_sqlite(tmp / 'aduan.db', search)}")
        elapsed, stored, _dup = aduan_ingest(engine, messages(count))
        first.append(elapsed)
        elapsed, stored_again, duplicates = aduan_ingest(engine, messages(count))
        again.append(elapsed)
        engine.dispose()
        assert stored == count and stored_again == 0 and duplicates == count, (stored, stored_again, duplicates)
        written = _rows_of(_sqlite_fetch(tmp / "aduan.db"))
        everything.append(raw_all_sqlite(_fresh_sqlite(tmp / "all.db", search), written))
    return min(raw), min(first), min(again), min(everything)


def sqlite_rows(count: int, rounds: int = 2) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        raw, first, again, everything = _sqlite_pair(Path(tmp), count, search=True, rounds=rounds)
        raw_nofts, first_nofts, _again, everything_nofts = _sqlite_pair(Path(tmp), count, search=False,
                                                                        rounds=rounds)
        policy_time = _with_sample_policy(Path(tmp), count)
    n = f"{count:,}"
    return [
        Row(f"ingest {n} msgs, SQLite (vs raw executemany, FTS on)", first, "s", raw, 3.0,
            note=f"{count / first:,.0f} msg/s; raw {count / raw:,.0f} msg/s incl. FTS triggers"),
        Row(f"re-ingest {n} duplicates, SQLite (vs first ingest)", again, "s", first, 2.0),
        Row(f"ingest {n} msgs, SQLite, no FTS (vs raw, no FTS)", first_nofts, "s", raw_nofts, 3.0,
            informational=True, note="both on a schema copy without the search triggers"),
        Row(f"ingest {n} msgs, SQLite (vs raw of every row it writes)", first, "s", everything, None,
            informational=True, note="baseline: the same contact, handle, ticket, message and event rows "
                                     "through executemany"),
        Row(f"ingest {n} msgs, SQLite, no FTS (vs raw of every row)", first_nofts, "s", everything_nofts, None,
            informational=True),
        Row(f"ingest {n} msgs, sample-config policy (vs default)", policy_time, "s", first, 3.0,
            informational=True, note="adds the rule classifier and calendar due dates per new ticket"),
    ]


def _with_sample_policy(tmp: Path, count: int) -> float:
    from ticketing.app import App
    from ticketing.config import load_settings
    from ticketing.store.db import open_database

    root = Path(__file__).resolve().parents[1]
    policy = App(load_settings(str(root / "config.yaml"), environ={}), environ={}).ingest_policy()
    engine = open_database(f"sqlite:///{_fresh_sqlite(tmp / 'policy.db', True)}")
    elapsed, stored, _dup = aduan_ingest(engine, messages(count), policy)
    engine.dispose()
    assert stored == count
    return elapsed


# --- PostgreSQL -------------------------------------------------------------------------------------


def _truncate(url: str) -> None:
    from ticketing.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    engine.dispose()


def raw_postgres(url: str, batches, copy: bool) -> float:
    import psycopg

    from ticketing.intake.ingest import MESSAGE_COLUMNS

    columns = ", ".join(MESSAGE_COLUMNS)
    sql = f"INSERT INTO message ({columns}) VALUES ({', '.join(['%s'] * len(MESSAGE_COLUMNS))})"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        started = time.perf_counter()
        for rows in batches:
            with conn.transaction(), conn.cursor() as cur:
                if copy:
                    with cur.copy(f"COPY message ({columns}) FROM STDIN") as writer:
                        for row in rows:
                            writer.write_row(row)
                else:
                    cur.executemany(sql, rows)
        return time.perf_counter() - started


def _postgres_fetch(url: str):
    import psycopg

    def fetch(table: str):
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY id")
            return [d.name for d in cursor.description], cursor.fetchall()
    return fetch


def raw_all_postgres(url: str, written) -> float:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        started = time.perf_counter()
        for table, (columns, rows) in written.items():
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            for start in range(0, len(rows), CHUNK):
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(sql, rows[start:start + CHUNK])
        return time.perf_counter() - started


def postgres_rows(count: int, rounds: int = 2) -> list[Row]:
    from ticketing.store.db import open_database

    batches = _message_tuples(messages(count), sqlite_text=False)
    times: dict[str, list[float]] = {"executemany": [], "copy": [], "aduan": [], "all rows": []}
    written = None
    with postgres_database() as url:
        open_database(url, auto_upgrade=True).dispose()
        for _ in range(rounds):
            for name in times:
                _truncate(url)
                if name == "aduan":
                    engine = open_database(url)
                    elapsed, stored, _dup = aduan_ingest(engine, messages(count))
                    engine.dispose()
                    assert stored == count
                    written = _rows_of(_postgres_fetch(url))
                elif name == "all rows":
                    elapsed = raw_all_postgres(url, written)
                else:
                    elapsed = raw_postgres(url, batches, copy=name == "copy")
                times[name].append(elapsed)
    best = {name: min(values) for name, values in times.items()}
    floor = min(best["executemany"], best["copy"])
    return [Row(f"ingest {count:,} msgs, PostgreSQL (vs raw psycopg)", best["aduan"], "s", floor, 3.0,
                note=f"raw executemany {best['executemany']:.2f} s, COPY {best['copy']:.2f} s (baseline: the "
                     f"faster); {count / best['aduan']:,.0f} msg/s"),
            Row(f"ingest {count:,} msgs, PostgreSQL (vs raw of every row it writes)", best["aduan"], "s",
                best["all rows"], None, informational=True,
                note="baseline: the same contact, handle, ticket, message and event rows through executemany")]


def rows(count: int, postgres: bool = True) -> list[Row]:
    result = sqlite_rows(count)
    if postgres:
        result += postgres_rows(count)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print_rows(rows(args.count, postgres=not args.no_postgres))


if __name__ == "__main__":
    main()
