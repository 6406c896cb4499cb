"""Turn batches of `InboundMessage` into stored messages and tickets, idempotently.

One batch is one write transaction: messages, new tickets, contacts, events, quarantined
items and the collector's cursor commit together or not at all. Ingesting the same batch
again finds every message by its `(channel, external_id)` key and adds nothing. Writers of
one channel are serialised (SQLite's write lock; a per-channel advisory lock on PostgreSQL),
so the existence check and the insert cannot race; `ON CONFLICT DO NOTHING` backs it up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import InboundMessage, QuarantinedItem
from ticketing.contract.text import valid_text
from ticketing.intake.contacts import resolve_contacts
from ticketing.intake.quarantine import store_quarantined
from ticketing.intake.revisions import apply_edits
from ticketing.intake.summary import ticket_summary
from ticketing.store import bulk
from ticketing.store.models import (
    CollectorState,
    Message,
    Ticket,
)
from ticketing.store.sql import advisory_lock, param_mark
from ticketing.workflow.audit import EventDraft, append_events
from ticketing.workflow.statuses import NEEDS_REVIEW_FLAG, OPEN_STATUSES, TicketStatus

TICKET_FLAGS = ("future_timestamp", "no_reply_address")  # message flags the ticket carries too
FUTURE_TOLERANCE = timedelta(minutes=10)  # clock skew we accept before calling a timestamp future
MESSAGE_COLUMNS = (
    "ticket_id", "channel", "external_id", "thread_key", "direction", "author_id", "author_handle",
    "author_name", "is_private", "in_reply_to", "subject", "text", "flags", "raw", "sent_at", "created_at",
    "delivery_attempts",
)
TICKET_COLUMNS = (
    "id", "ref", "channel", "channel_type", "thread_key", "contact_id", "is_public", "kind", "category",
    "bidang", "classification_confidence", "classification_locked", "status", "summary", "tags",
    "message_count", "received_at", "last_message_at", "due_at", "sla_state", "flags", "sla_paused_seconds",
)


@dataclass(frozen=True)
class Classification:
    kind: str | None
    category: str | None
    bidang: str | None
    confidence: float | None = None
    needs_review: bool = False  # below routing.review_threshold: no bidang, flag "perlu-ditinjau"


@dataclass
class IngestPolicy:
    """What ingest needs from the rest of the system, passed in so tests can pin it."""

    reopen_window: timedelta = timedelta(days=7)
    due_at: Callable[[datetime, Classification | None], datetime | None] = lambda received, _c: None
    classify: Callable[[str], Classification] | None = None
    native_answers: Callable[[str], bool] = lambda channel: True  # office replies in the channel's app
    timezone: str = "Asia/Jakarta"  # the office's: ticket reference years


@dataclass
class IngestResult:
    new_messages: int = 0
    duplicates: int = 0
    new_tickets: int = 0
    reopened: int = 0
    edits: int = 0
    quarantined: int = 0
    ticket_ids: set[int] = field(default_factory=set)

    def add(self, other: IngestResult) -> None:
        for name in ("new_messages", "duplicates", "new_tickets", "reopened", "edits", "quarantined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ticket_ids |= other.ticket_ids


def ticket_ref(ticket_id: int, received_at: datetime, timezone: str = "Asia/Jakarta") -> str:
    """The year is the office's: a message at 06:30 WIB on 1 January belongs to the new year."""
    from zoneinfo import ZoneInfo

    return f"ADU-{received_at.astimezone(ZoneInfo(timezone)).year}-{ticket_id:06d}"


CLEANED_FIELDS = ("text", "author_name", "author_handle", "subject")


def _clean_text(text: str, dialect_name: str) -> str:
    # PostgreSQL text cannot hold NUL; SQLite stores the citizen's text exactly as received. A lone
    # surrogate cannot be stored at all: the contract repairs it when a message is built, and again
    # here for a field a collector changed afterwards (one function, ticketing.contract.text).
    if not text:
        return text
    text = valid_text(text)
    return text.replace("\x00", "\ufffd") if dialect_name == "postgresql" else text


def _validate(message: InboundMessage, now: datetime) -> str | None:
    """Why a message cannot be stored, or None. A future timestamp is flagged, not refused."""
    if not message.external_id:
        return "message has no external id"
    if not isinstance(message.sent_at, datetime) or message.sent_at.tzinfo is None:
        return f"timestamp {message.sent_at!r} has no time zone"
    if message.direction not in ("in", "out"):
        return f"direction {message.direction!r} is not in/out"
    if message.sent_at > now + FUTURE_TOLERANCE and "future_timestamp" not in message.flags:
        message.flags.append("future_timestamp")
    return None


def _lock_channel(session: Session, channel: str) -> None:
    advisory_lock(session, f"ingest:{channel}")


def ingest_batch(
    session: Session,
    channel: str,
    messages: Sequence[InboundMessage],
    *,
    now: datetime,
    policy: IngestPolicy | None = None,
    channel_type: str = "",
    cursor: str | None = None,
    quarantined: Sequence[QuarantinedItem] = (),
) -> IngestResult:
    """Store one batch; the cursor (already JSON) is saved in the same transaction."""
    policy = policy or IngestPolicy()
    result = IngestResult()
    dialect_name = session.get_bind().dialect.name
    _lock_channel(session, channel)

    rejects = list(quarantined)
    accepted: list[InboundMessage] = []
    for message in messages:
        problem = _validate(message, now)
        if problem:
            rejects.append(QuarantinedItem(channel, problem, message.raw, message.external_id or None))
        else:
            for name in CLEANED_FIELDS:
                value = getattr(message, name, None)
                if isinstance(value, str):
                    setattr(message, name, _clean_text(value, dialect_name))
            accepted.append(message)

    edits = [m for m in accepted if m.is_edit]
    fresh = [m for m in accepted if not m.is_edit]
    existing = bulk.existing_keys(session, Message.__table__, {"channel": channel}, "external_id",
                                  [m.external_id for m in accepted])
    result.edits = apply_edits(session, edits, existing, fresh)

    unique: dict[str, InboundMessage] = {}
    for message in fresh:
        if message.external_id in existing or message.external_id in unique:
            result.duplicates += 1
        else:
            unique[message.external_id] = message
    new_messages = sorted(unique.values(), key=lambda m: (m.sent_at, m.external_id))
    if new_messages:
        from ticketing.intake.bounces import apply_delivery_reports
        from ticketing.intake.reply_threads import adopt_known_threads

        adopt_known_threads(session, channel, new_messages)  # replies whose own thread key is new
        _store_new(session, channel, channel_type, new_messages, now, policy, result)
        apply_delivery_reports(session, channel, new_messages, now)  # bounces mark our replies failed
    store_quarantined(session, rejects, now)
    result.quarantined = len(rejects)
    if cursor is not None:
        save_cursor(session, channel, cursor, now)
    return result


def _store_new(session: Session, channel: str, channel_type: str, new_messages: list[InboundMessage],
               now: datetime, policy: IngestPolicy, result: IngestResult) -> None:
    contacts = resolve_contacts(session, channel, new_messages, now)
    assignment, drafts = _thread(session, channel, channel_type, new_messages, contacts, now, policy, result)
    rows = []
    for message in new_messages:
        rows.append({
            "ticket_id": assignment.get(message.external_id), "channel": channel,
            "external_id": message.external_id, "thread_key": message.thread_key,
            "direction": message.direction, "author_id": message.author_id,
            "author_handle": message.author_handle, "author_name": message.author_name,
            "is_private": message.is_private, "in_reply_to": message.in_reply_to,
            "subject": message.subject, "text": message.text, "flags": ",".join(message.flags),
            "raw": message.raw_json(), "sent_at": message.sent_at, "created_at": now,
            "delivery_attempts": 0,
        })
    bulk.insert_rows(session, Message.__table__, MESSAGE_COLUMNS, rows, conflict=("channel", "external_id"))
    result.new_messages = len(rows)
    if any(m.attachments for m in new_messages):
        _store_attachments(session, channel, new_messages)
    from ticketing.privacy.rules import flag_public_nik, public_nik_tickets

    flag_public_nik(session, public_nik_tickets(new_messages, assignment))  # NIK posted publicly: DM first
    append_events(session, drafts)


def _store_attachments(session: Session, channel: str, new_messages: list[InboundMessage]) -> None:
    from ticketing.store.models import AttachmentRecord

    with_files = [m for m in new_messages if m.attachments]
    ids = bulk.existing_keys(session, Message.__table__, {"channel": channel}, "external_id",
                             [m.external_id for m in with_files])
    records = [
        {"message_id": ids[m.external_id], "filename": a.filename, "content_type": a.content_type,
         "size": a.size, "sha256": a.sha256, "path": a.path, "skipped_reason": a.skipped_reason,
         "sensitive": a.sensitive}
        for m in with_files if m.external_id in ids for a in m.attachments
    ]
    if records:
        session.execute(sa.insert(AttachmentRecord), records)


@dataclass
class _Thread:
    ticket_id: int | None
    status: str | None
    answered_at: datetime | None
    is_new: bool = False
    row: dict[str, Any] | None = None
    touched: bool = False
    count: int = 0
    last_at: datetime | None = None
    reopened_due: datetime | None = None
    kind: str | None = None
    category: str | None = None


def _candidate_tickets(session: Session, channel: str, thread_keys: list[str]) -> dict[str, _Thread]:
    """The most recent non-merged ticket of each thread key (driver-level: this runs per batch)."""
    found: dict[str, _Thread] = {}
    keys = list(dict.fromkeys(thread_keys))
    conn = session.connection()
    mark = param_mark(conn.dialect)
    read_time = Ticket.__table__.c.answered_at.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    for start in range(0, len(keys), bulk.IN_CHUNK):
        chunk = keys[start:start + bulk.IN_CHUNK]
        sql = (f"SELECT id, thread_key, status, answered_at, kind, category FROM ticket WHERE channel = {mark} "
               f"AND merged_into_id IS NULL AND thread_key IN ({', '.join([mark] * len(chunk))}) ORDER BY id")
        for ticket_id, key, status, answered_at, kind, category in conn.exec_driver_sql(sql, (channel, *chunk)):
            found[key] = _Thread(ticket_id, status, read_time(answered_at) if read_time else answered_at,
                                 kind=kind, category=category)
    return found


def _thread(session: Session, channel: str, channel_type: str, messages: list[InboundMessage],
            contacts: dict[str, int], now: datetime, policy: IngestPolicy,
            result: IngestResult) -> tuple[dict[str, int], list[EventDraft]]:
    """Decide each message's ticket: join the open one, reopen a recent answer, or open anew."""
    from ticketing.intake import native_replies

    threads = _candidate_tickets(session, channel, [m.thread_key for m in messages])
    native = native_replies.NativeAnswers(channel_type or channel, policy.native_answers(channel))
    drafts: list[EventDraft] = []
    new_rows: list[tuple[InboundMessage, _Thread]] = []
    placed: list[tuple[InboundMessage, _Thread]] = []
    for message in messages:
        thread = threads.get(message.thread_key)
        citizen = message.direction == "in" and message.opens_ticket
        if thread is not None and _joins(thread, message, citizen, policy):
            if citizen and thread.status in (TicketStatus.ANSWERED, TicketStatus.CLOSED):
                drafts.append(native_replies.later(thread, now, "reopened", thread.status, TicketStatus.NEW,
                                                   {"message": message.external_id}))
                thread.status = TicketStatus.NEW
                # the ticket's own policy (per kind / category), the same function recompute uses
                thread.reopened_due = policy.due_at(message.sent_at, Classification(thread.kind, thread.category,
                                                                                     None))
                thread.touched = True
                result.reopened += 1
            elif native.answers(message, thread):
                drafts.append(native.take(message, thread))
            elif "reaction" in message.flags:  # an event on the message it refers to; no status change
                drafts.append(native_replies.later(thread, message.sent_at, "reacted", thread.status, thread.status,
                                                   {"message": message.in_reply_to, "reaction": message.text}))
        elif citizen:
            thread = _Thread(None, TicketStatus.NEW, None, is_new=True)
            threads[message.thread_key] = thread
            new_rows.append((message, thread))
        else:
            continue  # the office's own post or an auto-reply with no ticket to join
        thread.count += 1
        thread.last_at = max(thread.last_at or message.sent_at, message.sent_at)
        placed.append((message, thread))

    _create_tickets(session, channel, channel_type, new_rows, contacts, now, policy, drafts, result)
    drafts = native.resolve(drafts)
    _update_existing(session, [t for t in threads.values() if not t.is_new and t.count], now)
    native.write(session)
    assignment = {m.external_id: t.ticket_id for m, t in placed if t.ticket_id is not None}
    result.ticket_ids.update(assignment.values())
    return assignment, drafts


def _joins(thread: _Thread, message: InboundMessage, citizen: bool, policy: IngestPolicy) -> bool:
    if thread.status in OPEN_STATUSES:
        return True
    recently_answered = thread.status in (TicketStatus.ANSWERED, TicketStatus.CLOSED) and (
        thread.answered_at is not None and message.sent_at <= thread.answered_at + policy.reopen_window
    )
    if recently_answered:
        return True
    # The office's replies and auto-replies attach to the last ticket of the thread as they are.
    return not citizen


def _create_tickets(session: Session, channel: str, channel_type: str,
                    new_rows: list[tuple[InboundMessage, _Thread]], contacts: dict[str, int], now: datetime,
                    policy: IngestPolicy, drafts: list[EventDraft], result: IngestResult) -> None:
    if not new_rows:
        return
    ids = bulk.allocate_ids(session, Ticket.__table__, len(new_rows))
    created: list[EventDraft] = []
    for ticket_id, (message, thread) in zip(ids, new_rows, strict=True):
        found = policy.classify(message.text) if policy.classify else None
        thread.ticket_id = ticket_id
        thread.kind, thread.category = (found.kind, found.category) if found else (None, None)
        thread.row = {
            "id": ticket_id, "ref": ticket_ref(ticket_id, message.sent_at, policy.timezone), "channel": channel,
            "channel_type": channel_type, "thread_key": message.thread_key,
            "contact_id": contacts.get(message.author_id), "is_public": not message.is_private,
            "kind": found.kind if found else None, "category": found.category if found else None,
            "bidang": found.bidang if found else None,
            "classification_confidence": found.confidence if found else None,
            "classification_locked": False, "status": TicketStatus.NEW.value,
            "summary": ticket_summary(message), "tags": "", "message_count": 0,
            "received_at": message.sent_at, "last_message_at": message.sent_at,
            "due_at": policy.due_at(message.sent_at, found), "sla_state": "ok",
            "flags": ",".join([f for f in message.flags if f in TICKET_FLAGS]
                              + ([NEEDS_REVIEW_FLAG] if getattr(found, "needs_review", False) else [])),
            "sla_paused_seconds": 0,
        }
        created.append(EventDraft(ticket_id, now, "system", "created", None, TicketStatus.NEW,
                                  json.dumps({"channel": channel, "message": message.external_id})))
    for _message, thread in new_rows:
        thread.row["message_count"] = thread.count
        thread.row["last_message_at"] = thread.last_at
    bulk.insert_rows(session, Ticket.__table__, TICKET_COLUMNS, [t.row for _m, t in new_rows])
    drafts[:0] = created  # a ticket's creation precedes what happened to it later in the batch
    result.new_tickets = len(new_rows)


def _update_existing(session: Session, threads: list[_Thread], now: datetime) -> None:
    rows = [{"id": t.ticket_id, "message_count": t.count, "last_message_at": t.last_at} for t in threads]
    if rows:
        dialect = session.get_bind().dialect
        mark = param_mark(dialect)
        bind = bulk.row_binder(Ticket.__table__, ["message_count", "last_message_at", "id"], dialect)
        sql = (f"UPDATE ticket SET message_count = message_count + {mark}, "
               f"last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < {mark} "
               f"THEN {mark} ELSE last_message_at END WHERE id = {mark}")
        params = []
        for row in rows:
            count, last, ticket_id = bind(row)
            params.append((count, last, last, ticket_id))
        session.connection().exec_driver_sql(sql, params)
    reopened = [{"id": t.ticket_id, "status": t.status, "due_at": t.reopened_due, "sla_state": "ok",
                 "warn_notified_at": None, "breach_notified_at": None} for t in threads if t.touched]
    bulk.update_rows(session, Ticket.__table__,
                     ["status", "due_at", "sla_state", "warn_notified_at", "breach_notified_at"], reopened)


def save_cursor(session: Session, channel: str, cursor: str, now: datetime) -> None:
    state = session.get(CollectorState, channel)
    if state is None:
        state = CollectorState(channel=channel)
    state.cursor = cursor
    state.last_success_at = now
    session.add(state)
    session.flush()
