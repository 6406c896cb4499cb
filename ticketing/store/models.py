"""The tables of the ticket store. Tables only: logic lives in plain functions elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = ""
    created_at: datetime | None = _ts()


class ContactHandle(SQLModel, table=True):
    """A contact's identity on one channel (X user id, PSID, Telegram user id, email address)."""

    __tablename__ = "contact_handle"
    __table_args__ = (sa.UniqueConstraint("channel", "external_user_id", name="uq_handle_channel_user"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str
    external_user_id: str
    handle: str = ""
    display_name: str = ""


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        sa.Index("ix_ticket_status_due", "status", "due_at"),
        sa.Index("ix_ticket_thread", "channel", "thread_key", "status"),
        sa.Index("ix_ticket_received", "received_at"),
        sa.Index("ix_ticket_sla_due", "sla_state", "due_at"),
        sa.Index("ix_ticket_answered", "answered_at"),  # recaps: backlog and the daily list
        sa.Index("ix_ticket_closed", "closed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, sa_column_kwargs={"unique": True})
    channel: str
    channel_type: str = ""
    thread_key: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    is_public: bool = False
    kind: str | None = None
    category: str | None = None
    bidang: str | None = None
    classification_confidence: float | None = None
    classification_locked: bool = False
    status: str = "new"
    close_reason: str | None = None
    assignee: str | None = Field(default=None, index=True)
    summary: str = ""
    tags: str = ""
    message_count: int = 0
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_message_at: datetime | None = _ts()
    first_response_at: datetime | None = _ts()
    answered_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()
    due_at: datetime | None = _ts()
    sla_state: str = "ok"
    warn_notified_at: datetime | None = _ts()
    breach_notified_at: datetime | None = _ts()
    recapped_at: datetime | None = _ts()
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id")
    flags: str = ""
    sla_paused_at: datetime | None = _ts()
    sla_paused_seconds: int = 0
    # The office's last reply that has not reached the citizen: pending / failed / unknown (None: none waits).
    reply_state: str | None = None
    reply_error: str | None = None


class Message(SQLModel, table=True):
    """One message on a ticket: from the citizen (in), from the office (out), or internal (note)."""

    __tablename__ = "message"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id", name="uq_message_channel_external"),
        sa.Index("ix_message_ticket", "ticket_id", "sent_at"),
        sa.Index("ix_message_delivery", "delivery_state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    channel: str
    external_id: str | None = None
    thread_key: str = ""
    direction: str = "in"
    note_type: str | None = None
    author_id: str = ""
    author_handle: str = ""
    author_name: str = ""
    is_private: bool = False
    in_reply_to: str | None = None
    subject: str | None = None
    text: str = ""
    flags: str = ""
    raw: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime | None = _ts()
    created_by: str | None = None
    delivery_state: str | None = None
    delivery_attempts: int = 0
    delivery_error: str | None = None
    delivered_at: datetime | None = _ts()
    next_attempt_at: datetime | None = _ts()
    provider_status: str | None = None
    provider_status_at: datetime | None = _ts()


class OutboundPart(SQLModel, table=True):
    """One accepted part of a reply the channel took in several parts (Telegram's 4,096 limit).

    Written the moment the channel accepts the part, so a retry after a later part failed
    sends only the parts not yet here.
    """

    __tablename__ = "outbound_part"
    __table_args__ = (sa.UniqueConstraint("message_id", "part_index", name="uq_outbound_part"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    part_index: int
    external_id: str
    accepted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MessageRevision(SQLModel, table=True):
    """An earlier text of an edited message; the message row holds the latest text."""

    __tablename__ = "message_revision"
    __table_args__ = (sa.UniqueConstraint("message_id", "edited_at", name="uq_revision_message_time"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    previous_text: str
    edited_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    raw: str | None = Field(default=None, sa_type=sa.Text)


class Event(SQLModel, table=True):
    """The append-only audit log; each row carries the hash of the one before it."""

    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor: str
    action: str = Field(index=True)
    from_status: str | None = None
    to_status: str | None = None
    detail: str = ""
    prev_hash: str = ""
    hash: str = ""
    os_account: str | None = None  # the OS account of the process that wrote it (NULL before 0003)


class Escalation(SQLModel, table=True):
    """A consultation of a bidang's Group Admin (SOP step 2) and its answer (step 3)."""

    __tablename__ = "escalation"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    bidang: str = Field(index=True)
    note: str = ""
    escalated_by: str
    escalated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    answered_by: str | None = None
    answered_at: datetime | None = _ts()
    answer_text: str | None = None


class AttachmentRecord(SQLModel, table=True):
    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    filename: str
    content_type: str = ""
    size: int = 0
    sha256: str | None = None
    path: str | None = None
    skipped_reason: str | None = None
    sensitive: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class CollectorState(SQLModel, table=True):
    """Per-channel cursor and health, written in the same transaction as the messages."""

    __tablename__ = "collector_state"
    channel: str = Field(primary_key=True)
    cursor: str | None = Field(default=None, sa_type=sa.Text)
    last_run_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_error: str | None = None
    last_error_at: datetime | None = _ts()
    needs_reauth: bool = False
    reauth_notified_at: datetime | None = _ts()
    next_allowed_at: datetime | None = _ts()
    budget_month: str | None = None
    budget_used: int = 0
    lock_owner: str | None = None
    lock_expires_at: datetime | None = _ts()


class Quarantine(SQLModel, table=True):
    """Payloads that failed to parse: kept with the reason, reported, never blocking a cursor."""

    __tablename__ = "quarantine"
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True)
    external_id: str | None = None
    reason: str
    payload: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = _ts()
    resolved_by: str | None = None  # the staff username who handled it (`aduan quarantine resolve`)
    resolution_note: str | None = Field(default=None, sa_type=sa.Text)  # what was done: re-entered, junk, ...


class Notification(SQLModel, table=True):
    """A message to staff (escalation, SLA warning/breach, re-authorisation), sent once per key."""

    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column_kwargs={"unique": True})
    kind: str = Field(index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    recipient: str = ""
    via: str = ""
    text: str = ""
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    error: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = _ts()


class WebhookDelivery(SQLModel, table=True):
    """A signed webhook body stored durably before it is acknowledged; ingest runs from here."""

    __tablename__ = "webhook_delivery"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    body_sha256: str = Field(index=True)
    payload: str = Field(sa_type=sa.Text)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    processed_at: datetime | None = _ts(index=True)
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime | None = _ts(index=True)  # a failed row waits (exponential backoff) until then
    dead_at: datetime | None = _ts(index=True)  # dead-lettered after too many failures: `aduan webhook retry`


class RoutingLabel(SQLModel, table=True):
    """An office correction of routing, kept as a training label (issue 19): an escalation to
    another bidang than suggested, `aduan route`, a close as spam. The text is not copied: it is
    the ticket's first citizen message (`message_id`), so a privacy purge of the message also
    empties the label."""

    __tablename__ = "routing_label"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    source: str  # route | escalate | spam
    fields: str  # which of kind,category,bidang this label asserts, comma-separated
    kind: str | None = None
    category: str | None = None
    bidang: str | None = None
    suggested: str = ""  # what routing had suggested, "kind/category/bidang", for the confusion table
    created_by: str
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
