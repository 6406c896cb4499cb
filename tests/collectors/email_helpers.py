"""Shared steps of the email tests: build the collector for a Dovecot user and poll it into a database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from collectors.email import EmailCollector
from tests.fakes.mail import Mailbox, env
from ticketing.config import ChannelSettings
from ticketing.contract import encode_cursor
from ticketing.contract.registry import build_collector
from ticketing.intake.ingest import IngestResult, ingest_batch
from ticketing.store.db import read_session, write_session
from ticketing.store.models import CollectorState


def make_collector(mailbox: Mailbox, tmp_path: Path, **overrides) -> EmailCollector:
    config = mailbox.channel_config(attachments_dir=str(tmp_path / "lampiran"), **overrides)
    collector = build_collector(ChannelSettings.model_validate(config), env())
    assert isinstance(collector, EmailCollector)
    return collector


def poll(engine, collector: EmailCollector, now: datetime, max_batches: int = 50) -> IngestResult:
    """What `aduan collect` does for one channel: fetch while `more`, each batch with its cursor."""
    total = IngestResult()
    for _ in range(max_batches):
        with write_session(engine) as session:
            state = session.get(CollectorState, collector.name)
            cursor = collector.load_cursor(state.cursor if state else None)
            batch = collector.fetch(cursor)
            total.add(ingest_batch(session, collector.name, batch.messages, now=now, channel_type="email",
                                   cursor=encode_cursor(batch.next_cursor), quarantined=batch.quarantined))
        if not batch.more:
            return total
    raise AssertionError("the collector kept saying `more`")


def stored_cursor(engine, collector: EmailCollector):
    with read_session(engine) as session:
        state = session.get(CollectorState, collector.name)
        return collector.load_cursor(state.cursor if state else None)
