"""Ingest throughput on SQLite against a raw `sqlite3.executemany` of the same rows.

    python -m bench.ingest [--count 100000]

Prints messages/second for both, the ratio (budget: within 3x of raw), and the re-ingest of
the same messages (all duplicates; budget: within 2x of the first ingest).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.data import messages
from ticketing.db import open_database, write_session
from ticketing.ingest import MESSAGE_COLUMNS, IngestPolicy, ingest_batch

CHUNK = 5000


def raw_executemany(path: Path, grouped) -> float:
    """The floor: the same message rows through the driver, no threading, no tickets."""
    open_database(f"sqlite:///{path}").dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO message ({', '.join(MESSAGE_COLUMNS)}) VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
    started = time.perf_counter()
    for channel, items in grouped.items():
        for start in range(0, len(items), CHUNK):
            rows = [(None, channel, m.external_id, m.thread_key, m.direction, m.author_id, m.author_handle,
                     m.author_name, m.is_private, m.in_reply_to, m.subject, m.text, "", None,
                     m.sent_at.replace(tzinfo=None).isoformat(sep=" "), None, 0) for m in items[start:start + CHUNK]]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def aduan_ingest(engine, grouped, now) -> tuple[float, int]:
    policy = IngestPolicy()
    stored = 0
    started = time.perf_counter()
    for channel, items in grouped.items():
        for start in range(0, len(items), CHUNK):
            with write_session(engine) as session:
                stored += ingest_batch(session, channel, items[start:start + CHUNK], now=now,
                                       policy=policy).new_messages
    return time.perf_counter() - started, stored


def measure(count: int) -> list[dict]:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    grouped = messages(count)
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_executemany(Path(tmp) / "raw.db", grouped)
        engine = open_database(f"sqlite:///{Path(tmp) / 'aduan.db'}")
        first, stored = aduan_ingest(engine, grouped, now)
        again, duplicates = aduan_ingest(engine, messages(count), now)
        engine.dispose()
    assert stored == count and duplicates == 0
    return [
        {"figure": f"ingest {count:,} msgs (SQLite)", "value": count / first, "unit": "msg/s",
         "baseline": count / raw, "ratio": first / raw, "budget": 3.0},
        {"figure": f"re-ingest {count:,} duplicates", "value": count / again, "unit": "msg/s",
         "baseline": count / first, "ratio": again / first, "budget": 2.0},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    for row in measure(args.count):
        verdict = "ok" if row["ratio"] <= row["budget"] else "OVER BUDGET"
        print(f"{row['figure']:<34} {row['value']:>10,.0f} {row['unit']}  baseline {row['baseline']:>10,.0f}  "
              f"ratio {row['ratio']:.2f}x (budget {row['budget']}x) {verdict}")


if __name__ == "__main__":
    main()
