"""The SLA sweep, timer claims, notifications, recompute and pauses, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import PINNED_NOW, count
from tests.fakes.base import FakeServer, Request, Response
from tests.fakes.echo_channel import seed_ticket, settings_for
from ticketing.app import App
from ticketing.background.jobs import sweep_cycle
from ticketing.sla import tracking as sla
from ticketing.store.db import read_session, run_write, write_session
from ticketing.store.models import Ticket

WIB = ZoneInfo("Asia/Jakarta")
NOW = PINNED_NOW  # Monday 23 Nov 2026, 10:00 WIB


def at(*args: int):
    from datetime import datetime

    return datetime(*args, tzinfo=WIB)


def make_app(db_url: str, now=NOW, environ=None, **sections) -> App:
    return App(settings_for(db_url, **sections), environ=environ or {}, now=now)


@pytest.fixture
def app(db_url):
    app = make_app(db_url)
    yield app
    app.engine.dispose()


def seed_three(app) -> tuple[int, int, int]:
    """Breached (due Fri 20 Nov 16:30), warning (due today 16:00, 6 h left), fine (received now)."""
    late = seed_ticket(app, at(2026, 11, 17, 10, 0), n=1)
    soon = seed_ticket(app, at(2026, 11, 18, 10, 0), n=2)
    fine = seed_ticket(app, NOW, n=3)
    return late, soon, fine


def ticket(app, ticket_id: int) -> Ticket:
    with read_session(app.engine) as session:
        return session.get(Ticket, ticket_id)


def test_sweep_marks_and_notifies_once(app):
    late, soon, fine = seed_three(app)
    assert ticket(app, soon).due_at == at(2026, 11, 23, 16, 0)
    result = run_write(app.engine, lambda s: sla.sweep(s, NOW, app.warn_before))
    assert (result.breached, result.warned) == ([late], [soon])
    assert ticket(app, late).sla_state == "breached" and ticket(app, late).breach_notified_at == NOW
    assert ticket(app, soon).sla_state == "warning" and ticket(app, fine).sla_state == "ok"
    assert count(app.engine, "notification") == 2
    assert count(app.engine, "event", "WHERE action IN ('sla_breached', 'sla_warning')") == 2
    # a second sweep, an hour later and at the due time of `soon`, adds only the new breach
    again = run_write(app.engine, lambda s: sla.sweep(s, NOW + timedelta(hours=1), app.warn_before))
    assert (again.breached, again.warned) == ([], [])
    final = run_write(app.engine, lambda s: sla.sweep(s, at(2026, 11, 23, 16, 0), app.warn_before))
    assert final.breached == [soon]
    assert count(app.engine, "notification", "WHERE key LIKE 'sla-breach:%'") == 2
    # timers that fire after the sweep claimed the notice do nothing
    outcome = run_write(app.engine, lambda s: sla.claim_timer(s, late, sla.BREACH, NOW, app.warn_before))
    assert outcome == ("done", None)
    assert count(app.engine, "notification") == 3


def test_catch_up_after_an_outage_notifies_every_overdue_ticket_once(app, monkeypatch):
    """Test plan row 6: nothing ran for hours; one cycle (in small transactions) catches up."""
    ids = [seed_ticket(app, at(2026, 11, 16, 9, i), n=i) for i in range(1, 8)]
    monkeypatch.setattr(sla, "SWEEP_BATCH", 3)
    report = sweep_cycle(app, NOW + timedelta(hours=2), inline=True)
    assert report.sweep["breached"] == len(ids)
    assert sweep_cycle(app, NOW + timedelta(hours=3), inline=True).sweep["breached"] == 0
    assert count(app.engine, "notification", "WHERE key LIKE 'sla-breach:%'") == len(ids)
    assert count(app.engine, "event", "WHERE action = 'sla_breached'") == len(ids)


def test_timer_claims_once_and_reports_a_moved_deadline(app):
    late, _soon, fine = seed_three(app)
    first = run_write(app.engine, lambda s: sla.claim_timer(s, late, sla.BREACH, NOW, app.warn_before))
    second = run_write(app.engine, lambda s: sla.claim_timer(s, late, sla.BREACH, NOW, app.warn_before))
    assert first[0] == "claimed" and second[0] == "done"
    swept = run_write(app.engine, lambda s: sla.sweep(s, NOW, app.warn_before))
    assert late not in swept.breached
    assert count(app.engine, "notification", f"WHERE key = 'sla-breach:{late}'") == 1
    early = run_write(app.engine, lambda s: sla.claim_timer(s, fine, sla.BREACH, NOW, app.warn_before))
    assert early == ("early", ticket(app, fine).due_at)


def test_answered_tickets_get_met_or_late_and_stop_counting(app):
    from ticketing.workflow import transitions as workflow
    from ticketing.workflow.delivery import apply_delivery_outcome
    from ticketing.workflow.roles import Actor

    late, soon, _fine = seed_three(app)
    with write_session(app.engine) as session:
        for ticket_id in (late, soon):
            sent = workflow.reply(session, session.get(Ticket, ticket_id), "Sudah kami proses.",
                                  Actor("admin1", "admin"), NOW)
            sent.delivery_state = "sent"
            apply_delivery_outcome(session, sent.id, "sent", NOW)
    result = run_write(app.engine, lambda s: sla.sweep(s, NOW, app.warn_before))
    assert result.breached == [] and result.warned == []
    assert ticket(app, late).sla_state == "late" and ticket(app, soon).sla_state == "met"


def test_timers_within_the_horizon(app):
    late, soon, fine = seed_three(app)
    with read_session(app.engine) as session:
        timers = sla.timers_due_within(session, NOW, timedelta(hours=24), app.warn_before)
    assert {(t.ticket_id, t.kind) for t in timers} == {(soon, "breach")}  # soon's warning time has passed
    with read_session(app.engine) as session:
        later = sla.timers_due_within(session, NOW, timedelta(days=7), app.warn_before)
    assert {(t.ticket_id, t.kind) for t in later} == {(soon, "breach"), (fine, "warn"), (fine, "breach")}
    assert {t.job_id for t in later if t.ticket_id == fine} == {f"sla-warn-{fine}", f"sla-breach-{fine}"}
    assert late not in {t.ticket_id for t in later}


class SMTPSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        from tests.servers import free_port

        self.messages: list[tuple[list[str], str]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class TelegramSink(FakeServer):
    def __init__(self):
        self.sent: list[dict] = []
        self.fail_next = 0
        super().__init__(self._handle)

    def _handle(self, request: Request) -> Response:
        assert request.path == "/botTESTTOKEN:abc/sendMessage"
        if self.fail_next:
            self.fail_next -= 1
            return Response(502, {"ok": False, "description": "Bad Gateway"})
        self.sent.append(request.json())
        return Response(200, {"ok": True, "result": {"message_id": len(self.sent)}})


def notify_sections(telegram: TelegramSink, smtp: SMTPSink) -> dict:
    staff = [{"username": "admin1", "name": "Admin", "role": "admin"},
             {"username": "capil1", "name": "Capil", "role": "teknis", "bidang": "CAPIL", "telegram_chat_id": "555",
              "email": "capil@brebes.test"},
             {"username": "kabid1", "name": "Kabid", "role": "supervisor"}]
    notifications = {
        "telegram": {"base_url": telegram.base_url, "bot_token_env": "ADUAN_NOTIFY_TG_TOKEN", "chat_id": "-100777"},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
                  "from_address": "aduan@brebes.test", "to": ["kabid@brebes.test"]},
    }
    return {"staff": staff, "notifications": notifications}


def test_notifications_go_out_once_masked_with_retries(db_url):
    from ticketing.outbound import notify
    from ticketing.workflow import transitions as workflow
    from ticketing.workflow.roles import Actor

    with TelegramSink() as telegram, SMTPSink() as smtp:
        app = make_app(db_url, environ={"ADUAN_NOTIFY_TG_TOKEN": "TESTTOKEN:abc"}, **notify_sections(telegram, smtp))
        late = seed_ticket(app, at(2026, 11, 17, 10, 0), text="NIK saya 3329012345678901 belum aktif", n=1)
        telegram.fail_next = 1
        report = sweep_cycle(app, NOW, inline=True)
        assert report.sweep["breached"] == 1
        assert report.notices_sent == 0  # telegram failed; email went out and is not repeated
        assert len(smtp.messages) == 1 and telegram.sent == []
        with read_session(app.engine) as session:
            row = session.execute(sa.text("SELECT state, via, attempts FROM notification")).one()
        assert row.state == "pending" and row.via == "email:kabid@brebes.test" and row.attempts == 1
        report = sweep_cycle(app, NOW + timedelta(minutes=1), inline=True)
        assert report.notices_sent == 1 and len(smtp.messages) == 1 and len(telegram.sent) == 1
        assert telegram.sent[0]["chat_id"] == "-100777"
        text = telegram.sent[0]["text"]
        assert "3329012345678901" not in text and "3329********8901" in text and "MELEWATI" in text
        assert "3329012345678901" not in smtp.messages[0][1]
        sweep_cycle(app, NOW + timedelta(minutes=2), inline=True)
        assert len(telegram.sent) == 1 and len(smtp.messages) == 1
        assert count(app.engine, "event", "WHERE action = 'notified'") == 1

        # an escalation to CAPIL reaches the CAPIL officer directly, once
        with write_session(app.engine) as session:
            workflow.escalate(session, session.get(Ticket, late), "CAPIL", Actor("admin1", "admin"), NOW, "cek SIAK")
        sweep_cycle(app, NOW + timedelta(minutes=3), inline=True)
        sweep_cycle(app, NOW + timedelta(minutes=4), inline=True)
        assert [m["chat_id"] for m in telegram.sent] == ["-100777", "555"]
        assert smtp.messages[-1][0] == ["capil@brebes.test"] and len(smtp.messages) == 2
        assert "diteruskan ke bidang CAPIL" in telegram.sent[-1]["text"]
        # a row someone else queued without routes (collect's reauth notice) goes to the group
        assert notify.notify_staff(app, "reauth:x-test:2026-11-23", notify.KIND_REAUTH, "Kanal x-test perlu "
                                   "otorisasi ulang", NOW)
        assert not notify.notify_staff(app, "reauth:x-test:2026-11-23", notify.KIND_REAUTH, "lagi", NOW)
        assert telegram.sent[-1]["text"].startswith("Kanal x-test") and len(telegram.sent) == 3
        app.engine.dispose()


def test_notifications_mask_phone_numbers_and_email_addresses_too(db_url):
    """The citizen's text in a breach notice: NIK, mobile number, landline and address masked on
    every route and in the stored row, by the same function tables and exports use."""
    from ticketing.privacy.safety import mask_personal

    citizen = ("Tolong hubungi saya di 0812-3456-7890 atau (0283) 671234, email sri.rahayu88@gmail.com, "
               "NIK 3329012345678901")
    with TelegramSink() as telegram, SMTPSink() as smtp:
        app = make_app(db_url, environ={"ADUAN_NOTIFY_TG_TOKEN": "TESTTOKEN:abc"}, **notify_sections(telegram, smtp))
        seed_ticket(app, at(2026, 11, 17, 10, 0), text=citizen, n=1)
        sweep_cycle(app, NOW, inline=True)
        with read_session(app.engine) as session:
            stored = session.execute(sa.text("SELECT text FROM notification")).scalar_one()
        delivered = [telegram.sent[0]["text"], smtp.messages[0][1], stored]
        for text in delivered:
            for secret in ("3456-7890", "671234", "sri.rahayu88", "3329012345678901"):
                assert secret not in text, (secret, text)
        assert "08*******890" in stored and "s***@gmail.com" in stored and "3329********8901" in stored
        assert mask_personal(citizen) in stored  # one function: the notice shows what tables show
        app.engine.dispose()


def test_notifications_without_routes_are_skipped_not_lost(app):
    seed_three(app)
    report = sweep_cycle(app, NOW, inline=True)
    assert report.sweep["notifications"] == 2
    with read_session(app.engine) as session:
        states = set(session.execute(sa.text("SELECT state FROM notification")).scalars())
    assert states == {"skipped"}


def test_bad_notification_config_names_the_key(tmp_path):
    from ticketing.config import load_settings
    from ticketing.errors import ConfigError

    # the section is typed: the missing key is named when the configuration is read
    path = tmp_path / "config.yaml"
    path.write_text("notifications:\n  telegram: {chat_id: '1'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="notifications.telegram.bot_token_env"):
        load_settings(str(path), environ={})


def test_recompute_after_a_calendar_change(db_url):
    from ticketing.sla.deadlines import recompute

    app = make_app(db_url)
    soon = seed_ticket(app, at(2026, 11, 18, 10, 0), n=1)
    run_write(app.engine, lambda s: sla.sweep(s, at(2026, 11, 23, 16, 0), app.warn_before))
    assert ticket(app, soon).breach_notified_at is not None
    # the office declares Friday 20 Nov a local holiday: the deadline moves to Tuesday 24 Nov
    changed = make_app(db_url, sla={"local_holidays": [{"date": "2026-11-20", "name": "Libur lokal"}]})
    report = recompute(changed, NOW)
    assert (report.examined, report.changed) == (1, 1)
    after = ticket(changed, soon)
    assert after.due_at == at(2026, 11, 24, 16, 0)
    assert after.breach_notified_at is None and after.sla_state == "ok"
    assert count(changed.engine, "event", "WHERE action = 'sla_recomputed'") == 1
    assert recompute(changed, NOW).changed == 0
    app.engine.dispose()
    changed.engine.dispose()


def test_pause_while_waiting_for_data(db_url):
    from ticketing.errors import AduanError
    from ticketing.sla.deadlines import pause, resume
    from ticketing.workflow.roles import Actor

    admin = Actor("admin1", "admin")
    off = make_app(db_url)
    ticket_id = seed_ticket(off, at(2026, 11, 18, 10, 0), n=1)
    with pytest.raises(AduanError, match="pause_while_waiting"), write_session(off.engine) as session:
        pause(session, off, session.get(Ticket, ticket_id), admin, NOW)
    app = make_app(db_url, sla={"pause_while_waiting": True})
    with write_session(app.engine) as session:
        pause(session, app, session.get(Ticket, ticket_id), admin, NOW)
    # paused: the deadline passes without a breach
    result = run_write(app.engine, lambda s: sla.sweep(s, at(2026, 11, 24, 10, 0), app.warn_before))
    assert result.breached == []
    resumed_at = at(2026, 11, 24, 10, 0)  # 6 h on Monday + 2.5 h on Tuesday of office time waited
    with write_session(app.engine) as session:
        waited = resume(session, app.__class__(app.settings, {}, now=resumed_at), session.get(Ticket, ticket_id),
                        admin, resumed_at)
    assert waited == timedelta(hours=8, minutes=30)
    after = ticket(app, ticket_id)
    assert after.sla_paused_at is None and after.sla_paused_seconds == 8.5 * 3600
    assert after.due_at == at(2026, 11, 24, 16, 0)  # Monday 16:00 + 8.5 office hours (Tuesday 07:30-16:00)
    assert "menunggu-data" not in after.tags
    off.engine.dispose()
    app.engine.dispose()


def test_cli_sla_status_lists_warning_and_breach(tmp_path):
    from tests.cli_helpers import make_config, run_cli

    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    app = make_app(db_url)
    late, soon, _fine = seed_three(app)
    app.engine.dispose()
    config = make_config(tmp_path, db_url)
    result = run_cli(config, "sla", "status", "--json")
    assert result.code == 0, result.err
    items = result.json()
    assert [(i["id"], i["sla_state"]) for i in items] == [(late, "breached"), (soon, "warning")]
    table = run_cli(config, "sla", "status")
    assert "lewat" in table.out.lower() and "Segera" in table.out
    swept = run_cli(config, "sla", "sweep", "--json")
    assert swept.code == 0, swept.err
    assert swept.json()["sweep"]["breached"] == 1


def test_escalation_queue_is_set_based(app):
    """Many escalations are found in one query, and each is queued once."""
    from ticketing.workflow import transitions as workflow
    from ticketing.workflow.roles import Actor

    ids = [seed_ticket(app, NOW - timedelta(minutes=i), n=10 + i) for i in range(5)]
    with write_session(app.engine) as session:
        for ticket_id in ids:
            workflow.escalate(session, session.get(Ticket, ticket_id), "DAFDUK", Actor("admin1", "admin"), NOW)
    assert run_write(app.engine, lambda s: sla.queue_escalation_notices(s, NOW)) == 5
    assert run_write(app.engine, lambda s: sla.queue_escalation_notices(s, NOW)) == 0
