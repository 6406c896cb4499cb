"""Start-up and query time of the admin's commands on a large SQLite inbox.

    python -m bench.cli [--tickets 1000000] [--runs 5] [--db PATH]

Generates N tickets (seeded, deterministic) with raw `executemany` into a migrated SQLite file,
then times whole processes: `aduan inbox --limit 50` and `aduan show ID` next to
`python -c "import sqlmodel, rich"`, and `aduan --help` next to `python -c "import typer, rich"`,
all in the same run, interleaved (ratios of medians). Budgets: inbox/show < 1.5x, --help < 2x. It also prints
EXPLAIN QUERY PLAN for the queries those commands run and fails if one scans a whole table.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bench.data import CHANNELS, CLOSINGS, OPENINGS, TOPICS

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)  # history the tickets are spread over
OPEN_SHARE = 0.002  # the newest tickets are still open (about 2,000 of a million)
CHUNK = 50_000
BUDGETS = {"inbox": 1.5, "show": 1.5, "help": 2.0}


def ts(value: datetime) -> str:
    """The text UTCDateTime stores on SQLite (naive UTC with microseconds)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


def _ticket_rows(start: int, stop: int, total: int, rng: random.Random, due_at):
    channels = [name for name, _ in CHANNELS]
    first_open = int(total * (1 - OPEN_SHARE))
    for i in range(start, stop):
        tid = i + 1
        received = NOW - SPAN + SPAN * (i / total)
        if i >= first_open:
            status, due = rng.choice(("new", "new", "escalated", "followed_up")), due_at(received)
            answered = closed = None
        else:
            status = rng.choices(("closed", "dismissed", "answered"), (90, 6, 4))[0]
            due = received + timedelta(days=4)
            answered = received + timedelta(hours=rng.randrange(1, 90))
            closed = answered if status != "answered" else None
        text = f"{rng.choice(OPENINGS)}, {rng.choice(TOPICS)} {rng.choice(CLOSINGS)}"
        contact = tid % (total // 3 + 1) + 1
        yield tid, received, status, due, answered, closed, text, contact, channels[tid % len(channels)]


def generate(path: Path, total: int, seed: int = 7) -> None:
    """Tickets, one citizen message each (plus the office's reply on handled ones), contacts, events."""
    from ticketing.app import App
    from ticketing.config import load_settings
    from ticketing.db import open_database
    from ticketing.ingest import ticket_ref

    open_database(f"sqlite:///{path}").dispose()
    app = App(load_settings(str(ROOT / "config.yaml"), environ={}), environ={})
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    # The search index is built once at the end (FTS5 'rebuild'), not row by row by the triggers.
    triggers = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                               "AND tbl_name = 'message'")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'message'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    contacts = total // 3 + 1
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO contact (id, display_name, created_at) VALUES (?, ?, ?)",
                     ((c, f"Warga {c}", ts(NOW - SPAN)) for c in range(1, contacts + 1)))
    conn.executemany("INSERT INTO contact_handle (contact_id, channel, external_user_id, handle, display_name) "
                     "VALUES (?, 'bench', ?, ?, ?)", ((c, f"u{c}", f"@warga{c}", f"Warga {c}")
                                                      for c in range(1, contacts + 1)))
    conn.execute("COMMIT")
    for start in range(0, total, CHUNK):
        tickets, messages, events = [], [], []
        for tid, received, status, due, answered, closed, text, contact, channel in _ticket_rows(
                start, min(start + CHUNK, total), total, rng, app.due_at):
            tickets.append((tid, ticket_ref(tid, received), channel, channel.split("-")[0], f"thr-{tid}", contact,
                            status, text[:160], 1, ts(received), ts(received), ts(due),
                            ts(answered) if answered else None, ts(closed) if closed else None))
            messages.append((tid, channel, f"in-{tid}", f"thr-{tid}", "in", f"u{contact}", f"@warga{contact}",
                             text, ts(received)))
            events.append((tid, ts(received), "system", "created", None, "new"))
            if answered:
                messages.append((tid, channel, f"out-{tid}", f"thr-{tid}", "out", "admin1", "admin1",
                                 "Terima kasih, sudah kami tindak lanjuti.", ts(answered)))
                events.append((tid, ts(answered), "admin1", "replied", "new", "answered"))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO ticket (id, ref, channel, channel_type, thread_key, contact_id, status, summary, "
            "message_count, received_at, last_message_at, due_at, answered_at, closed_at, is_public, "
            "classification_locked, tags, flags, sla_state, sla_paused_seconds) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', '', 'ok', 0)", tickets)
        conn.executemany(
            "INSERT INTO message (ticket_id, channel, external_id, thread_key, direction, author_id, author_handle, "
            "text, sent_at, author_name, is_private, flags, delivery_attempts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, '', 0)", messages)
        conn.executemany("INSERT INTO event (ticket_id, at, actor, action, from_status, to_status, detail, "
                         "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, '', '', '')", events)
        conn.execute("COMMIT")
    if triggers:
        conn.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        for sql in triggers:
            conn.execute(sql)
    conn.close()


def query_plans(path: Path) -> list[tuple[str, str]]:
    """EXPLAIN QUERY PLAN of the statements `inbox` and `show` run, compiled by SQLAlchemy."""
    from sqlalchemy.dialects import sqlite
    from sqlmodel import Session

    from ticketing.db import open_database
    from ticketing.views import InboxFilter, inbox_query

    engine = open_database(f"sqlite:///{path}")
    with Session(engine) as session:
        statements = {
            "inbox": inbox_query(InboxFilter(limit=50), NOW, session),
            "inbox --search": inbox_query(InboxFilter(limit=50, search="blangko"), NOW, session),
        }
        compiled = {name: str(q.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
                    for name, q in statements.items()}
    engine.dispose()
    compiled.update({
        "counts": "SELECT status, count(*) FROM ticket WHERE status IN ('new','escalated','followed_up') "
                  "GROUP BY status",
        "overdue": "SELECT count(*) FROM ticket WHERE status IN ('new','escalated','followed_up') "
                   "AND due_at <= '2026-11-23 03:00:00.000000'",
        "show: ticket by ref": "SELECT * FROM ticket WHERE ref = 'ADU-2026-000001'",
        "show: messages": "SELECT * FROM message WHERE ticket_id = 5 ORDER BY sent_at, id",
        "show: events": "SELECT * FROM event WHERE ticket_id = 5 ORDER BY id",
        "show: other tickets": "SELECT ref, status FROM ticket WHERE contact_id = 5 AND id != 5 "
                               "ORDER BY id DESC LIMIT 10",
    })
    conn = sqlite3.connect(path)
    plans = [(name, " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")))
             for name, sql in compiled.items()]
    conn.close()
    return plans


def full_scans(plan: str) -> list[str]:
    """Steps that read a whole table: `SCAN t` without an index (FTS virtual tables excepted)."""
    return [step for step in plan.split(" | ")
            if step.startswith("SCAN ") and "USING" not in step and "VIRTUAL TABLE INDEX" not in step]


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def measure(config: Path, show_id: int, runs: int) -> dict[str, float]:
    # Bytecode as an installed aduan has it: the warm-up run writes any missing .pyc files.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"ADUAN_CONFIG": str(config), "ADUAN_USER": "admin1", "ADUAN_NOW": NOW.isoformat(),
                "NO_COLOR": "1", "COLUMNS": "140"})
    py, cli = sys.executable, str(ROOT / "cli.py")
    commands = {
        "import sqlmodel, rich": [py, "-c", "import sqlmodel, rich"],
        "inbox": [py, cli, "inbox", "--limit", "50"],
        "show": [py, cli, "show", str(show_id)],
        "import typer, rich": [py, "-c", "import typer, rich"],
        "help": [py, cli, "--help"],
    }
    for command in commands.values():  # warm the page cache and .pyc files
        timed(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a busy machine slows every command alike
        for name, command in commands.items():
            samples[name].append(timed(command, env))
    for name, values in samples.items():
        print(f"{name:22} median {statistics.median(values) * 1000:5.0f} ms  min {min(values) * 1000:5.0f} ms")
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--db", type=Path, help="Reuse or keep the generated database here.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    path = args.db or workdir / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.tickets)
        print(f"generated {args.tickets:,} tickets in {time.perf_counter() - started:.1f}s ({path})")
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = f"sqlite:///{path}"
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    conn = sqlite3.connect(path)
    show_id = conn.execute("SELECT max(id) FROM ticket WHERE status = 'new'").fetchone()[0]
    conn.close()

    scans = []
    for name, plan in query_plans(path):
        print(f"plan {name:22} {plan}")
        scans += [f"{name}: {step}" for step in full_scans(plan)]
    times = measure(config, show_id, args.runs)
    ratios = {"inbox": times["inbox"] / times["import sqlmodel, rich"],
              "show": times["show"] / times["import sqlmodel, rich"],
              "help": times["help"] / times["import typer, rich"]}
    failed = [name for name, ratio in ratios.items() if ratio >= BUDGETS[name]]
    for name, ratio in ratios.items():
        print(f"ratio {name:16} {ratio:5.2f}x (budget < {BUDGETS[name]}x)")
    for scan in scans:
        print(f"FULL SCAN {scan}")
    if failed or scans:
        raise SystemExit(f"over budget: {', '.join(failed) or '-'}; full scans: {len(scans)}")


if __name__ == "__main__":
    main()
