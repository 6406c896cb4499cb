"""The status machine: every legal move leaves exactly one event, every illegal one is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import count
from tests.factories import inbound
from ticketing.errors import InvalidTransition, PermissionDenied
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Event, Message, Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.audit import verify_chain
from ticketing.workflow.delivery import apply_delivery_outcome
from ticketing.workflow.roles import Actor
from ticketing.workflow.statuses import TRANSITIONS, TicketStatus

ADMIN = Actor("admin1", "admin")
CAPIL = Actor("capil1", "teknis", "CAPIL")
DAFDUK = Actor("dafduk1", "teknis", "DAFDUK")
SUPERVISOR = Actor("kabid1", "supervisor")


@pytest.fixture
def ticket_id(engine, now):
    with write_session(engine) as session:
        ingest_batch(session, "x-test", [inbound(1, base=now - timedelta(hours=1))], now=now)
        return session.exec(select(Ticket.id)).one()


ALL_PAIRS = [(a, b) for a in TicketStatus for b in TicketStatus if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_transition_table_is_enforced(sqlite_engine, now, current, target):
    with write_session(sqlite_engine) as session:
        ingest_batch(session, "x-test", [inbound(1, base=now - timedelta(hours=1))], now=now)
    with write_session(sqlite_engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ticket.status = current.value
        before = count_events(session)
        if target in TRANSITIONS[current]:
            workflow.change_status(session, ticket, target, ADMIN, now, "test")
            assert ticket.status == target.value
            assert count_events(session) == before + 1
        else:
            with pytest.raises(InvalidTransition) as info:
                workflow.change_status(session, ticket, target, ADMIN, now, "test")
            assert ticket.ref in str(info.value)
            assert count_events(session) == before


def count_events(session) -> int:
    return len(list(session.exec(select(Event.id))))


def test_sop_path_reply_escalate_answer_forward_resolve(engine, now, ticket_id):
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        workflow.escalate(session, ticket, "capil", ADMIN, now, note="mohon dicek akta")
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        with pytest.raises(PermissionDenied):
            workflow.answer(session, ticket, "bukan bidang saya", DAFDUK, now)
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        workflow.answer(session, ticket, "Akta sudah terbit, bisa diambil", CAPIL, now + timedelta(hours=1))
        assert ticket.status == "followed_up"
        text = workflow.latest_technical_answer(session, ticket)
        reply = workflow.reply(session, ticket, text, ADMIN, now + timedelta(hours=2))
        assert reply.delivery_state == "pending" and reply.direction == "out"
        # queued is not answered: the clock runs until the channel accepts it
        assert ticket.status == "followed_up" and ticket.answered_at is None and ticket.reply_state == "pending"
        reply.delivery_state = "sent"
        apply_delivery_outcome(session, reply.id, "sent", now + timedelta(hours=2, minutes=5))
        assert ticket.status == "answered" and ticket.answered_at == now + timedelta(hours=2, minutes=5)
        assert ticket.reply_state is None and ticket.first_response_at == ticket.answered_at
        workflow.resolve(session, ticket, ADMIN, now + timedelta(hours=3))
    with read_session(engine) as session:
        events = list(session.exec(select(Event).order_by(Event.id)))
        statuses = [(e.action, e.to_status) for e in events]
        assert statuses == [("created", "new"), ("escalated", "escalated"), ("answered_by_bidang", "followed_up"),
                            ("replied", "followed_up"), ("answer_delivered", "answered"), ("resolved", "closed")]
        assert verify_chain(events) == []
        notes = list(session.exec(select(Message.note_type).where(Message.direction == "note")))
        assert sorted(n for n in notes) == ["escalation", "technical_answer"]


def test_roles_are_checked_in_the_service_layer(engine, now, ticket_id):
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        with pytest.raises(PermissionDenied, match="admin"):
            workflow.reply(session, ticket, "halo", CAPIL, now)
        with pytest.raises(PermissionDenied):
            workflow.escalate(session, ticket, "CAPIL", CAPIL, now)


def test_dismiss_needs_a_known_reason_and_reopen_clears_it(engine, now, ticket_id):
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        with pytest.raises(Exception, match="alasan"):
            workflow.dismiss(session, ticket, "malas", ADMIN, now)
        workflow.dismiss(session, ticket, "spam", ADMIN, now)
        workflow.reopen(session, ticket, SUPERVISOR, now, due_at=now + timedelta(days=3))
        assert ticket.status == "new" and ticket.close_reason is None
    assert count(engine, "event") == 3


def test_tampered_event_breaks_the_chain(engine, now, ticket_id):
    with write_session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        workflow.assign(session, ticket, "admin1", ADMIN, now)
        workflow.add_note(session, ticket, "menunggu balasan warga", ADMIN, now)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET actor = 'someone' WHERE action = 'assigned'")
    with read_session(engine) as session:
        problems = verify_chain(session.exec(select(Event).order_by(Event.id)))
    assert problems and "edited" in problems[0]


def test_merge_moves_messages_and_dismisses_the_duplicate(engine, now):
    with write_session(engine) as session:
        ingest_batch(session, "x-test", [inbound(1, base=now), inbound(2, base=now)], now=now)
    with write_session(engine) as session:
        first, second = session.exec(select(Ticket).order_by(Ticket.id)).all()
        workflow.merge(session, second, first, ADMIN, now)
        assert first.message_count == 2 and second.status == "dismissed"
        assert second.close_reason == "duplikat"
