"""Delivery reports that arrive as messages: a bounce marks the office's reply undelivered.

The outbox records a reply as `sent` when the channel accepted it; for email that only means
our SMTP server took it. A delivery status notification coming back later names the reply's
Message-ID; the reply is then `failed` with the reason, the ticket is flagged and an event
says so, so the admin sees the citizen never got the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import InboundMessage
from ticketing.store.flags import add_flag
from ticketing.store.models import Message, Ticket
from ticketing.workflow.audit import EventDraft, record_event

BOUNCE_FLAG = "bounce"  # set by a collector on a message that reports a failed delivery
TICKET_FLAG = "delivery_failed"
MAX_REASON = 500


def mark_bounced(session: Session, message_id: str, reason: str, now: datetime,
                 channel: str | None = None) -> Message | None:
    """Mark our outbound message `message_id` (its external id) failed; None if it is not ours.

    Idempotent: the same bounce seen twice changes nothing and writes no second event.
    """
    query = sa.select(Message).where(Message.external_id == message_id, Message.direction == "out")
    if channel is not None:
        query = query.where(Message.channel == channel)
    message = session.execute(query.limit(1)).scalars().first()
    if message is None:
        return None
    reason = reason.strip()[:MAX_REASON] or "ditolak server surat penerima"
    if message.delivery_state == "failed" and message.delivery_error == reason:
        return message
    previous = message.delivery_state
    message.delivery_state = "failed"
    message.delivery_error = reason
    message.provider_status = "bounced"
    message.provider_status_at = now
    session.add(message)
    ticket = session.get(Ticket, message.ticket_id) if message.ticket_id is not None else None
    if ticket is not None:
        ticket.flags = add_flag(ticket.flags, TICKET_FLAG)
        session.add(ticket)
        record_event(session, EventDraft(ticket.id, now, "system", "delivery_failed", ticket.status, ticket.status,
                                         {"message_id": message.id, "previous_state": previous,
                                          "reason": reason}))
    session.flush()
    from ticketing.workflow.delivery import apply_delivery_outcome

    apply_delivery_outcome(session, message.id, "failed", now, reason=reason)
    return message


def apply_delivery_reports(session: Session, channel: str, messages: Sequence[InboundMessage],
                           now: datetime) -> int:
    """Apply every bounce in a freshly stored batch; returns how many replies were marked failed."""
    marked = 0
    for message in messages:
        if BOUNCE_FLAG in message.flags and message.in_reply_to and mark_bounced(
                session, message.in_reply_to, message.text, now, channel) is not None:
            marked += 1
    return marked
