"""The collect runner stores a batch and its cursor in one transaction (reliability plan #9).

`aduan collect` runs as a real subprocess and is SIGKILLed after the batch's messages and cursor
were written and before the commit (`ADUAN_FAULT=collect_before_commit`). Nothing of the batch may
be visible afterwards, neither a message nor an advanced cursor: with the cursor saved apart
from the messages, the crash would leave the cursor past messages that were never stored, and
Telegram, which forgets updates below the offset it was given, would never hand them out again.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.fakes.telegram import TelegramFake
from ticketing.intake.channel_state import LEASE_TTL


def _rows(tmp_path, query: str):
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        return conn.execute(query).fetchall()


def test_a_run_killed_before_its_commit_stores_nothing_and_the_next_run_stores_everything_once(tmp_path):
    with TelegramFake(base_time=PINNED_NOW - timedelta(hours=1)) as fake:
        config = make_config(tmp_path, channels=[fake.channel_config()])
        expected = set(fake.add_citizen_messages(3))

        crashed = run_cli(config, "collect", env={**fake.env(), "ADUAN_FAULT": "collect_before_commit"})

        assert crashed.code == -9, crashed.err
        assert fake.server.calls("getUpdates"), "the batch was fetched before the crash"
        assert _rows(tmp_path, "SELECT count(*) FROM message") == [(0,)]
        assert _rows(tmp_path, "SELECT count(*) FROM ticket") == [(0,)]
        assert _rows(tmp_path, "SELECT cursor FROM collector_state WHERE channel = 'tg-test'") in ([], [(None,)])

        # the crashed run's lease lapses; the next run fetches the same updates and stores them once
        later = (PINNED_NOW + LEASE_TTL + timedelta(seconds=1)).isoformat()
        again = run_cli(config, "collect", env=fake.env(), now=later)
        assert again.code == 0, again.err
        stored = {external_id for (external_id,) in _rows(tmp_path, "SELECT external_id FROM message")}
        assert stored == expected
        [(cursor,)] = _rows(tmp_path, "SELECT cursor FROM collector_state WHERE channel = 'tg-test'")
        assert cursor is not None
        third = run_cli(config, "collect", env=fake.env(), now=later)
        assert third.code == 0 and _rows(tmp_path, "SELECT count(*) FROM message") == [(3,)]
