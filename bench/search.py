"""Inbox full-text search on the large inbox: `aduan inbox --search TERM` as the CLI runs it.

    python -m bench.search [--tickets 1000000] [--repeat 7]

Three terms, from selective to common, each against the bare FTS5 MATCH of the same term
(counting every hit) measured in the same run: a NIK fragment (a handful of messages), a
village name (about 1% of messages) and a common word (about 3%). Budget: under 20 ms for the
selective searches an admin runs (a NIK, a name, a village); the common word is shown for what
it costs: the inbox then has to map tens of thousands of hits to their tickets.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
from pathlib import Path

from bench.common import Row, interleaved, print_rows
from bench.data import NOW, ticket_database

BUDGET_SECONDS = 0.020


def _terms(conn: sqlite3.Connection) -> list[tuple[str, str, bool]]:
    """(label, term, budgeted): the NIK comes from the data itself, so every inbox size has one."""
    row = conn.execute("SELECT text FROM message WHERE text LIKE '%NIK 3329%' ORDER BY id DESC LIMIT 1").fetchone()
    nik = re.search(r"3329\d{8}", row[0]).group(0) if row else "3329"
    return [("NIK fragment", nik, True), ("village name", "Sirampog", True), ("common word", "blangko", False)]


def measure(path: Path, repeat: int) -> list[Row]:
    from sqlmodel import Session

    from ticketing.store.db import open_database
    from ticketing.workflow.views import InboxFilter, inbox_query

    conn = sqlite3.connect(path)
    messages = conn.execute("SELECT max(id) FROM message").fetchone()[0]
    engine = open_database(f"sqlite:///{path}")
    rows = []
    with Session(engine) as session:
        for label, term, budgeted in _terms(conn):
            found: dict[str, int] = {}

            def bare(term=term, found=found) -> None:
                found["hits"] = conn.execute("SELECT count(*) FROM message_fts WHERE message_fts MATCH ?",
                                             (f'"{term}"',)).fetchone()[0]

            def inbox(term=term, found=found) -> None:
                found["tickets"] = len(session.exec(inbox_query(InboxFilter(limit=50, search=term), NOW,
                                                                session)).all())

            samples = interleaved({"bare": bare, "inbox": inbox}, repeat)
            rows.append(Row(f"inbox --search ({label}), {messages:,} msgs (vs bare MATCH)", samples.median("inbox"),
                            "s", samples.median("bare"), BUDGET_SECONDS if budgeted else None, check="value<=",
                            informational=not budgeted,
                            note=f"{found['hits']:,} matching messages, {found['tickets']} open tickets listed"))
    engine.dispose()
    conn.close()
    return rows


def rows(tickets: int, repeat: int) -> list[Row]:
    return measure(ticket_database(tickets), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print_rows(rows(args.tickets, args.repeat))


if __name__ == "__main__":
    main()
