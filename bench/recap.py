"""The monthly recap on SQLite against the bare GROUP BY it stands on, in the same run.

    python -m bench.recap [--tickets 1000000] [--repeat 5]

Uses the cached inbox of bench/data.py: tickets spread over the 36 months ending with November
2026, as an office accumulates them (older months almost all finished, a few stubborn open
ones, a sixth consulted with a bidang). Times, interleaved, median of --repeat:
  * bare:  SELECT local day, channel, kind, category, bidang, status, count(*) ... GROUP BY
           over November, plus the same kind of GROUP BY over the tickets that can be carried
           in or out (open now, or answered/closed since November began: the report's flow and
           backlog read them), both in sqlite3 with no ORM: the floor any monthly recap must pay;
  * recap: ticketing.reports.recap.monthly_recap(...) serialised to JSON, exactly what
           `aduan recap monthly --format json` computes (cube, answer times, backlog).
Budget: the recap within 3x of the bare queries (the whole process is timed by bench/cli.py).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import UTC
from pathlib import Path

from bench.common import Row, interleaved, print_rows
from bench.data import NOW, ticket_database

BUDGET_RATIO = 3.0
BARE_SQL = """SELECT date(received_at, '+25200 seconds') AS day, coalesce(nullif(channel_type, ''), channel),
                     kind, category, bidang, status, count(*)
              FROM ticket WHERE received_at >= ? AND received_at < ? AND merged_into_id IS NULL
              GROUP BY 1, 2, 3, 4, 5, 6"""
BARE_BACKLOG_SQL = """SELECT coalesce(nullif(channel_type, ''), channel), bidang, category, status, count(*)
              FROM ticket WHERE id IN (SELECT id FROM ticket WHERE status IN ({open_codes})
                                       UNION SELECT id FROM ticket WHERE answered_at >= ?
                                       UNION SELECT id FROM ticket WHERE closed_at >= ?)
                AND received_at < ? AND merged_into_id IS NULL
              GROUP BY 1, 2, 3, 4"""


def _text(value) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def measure(path: Path, repeat: int) -> dict:
    from sqlmodel import Session

    from ticketing.config import SlaSettings
    from ticketing.reports.recap import monthly_recap
    from ticketing.reports.recap_sql import OPEN_CODES, month_period
    from ticketing.sla.calendar import OfficeCalendar
    from ticketing.store.db import open_database

    backlog_sql = BARE_BACKLOG_SQL.format(open_codes=", ".join(f"'{code}'" for code in OPEN_CODES))
    calendar = OfficeCalendar(SlaSettings())
    period = month_period(2026, 11, calendar)
    conn = sqlite3.connect(path)
    engine = open_database(f"sqlite:///{path}")
    out: dict = {}

    def bare() -> None:
        out["groups"] = conn.execute(BARE_SQL, (_text(period.start), _text(period.end))).fetchall()
        start = _text(period.start)
        out["backlog"] = conn.execute(backlog_sql, (start, start, _text(period.end))).fetchall()

    def recap() -> None:
        with Session(engine) as session:
            out["json"] = json.dumps(monthly_recap(session, calendar, 2026, 11, NOW), ensure_ascii=False)

    samples = interleaved({"bare": bare, "recap": recap}, repeat)
    conn.close()
    engine.dispose()
    report = json.loads(out["json"])
    if report["total"] != sum(row[-1] for row in out["groups"]):
        raise AssertionError("the recap and the bare query disagree on the month's total")
    return {"bare_s": samples.median("bare"), "recap_s": samples.median("recap"), "groups": len(out["groups"]),
            "month_total": report["total"]}


def rows(tickets: int, repeat: int) -> list[Row]:
    result = measure(ticket_database(tickets), repeat)
    return [Row(f"monthly recap fn, {tickets:,} tickets (vs bare GROUP BYs)", result["recap_s"], "s",
                result["bare_s"], BUDGET_RATIO,
                note=f"{result['month_total']:,} tickets in November 2026, {result['groups']:,} groups")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print_rows(rows(args.tickets, args.repeat))


if __name__ == "__main__":
    main()
