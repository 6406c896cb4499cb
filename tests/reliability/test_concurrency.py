"""Test plan rows 1, 2, 7 and 8: overlapping collectors, a killed lock holder, a busy SQLite.

Everything runs through the real `aduan collect` processes against the fake Telegram server;
the SQLite lock is held by another real process with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from datetime import timedelta

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.fakes.telegram import TOKEN_ENV
from tests.reliability.helpers import HeldTelegram, sqlite_write_lock, start_cli
from ticketing.intake import channel_state
from ticketing.store.db import LOCK_RETRIES, DatabaseBusy, open_database, run_write

NOW = PINNED_NOW.isoformat()


@pytest.fixture
def fake():
    with HeldTelegram() as server:
        yield server


def sql(tmp_path, query: str):
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        return conn.execute(query).fetchall()


def config_for(tmp_path, fake, **database):
    return make_config(tmp_path, channels=[fake.channel_config()],
                       database={"url": f"sqlite:///{tmp_path / 'aduan.db'}", **database})


def test_row1_two_collectors_at_once_second_exits_locked_no_duplicates(tmp_path, fake):
    config = config_for(tmp_path, fake)
    ids = fake.add_citizen_messages(5)
    fake.hold()
    first = start_cli(config, "collect", now=NOW, env=fake.env())
    try:
        assert fake.waiting.wait(timeout=30), "the first run never reached the channel"
        second = run_cli(config, "collect", env=fake.env())  # the same minute's cron run, overlapping
        assert second.code == 0, second.err
        assert "proses lain" in second.out  # skipped: another run holds the channel
        assert fake.get_updates_calls() == 1  # and it never called the channel
    finally:
        fake.release()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "5 pesan baru" in out
    assert run_cli(config, "collect", env=fake.env()).code == 0
    stored = sql(tmp_path, "SELECT external_id FROM message WHERE direction = 'in'")
    assert sorted(e for (e,) in stored) == sorted(ids)  # rows = messages, nothing twice


def test_row2_killed_lock_holder_lease_expires_and_the_next_run_imports(tmp_path, fake):
    config = config_for(tmp_path, fake)
    ids = fake.add_citizen_messages(3)
    fake.hold()
    victim = start_cli(config, "collect", now=NOW, env=fake.env())
    assert fake.waiting.wait(timeout=30)
    victim.send_signal(signal.SIGKILL)  # kill -9 mid-fetch: no finally, no lease release
    assert victim.wait(timeout=10) == -signal.SIGKILL
    fake.release()
    [(owner, expires)] = sql(tmp_path, "SELECT lock_owner, lock_expires_at FROM collector_state")
    assert owner and f":{victim.pid}:" in owner
    soon = (PINNED_NOW + timedelta(minutes=5)).isoformat()
    blocked = run_cli(config, "collect", env=fake.env(), now=soon)
    assert blocked.code == 0 and "proses lain" in blocked.out  # the dead run's lease is still valid
    assert sql(tmp_path, "SELECT count(*) FROM message") == [(0,)]
    later = (PINNED_NOW + channel_state.LEASE_TTL + timedelta(seconds=1)).isoformat()
    resumed = run_cli(config, "collect", env=fake.env(), now=later)
    assert resumed.code == 0, resumed.err
    assert "3 pesan baru" in resumed.out
    assert sorted(e for (e,) in sql(tmp_path, "SELECT external_id FROM message")) == sorted(ids)
    assert sql(tmp_path, "SELECT lock_owner FROM collector_state") == [(None,)]


def test_row7_writer_waits_for_a_three_second_lock_and_succeeds(tmp_path, fake):
    db = tmp_path / "aduan.db"
    engine = open_database(f"sqlite:///{db}")  # migrated before the lock is taken
    calls = []
    with sqlite_write_lock(db, 3.0):
        started = time.monotonic()
        run_write(engine, lambda s: calls.append(s.execute(channel_state.STATE.insert().values(
            channel="probe", needs_reauth=False, budget_used=0)).rowcount))
        waited = time.monotonic() - started
    engine.dispose()
    assert calls == [1] and 2.0 < waited < 10  # it waited for the holder (busy_timeout), then won
    config = config_for(tmp_path, fake)
    ids = fake.add_citizen_messages(2)
    with sqlite_write_lock(db, 3.0):
        result = run_cli(config, "collect", env=fake.env())
    assert result.code == 0 and "locked" not in (result.out + result.err).lower(), result.err
    assert sorted(e for (e,) in sql(tmp_path, "SELECT external_id FROM message")) == sorted(ids)


def test_row8_lock_held_past_the_timeout_fails_cleanly_with_bounded_retries(tmp_path, fake):
    db = tmp_path / "aduan.db"
    config = config_for(tmp_path, fake, busy_timeout_ms=200)
    first_ids = fake.add_citizen_messages(2)
    assert run_cli(config, "collect", env=fake.env()).code == 0
    [(cursor_before,)] = sql(tmp_path, "SELECT cursor FROM collector_state")
    fake.add_citizen_messages(3)
    engine = open_database(f"sqlite:///{db}", busy_timeout_ms=200)
    attempts = []
    with sqlite_write_lock(db, 60.0) as holder:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy):
            run_write(engine, lambda s: (attempts.append(1), s.execute(channel_state.STATE.delete())))
        assert len(attempts) == LOCK_RETRIES + 1 and time.monotonic() - started < 5  # bounded, not 60 s
        calls = fake.get_updates_calls()
        result = run_cli(config, "collect", env=fake.env())
        assert holder.poll() is None  # the lock really was held throughout
    engine.dispose()
    assert result.code == 1
    assert "basis data terus dikunci proses aduan lain" in result.out + result.err
    assert "Traceback" not in result.err and "OperationalError" not in result.out + result.err
    assert fake.get_updates_calls() == calls  # no fetch without the lease: nothing read, nothing lost
    assert sql(tmp_path, "SELECT cursor FROM collector_state") == [(cursor_before,)]
    assert sorted(e for (e,) in sql(tmp_path, "SELECT external_id FROM message")) == sorted(first_ids)
    again = run_cli(config, "collect", env=fake.env())
    assert again.code == 0 and "3 pesan baru" in again.out
    assert TOKEN_ENV not in result.err
