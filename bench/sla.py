"""SLA costs on SQLite: the sweep over many open tickets, and due dates for many timestamps.

    python -m bench.sla [--tickets 100000] [--timestamps 100000]

Each figure comes with its per-item cost and a baseline measured in the same run:
* sweep (budget: under 1 s for 100,000 open tickets) against reading every open ticket's
  due_at once (what a sweep that loops over tickets in Python would pay before doing anything);
  a catch-up sweep (after an outage: thousands of breaches at once) is shown separately;
* due dates against converting each timestamp to WIB (the floor) and against counting with
  the `holidays` package's own `get_nth_working_day` (a naive alternative without hours).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Row, print_rows
from ticketing.app import App
from ticketing.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
WIB = ZoneInfo("Asia/Jakarta")


def timestamps(count: int, seed: int = 11) -> list[datetime]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [start + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(count)]


def bench_due(app: App, count: int) -> list[dict]:
    import holidays

    stamps = timestamps(count)
    started = time.perf_counter()
    floor = [ts.astimezone(WIB).date() for ts in stamps]
    t_floor = time.perf_counter() - started
    calendar = App(app.settings, {}).calendar  # cold: its day cache starts empty
    started = time.perf_counter()
    dues = [calendar.due_at(ts) for ts in stamps]
    t_due = time.perf_counter() - started
    library = holidays.country_holidays("ID", years=range(2026, 2028), categories=("public", "government"),
                                        language="id")
    sample = floor[: max(count // 10, 1)]
    started = time.perf_counter()
    for day in sample:
        library.get_nth_working_day(day, 3)
    t_lib = (time.perf_counter() - started) * count / len(sample)
    assert len(dues) == count
    return [
        {"what": f"due_at for {count:,} timestamps", "seconds": t_due, "per_item_us": t_due / count * 1e6},
        {"what": "baseline: convert each to WIB", "seconds": t_floor, "per_item_us": t_floor / count * 1e6},
        {"what": "baseline: holidays get_nth_working_day (extrapolated)", "seconds": t_lib,
         "per_item_us": t_lib / count * 1e6},
    ]


def seed_tickets(app: App, count: int) -> None:
    """Open tickets received over the last 12 days, due dates from the real calendar."""
    from ticketing.intake.ingest import TICKET_COLUMNS
    from ticketing.store import bulk
    from ticketing.store.db import write_session
    from ticketing.store.models import Ticket

    rng = random.Random(5)
    rows = []
    for i in range(1, count + 1):
        received = NOW - timedelta(seconds=rng.randrange(12 * 86400))
        rows.append({"id": i, "ref": f"ADU-2026-{i:06d}", "channel": "x-dindukcapil", "channel_type": "x",
                     "thread_key": f"t{i}", "contact_id": None, "is_public": False, "kind": None, "category": None,
                     "bidang": None, "classification_confidence": None, "classification_locked": False,
                     "status": rng.choice(("new", "new", "escalated", "followed_up")), "summary": "ktp blm jadi",
                     "tags": "", "message_count": 1, "received_at": received, "last_message_at": received,
                     "due_at": app.due_at(received), "sla_state": "ok", "flags": "", "sla_paused_seconds": 0})
    with write_session(app.engine) as session:
        for start in range(0, count, 20000):
            bulk.insert_rows(session, Ticket.__table__, TICKET_COLUMNS, rows[start:start + 20000])


def bench_sweep(app: App, count: int) -> list[dict]:
    import sqlalchemy as sa

    from ticketing.sla import tracking as sla
    from ticketing.store.db import run_write

    seed_tickets(app, count)
    with app.engine.connect() as conn:
        started = time.perf_counter()
        conn.execute(sa.text("SELECT id, due_at FROM ticket WHERE status IN ('new', 'escalated', 'followed_up')"
                             )).fetchall()
        t_read = time.perf_counter() - started
    started = time.perf_counter()
    catch_up = sla.SweepResult(more=True)
    while catch_up.more:  # what the sweep cycle does: batches of sla.SWEEP_BATCH per transaction
        catch_up.add(run_write(app.engine, lambda s: sla.sweep(s, NOW, app.warn_before)))
    t_catch = time.perf_counter() - started
    steady = []
    for minutes in (1, 2, 3):
        started = time.perf_counter()
        result = run_write(app.engine, lambda s, m=minutes: sla.sweep(s, NOW + timedelta(minutes=m), app.warn_before))
        steady.append((time.perf_counter() - started, result))
    t_steady = min(t for t, _r in steady)
    changed = len(catch_up.breached) + len(catch_up.warned)
    return [
        {"what": f"steady sweep, {count:,} open tickets", "seconds": t_steady, "per_item_us": t_steady / count * 1e6,
         "note": f"{sum(len(r.breached) + len(r.warned) for _t, r in steady)} new notices in 3 sweeps"},
        {"what": "baseline: read every open ticket's due_at", "seconds": t_read, "per_item_us": t_read / count * 1e6},
        {"what": f"catch-up sweep ({changed:,} warnings/breaches at once)", "seconds": t_catch,
         "per_item_us": t_catch / max(changed, 1) * 1e6, "note": "per notice: claim, event, notification row"},
    ]


def rows(tickets: int, timestamps_count: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(str(ROOT / "config.yaml"), environ={})
        settings.database.url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = App(settings, {}, now=NOW)
        due = bench_due(app, timestamps_count)
        sweep = bench_sweep(app, tickets)
        app.engine.dispose()
    return [
        Row(due[0]["what"], due[0]["seconds"], "s", due[1]["seconds"], 1.0, check="value<=",
            note=f"{due[0]['per_item_us']:.1f} us each; baseline: convert each to WIB; holidays' "
                 f"get_nth_working_day would take {due[2]['seconds']:.2f} s"),
        Row(sweep[0]["what"], sweep[0]["seconds"], "s", sweep[1]["seconds"], 1.0, check="value<=",
            note="baseline: read every open ticket's due_at"),
        Row(sweep[2]["what"], sweep[2]["seconds"], "s", sweep[1]["seconds"], None, informational=True,
            note=sweep[2]["note"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--timestamps", type=int, default=100_000)
    args = parser.parse_args()
    print_rows(rows(args.tickets, args.timestamps))


if __name__ == "__main__":
    main()
