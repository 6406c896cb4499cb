"""A citizen's access request (UU 27/2022 PDP Pasal 32): their data and its processing trail.

`export_contact` gathers what the office holds about one contact: the contact and its channel
handles, the tickets they opened or wrote on, the messages on them (with earlier revisions of
edited messages), attachment metadata (never file paths), the escalations and staff
notifications about those tickets, the quarantined items and webhook bodies that carry one of
their channel ids, and every audit event of those tickets: the same tables `aduan privacy purge`
erases. The citizen's own text is given as stored, unmasked: it is their data. Internal staff
notes, escalation notes and notification texts are listed as steps of the trail, without text.
Supervisor only; the export itself is an audit event, written in the same transaction that read
the data.
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
ESCALATION_FIELDS = ("id", "ticket_id", "bidang", "escalated_by", "escalated_at", "answered_by", "answered_at")
NOTIFICATION_FIELDS = ("id", "ticket_id", "kind", "created_at", "sent_at", "state")


def _mentioning(session: Session, table: sa.Table, column: str, fields: tuple[str, ...],
                handles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a payload table (quarantine, webhook bodies) that carry one of the contact's ids."""
    from ticketing.store.search import LIKE_ESCAPE, escape_like

    ids = [h["external_user_id"] for h in handles if len(h["external_user_id"] or "") >= 4]
    if not ids:
        return []
    where = sa.or_(*(table.c[column].like(f"%{escape_like(i)}%", escape=LIKE_ESCAPE) for i in ids))
    return _rows(session, table, fields, where, table.c.id)


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
    from ticketing.store.models import (
        AttachmentRecord,
        Contact,
        ContactHandle,
        Escalation,
        Event,
        Message,
        MessageRevision,
        Notification,
        Quarantine,
        Ticket,
        WebhookDelivery,
    )
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
    escalations = _rows(session, Escalation.__table__, ESCALATION_FIELDS, Escalation.ticket_id.in_(ids), Escalation.id)
    notifications = _rows(session, Notification.__table__, NOTIFICATION_FIELDS, Notification.ticket_id.in_(ids),
                          Notification.id)
    quarantined = _mentioning(session, Quarantine.__table__, "payload",
                              ("id", "channel", "reason", "payload", "received_at"), handles)
    webhooks = _mentioning(session, WebhookDelivery.__table__, "payload",
                           ("id", "source", "payload", "received_at", "processed_at"), handles)
    summary = {"contact_id": contact_id, "tickets": len(tickets), "messages": len(messages), "events": len(events),
               "attachments": len(attachments), "escalations": len(escalations),
               "notifications": len(notifications), "quarantined": len(quarantined), "webhooks": len(webhooks)}
    record_event(session, EventDraft(None, now, actor.username, "privacy_export", None, None, summary))
    return {
        "export_version": EXPORT_VERSION, "generated_at": now.isoformat(), "generated_by": actor.username,
        "legal_basis": "UU 27/2022 Pasal 32: akses subjek data pribadi beserta rekam jejak pemrosesan",
        "contact": {"id": contact.id, "display_name": contact.display_name,
                    "created_at": _plain(contact.created_at)},
        "handles": handles, "tickets": tickets, "messages": messages, "revisions": revisions,
        "attachments": attachments, "escalations": escalations, "notifications": notifications,
        "quarantined": quarantined, "webhook_deliveries": webhooks, "events": events, "summary": summary,
    }
