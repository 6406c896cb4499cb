"""The monthly recap on SQLite against the bare GROUP BY it stands on, in the same run.

    python -m bench.recap [--tickets 1000000] [--months 36] [--seed 7] [--repeat 3]

Generates N tickets (seeded, raw executemany) spread evenly over the --months months ending with
November 2026, as an office accumulates them: older months are almost all finished, a few
tickets stay open for months; a sixth of the tickets were consulted with a bidang. Then times,
best of --repeat:
  * bare:  SELECT local day, channel, kind, category, bidang, status, count(*) ... GROUP BY
           over November (sqlite3, no ORM): the floor any monthly recap must pay;
  * recap: ticketing.recap.monthly_recap(...) serialised to JSON, exactly what
           `aduan recap monthly --format json` computes (cube, answer times, backlog).
Budget: the recap under 2 s and within 5x of the bare query. The budget is only reachable if
no part of the recap reads the whole table: the backlog looks up open and recently finished
tickets through indexes (see the recap block in migrations/versions/0002_features.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from ticketing.calendar import OfficeCalendar
from ticketing.config import SlaSettings
from ticketing.db import open_database
from ticketing.recap import monthly_recap
from ticketing.recap_sql import month_period

CHUNK = 50_000
BUDGET_SECONDS = 2.0
BUDGET_RATIO = 5.0
CHANNELS = [("whatsapp", "wa-dindukcapil", 0.4), ("instagram", "ig-dindukcapil", 0.25),
            ("facebook", "fb-dindukcapil", 0.15), ("x", "x-dindukcapil", 0.1), ("telegram", "tg-dindukcapil", 0.04),
            ("email", "email-pengaduan", 0.06)]
KINDS = [("pertanyaan", 0.55), ("pengaduan", 0.3), ("saran", 0.07), ("apresiasi", 0.03), ("spam", 0.05)]
CATEGORIES = [("ktp-el", "DAFDUK"), ("kk", "DAFDUK"), ("kia", "DAFDUK"), ("ikd", "DAFDUK"),
              ("pindah-datang", "DAFDUK"), ("perubahan-data", "DAFDUK"), ("akta-kelahiran", "CAPIL"),
              ("akta-kematian", "CAPIL"), ("perkawinan", "CAPIL"), ("nik-bermasalah", "PIAK"),
              ("layanan-online", "PDIP"), ("antrean", "SEKRETARIAT")]
STATUSES = [("answered", 0.45), ("closed", 0.25), ("escalated", 0.08), ("followed_up", 0.04), ("new", 0.12),
            ("dismissed", 0.06)]
TICKET_COLUMNS = ("ref", "channel", "channel_type", "thread_key", "is_public", "kind", "category", "bidang",
                  "classification_locked", "status", "summary", "tags", "message_count", "received_at",
                  "last_message_at", "answered_at", "closed_at", "due_at", "sla_state", "flags",
                  "sla_paused_seconds")


def _text(value: datetime | None) -> str | None:
    """The UTC text SQLAlchemy stores on SQLite."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class _Due:
    """calendar.due_at cached per (local day, after closing): a few hundred calls for a million tickets."""

    def __init__(self, calendar: OfficeCalendar):
        self.calendar, self.cache = calendar, {}

    def __call__(self, received: datetime) -> datetime:
        local = received.astimezone(self.calendar.tz)
        key = (local.date(), local.time() >= self.calendar.opening_hours(local.date())[1])
        if key not in self.cache:
            self.cache[key] = self.calendar.due_at(received)
        return self.cache[key]


def _month_starts(last_year: int, last_month: int, months: int) -> list[tuple[int, int]]:
    result, year, month = [], last_year, last_month
    for _ in range(months):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def _status(rng: random.Random, weights: list[float], recent: bool) -> str:
    """Recent months have every status; older ones are finished but for a stubborn few."""
    if recent or rng.random() < 0.005:
        return rng.choices(STATUSES, weights)[0][0]
    return rng.choices(("answered", "closed", "dismissed"), (0.45, 0.48, 0.07))[0]


def generate(path: Path, count: int, seed: int, calendar: OfficeCalendar, months: int = 36) -> None:
    rng = random.Random(seed)
    due = _Due(calendar)
    periods = [month_period(y, m, calendar) for y, m in _month_starts(2026, 11, months)]
    open_database(f"sqlite:///{path}").dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    ticket_sql = f"INSERT INTO ticket ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join('?' * len(TICKET_COLUMNS))})"
    escalation_sql = ("INSERT INTO escalation (ticket_id, bidang, note, escalated_by, escalated_at) "
                      "VALUES (?, ?, '', 'admin1', ?)")
    channel_w, kind_w, status_w = ([w for *_, w in CHANNELS], [w for _, w in KINDS], [w for _, w in STATUSES])
    next_id = 1
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        channels = rng.choices(CHANNELS, channel_w, k=size)
        kinds = rng.choices(KINDS, kind_w, k=size)
        tickets, escalations = [], []
        for i in range(size):
            index = (start + i) * len(periods) // count  # months in order, like real ids
            period = periods[index]
            seconds = rng.randrange(int((period.end - period.start).total_seconds()))
            received = period.start + timedelta(seconds=seconds)
            category, bidang = rng.choice(CATEGORIES)
            status = _status(rng, status_w, recent=index >= len(periods) - 2)
            answered = closed = None
            if status in ("answered", "closed"):
                answered = received + timedelta(minutes=rng.randrange(30, 9 * 24 * 60))
                closed = answered + timedelta(hours=rng.randrange(1, 72)) if status == "closed" else None
            elif status == "dismissed":
                closed = received + timedelta(hours=rng.randrange(1, 48))
            if status in ("escalated", "followed_up") or (answered and rng.random() < 0.15):
                escalations.append((next_id + i, bidang, _text(received + timedelta(hours=rng.randrange(1, 24)))))
            tickets.append((f"ADU-{next_id + i:08d}", channels[i][1], channels[i][0], f"thr-{next_id + i}", 0,
                            kinds[i][0], category, bidang, 0, status, "", "", 1, _text(received), _text(received),
                            _text(answered), _text(closed), _text(due(received)), "ok", "", 0))
        conn.execute("BEGIN")
        conn.executemany(ticket_sql, tickets)
        conn.executemany(escalation_sql, escalations)
        conn.execute("COMMIT")
        next_id += size
    conn.execute("ANALYZE")
    conn.close()


BARE_SQL = """SELECT date(received_at, '+25200 seconds') AS day, coalesce(nullif(channel_type, ''), channel),
                     kind, category, bidang, status, count(*)
              FROM ticket WHERE received_at >= ? AND received_at < ? AND merged_into_id IS NULL
              GROUP BY 1, 2, 3, 4, 5, 6"""


def best_of(repeat: int, work) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def measure(count: int, seed: int, repeat: int, months: int = 36) -> dict:
    calendar = OfficeCalendar(SlaSettings())
    period = month_period(2026, 11, calendar)
    now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        generate(path, count, seed, calendar, months)
        generated = time.perf_counter() - started
        conn = sqlite3.connect(path)
        bare, groups = best_of(repeat, lambda: conn.execute(BARE_SQL, (_text(period.start), _text(period.end)))
                               .fetchall())
        conn.close()
        engine = open_database(f"sqlite:///{path}")

        def full_recap() -> str:
            with Session(engine) as session:
                return json.dumps(monthly_recap(session, calendar, 2026, 11, now), ensure_ascii=False)

        recap, text = best_of(repeat, full_recap)
        engine.dispose()
    report = json.loads(text)
    assert report["total"] == sum(row[-1] for row in groups), "the recap and the bare query disagree"
    return {"tickets": count, "generated_s": generated, "bare_s": bare, "recap_s": recap, "groups": len(groups),
            "month_total": report["total"], "ratio": recap / bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=36, help="months of history the tickets span")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    row = measure(args.tickets, args.seed, args.repeat, args.months)
    ok = row["recap_s"] <= BUDGET_SECONDS and row["ratio"] <= BUDGET_RATIO
    print(f"generated {row['tickets']:,} tickets over {args.months} months in {row['generated_s']:.1f} s "
          f"({row['month_total']:,} in November 2026, Asia/Jakarta)")
    print(f"bare GROUP BY (sqlite3)          {row['bare_s']:.3f} s  ({row['groups']:,} groups)")
    print(f"monthly recap (JSON, aduan)      {row['recap_s']:.3f} s")
    print(f"ratio {row['ratio']:.2f}x (budget {BUDGET_RATIO}x), recap budget {BUDGET_SECONDS} s: "
          f"{'ok' if ok else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
