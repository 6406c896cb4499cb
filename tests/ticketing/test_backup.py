"""Issue 21: `aduan db backup` / `aduan db restore`, and least-privilege roles on PostgreSQL.

The backup is taken while another process keeps ingesting; the restored database must be the
source as it was at one instant: the same rows up to some point, an intact audit chain, and
counts that agree with each other.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli_helpers import ROOT, make_config, run_cli

WRITER = r"""
import sys, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, sys.argv[3])
from tests.factories import batch
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import open_database, write_session
engine = open_database(sys.argv[1], auto_upgrade=True)
base = datetime(2026, 11, 23, 1, tzinfo=UTC)
import os
stop, after, n = sys.argv[4] + ".stop", 0, 0
while n < int(sys.argv[2]) and after < 5:  # keeps writing until the test has its backup, then 5 batches more
    with write_session(engine) as session:
        ingest_batch(session, "x-test", batch(20, base=base + timedelta(minutes=n), start=n * 20), now=base,
                     channel_type="x")
    if n == 5:
        open(sys.argv[4], "w").close()  # tell the test that writing is under way
    after += os.path.exists(stop)
    n += 1
"""


def _config(tmp_path: Path, db: Path, **extra) -> Path:
    return make_config(tmp_path, f"sqlite:///{db}", **extra)


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def test_a_backup_taken_while_collecting_restores_to_one_consistent_instant(tmp_path):
    source = tmp_path / "aduan.db"
    config = _config(tmp_path, source)
    started = tmp_path / "started"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, f"sqlite:///{source}", "2000", str(ROOT), str(started)],
                              cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not started.exists():
        assert writer.poll() is None, writer.stderr.read().decode()[-800:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    backup = run_cli(config, "db", "backup", str(tmp_path / "copies"), user="kabid1")
    still_writing = writer.poll() is None
    Path(f"{started}.stop").touch()  # the writer adds a few more batches after the copy, then ends
    assert writer.wait(timeout=300) == 0, writer.stderr.read().decode()[-800:]
    assert backup.code == 0, backup.out + backup.err
    assert still_writing, "the writer finished before the backup: the test proved nothing"
    copy = Path(backup.out.split("cadangan: ", 1)[1].split("\n", 1)[0].strip())
    assert "rantai audit utuh" in backup.out

    target = tmp_path / "restored" / "aduan.db"
    target.parent.mkdir()
    restored_config = _config(target.parent, target)
    result = run_cli(restored_config, "db", "restore", str(copy), user="kabid1")
    assert result.code == 0, result.out + result.err
    messages = _count(target, "SELECT COUNT(*) FROM message")
    assert 0 < messages < _count(source, "SELECT COUNT(*) FROM message")  # taken mid-run
    last_id = _count(target, "SELECT MAX(id) FROM message")
    assert messages == _count(source, f"SELECT COUNT(*) FROM message WHERE id <= {last_id}")  # no gap
    assert _count(target, "SELECT SUM(message_count) FROM ticket") == messages  # tickets agree with messages
    events = _count(target, "SELECT COUNT(*) FROM event")
    tail = _count(target, "SELECT MAX(id) FROM event")
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        assert b.execute("SELECT hash FROM event ORDER BY id").fetchall() == \
            a.execute(f"SELECT hash FROM event WHERE id <= {tail} ORDER BY id").fetchall()
    assert events == _count(target, "SELECT COUNT(*) FROM ticket")  # one `created` event per ticket
    verified = run_cli(restored_config, "audit", "verify", "--json", user="kabid1")
    assert verified.code == 0 and '"ok": true' in verified.out


def test_restore_refuses_a_database_that_holds_tickets(tmp_path):
    from tests.conftest import PINNED_NOW
    from tests.factories import inbound
    from tests.test_cli_actions import seed

    source = tmp_path / "aduan.db"
    config = _config(tmp_path, source)
    seed(f"sqlite:///{source}", [inbound(1, base=PINNED_NOW)])
    made = run_cli(config, "db", "backup", str(tmp_path / "copies"), user="kabid1")
    assert made.code == 0, made.err
    copy = next((tmp_path / "copies").glob("aduan-*.db"))
    refused = run_cli(config, "db", "restore", str(copy), user="kabid1")
    assert refused.code == 1 and "--force" in refused.err
    assert run_cli(config, "db", "restore", str(copy), "--force", user="kabid1").code == 0


def test_restore_refuses_a_copy_of_an_unknown_schema(tmp_path):
    source = tmp_path / "aduan.db"
    config = _config(tmp_path, source)
    assert run_cli(config, "db", "backup", str(tmp_path / "copies"), user="kabid1").code == 0
    copy = next((tmp_path / "copies").glob("aduan-*.db"))
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = run_cli(_config(fresh, fresh / "aduan.db"), "db", "restore", str(copy), user="kabid1")
    assert result.code == 1 and "tidak dikenal" in result.err


def test_a_copy_with_a_broken_audit_chain_is_not_kept(tmp_path):
    from tests.conftest import PINNED_NOW
    from tests.factories import inbound
    from tests.test_cli_actions import seed
    from ticketing.errors import AduanError
    from ticketing.store.backup import verify_copy

    db = tmp_path / "aduan.db"
    seed(f"sqlite:///{db}", [inbound(1, base=PINNED_NOW)])
    verify_copy(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE event SET actor = 'mallory'")
    with pytest.raises(AduanError, match="rantai audit"):
        verify_copy(db)


def test_old_copies_are_rotated(tmp_path):
    source = tmp_path / "aduan.db"
    config = _config(tmp_path, source)
    for minute in range(3):
        result = run_cli(config, "db", "backup", str(tmp_path / "copies"), "--keep", "2", user="kabid1",
                         now=f"2026-11-23T03:0{minute}:00+00:00")
        assert result.code == 0, result.err
    kept = sorted(p.name for p in (tmp_path / "copies").glob("aduan-*.db"))
    assert kept == ["aduan-20261123-030100.db", "aduan-20261123-030200.db"]


def test_health_warns_without_a_recent_backup(tmp_path):
    import json

    source = tmp_path / "aduan.db"
    config = _config(tmp_path, source, backup={"dir": "copies", "keep": 3, "max_age_hours": 24})
    def codes(now: str = "2026-11-23T04:00:00+00:00") -> set[str]:
        report = json.loads(run_cli(config, "health", "--json", user="kabid1", now=now).out)
        return {w["code"] for w in report["warnings"]}

    assert "no_backup" in codes()
    assert run_cli(config, "db", "backup", user="kabid1").code == 0  # backup.dir, relative to the config
    assert (tmp_path / "copies").is_dir()
    assert not {"no_backup", "backup_old"} & codes()
    assert "backup_old" in codes(now="2026-11-24T04:00:00+00:00")  # 25 hours later


@pytest.mark.postgres
def test_the_application_roles_cannot_change_the_audit_trail(_migrated_postgres, tmp_path):
    postgres_url = _migrated_postgres
    from ticketing.store.db import open_database

    config = make_config(tmp_path, postgres_url)
    applied = run_cli(config, "db", "grants", "--apply", user="kabid1")
    assert applied.code == 0, applied.err
    engine = open_database(postgres_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO event (at, actor, action, detail, prev_hash, hash) "
                                 "VALUES (now(), 'system', 'probe', '', '', 'x')")
        for role in ("aduan_collector", "aduan_worker", "aduan_cli"):
            for statement in ("UPDATE event SET actor = 'mallory'", "DELETE FROM event", "TRUNCATE event"):
                with engine.connect() as conn, conn.begin():
                    conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
                    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                        conn.exec_driver_sql(statement)
            with engine.connect() as conn, conn.begin():  # appending is what they may do
                conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
                conn.exec_driver_sql("INSERT INTO event (at, actor, action, detail, prev_hash, hash) "
                                     "VALUES (now(), 'system', 'probe', '', '', 'y')")
                conn.exec_driver_sql("SELECT COUNT(*) FROM ticket")
                conn.rollback()
        with engine.connect() as conn, conn.begin():  # and the collector cannot touch escalations
            conn.exec_driver_sql("SET LOCAL ROLE aduan_collector")
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("UPDATE escalation SET note = ''")
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM event WHERE action = 'probe'")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_backup_uses_pg_dump(_migrated_postgres, tmp_path):
    postgres_url = _migrated_postgres
    config = make_config(tmp_path, postgres_url)
    result = run_cli(config, "db", "backup", str(tmp_path / "copies"), user="kabid1")
    assert result.code == 0, result.err
    dump = next((tmp_path / "copies").glob("aduan-*.dump"))
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
    assert listing.returncode == 0 and "TABLE public event" in listing.stdout


def test_the_grant_statements_never_allow_changing_events():
    from ticketing.store.grants import grant_statements

    sql = "\n".join(grant_statements(["event", "ticket", "message", "escalation", "alembic_version"]))
    granting = [line for line in sql.splitlines() if line.startswith("GRANT") and " event " in f" {line} "]
    assert granting and all(line.startswith("GRANT INSERT ON event") for line in granting)
    assert "alembic_version" not in "\n".join(line for line in sql.splitlines() if "INSERT, UPDATE" in line)
