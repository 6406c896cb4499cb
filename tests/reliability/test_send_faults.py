"""A reply whose request reached the channel but whose answer never came is `unknown`, not resent.

Each channel's fake reads the send, handles it (the citizen got it), then drops the connection
or stays silent past the client's read timeout. The outbox must mark the row `unknown`, never
send it again on its own, `aduan health` must flag it, and the admin's `aduan outbox
confirm-sent` / `resend` moves it on. SMTP: the mail is taken after the end of DATA and the
server's answer never arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.fakes import whatsapp as wa
from tests.fakes.base import Response
from tests.fakes.graph_api import PAGE_ID, FacebookFake
from tests.fakes.mail import SmtpSink
from tests.fakes.telegram import TelegramFake
from tests.fakes.x_api import XFake
from ticketing.app import App
from ticketing.background.inline import run_inline_work
from ticketing.config import Settings
from ticketing.contract import InboundMessage
from ticketing.intake.collect import collect
from ticketing.intake.ingest import ingest_batch
from ticketing.outbound import outbox
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Message, Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.roles import Actor

NOW = PINNED_NOW
ADMIN = Actor("admin1", "admin")
CLIENT_TIMEOUT = 0.5  # seconds; a stalling fake waits longer than this
STALL = 3.0


@dataclass
class Channel:
    """One channel under test: its fake, config, how a citizen message gets in, what it received."""

    fake: Any
    config: dict[str, Any]
    env: dict[str, str]
    fault_path: str | None  # "METHOD /path" part of the send; None for SMTP

    @property
    def name(self) -> str:
        return self.config["name"]

    def copies(self) -> int:
        if isinstance(self.fake, SmtpSink):
            return len(self.fake.mails)
        return len([s for s in self.fake.sent if s.get("kind", "message") in ("message", "dm", "tweet")])

    def fail_next_send(self, mode: str) -> None:
        if isinstance(self.fake, SmtpSink):
            self.fake.after_data, self.fake.stall_seconds = mode, STALL
        else:
            self.fake.server.fail_after_read(self.fault_path, mode, STALL)


def _telegram():
    fake = TelegramFake(base_time=NOW - timedelta(hours=1))
    return fake, lambda: Channel(fake, {**fake.channel_config(), "timeout_seconds": CLIENT_TIMEOUT}, fake.env(),
                                 "POST /bot")


def _facebook():
    fake = FacebookFake(start=NOW - timedelta(hours=1))
    return fake, lambda: Channel(fake, {**fake.channel_config(), "timeout_seconds": CLIENT_TIMEOUT}, fake.env(),
                                 f"POST /v23.0/{PAGE_ID}/messages")


def _x():
    fake = XFake()
    return fake, lambda: Channel(fake, {**fake.channel_config(), "timeout_seconds": CLIENT_TIMEOUT}, fake.env(),
                                 "POST /2/")


def _whatsapp():
    fake = wa.WhatsAppCloudFake()

    def build():
        config = {**wa.channel_config(fake.base_url), "timeout_seconds": CLIENT_TIMEOUT}
        return Channel(fake, config, dict(wa.ENV), f"POST /v23.0/{wa.PHONE_NUMBER_ID}/messages")

    return fake, build


def _smtp(tmp_path: Path):
    fake = SmtpSink()

    def build():
        config = {"name": "mail-test", "type": "email", "enabled": True, "imap_host": "127.0.0.1", "imap_port": 1,
                  "username": "pengaduan@dukcapil.example", "password_env": "ADUAN_TEST_MAIL_PASSWORD",
                  "from_address": "pengaduan@dukcapil.example", "smtp_host": "127.0.0.1", "smtp_port": fake.port,
                  "smtp_auth": True, "smtp_username": fake.username, "smtp_security": "none",
                  "timeout_seconds": CLIENT_TIMEOUT, "attachments_dir": str(tmp_path / "lampiran")}
        return Channel(fake, config, {"ADUAN_TEST_MAIL_PASSWORD": fake.password}, None)

    return fake, build


CHANNELS = {"telegram": _telegram, "facebook": _facebook, "x": _x, "whatsapp": _whatsapp, "smtp": _smtp}


@pytest.fixture(params=sorted(CHANNELS))
def channel(request, tmp_path):
    factory = CHANNELS[request.param]
    fake, build = factory(tmp_path) if request.param == "smtp" else factory()
    with fake:
        yield build()


def _settings(db_url: str, channel: Channel) -> Settings:
    return Settings.model_validate({"database": {"url": db_url}, "channels": [channel.config],
                                    "staff": [{"username": "admin1", "role": "admin"}]})


def citizen_message(app: App, channel: Channel) -> int:
    """A citizen's message through the channel's real way in; the id of its ticket."""
    if channel.config["type"] in ("telegram", "facebook", "x"):
        channel.fake.add_citizen_messages(1)
        runs = collect(app, channel=channel.name)
        assert runs[0].result.new_messages == 1, runs[0]
    else:
        if channel.config["type"] == "whatsapp":
            from ticketing.contract.registry import build_collector

            collector = build_collector(app.settings.channel(channel.name), channel.env)
            message, contact = wa.text_message("wamid.IN0001", "6281234500001", "KTP-el saya belum jadi",
                                               int(NOW.timestamp()) - 600)
            messages = collector.parse_webhook(wa.envelope([message], [contact])).messages
        else:
            messages = [InboundMessage(channel=channel.name, external_id="warga-1@contoh.id",
                                       thread_key="warga-1@contoh.id", text="KTP-el saya belum jadi",
                                       sent_at=NOW - timedelta(minutes=10), author_id="warga1@contoh.id",
                                       author_name="Warga Satu", subject="KTP-el")]
        with write_session(app.engine) as session:
            ingest_batch(session, channel.name, messages, now=app.now(), channel_type=channel.config["type"],
                         policy=app.ingest_policy())
    with read_session(app.engine) as session:
        return session.execute(sa.select(Ticket.id).where(Ticket.channel == channel.name)).scalar_one()


def answer(app: App, ticket_id: int, text: str = "KTP-el Bapak/Ibu sudah dicetak, silakan diambil.") -> int:
    with write_session(app.engine) as session:
        return workflow.reply(session, session.get(Ticket, ticket_id), text, ADMIN, app.now()).id


def state_of(app: App, message_id: int) -> tuple[str, str | None]:
    with read_session(app.engine) as session:
        row = session.get(Message, message_id)
        return row.delivery_state, row.external_id


@pytest.mark.parametrize("mode", ["drop", "stall"])
def test_a_send_cut_off_after_the_request_is_unknown_and_settled_by_the_admin(channel, mode, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    app = App(_settings(db_url, channel), environ=channel.env, now=NOW)
    message_id = answer(app, citizen_message(app, channel))
    channel.fail_next_send(mode)

    outcome = outbox.deliver(app, message_id)

    assert outcome.state == "unknown", outcome
    assert channel.copies() == 1  # the channel got it once...
    assert state_of(app, message_id)[0] == "unknown"
    # ...and nothing sends it again: not a later delivery, not the inline work of the next command
    later = App(app.settings, channel.env, now=NOW + timedelta(days=1))
    later.__dict__["engine"] = app.engine
    assert outbox.deliver(later, message_id).state == "skipped"
    run_inline_work(later)
    assert channel.copies() == 1 and state_of(app, message_id)[0] == "unknown"
    app.engine.dispose()

    config = make_config(tmp_path, db_url, channels=[{**channel.config, "enabled": False}])
    health = run_cli(config, "health", "--json", env=channel.env)
    assert health.code != 0
    problems = {p["code"]: p["message"] for p in health.json()["problems"]}
    assert "outbox_unknown" in problems and "confirm-sent" in problems["outbox_unknown"]
    listed = run_cli(config, "outbox", "list", "--json", env=channel.env).json()
    assert [(i["id"], i["state"]) for i in listed] == [(message_id, "unknown")] and listed[0]["how_to_check"]

    settled = run_cli(config, "outbox", "confirm-sent", str(message_id), "--external-id", "seen-on-channel",
                      env=channel.env)
    assert settled.code == 0, settled.err
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(Message.delivery_state, Message.external_id).where(Message.id == message_id)).one()
        actions = list(conn.execute(sa.text("SELECT action FROM event WHERE detail LIKE :m ORDER BY id"),
                                    {"m": f'%"message_id": {message_id}%'}).scalars())
    engine.dispose()
    assert tuple(row) == ("sent", "seen-on-channel") and channel.copies() == 1
    # the outbox row's story, then the ticket's: settled as sent answers it (issue 15)
    assert actions[-3:] == ["delivery_unknown", "delivery_marked_sent", "answer_delivered"]
    # settled once: a second settle of either kind is refused by the state guard
    again = run_cli(config, "outbox", "resend", str(message_id), env=channel.env)
    assert again.code != 0 and channel.copies() == 1
    after = run_cli(config, "health", "--json", env=channel.env).json()
    assert all(p["code"] != "outbox_unknown" for p in after["problems"])


def test_a_refused_connection_is_retried_not_unknown(tmp_path):
    """Before the request could reach the channel (nothing listens): retry-safe, back to pending."""
    with TelegramFake() as fake:
        config = {**fake.channel_config(), "timeout_seconds": CLIENT_TIMEOUT}
        channel = Channel(fake, config, fake.env(), "POST /bot")
        app = App(_settings(f"sqlite:///{tmp_path / 'aduan.db'}", channel), environ=fake.env(), now=NOW)
        message_id = answer(app, citizen_message(app, channel))
    # the fake is gone: its port refuses connections
    outcome = outbox.deliver(app, message_id)
    assert outcome.state == "pending" and outcome.retry_at is not None, outcome
    assert state_of(app, message_id)[0] == "pending"
    app.engine.dispose()


LONG_REPLY = "\n\n".join(f"Paragraf {n}: " + "Persyaratan perekaman KTP-el di kecamatan. " * 40 for n in range(6))


def _telegram_app(tmp_path: Path, fake: TelegramFake) -> tuple[App, Channel, int]:
    channel = Channel(fake, {**fake.channel_config(), "timeout_seconds": CLIENT_TIMEOUT}, fake.env(), "POST /bot")
    app = App(_settings(f"sqlite:///{tmp_path / 'aduan.db'}", channel), environ=fake.env(), now=NOW)
    return app, channel, answer(app, citizen_message(app, channel), LONG_REPLY)


def _parts(app: App, message_id: int) -> dict[int, str]:
    with read_session(app.engine) as session:
        return outbox.parts_done(session, message_id)


def test_a_multi_part_reply_whose_second_part_fails_is_completed_without_the_first_again(tmp_path):
    from collectors.telegram import split_text

    parts = split_text(LONG_REPLY)
    assert len(parts) >= 3
    with TelegramFake(base_time=NOW - timedelta(hours=1)) as fake:
        app, _channel, message_id = _telegram_app(tmp_path, fake)
        fake.fail_send(after=1, code=500)  # part 1 accepted, part 2 refused by a server error

        first = outbox.deliver(app, message_id)

        assert first.state == "pending" and [s["text"] for s in fake.sent] == parts[:1]
        assert list(_parts(app, message_id)) == [0]
        retry = App(app.settings, fake.env(), now=first.retry_at)
        retry.__dict__["engine"] = app.engine
        second = outbox.deliver(retry, message_id)
        assert second.state == "sent", second
        assert [s["text"] for s in fake.sent] == parts  # each part exactly once, in order
        assert second.external_id == f"{fake.sent[0]['chat_id']}:{fake.sent[0]['message_id']}"
        assert sorted(_parts(app, message_id)) == list(range(len(parts)))
        app.engine.dispose()


def test_a_multi_part_reply_cut_off_mid_way_resends_only_the_parts_not_accepted(tmp_path):
    from collectors.telegram import split_text

    parts = split_text(LONG_REPLY)
    with TelegramFake(base_time=NOW - timedelta(hours=1)) as fake:
        app, _channel, message_id = _telegram_app(tmp_path, fake)
        fake.server.fail_after_read("sendMessage", "drop", after=1)  # part 2 taken, its answer lost

        assert outbox.deliver(app, message_id).state == "unknown"
        assert [s["text"] for s in fake.sent] == parts[:2] and list(_parts(app, message_id)) == [0]
        # the admin sees part 2 did not arrive (say) and resends: part 1 is never repeated
        with write_session(app.engine) as session:
            from ticketing.outbound.settle import resend

            resend(session, message_id, "admin1", NOW)
        assert outbox.deliver(app, message_id).state == "sent"
        assert [s["text"] for s in fake.sent] == [parts[0], parts[1], *parts[1:]]
        app.engine.dispose()


def test_a_settle_racing_another_changes_nothing(tmp_path, monkeypatch):
    """The row is read as `unknown`, but another admin settled it before this UPDATE: refused."""
    from ticketing.errors import InvalidTransition
    from ticketing.outbound import settle

    with TelegramFake(base_time=NOW - timedelta(hours=1)) as fake:
        app, _channel, message_id = _telegram_app(tmp_path, fake)
        with write_session(app.engine) as session:
            session.execute(sa.update(Message).where(Message.id == message_id).values(
                delivery_state="sent", external_id="880001:999"))
        stale = type("Row", (), {"id": message_id, "delivery_state": "unknown", "ticket_id": None})
        monkeypatch.setattr(settle, "_settleable", lambda *_args: stale)
        for action in (lambda s: settle.confirm_sent(s, message_id, "admin1", NOW, "other-id"),
                       lambda s: settle.resend(s, message_id, "admin1", NOW)):
            with pytest.raises(InvalidTransition), write_session(app.engine) as session:
                action(session)
        assert state_of(app, message_id) == ("sent", "880001:999") and fake.sent == []
        app.engine.dispose()


ACCEPTED_WITHOUT_ID = {
    "telegram": Response(200, {"ok": True, "result": {"chat": {"id": 1}}}),
    "facebook": Response(200, {"recipient_id": "123"}),
    "x": Response(201, {"data": {"text": "ok"}}),
    "whatsapp": Response(200, {"messaging_product": "whatsapp", "messages": []}),
}
NOT_JSON = Response(200, raw=b"<html>OK</html>", content_type="text/html")


@pytest.mark.parametrize("answer_kind", ["no id", "not json"])
def test_an_acceptance_without_an_id_is_unknown(channel, answer_kind, tmp_path):
    """The channel took the reply (2xx) but its answer names no message id, or cannot be read."""
    kind = channel.config["type"] if channel.config["type"] != "email" else None
    if kind is None:
        pytest.skip("SMTP: the Message-ID is ours, an accepted mail always has its id")
    app = App(_settings(f"sqlite:///{tmp_path / 'aduan.db'}", channel), environ=channel.env, now=NOW)
    message_id = answer(app, citizen_message(app, channel))
    channel.fake.server.replace_next_answer(channel.fault_path,
                                            ACCEPTED_WITHOUT_ID[kind] if answer_kind == "no id" else NOT_JSON)
    outcome = outbox.deliver(app, message_id)
    assert outcome.state == "unknown", outcome
    assert channel.copies() == 1 and state_of(app, message_id)[0] == "unknown"
    app.engine.dispose()
