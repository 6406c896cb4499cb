"""Duplicate detection must cost the same on a small and a large inbox.

    python -m bench.dedupe [--small-tickets 100000] [--tickets 1000000] [--page 100] [--repeat 31]

Re-ingests one page of 100 messages that are already stored (what every overlapping cron run
or a collector retry does) into the cached inboxes of bench/data.py, interleaved, medians.
Budget: the large inbox within 1.5x of the small one. The lookup is an index probe per
message (`channel = ? AND external_id IN (...)` on the unique index), so only the depth of
the B-tree grows. Nothing is written: the cached files stay as they are.
"""

from __future__ import annotations

import argparse
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Row, interleaved, print_rows
from bench.data import NOW, ticket_database


def stored_page(path: Path, size: int) -> tuple[str, list]:
    """The newest `size` citizen messages of the busiest channel, rebuilt as collectors deliver them."""
    from ticketing.contract import InboundMessage

    conn = sqlite3.connect(path)
    channel = conn.execute("SELECT channel FROM ticket WHERE id = (SELECT max(id) FROM ticket)").fetchone()[0]
    rows = conn.execute("SELECT external_id, thread_key, author_id, author_handle, author_name, text, sent_at "
                        "FROM message WHERE channel = ? AND direction = 'in' ORDER BY id DESC LIMIT ?",
                        (channel, size)).fetchall()
    conn.close()
    page = [InboundMessage(channel=channel, external_id=ext, thread_key=thread, author_id=author,
                           author_handle=handle, author_name=name, text=text,
                           sent_at=datetime.fromisoformat(sent).replace(tzinfo=UTC))
            for ext, thread, author, handle, name, text, sent in rows]
    return channel, page


def _reingest(path: Path, size: int):
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import open_database, write_session

    engine = open_database(f"sqlite:///{path}")
    channel, page = stored_page(path, size)

    def run() -> None:
        with write_session(engine) as session:
            result = ingest_batch(session, channel, page, now=NOW)
        if result.duplicates != len(page) or result.new_messages:
            raise AssertionError(f"expected {len(page)} duplicates, got {result}")

    return engine, run


def rows(small: int, large: int, page: int = 100, repeat: int = 31) -> list[Row]:
    small_path, large_path = ticket_database(small), ticket_database(large)
    counts = []
    for path in (small_path, large_path):
        conn = sqlite3.connect(path)
        counts.append(conn.execute("SELECT max(id) FROM message").fetchone()[0])
        conn.close()
    small_engine, small_run = _reingest(small_path, page)
    large_engine, large_run = _reingest(large_path, page)
    samples = interleaved({"small": small_run, "large": large_run}, repeat, warmup=3)
    small_engine.dispose()
    large_engine.dispose()
    return [Row(f"dedupe {page}-msg page into {counts[1]:,} msgs (vs {counts[0]:,})", samples.median("large"), "s",
                samples.median("small"), 1.5, note="re-ingest of stored messages: all duplicates, nothing written")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-tickets", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=31)
    args = parser.parse_args()
    print_rows(rows(args.small_tickets, args.tickets, args.page, args.repeat))


if __name__ == "__main__":
    main()
