"""Find the ticket of a reply whose own thread key is new to us.

A mail client that trims References, or answers only with In-Reply-To, or a citizen who
writes a fresh mail with `[ADU-2026-000123]` in the subject, still belongs on the ticket
they answer. Before threading, ingest asks here: for each message whose thread key has no
ticket yet, the messages it answers (In-Reply-To, then References from last to first) are
looked up among the stored ones (our own sent replies included), then the ticket reference
in the subject. Only a reference from an address already writing on that ticket counts, so
a stranger cannot push text into someone else's complaint by quoting its number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import InboundMessage
from ticketing.store import bulk
from ticketing.store.models import Message, Ticket

TICKET_REF = re.compile(r"\[(ADU-\d{4}-\d{6})\]")


def _answers(message: InboundMessage) -> list[str]:
    chain = [message.in_reply_to, *reversed(message.references)]
    return list(dict.fromkeys(i for i in chain if i))


def _stored_threads(session: Session, channel: str, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), bulk.IN_CHUNK):
        chunk = ids[start:start + bulk.IN_CHUNK]
        rows = session.execute(sa.select(Message.external_id, Message.thread_key)
                               .where(Message.channel == channel, Message.external_id.in_(chunk)))
        found.update({external_id: key for external_id, key in rows if key})
    return found


def _thread_by_ref(session: Session, channel: str, subject: str | None, author_id: str) -> str | None:
    match = TICKET_REF.search(subject or "")
    if not match or not author_id:
        return None
    ticket = session.execute(sa.select(Ticket.id, Ticket.thread_key)
                             .where(Ticket.ref == match.group(1), Ticket.channel == channel)).first()
    if ticket is None:
        return None
    writes_there = session.execute(sa.select(Message.id).where(
        Message.ticket_id == ticket.id, Message.direction == "in", Message.author_id == author_id).limit(1)).first()
    return ticket.thread_key if writes_there else None


def adopt_known_threads(session: Session, channel: str, messages: Sequence[InboundMessage]) -> int:
    """Move replies onto the thread key of the conversation they answer; returns how many moved."""
    candidates = [m for m in messages if m.in_reply_to or m.references or (m.subject and "[ADU-" in m.subject)]
    if not candidates:
        return 0
    with_ticket = bulk.existing_keys(session, Ticket.__table__, {"channel": channel}, "thread_key",
                                     [m.thread_key for m in candidates])
    orphans = [m for m in candidates if m.thread_key not in with_ticket]
    if not orphans:
        return 0
    stored = _stored_threads(session, channel, list({i for m in orphans for i in _answers(m)}))
    in_batch = {m.external_id: m for m in messages}
    moved = 0
    for message in orphans:
        target = None
        for answered in _answers(message):
            if answered in stored:
                target = stored[answered]
            elif answered in in_batch and in_batch[answered] is not message:
                target = in_batch[answered].thread_key
            if target:
                break
        if target is None and message.direction == "in":
            target = _thread_by_ref(session, channel, message.subject, message.author_id)
        if target and target != message.thread_key:
            message.thread_key = target
            moved += 1
    return moved
