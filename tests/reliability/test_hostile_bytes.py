"""Test plan row 20 on both databases: NUL and a lone surrogate in a channel's text neither crash
ingest nor block the batch; PostgreSQL (which rejects NUL) gets a replacement character."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from tests.conftest import count
from tests.factories import inbound
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import read_session, write_session
from ticketing.store.models import CollectorState, Message


def test_row20_nul_and_lone_surrogate_are_stored_and_the_cursor_advances(engine, now):
    messages = [inbound(1, base=now - timedelta(minutes=5), text="KTP\x00saya belum jadi"),
                inbound(2, base=now - timedelta(minutes=4), text="akta \ud800 rusak"),
                inbound(3, base=now - timedelta(minutes=3), text="biasa")]
    with write_session(engine) as session:
        result = ingest_batch(session, "x-test", messages, now=now, cursor='{"since_id": "3"}')
    assert (result.new_messages, result.quarantined) == (3, 0)
    with read_session(engine) as session:
        texts = dict(session.exec(select(Message.external_id, Message.text)).all())
        cursor = session.get(CollectorState, "x-test").cursor
    assert cursor == '{"since_id": "3"}' and texts["m3"] == "biasa"
    nul = "\x00" if engine.dialect.name == "sqlite" else "\ufffd"
    assert texts["m1"] == f"KTP{nul}saya belum jadi"
    assert texts["m2"] == "akta \ufffd rusak"  # one bad code point does not cost the batch
    assert count(engine, "quarantine") == 0
