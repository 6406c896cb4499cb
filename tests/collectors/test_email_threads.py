"""Ticketing side of email: reply threading by stored Message-IDs and bounces marking replies failed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from tests.conftest import count
from tests.factories import inbound
from ticketing.intake.bounces import mark_bounced
from ticketing.intake.ingest import ingest_batch
from ticketing.intake.reply_threads import adopt_known_threads
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Message, Ticket

CHANNEL = "email-test"


def mail(n: int, base, **extra):
    return inbound(n, channel=CHANNEL, base=base, author=extra.pop("author", "warga@contoh.id"), **extra)


def test_a_reply_in_the_same_batch_follows_its_parent_even_with_another_root(sqlite_engine, now):
    base = now - timedelta(hours=1)
    parent = mail(1, base, thread="akar-1")
    child = mail(2, base, thread="akar-lain", in_reply_to="m1", references=["akar-lain", "m1"])
    with write_session(sqlite_engine) as session:
        result = ingest_batch(session, CHANNEL, [parent, child], now=now)
    assert result.new_tickets == 1 and child.thread_key == "akar-1"


def test_unknown_ids_and_foreign_channels_leave_threads_alone(sqlite_engine, now):
    base = now - timedelta(hours=1)
    with write_session(sqlite_engine) as session:
        ingest_batch(session, "lain", [inbound(1, channel="lain", base=base, thread="x")], now=now)
        stray = mail(2, base, thread="baru", in_reply_to="m1", subject="[ADU-2026-000001] halo")
        assert adopt_known_threads(session, CHANNEL, [stray]) == 0
    assert stray.thread_key == "baru"


def test_mark_bounced_is_idempotent_and_only_touches_outbound_mail(engine, now):
    base = now - timedelta(hours=1)
    with write_session(engine) as session:
        ingest_batch(session, CHANNEL, [mail(1, base, thread="t1")], now=now)
        ticket = session.exec(select(Ticket)).one()
        session.add(Message(ticket_id=ticket.id, channel=CHANNEL, thread_key="t1", direction="out",
                            external_id="keluar-1@dukcapil", text="jawaban", sent_at=now, delivery_state="sent"))
    with write_session(engine) as session:
        assert mark_bounced(session, "m1", "x", now) is None  # the citizen's own mail is never "ours"
        assert mark_bounced(session, "keluar-1@dukcapil", "alasan", now, channel="kanal-lain") is None
        first = mark_bounced(session, "keluar-1@dukcapil", "5.1.1 user unknown", now, channel=CHANNEL)
        again = mark_bounced(session, "keluar-1@dukcapil", "5.1.1 user unknown", now + timedelta(minutes=1))
    assert first is not None and again is not None
    assert count(engine, "event", "WHERE action = 'delivery_failed'") == 1
    with read_session(engine) as session:
        reply = session.exec(select(Message).where(Message.direction == "out")).one()
        ticket = session.exec(select(Ticket)).one()
    assert (reply.delivery_state, reply.delivery_error, reply.provider_status) == ("failed", "5.1.1 user unknown",
                                                                                   "bounced")
    assert ticket.flags.split(",").count("delivery_failed") == 1
