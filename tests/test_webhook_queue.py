"""The stored-delivery queue: a failing row backs off and is dead-lettered, and never holds back the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.cli_helpers import make_config, run_cli
from tests.fakes import whatsapp as wa

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path):
    channel = wa.channel_config("http://127.0.0.1:9")  # media is never fetched here
    return make_config(tmp_path, channels=[channel], webhook={"max_attempts": 3, "retry_base_seconds": 30})


def app_at(config, when: datetime):
    from ticketing.app import App
    from ticketing.config import load_settings

    return App(load_settings(str(config), {}), dict(wa.ENV), now=when)


def store(app, source: str, text: str) -> int:
    from ticketing.store.db import run_write
    from ticketing.webhooks.queue import store_delivery

    return run_write(app.engine, lambda s: store_delivery(s, source, text.encode("utf-8", "surrogatepass"),
                                                           app.now(), text))


def good_body(n: int) -> str:
    message, contact = wa.text_message(f"wamid.G{n}", f"62812{n:07d}", f"KTP saya {n} belum jadi", 1795402000)
    return json.dumps(wa.envelope([message], [contact]))


def rows(app) -> dict[int, tuple]:
    with app.engine.connect() as conn:
        return {r.id: r for r in conn.execute(sa.text(
            "SELECT id, attempts, error, next_attempt_at, dead_at, processed_at FROM webhook_delivery"))}


def drain(app) -> int:
    from ticketing.webhooks.queue import process_pending

    passes = 0
    while process_pending(app, limit=20).attempted:
        passes += 1
        assert passes < 20
    return passes


# Rows that stuck before: a body stored as text no parser can read (UTF-16 read as UTF-8), and a
# channel no longer configured. A BOM the old receiver kept in the text is now read.
LEGACY_BOM = "\ufeff" + good_body(900)
UTF16_AS_UTF8 = good_body(901).encode("utf-16").decode("utf-8", "replace")


def test_twenty_five_failing_rows_in_front_do_not_hold_back_a_good_one(config):
    app = app_at(config, NOW)
    bad = [store(app, "wa-test", UTF16_AS_UTF8) for _ in range(24)]
    bad.append(store(app, "wa-removed", good_body(902)))
    legacy = store(app, "wa-test", LEGACY_BOM)
    good = store(app, "wa-test", good_body(1))
    drain(app)
    state = rows(app)
    assert state[good].processed_at is not None and state[legacy].processed_at is not None
    with app.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT external_id FROM message ORDER BY external_id")).scalars().all()
    assert stored == ["wamid.G1", "wamid.G900"]
    for row_id in bad:
        assert state[row_id].processed_at is None and state[row_id].attempts == 1
        assert state[row_id].dead_at is None
    assert "JSONDecodeError" in state[bad[0]].error
    assert "wa-removed" in state[bad[-1]].error


def test_a_failing_row_backs_off_exponentially_then_is_dead_lettered_and_can_be_requeued(config):
    app = app_at(config, NOW)
    row_id = store(app, "wa-test", UTF16_AS_UTF8)
    drain(app)

    def state():
        return rows(app_at(config, NOW))[row_id]

    def at(when):
        return datetime.fromisoformat(str(when)).replace(tzinfo=UTC) if when else None

    assert state().attempts == 1 and at(state().next_attempt_at) == NOW + timedelta(seconds=30)
    assert drain(app_at(config, NOW + timedelta(seconds=29))) == 0  # not due yet
    assert state().attempts == 1
    drain(app_at(config, NOW + timedelta(seconds=30)))
    assert state().attempts == 2 and at(state().next_attempt_at) == NOW + timedelta(seconds=30 + 60)
    drain(app_at(config, NOW + timedelta(seconds=89)))
    assert state().attempts == 2
    drain(app_at(config, NOW + timedelta(seconds=90)))
    assert state().attempts == 3 and state().dead_at is not None and state().next_attempt_at is None
    assert drain(app_at(config, NOW + timedelta(days=30))) == 0  # dead letters wait for a person

    health = run_cli(config, "health", "--json", env=wa.ENV)
    kinds = [p["code"] for p in health.json()["problems"]]
    assert "webhook_dead" in kinds
    listed = run_cli(config, "webhook", "deliveries", "--failed", "--json", env=wa.ENV).json()
    assert [(d["id"], d["state"], d["attempts"]) for d in listed] == [(row_id, "dead", 3)]
    assert "JSONDecodeError" in listed[0]["error"]
    table = run_cli(config, "webhook", "deliveries", "--failed", env=wa.ENV)
    assert table.code == 0 and "dihentikan" in table.out

    retried = run_cli(config, "webhook", "retry", str(row_id), env=wa.ENV)
    assert retried.code == 0, retried.err
    assert state().dead_at is None and state().attempts == 0
    drain(app_at(config, NOW + timedelta(days=30)))
    assert state().attempts == 1  # tried again (and failed again: the body is still unreadable)
    assert run_cli(config, "webhook", "retry", "999999", env=wa.ENV).code != 0


def test_health_counts_rows_that_fail_and_wait(config):
    app = app_at(config, NOW)
    store(app, "wa-test", UTF16_AS_UTF8)
    drain(app)
    health = run_cli(config, "health", "--json", env=wa.ENV)
    problems = {p["code"]: p for p in health.json()["problems"]}
    assert "webhook_failing" in problems and "webhook_dead" not in problems


def test_webhook_process_command_reports_failures_and_exits_nonzero(config):
    app = app_at(config, NOW)
    store(app, "wa-test", good_body(5))
    store(app, "wa-test", UTF16_AS_UTF8)
    result = run_cli(config, "webhook", "process", env=wa.ENV)
    assert result.code == 1
    assert "1 webhook diproses, 1 gagal" in result.out
    assert "JSONDecodeError" in result.err
