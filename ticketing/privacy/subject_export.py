"""A citizen's access request (UU 27/2022 PDP Pasal 32): their data and its processing trail.

`export_contact` gathers what the office holds about one contact: the contact and its channel
handles, the tickets they opened or wrote on, the messages on them (with earlier revisions of
edited messages), attachment metadata (never file paths) and every audit event of those tickets.
The citizen's own text is given as stored, unmasked: it is their data. Internal staff notes are
listed as events of the trail, without their text. Supervisor only; the export itself is an
audit event, written in the same transaction that read the data.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ticketing.errors import NotFound

if TYPE_CHECKING:
    from sqlmodel import Session

    from ticketing.workflow.roles import Actor

EXPORT_VERSION = 1
TICKET_FIELDS = ("id", "ref", "channel", "thread_key", "is_public", "kind", "category", "bidang", "status",
                 "close_reason", "summary", "tags", "flags", "message_count", "received_at", "last_message_at",
                 "first_response_at", "answered_at", "closed_at", "due_at", "sla_state")
MESSAGE_FIELDS = ("id", "ticket_id", "channel", "external_id", "direction", "author_handle", "author_name",
                  "is_private", "in_reply_to", "subject", "text", "flags", "sent_at", "delivery_state",
                  "delivered_at")
ATTACHMENT_FIELDS = ("id", "message_id", "filename", "content_type", "size", "sha256", "skipped_reason", "sensitive")
EVENT_FIELDS = ("id", "ticket_id", "at", "actor", "action", "from_status", "to_status", "detail", "hash")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(session: Session, table: sa.Table, fields: tuple[str, ...], where, order) -> list[dict[str, Any]]:
    result = session.execute(sa.select(*(table.c[f] for f in fields)).where(where).order_by(order))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def _ticket_ids(session: Session, contact_id: int, handles: list[dict[str, Any]]) -> list[int]:
    """Tickets of the contact, plus tickets elsewhere on which one of their handles wrote (merges)."""
    from ticketing.store.models import Message, Ticket

    ids = set(session.execute(sa.select(Ticket.id).where(Ticket.contact_id == contact_id)).scalars())
    for handle in handles:
        ids |= set(session.execute(sa.select(Message.ticket_id).where(
            Message.channel == handle["channel"], Message.author_id == handle["external_user_id"],
            Message.direction == "in", Message.ticket_id.is_not(None))).scalars())
    return sorted(ids)


def export_contact(session: Session, actor: Actor, now: datetime, contact_id: int) -> dict[str, Any]:
    """The contact's data and processing trail as a JSON-ready dict; records the export event."""
    from ticketing.store.models import AttachmentRecord, Contact, ContactHandle, Event, Message, MessageRevision, Ticket
    from ticketing.workflow.audit import EventDraft, record_event
    from ticketing.workflow.roles import require

    require(actor, "export")
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"kontak {contact_id} tidak ditemukan")
    handles = _rows(session, ContactHandle.__table__, ("channel", "external_user_id", "handle", "display_name"),
                    ContactHandle.contact_id == contact_id, ContactHandle.id)
    ids = _ticket_ids(session, contact_id, handles)
    tickets = _rows(session, Ticket.__table__, TICKET_FIELDS, Ticket.id.in_(ids), Ticket.id)
    messages = _rows(session, Message.__table__, MESSAGE_FIELDS,
                     sa.and_(Message.ticket_id.in_(ids), Message.direction != "note"), Message.id)
    message_ids = [m["id"] for m in messages]
    revisions = _rows(session, MessageRevision.__table__, ("message_id", "previous_text", "edited_at"),
                      MessageRevision.message_id.in_(message_ids), MessageRevision.id)
    attachments = _rows(session, AttachmentRecord.__table__, ATTACHMENT_FIELDS,
                        AttachmentRecord.message_id.in_(message_ids), AttachmentRecord.id)
    events = _rows(session, Event.__table__, EVENT_FIELDS, Event.ticket_id.in_(ids), Event.id)
    summary = {"contact_id": contact_id, "tickets": len(tickets), "messages": len(messages), "events": len(events),
               "attachments": len(attachments)}
    record_event(session, EventDraft(None, now, actor.username, "privacy_export", None, None, summary))
    return {
        "export_version": EXPORT_VERSION, "generated_at": now.isoformat(), "generated_by": actor.username,
        "legal_basis": "UU 27/2022 Pasal 32: akses subjek data pribadi beserta rekam jejak pemrosesan",
        "contact": {"id": contact.id, "display_name": contact.display_name,
                    "created_at": _plain(contact.created_at)},
        "handles": handles, "tickets": tickets, "messages": messages, "revisions": revisions,
        "attachments": attachments, "events": events, "summary": summary,
    }
