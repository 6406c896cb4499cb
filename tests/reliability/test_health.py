"""Test plan rows 6, 13 and 15: `aduan health` tells monitoring the truth, one line per problem.

Stale channels (frozen clock moved past `stale_after_minutes`), a failing channel (500s: degraded,
then stale with its last error), rejected tokens, quarantine, half-sent replies, unprocessed webhook
bodies, webhook-only channels judged by their last delivery, and a missing worker/scheduler.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.reliability.helpers import HeldTelegram, wait_until


@pytest.fixture
def fake():
    with HeldTelegram() as server:
        yield server


def at(minutes: float) -> str:
    return (PINNED_NOW + timedelta(minutes=minutes)).isoformat()


def health(config, fake, minutes: float = 0, env=None):
    return run_cli(config, "health", env={**fake.env(), **(env or {})}, now=at(minutes))


def test_row15_healthy_then_stale_reports_the_last_successful_ingest(tmp_path, fake):
    config = make_config(tmp_path, channels=[dict(fake.channel_config(), stale_after_minutes=30)])
    never = health(config, fake)
    assert never.code == 1 and never.out.strip() == "tg-test: belum pernah berhasil diambil"
    fake.add_citizen_messages(1)
    assert run_cli(config, "collect", env=fake.env()).code == 0
    fine = health(config, fake, 29)
    assert fine.code == 0, fine.out
    assert fine.out.count("\n") == 1 and fine.out.startswith("ok: 1 kanal aktif sehat")
    assert "tg-test 23 Nov 2026 10.00 WIB" in fine.out  # the last *successful* ingest
    stale = health(config, fake, 31)
    assert stale.code == 1
    assert stale.out.strip() == "tg-test: terakhir berhasil 23 Nov 2026 10.00 WIB (31 menit lalu, batas 30 menit)"
    data = run_cli(config, "health", "--json", env=fake.env(), now=at(31)).json()
    assert data["ok"] is False and [p["code"] for p in data["problems"]] == ["stale"]
    assert data["channels"][0]["last_success_at"] == PINNED_NOW.isoformat()


def test_row13_server_errors_degrade_then_alert_with_the_error_and_reauth_alerts_at_once(tmp_path, fake):
    config = make_config(tmp_path, channels=[fake.channel_config()])  # default staleness: 60 minutes
    assert run_cli(config, "collect", env=fake.env()).code == 0
    fake.echo_status = 503
    failed = run_cli(config, "collect", env=fake.env(), now=at(5))
    assert failed.code == 1 and "503" in failed.out + failed.err
    degraded = run_cli(config, "health", "--json", env=fake.env(), now=at(10)).json()
    assert degraded["ok"] is True and degraded["channels"][0]["status"] == "degraded"  # one bad run: no alarm
    assert "503" in degraded["channels"][0]["last_error"]
    assert run_cli(config, "collect", env=fake.env(), now=at(65)).code == 1
    stale = health(config, fake, 70)
    assert stale.code == 1 and "(70 menit lalu, batas 60 menit); kesalahan terakhir:" in stale.out
    assert "503" in stale.out and "getUpdates" in stale.out and "/bot[REDACTED]" in stale.out
    fake.echo_status = 401
    assert run_cli(config, "collect", env=fake.env(), now=at(71)).code == 1
    reauth = health(config, fake, 72)
    assert reauth.code == 1 and reauth.out.startswith("tg-test: perlu otorisasi ulang")
    assert fake.env()["ADUAN_TEST_TG_TOKEN"].split(":")[1] not in reauth.out


def test_work_backlogs_each_get_one_line(tmp_path, fake):
    whatsapp = {"name": "wa-test", "type": "whatsapp", "base_url": fake.base_url, "phone_number_id": "1",
                "access_token_env": "ADUAN_TEST_WA_TOKEN", "app_secret_env": "ADUAN_TEST_WA_SECRET",
                "verify_token_env": "ADUAN_TEST_WA_VERIFY"}
    config = make_config(tmp_path, channels=[fake.channel_config(), whatsapp])
    fake.add_citizen_messages(1)
    fake.add_malformed_item()
    assert run_cli(config, "collect", "--channel", "tg-test", env=fake.env()).code == 0
    body = '{"object": "whatsapp_business_account", "entry": []}'
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        conn.execute("INSERT INTO webhook_delivery (source, body_sha256, payload, received_at, attempts) "
                     "VALUES ('wa-test', ?, ?, '2026-11-23 02:40:00.000000', 0)",
                     (hashlib.sha256(body.encode()).hexdigest(), body))
        conn.execute("INSERT INTO message (ticket_id, channel, thread_key, direction, author_id, author_handle, "
                     "author_name, is_private, text, flags, sent_at, delivery_state, delivery_attempts) VALUES "
                     "(1, 'tg-test', 't', 'out', 'admin1', 'admin1', '', 0, 'balasan', '', "
                     "'2026-11-23 02:00:00.000000', 'unknown', 1)")
    result = health(config, fake, 5)
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert lines[0].startswith("karantina: 1 item belum ditangani")
    assert lines[1].startswith("outbox: 1 balasan berstatus 'unknown'")
    assert lines[2].startswith("webhook: 1 kiriman belum diproses lebih dari 10 menit (tertua 23 Nov 2026 09.40")
    assert len(lines) == 3  # wa-test is judged by its last webhook (09.40 WIB): within the hour
    quiet = health(config, fake, 81)
    assert "wa-test: webhook terakhir diterima 23 Nov 2026 09.40 WIB (101 menit lalu" in quiet.out


@pytest.mark.redis
def test_row6_no_worker_or_scheduler_is_an_alert_until_one_runs(tmp_path, fake, redis_url):
    from tests.test_worker import Workers

    rurl = redis_url.rsplit("/", 1)[0] + "/7"
    from ticketing.background import jobs

    jobs.connect(rurl).flushdb()
    config = make_config(tmp_path, channels=[fake.channel_config()], redis={"url": rurl})
    fake.add_citizen_messages(1)
    assert run_cli(config, "collect", env=fake.env()).code == 0
    down = health(config, fake, 1)
    assert down.code == 1
    assert [line.split(":")[0] for line in down.out.strip().splitlines()] == ["worker", "scheduler"]
    workers = Workers(config, rurl)
    try:
        workers.start("--sweep-every", "0")
        up = wait_until(lambda: (r := run_cli(config, "health", "--json", env=fake.env(), now=at(1))).code == 0 and r,
                        timeout=30, what="the worker and its scheduler to register")
        queues = up.json()["queues"]
        assert queues["scheduler"] is True and len(queues["workers"]) == 1
    finally:
        workers.stop()
        jobs.connect(rurl).flushdb()
