"""Start-up and query time of the admin's commands as whole processes on a large SQLite inbox.

    python -m bench.cli [--tickets 1000000] [--runs 11]

Uses the cached inbox of bench/data.py (seeded; built on first use) and times whole processes,
interleaved, medians: `aduan inbox --limit 50`, `aduan show ID` and `aduan recap monthly --format
json` next to `python -c "import sqlmodel, rich"`, and `aduan --help` next to `python -c "import
typer, rich"`. Budgets: inbox/show < 1.5x, --help < 2x, the recap process under 1.5 s. It also
prints EXPLAIN QUERY PLAN for the queries those commands run (tests/test_performance_structure.py
checks the same plans on every test run).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Row, interleaved, print_rows
from bench.data import NOW, ticket_database

ROOT = Path(__file__).resolve().parents[1]
BUDGETS = {"inbox": 1.5, "show": 1.5, "help": 2.0}
RECAP_SECONDS = 1.5


def write_config(workdir: Path, db: Path) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = f"sqlite:///{db}"
    data["identity"] = "declared"  # the benchmark acts as the staff it names
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def generate(path: Path, total: int, seed: int = 7) -> None:
    """The benchmark inbox at `path`, uncached (tests build a small one with it)."""
    from bench.data import generate_inbox

    generate_inbox(path, total, seed)


def query_plans(path: Path) -> list[tuple[str, str]]:
    """EXPLAIN QUERY PLAN of the statements `inbox` and `show` run, compiled by SQLAlchemy."""
    from sqlalchemy.dialects import sqlite
    from sqlmodel import Session

    from ticketing.store.db import open_database
    from ticketing.workflow.views import InboxFilter, inbox_query

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


def _runner(command: list[str], env: dict[str, str]):
    def run() -> None:
        proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command[1:])} failed: {proc.stderr.decode()[-500:]}")
    return run


def measure(config: Path, show_id: int, runs: int) -> dict[str, float]:
    """Median wall time per command; the first round (untimed) writes missing .pyc files, as an install has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"ADUAN_CONFIG": str(config), "ADUAN_USER": "admin1", "ADUAN_NOW": NOW.isoformat(),
                "NO_COLOR": "1", "COLUMNS": "140"})
    py, cli = sys.executable, str(ROOT / "cli.py")
    commands = {
        "import sqlmodel, rich": [py, "-c", "import sqlmodel, rich"],
        "inbox": [py, cli, "inbox", "--limit", "50"],
        "show": [py, cli, "show", str(show_id)],
        "recap": [py, cli, "recap", "monthly", "--month", "2026-11", "--format", "json"],
        "import typer, rich": [py, "-c", "import typer, rich"],
        "help": [py, cli, "--help"],
    }
    samples = interleaved({name: _runner(command, env) for name, command in commands.items()}, runs)
    return {name: samples.median(name) for name in commands}


def rows(tickets: int, runs: int) -> list[Row]:
    db = ticket_database(tickets)
    conn = sqlite3.connect(db)
    show_id = conn.execute("SELECT max(id) FROM ticket WHERE status = 'new'").fetchone()[0]
    conn.close()
    scans = [f"{name}: {step}" for name, plan in query_plans(db) for step in full_scans(plan)]
    with tempfile.TemporaryDirectory() as tmp:
        times = measure(write_config(Path(tmp), db), show_id, runs)
    orm, typer_ = times["import sqlmodel, rich"], times["import typer, rich"]
    n = f"{tickets:,}"
    return [
        Row(f"aduan inbox --limit 50, {n} tickets (vs import sqlmodel,rich)", times["inbox"], "s", orm,
            BUDGETS["inbox"], note="; ".join(scans) if scans else ""),
        Row(f"aduan show ID, {n} tickets (vs import sqlmodel,rich)", times["show"], "s", orm, BUDGETS["show"]),
        Row("aduan --help (vs import typer,rich)", times["help"], "s", typer_, BUDGETS["help"]),
        Row(f"aduan recap monthly --format json, {n} tickets (process)", times["recap"], "s", orm,
            RECAP_SECONDS, check="value<=", note="baseline: import sqlmodel, rich"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    started = time.perf_counter()
    db = ticket_database(args.tickets)
    print(f"inbox: {db} ({time.perf_counter() - started:.1f} s to find or build)")
    for name, plan in query_plans(db):
        print(f"plan {name:22} {plan}")
    print_rows(rows(args.tickets, args.runs))


if __name__ == "__main__":
    main()
