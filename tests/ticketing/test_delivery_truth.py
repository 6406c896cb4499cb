"""'Answered' means the citizen got the answer: the ticket follows its reply's delivery.

A reply to a chat that blocked the bot (the Telegram fake answers 403) leaves the ticket open
as *Gagal kirim* with its clock running; an accepted reply answers the ticket at the time the
channel gives for it; an interim reply keeps the status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.fakes.telegram import TelegramFake
from ticketing.app import App
from ticketing.config import Settings
from ticketing.errors import ReplyKindNeeded
from ticketing.health import check_health
from ticketing.intake.collect import collect
from ticketing.outbound import outbox, settle
from ticketing.sla import tracking as sla
from ticketing.store.db import read_session, run_write, write_session
from ticketing.store.models import Event, Message, Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.delivery import apply_delivery_outcome
from ticketing.workflow.roles import Actor
from ticketing.workflow.views import InboxFilter, failed_reply_count, inbox

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB; the fake's messages are from 08:00 WIB
ADMIN = Actor("admin1", "admin")
CAPIL = Actor("capil1", "teknis", "CAPIL")


@pytest.fixture
def fake():
    with TelegramFake() as server:
        yield server


@pytest.fixture
def app(fake, db_url):
    settings = Settings.model_validate({"database": {"url": db_url}, "channels": [fake.channel_config()]})
    app = App(settings, environ=fake.env(), now=NOW)
    yield app
    app.engine.dispose()


def _tickets(app, fake, chats: list[int]) -> list[int]:
    for chat in chats:
        fake.add_citizen_messages(1, chat_id=chat)
    collect(app)
    with read_session(app.engine) as session:
        return [t.id for t in session.exec(select(Ticket).order_by(Ticket.id))]


def _reply(app, ticket_id: int, text: str = "Sudah kami cek, KTP-el bisa diambil.", **kind) -> int:
    with write_session(app.engine) as session:
        return workflow.reply(session, session.get(Ticket, ticket_id), text, ADMIN, NOW, **kind).id


def _ticket(app, ticket_id: int) -> Ticket:
    with read_session(app.engine) as session:
        return session.get(Ticket, ticket_id)


def test_reply_to_a_blocked_chat_is_gagal_kirim_with_the_clock_running(app, fake):
    fine, blocked = _tickets(app, fake, [880_102, 880_101])  # the blocked one is due later
    fake.blocked_chats.add(880_101)
    message_id = _reply(app, blocked)
    assert _ticket(app, blocked).reply_state == "pending"  # shown as Mengirim until the channel answers
    assert outbox.deliver(app, message_id).state == "failed"

    ticket = _ticket(app, blocked)
    assert ticket.status == "new" and ticket.answered_at is None
    assert ticket.reply_state == "failed" and "memblokir bot" in ticket.reply_error
    with read_session(app.engine) as session:
        view = inbox(session, InboxFilter(), NOW, app.warn_before)
        assert failed_reply_count(session) == 1
    assert view[0]["id"] == blocked and view[0]["status_label"] == "Gagal kirim"  # sorts first
    assert view[1]["id"] == fine and view[1]["status_label"] == "Baru"
    problems = {p.code for p in check_health(app, NOW).problems}
    assert "reply_failed" in problems
    # the clock runs on: at the due time the ticket is breached like any unanswered one
    late = ticket.due_at + timedelta(minutes=1)
    swept = run_write(app.engine, lambda s: sla.sweep(s, late, app.warn_before))
    assert blocked in swept.breached and _ticket(app, blocked).sla_state == "breached"


def test_an_accepted_reply_answers_at_the_channels_time(app, fake):
    (ticket_id,) = _tickets(app, fake, [880_201])
    message_id = _reply(app, ticket_id)
    assert _ticket(app, ticket_id).status == "new"  # queued is not answered
    assert outbox.deliver(app, message_id).state == "sent"
    accepted = datetime.fromtimestamp(fake.messages_sent_dates()[-1], UTC)
    assert accepted != NOW
    ticket = _ticket(app, ticket_id)
    assert ticket.status == "answered" and ticket.answered_at == accepted
    assert ticket.first_response_at == accepted and ticket.reply_state is None and ticket.sla_state == "met"
    with read_session(app.engine) as session:
        events = [(e.action, e.to_status) for e in session.exec(select(Event).where(Event.ticket_id == ticket_id)
                                                                .order_by(Event.id))]
        assert events[-1] == ("answer_delivered", "answered")
    assert not [p for p in check_health(app, NOW).problems if p.code.startswith("reply_")]


def test_a_failure_reported_after_acceptance_reopens_where_it_was(app, fake):
    (ticket_id,) = _tickets(app, fake, [880_301])
    with write_session(app.engine) as session:
        workflow.escalate(session, session.get(Ticket, ticket_id), "CAPIL", ADMIN, NOW)
        workflow.answer(session, session.get(Ticket, ticket_id), "Akta sudah terbit.", CAPIL, NOW)
    message_id = _reply(app, ticket_id, "Akta sudah terbit.")
    assert outbox.deliver(app, message_id).state == "sent"
    assert _ticket(app, ticket_id).status == "answered"
    with write_session(app.engine) as session:  # e.g. a WhatsApp "failed" status or a mail bounce
        session.get(Message, message_id).delivery_state = "failed"
        apply_delivery_outcome(session, message_id, "failed", NOW + timedelta(hours=1), reason="nomor tidak aktif")
    ticket = _ticket(app, ticket_id)
    assert ticket.status == "followed_up" and ticket.answered_at is None
    assert ticket.reply_state == "failed" and ticket.reply_error == "nomor tidak aktif"


def test_unknown_outcome_is_shown_with_the_actions_that_settle_it(app, fake):
    (ticket_id,) = _tickets(app, fake, [880_401])
    message_id = _reply(app, ticket_id)
    with write_session(app.engine) as session:
        assert outbox.claim(session, message_id, NOW)
    run_write(app.engine, lambda s: outbox.expire_sending(s, NOW + outbox.SEND_LEASE + timedelta(seconds=1)))
    ticket = _ticket(app, ticket_id)
    assert ticket.status == "new" and ticket.reply_state == "unknown"
    assert "reply_unknown" in {p.code for p in check_health(app, NOW).problems}
    from ticketing.workflow.views import ticket_detail

    with read_session(app.engine) as session:
        detail = ticket_detail(session, session.get(Ticket, ticket_id), NOW, app.warn_before)
    assert detail["status_label"] == "Belum pasti terkirim"
    assert f"aduan outbox confirm-sent {message_id}" in detail["messages"][-1]["settle"]
    with write_session(app.engine) as session:  # the admin found it in the chat: settled as sent
        settle.confirm_sent(session, message_id, "admin1", NOW + timedelta(hours=1))
    ticket = _ticket(app, ticket_id)
    assert ticket.status == "answered" and ticket.reply_state is None


def test_interim_reply_keeps_the_escalation_and_the_clock(app, fake):
    (ticket_id,) = _tickets(app, fake, [880_501])
    with write_session(app.engine) as session:
        workflow.escalate(session, session.get(Ticket, ticket_id), "CAPIL", ADMIN, NOW)
    with write_session(app.engine) as session, pytest.raises(ReplyKindNeeded, match="--interim"):
        workflow.reply(session, session.get(Ticket, ticket_id), "Sedang kami cek ke bidang.", ADMIN, NOW)
    message_id = _reply(app, ticket_id, "Sedang kami cek ke bidang.", interim=True)
    assert outbox.deliver(app, message_id).state == "sent"
    ticket = _ticket(app, ticket_id)
    assert ticket.status == "escalated" and ticket.answered_at is None
    assert ticket.first_response_at is not None and ticket.reply_state is None
    with read_session(app.engine) as session:
        assert sla.running_clause(Ticket.__table__) is not None
        running = session.execute(select(Ticket.id).where(sla.running_clause(Ticket.__table__))).scalars().all()
    assert ticket_id in running
    final = _reply(app, ticket_id, "Akta sudah bisa diambil.", final=True)
    assert outbox.deliver(app, final).state == "sent"
    assert _ticket(app, ticket_id).status == "answered"


def test_a_reported_status_time_is_the_answers_time_and_interim_counts_as_first_response(app, fake):
    from ticketing.contract.webhook import StatusUpdate
    from ticketing.reports.flow import period_flow
    from ticketing.reports.recap_sql import day_period
    from ticketing.webhooks.queue import apply_statuses

    first, second = _tickets(app, fake, [880_601, 880_602])
    message_id = _reply(app, first)
    assert outbox.deliver(app, message_id).state == "sent"
    with read_session(app.engine) as session:
        external_id = session.get(Message, message_id).external_id
    reported = NOW + timedelta(minutes=3)  # the channel's own "sent" time (WhatsApp reports one)
    with write_session(app.engine) as session:
        apply_statuses(session, "tg-test", [StatusUpdate(external_id, "sent", reported)], NOW)
        apply_statuses(session, "tg-test", [StatusUpdate(external_id, "delivered", reported + timedelta(1))], NOW)
    assert _ticket(app, first).answered_at == reported  # the first report counts, later ones do not move it
    interim = _reply(app, second, "Sedang kami cek.", interim=True)
    assert outbox.deliver(app, interim).state == "sent"
    period = day_period(app.calendar.local_date(NOW), app.calendar)
    with read_session(app.engine) as session:
        flow = period_flow(session, period, NOW + timedelta(hours=2))
    assert (flow["answered"], flow["first_responses"], flow["closing"]) == (1, 2, 1) and flow["reconciles"]
