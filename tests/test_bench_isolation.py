"""The benchmarks never touch the operator's database, whatever the shell exports (issue 20, item 14).

On the office server `ADUAN_DATABASE_URL` and `ADUAN_CONFIG` are exported for cron; an admin who
runs `python -m bench` there must not write into (or crash on) the live database.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.cli_helpers import ROOT, make_config


def _sentinel(tmp_path: Path) -> tuple[Path, Path]:
    """A database with one table and one row, and a config pointing at it: the 'live' office."""
    db = tmp_path / "live.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE sentinel (note TEXT)")
        conn.execute("INSERT INTO sentinel VALUES ('live office data')")
    live = tmp_path / "live"
    live.mkdir()
    return db, make_config(live, f"sqlite:///{db}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_benchmarks_ignore_the_operators_database(tmp_path):
    db, config = _sentinel(tmp_path)
    before = _digest(db), sorted(p.name for p in tmp_path.rglob("*"))
    env = {**os.environ, "ADUAN_DATABASE_URL": f"sqlite:///{db}", "ADUAN_CONFIG": str(config),
           "ADUAN_BENCH_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "bench", "--small", "--only", "webhook", "--only", "cli"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "CRASHED" not in proc.stdout
    assert "webhook" in proc.stdout and "aduan" in proc.stdout
    after = _digest(db), sorted(p.name for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "cache"))
    assert after == before  # not a byte of the live database changed, no file appeared beside it
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("sentinel",)]


def test_isolation_keeps_the_test_servers_and_drops_the_rest():
    from bench import isolate_environment

    environ = {"ADUAN_DATABASE_URL": "sqlite:///live.db", "ADUAN_CONFIG": "/etc/aduan/config.yaml",
               "ADUAN_REDIS_URL": "redis://live", "ADUAN_TEST_POSTGRES_URL": "postgresql://t",
               "ADUAN_BENCH_CACHE": "/tmp/c", "PATH": "/usr/bin"}
    dropped = isolate_environment(environ)
    assert sorted(dropped) == ["ADUAN_CONFIG", "ADUAN_DATABASE_URL", "ADUAN_REDIS_URL"]
    assert environ == {"ADUAN_TEST_POSTGRES_URL": "postgresql://t", "ADUAN_BENCH_CACHE": "/tmp/c",
                       "PATH": "/usr/bin"}
