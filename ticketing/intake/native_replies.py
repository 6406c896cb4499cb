"""Replies the office wrote in the channel's own app answer their ticket.

Staff answer from the Page inbox, the X or Instagram app, a comment reply, the WhatsApp
Business app. Collectors bring those back as our own (`direction="out"`) messages on the
citizen's thread; if the ticket is open, it becomes `answered` at that message's time, with an
event whose actor names the app. A later citizen message reopens it as usual (ingest's rule).
The channel switch `native_replies_answer: false` turns this off.

Ingest decides in time order, batch by batch; the ticket ids of tickets created in the same
batch are known only after the loop, so events are drafted as placeholders and resolved then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ticketing.contract import InboundMessage
from ticketing.workflow.audit import EventDraft
from ticketing.workflow.statuses import OPEN_STATUSES, TicketStatus

# not a person answering: auto-replies, bounces, the office's own autoresponder, reactions
AUTOMATED_FLAGS = frozenset({"auto_reply", "automatic", "bounce", "automated", "reaction", "read_receipt"})


def native_actor(channel_type: str) -> str:
    return f"aplikasi:{channel_type}"


@dataclass
class _Entry:
    message: InboundMessage
    thread: Any  # ingest's _Thread
    prior: str
    actor: str

    def draft(self) -> EventDraft:
        return EventDraft(self.thread.ticket_id, self.message.sent_at, self.actor, "answer_delivered", self.prior,
                          TicketStatus.ANSWERED.value,
                          {"native": True, "external_id": self.message.external_id,
                           "via": "dijawab langsung di aplikasi kanal",
                           "author": self.message.author_handle or self.message.author_name})


@dataclass
class _Later:
    """An event on a thread whose ticket is created later in the same batch."""

    thread: Any
    at: datetime
    action: str
    from_status: str
    to_status: str
    detail: dict

    def draft(self) -> EventDraft:
        return EventDraft(self.thread.ticket_id, self.at, "system", self.action, self.from_status, self.to_status,
                          self.detail)


def later(thread, at: datetime, action: str, from_status: str, to_status: str, detail: dict) -> _Later:
    return _Later(thread, at, action, str(from_status), str(to_status), detail)


class NativeAnswers:
    def __init__(self, channel_type: str, enabled: bool):
        self.actor = native_actor(channel_type)
        self.enabled = enabled
        self.entries: list[_Entry] = []

    def answers(self, message: InboundMessage, thread) -> bool:
        return (self.enabled and message.direction == "out" and thread.status in OPEN_STATUSES
                and not AUTOMATED_FLAGS.intersection(message.flags))

    def take(self, message: InboundMessage, thread) -> _Entry:
        entry = _Entry(message, thread, str(thread.status), self.actor)  # StrEnum or the stored text
        thread.status = TicketStatus.ANSWERED
        thread.answered_at = message.sent_at
        self.entries.append(entry)
        return entry  # a placeholder in ingest's event drafts, resolved once ticket ids are known

    @staticmethod
    def resolve(drafts: list) -> list[EventDraft]:
        return [d.draft() if isinstance(d, (_Entry, _Later)) else d for d in drafts]

    def write(self, session) -> None:
        """Ticket rows: answered (unless reopened later in the batch), first response, SLA verdict."""
        from ticketing.store.models import Ticket

        t = Ticket.__table__
        by_ticket: dict[int, list[_Entry]] = {}
        for entry in self.entries:
            by_ticket.setdefault(entry.thread.ticket_id, []).append(entry)
        for ticket_id, entries in by_ticket.items():
            first: datetime = entries[0].message.sent_at
            last: datetime = entries[-1].message.sent_at
            values: dict[str, Any] = {
                "first_response_at": sa.case((t.c.first_response_at.is_(None), first),
                                             (t.c.first_response_at > first, first), else_=t.c.first_response_at),
                "answered_at": last,
            }
            if entries[-1].thread.status == TicketStatus.ANSWERED:  # not reopened by a later message
                values["status"] = TicketStatus.ANSWERED.value
                values["sla_state"] = sa.case((t.c.due_at.is_(None), "ok"), (t.c.due_at >= last, "met"),
                                              else_="late")
                values["sla_paused_at"] = None
                values["reply_state"] = values["reply_error"] = None  # the citizen got an answer after all
            session.execute(sa.update(t).where(t.c.id == ticket_id).values(**values))
