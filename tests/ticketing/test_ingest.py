"""Ingest on SQLite and on a real PostgreSQL: idempotence, threading, crash safety."""

from __future__ import annotations

import json
import multiprocessing
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.conftest import count
from tests.factories import batch, inbound
from ticketing.contract import QuarantinedItem
from ticketing.intake.ingest import Classification, IngestPolicy, ingest_batch
from ticketing.store.db import read_session, write_session
from ticketing.store.models import CollectorState, Message, MessageRevision, Quarantine, Ticket
from ticketing.workflow.statuses import TicketStatus


def run(engine, messages, now, **kw):
    with write_session(engine) as session:
        return ingest_batch(session, "x-test", messages, now=now, **kw)


def test_same_batch_twice_adds_nothing(engine, now):
    messages = batch(30, base=now - timedelta(hours=1), threads=10)
    first = run(engine, messages, now)
    second = run(engine, batch(30, base=now - timedelta(hours=1), threads=10), now)
    assert (first.new_messages, first.new_tickets) == (30, 10)
    assert (second.new_messages, second.new_tickets, second.duplicates) == (0, 0, 30)
    assert count(engine, "message") == 30
    assert count(engine, "ticket") == 10
    assert count(engine, "contact") == 10
    with read_session(engine) as session:
        counts = sorted(t.message_count for t in session.exec(select(Ticket)))
    assert counts == [3] * 10


def test_duplicate_inside_one_batch_is_stored_once(engine, now):
    message = inbound(1, base=now - timedelta(hours=1))
    result = run(engine, [message, inbound(1, base=now - timedelta(hours=1))], now)
    assert result.new_messages == 1 and result.duplicates == 1
    assert count(engine, "message") == 1


def test_ticket_fields_ref_due_and_created_event(engine, now):
    due = now + timedelta(days=3)
    policy = IngestPolicy(due_at=lambda received, found: due,
                          classify=lambda text: Classification("pertanyaan", "ktp-el", "DAFDUK", 0.9))
    run(engine, [inbound(1, base=now - timedelta(minutes=5))], now, policy=policy)
    with read_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        assert ticket.ref == f"ADU-2026-{ticket.id:06d}"
        assert ticket.due_at == due and ticket.status == "new"
        assert (ticket.kind, ticket.category, ticket.bidang) == ("pertanyaan", "ktp-el", "DAFDUK")
        assert ticket.received_at == now - timedelta(minutes=5) + timedelta(seconds=1)
    assert count(engine, "event", "WHERE action = 'created'") == 1


def test_answered_ticket_reopens_within_window_else_new_ticket(engine, now):
    run(engine, [inbound(1, thread="T", author="a", base=now - timedelta(days=20))], now)
    with write_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ticket.status, ticket.answered_at = TicketStatus.ANSWERED.value, now - timedelta(days=19)
        session.add(ticket)
    # 12 days after the answer with a 7-day window: a new ticket.
    run(engine, [inbound(2, thread="T", author="a", base=now - timedelta(days=7))], now)
    assert count(engine, "ticket") == 2
    with write_session(engine) as session:
        newest = session.exec(select(Ticket).order_by(Ticket.id.desc())).first()
        newest.status, newest.answered_at = TicketStatus.ANSWERED.value, now - timedelta(days=2)
        session.add(newest)
    result = run(engine, [inbound(3, thread="T", author="a", base=now - timedelta(days=1))], now)
    assert result.reopened == 1 and result.new_tickets == 0
    with read_session(engine) as session:
        newest = session.exec(select(Ticket).order_by(Ticket.id.desc())).first()
        assert newest.status == "new" and newest.message_count == 2
    assert count(engine, "event", "WHERE action = 'reopened'") == 1


def test_office_messages_are_outbound_and_open_no_ticket(engine, now):
    own = inbound(1, thread="T", base=now - timedelta(hours=2), direction="out")
    result = run(engine, [own], now)
    assert result.new_messages == 1 and result.new_tickets == 0
    run(engine, [inbound(2, thread="T", base=now - timedelta(hours=1))], now)
    office_reply = inbound(3, thread="T", base=now - timedelta(minutes=30), direction="out")
    run(engine, [office_reply], now)
    with read_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        directions = [m.direction for m in session.exec(select(Message).where(Message.ticket_id == ticket.id))]
    assert sorted(directions) == ["in", "out"]
    assert count(engine, "ticket") == 1


def test_non_message_events_open_no_ticket(engine, now):
    result = run(engine, [inbound(1, base=now, opens_ticket=False, flags=["auto_reply"])], now)
    assert result.new_messages == 1 and result.new_tickets == 0


def test_edit_keeps_earlier_text_as_revision(engine, now):
    run(engine, [inbound(1, base=now - timedelta(hours=1), text="ktp blm jadi")], now)
    edit = inbound(1, base=now - timedelta(minutes=30), text="ktp belum jadi, sudah 2 bulan", is_edit=True)
    result = run(engine, [edit], now)
    again = run(engine, [inbound(1, base=now - timedelta(minutes=30), text="ktp belum jadi, sudah 2 bulan",
                                 is_edit=True)], now)
    assert result.edits == 1 and again.edits == 0
    with read_session(engine) as session:
        message = session.exec(select(Message)).one()
        revisions = list(session.exec(select(MessageRevision)))
    assert message.text == "ktp belum jadi, sudah 2 bulan"
    assert [r.previous_text for r in revisions] == ["ktp blm jadi"]
    assert count(engine, "ticket") == 1


def test_malformed_items_are_quarantined_and_the_rest_stored(engine, now):
    good = batch(3, base=now - timedelta(hours=1))
    naive = inbound(10, base=now - timedelta(hours=1))
    naive.sent_at = naive.sent_at.replace(tzinfo=None)
    missing_id = inbound(11, base=now - timedelta(hours=1))
    missing_id.external_id = ""
    parse_failure = QuarantinedItem("x-test", "missing field 'text'", {"id": "99"}, "99")
    result = run(engine, [*good, naive, missing_id], now, quarantined=[parse_failure], cursor='{"since_id": "3"}')
    assert result.new_messages == 3 and result.quarantined == 3
    with read_session(engine) as session:
        reasons = sorted(q.reason for q in session.exec(select(Quarantine)))
        state = session.get(CollectorState, "x-test")
    assert reasons[0] == "message has no external id" and "no time zone" in reasons[2]
    assert json.loads(state.cursor) == {"since_id": "3"}


def test_future_timestamp_is_flagged(engine, now):
    run(engine, [inbound(1, base=now + timedelta(days=2))], now)
    with read_session(engine) as session:
        assert "future_timestamp" in session.exec(select(Ticket)).one().flags


def test_hostile_text_is_stored_as_received(engine, now):
    hostile = "\x1b[2J\x1b]0;pwned\x07[bold red]x[/] \u202e" + "A" * 20_000
    run(engine, [inbound(1, base=now, text=hostile)], now)
    with read_session(engine) as session:
        assert session.exec(select(Message.text)).one() == hostile


def test_crash_before_commit_moves_no_cursor_and_rerun_stores_once(engine, now, monkeypatch):
    import ticketing.intake.ingest as ingest_module

    messages = batch(20, base=now - timedelta(hours=1), threads=5)
    original = ingest_module.store_quarantined

    def explode(*args, **kwargs):
        raise RuntimeError("power cut between the message insert and the commit")

    monkeypatch.setattr(ingest_module, "store_quarantined", explode)
    with pytest.raises(RuntimeError):
        run(engine, messages, now, cursor='{"since_id": "20"}')
    assert count(engine, "message") == 0 and count(engine, "ticket") == 0
    with read_session(engine) as session:
        assert session.get(CollectorState, "x-test") is None
    monkeypatch.setattr(ingest_module, "store_quarantined", original)
    result = run(engine, batch(20, base=now - timedelta(hours=1), threads=5), now, cursor='{"since_id": "20"}')
    assert result.new_messages == 20 and count(engine, "message") == 20 and count(engine, "ticket") == 5


def _ingest_in_process(url: str, now_iso: str, start_event, results) -> None:
    from datetime import datetime

    from ticketing.store.db import open_database, run_write

    engine = open_database(url)
    now = datetime.fromisoformat(now_iso)
    messages = batch(1000, base=now - timedelta(days=1), threads=200)
    start_event.wait()
    result = run_write(engine, lambda s: ingest_batch(s, "x-test", messages, now=now))
    results.put(result.new_messages)


def test_two_processes_ingesting_the_same_batch_store_it_once(engine, db_url, now):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_ingest_in_process, args=(db_url, now.isoformat(), start, results))
             for _ in range(2)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(timeout=90)
        assert proc.exitcode == 0
    stored = sorted(results.get(timeout=5) for _ in procs)
    assert stored == [0, 1000]
    assert count(engine, "message") == 1000
    assert count(engine, "ticket") == 200
    with engine.connect() as conn:
        empty = conn.execute(sa.text("SELECT count(*) FROM ticket WHERE message_count = 0")).scalar()
    assert empty == 0


def test_bulk_backfill_of_many_messages_in_one_transaction(engine, now):
    result = run(engine, batch(3000, base=now - timedelta(days=3), threads=700), now)
    assert result.new_messages == 3000 and result.new_tickets == 700
    with read_session(engine) as session:
        total = session.exec(select(sa.func.sum(Ticket.message_count))).one()
    assert total == 3000
