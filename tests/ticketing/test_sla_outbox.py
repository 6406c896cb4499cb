"""The outbox delivers each reply exactly once (inline mode, no Redis), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.cli_helpers import ROOT, make_config
from tests.conftest import PINNED_NOW, count
from tests.fakes.echo_channel import EchoCollector, EchoServer, seed_ticket, settings_for
from ticketing.app import App
from ticketing.background.inline import run_inline_work
from ticketing.outbound import outbox
from ticketing.store.db import read_session, write_session
from ticketing.store.models import CollectorState, Message, Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.roles import Actor

NOW = PINNED_NOW
ADMIN = Actor("admin1", "admin")


@pytest.fixture
def echo(monkeypatch):
    from ticketing.contract import registry

    monkeypatch.setitem(registry.available(), "echo", type("E", (), {"load": staticmethod(lambda: EchoCollector)}))
    with EchoServer() as server:
        yield server


def make_app(db_url, echo, now=NOW) -> App:
    return App(settings_for(db_url, echo), environ={}, now=now)


def reply(app, ticket_id: int, text: str = "Sudah kami aktifkan, silakan cek kembali.") -> int:
    with write_session(app.engine) as session:
        return workflow.reply(session, session.get(Ticket, ticket_id), text, ADMIN, app.now()).id


def message(app, message_id: int) -> Message:
    with read_session(app.engine) as session:
        return session.get(Message, message_id)


def test_reply_is_delivered_once_with_the_channel_id(db_url, echo):
    app = make_app(db_url, echo)
    ticket_id = seed_ticket(app, NOW - timedelta(hours=2))
    message_id = reply(app, ticket_id)
    run_inline_work(app)
    run_inline_work(app)
    assert len(echo.sent) == 1
    sent = echo.sent[0]
    assert sent["local_id"] == str(message_id) and sent["in_reply_to"] == "m1" and sent["recipient_id"] == "u1"
    row = message(app, message_id)
    assert (row.delivery_state, row.external_id, row.delivery_attempts) == ("sent", "echo-1", 1)
    assert row.delivered_at == NOW
    assert count(app.engine, "event", "WHERE action = 'delivered'") == 1
    # the same delivery attempted again (a retried job) claims nothing and sends nothing
    assert outbox.deliver(app, message_id).state == "skipped" and len(echo.sent) == 1
    app.engine.dispose()


def test_transient_errors_back_off_then_deliver(db_url, echo):
    app = make_app(db_url, echo)
    message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
    echo.fail_with = [503, 429]
    first = outbox.deliver(app, message_id)
    assert first.state == "pending" and first.retry_at == NOW + timedelta(seconds=outbox.BACKOFF_SECONDS[0])
    assert outbox.deliver(app, message_id).state == "skipped"  # not due yet
    later = App(app.settings, {}, now=first.retry_at)
    second = outbox.deliver(later, message_id)
    assert second.state == "pending" and second.retry_at > first.retry_at  # the 429 named its own time
    final = outbox.deliver(App(app.settings, {}, now=second.retry_at), message_id)
    assert final.state == "sent" and len(echo.sent) == 1
    assert message(app, message_id).delivery_attempts == 3
    app.engine.dispose()


def test_gives_up_after_max_attempts(sqlite_engine, tmp_path, echo):
    app = make_app(str(sqlite_engine.url), echo)
    message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
    echo.fail_with = [500] * outbox.MAX_ATTEMPTS
    when = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        outcome = outbox.deliver(App(app.settings, {}, now=when), message_id)
        when = outcome.retry_at or when
    assert outcome.state == "failed" and "menyerah" in message(app, message_id).delivery_error
    assert echo.sent == []


def test_expired_token_fails_flags_the_channel_and_alerts_once(db_url, echo):
    app = make_app(db_url, echo)
    ticket_id = seed_ticket(app, NOW - timedelta(hours=2))
    first, second = reply(app, ticket_id), reply(app, ticket_id, "Tambahan informasi.")
    echo.fail_with = [401, 401]
    assert outbox.deliver(app, first).state == "failed"
    assert outbox.deliver(app, second).state == "failed"
    with read_session(app.engine) as session:
        assert session.get(CollectorState, "echo-test").needs_reauth
    assert count(app.engine, "notification", "WHERE kind = 'reauth'") == 1
    assert "token expired" in message(app, first).delivery_error


def test_refused_send_fails_with_the_reason(db_url, echo):
    app = make_app(db_url, echo)
    message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
    echo.fail_with = [403]
    outcome = outbox.deliver(app, message_id)
    assert outcome.state == "failed" and "reply window" in outcome.error
    assert count(app.engine, "event", "WHERE action = 'delivery_failed'") == 1


def test_unexpected_error_means_unknown_not_resent(db_url, echo):
    app = make_app(db_url, echo)
    message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))

    class Exploding:
        def send(self, outbound):
            raise KeyError("id")  # e.g. the channel answered 200 with a body we did not expect

    assert outbox.deliver(app, message_id, collector_factory=lambda _name: Exploding()).state == "unknown"
    run_inline_work(app)
    assert echo.sent == [] and message(app, message_id).delivery_state == "unknown"


def test_claim_is_exclusive(db_url, echo):
    app = make_app(db_url, echo)
    message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
    with write_session(app.engine) as session:
        assert outbox.claim(session, message_id, NOW)
    with write_session(app.engine) as session:
        assert not outbox.claim(session, message_id, NOW)


def aduan(config, *args: str, now: str, fault: str | None = None) -> subprocess.CompletedProcess:
    """The real entry point with the echo type registered (tests.fakes.echo_channel's __main__)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env.update({"ADUAN_CONFIG": str(config), "ADUAN_USER": "admin1", "ADUAN_NOW": now, "COLUMNS": "160"})
    if fault:
        env["ADUAN_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "tests.fakes.echo_channel", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_crash_after_send_leaves_the_reply_to_verify_never_resent(tmp_path):
    """Test plan row 27: the provider accepted, the process died before the commit."""
    with EchoServer() as echo:
        db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
        app = App(settings_for(db_url, echo), environ={}, now=NOW)
        message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
        app.engine.dispose()
        config = make_config(tmp_path, db_url, channels=[echo.channel_config()])
        iso = NOW.isoformat()
        crashed = aduan(config, "sla", "sweep", now=iso, fault="after_send")
        assert crashed.returncode == -9, crashed.stderr
        assert len(echo.sent) == 1
        assert _state(db_url, message_id) == "sending"
        # a run within the lease leaves it alone (a live sender could still be finishing)
        assert aduan(config, "sla", "sweep", now=iso).returncode == 0
        assert _state(db_url, message_id) == "sending" and len(echo.sent) == 1
        # after the lease it is `unknown`: listed for a human, not sent again
        later = (NOW + outbox.SEND_LEASE + timedelta(seconds=1)).isoformat()
        assert aduan(config, "sla", "sweep", now=later).returncode == 0
        assert _state(db_url, message_id) == "unknown" and len(echo.sent) == 1
        listed = aduan(config, "outbox", "list", "--json", now=later)
        assert [(i["id"], i["state"]) for i in json.loads(listed.stdout)] == [(message_id, "unknown")]
        human = aduan(config, "outbox", "list", now=later)
        assert "perlu dicek" in human.stdout and "confirm-sent" in human.stdout
        # the admin saw it on the channel: mark it sent, nothing goes out
        marked = aduan(config, "outbox", "mark-sent", str(message_id), "--external-id", "echo-1", now=later)
        assert marked.returncode == 0, marked.stderr
        assert _state(db_url, message_id) == "sent" and len(echo.sent) == 1
        refused = aduan(config, "outbox", "resend", str(message_id), now=later)
        assert refused.returncode == 1 and "hanya" in refused.stderr


def test_resend_after_verification_delivers_again(tmp_path):
    with EchoServer() as echo:
        db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
        app = App(settings_for(db_url, echo), environ={}, now=NOW)
        message_id = reply(app, seed_ticket(app, NOW - timedelta(hours=2)))
        with write_session(app.engine) as session:
            session.execute(sa.update(Message).where(Message.id == message_id).values(delivery_state="unknown"))
        app.engine.dispose()
        config = make_config(tmp_path, db_url, channels=[echo.channel_config()])
        result = aduan(config, "outbox", "resend", str(message_id), now=NOW.isoformat())
        assert result.returncode == 0, result.stderr
        assert _state(db_url, message_id) == "sent" and len(echo.sent) == 1  # inline: delivered by the command


def _state(db_url: str, message_id: int) -> str:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT delivery_state FROM message WHERE id = :i"), {"i": message_id}).scalar()
    engine.dispose()
    return value
