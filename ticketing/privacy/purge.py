"""Purging personal data after the retention period (UU 27/2022 PDP Pasal 43-44), and keeping
what is still shared.

A purged ticket keeps its row and the recap figures (dates, kind, category, bidang, status);
everything that identifies or describes the citizen goes: message bodies, subjects, raw
payloads, author names, handles and ids, the thread key (a phone number on WhatsApp, an
address on email), earlier revisions, attachment names and files, staff notes, escalation notes
and technical answers, notification texts, and the contact with its handles when no other
ticket refers to it. Quarantined and webhook payloads older than the cutoff go too.

Attachments are stored by content hash, so two tickets may share one file: a file is deleted
only when no remaining row refers to it, checked again under the write lock just before the
unlink. On SQLite the search index is merged and the file rebuilt (VACUUM, WAL checkpoint)
afterwards, so no purged text survives in free pages or the write-ahead log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ticketing.errors import AduanError
from ticketing.privacy.rules import PURGED_FLAG, PURGED_TEXT

if TYPE_CHECKING:
    from sqlmodel import Session

    from ticketing.workflow.roles import Actor

PURGEABLE_STATUSES = ("closed", "dismissed")
PURGE_CHUNK = 500  # tickets per UPDATE batch: bounded statements on large backlogs
PURGED_NAME = "[dihapus]"
KINDS = ("tickets", "messages", "names", "revisions", "attachments", "notes", "escalations", "notifications",
         "contacts", "handles", "quarantine_payloads", "webhook_payloads")


@dataclass
class PurgeResult:
    older_than_days: int
    cutoff: datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    files: list[str] = field(default_factory=list)  # no longer referenced: deleted after the commit
    shared_files: int = 0  # still referenced by a ticket that stays: kept

    def __getattr__(self, name: str) -> int:  # result.messages, result.tickets, ...
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    def add(self, kind: str, number: int) -> None:
        self.counts[kind] += number

    def as_dict(self) -> dict[str, Any]:
        return {"older_than_days": self.older_than_days, "cutoff": self.cutoff.isoformat(),
                "dry_run": self.dry_run, **self.counts, "files": len(self.files), "shared_files": self.shared_files}


def _tables():
    from ticketing.store import models as m

    return m


def _purgeable_ids(session: Session, cutoff: datetime) -> list[int]:
    Ticket = _tables().Ticket
    closed = sa.func.coalesce(Ticket.closed_at, Ticket.last_message_at, Ticket.received_at)
    query = (sa.select(Ticket.id)
             .where(Ticket.status.in_(PURGEABLE_STATUSES), closed < cutoff,
                    sa.not_(("," + Ticket.__table__.c.flags + ",").contains(f",{PURGED_FLAG},")))
             .order_by(Ticket.id))
    return list(session.execute(query).scalars())


def purge(session: Session, actor: Actor, now: datetime, older_than_days: int, dry_run: bool = False) -> PurgeResult:
    """Remove the personal data of tickets closed or dismissed more than `older_than_days` ago.

    Supervisor only; one audit event per purged ticket and one summary event. The caller commits,
    then calls `remove_files` and, on SQLite, `compact`."""
    from ticketing.workflow.roles import require

    require(actor, "privacy")
    if older_than_days < 1:
        raise AduanError("--older-than harus minimal 1 hari")
    cutoff = now - timedelta(days=older_than_days)
    result = PurgeResult(older_than_days, cutoff, dry_run)
    ids = _purgeable_ids(session, cutoff)
    for start in range(0, len(ids), PURGE_CHUNK):
        _purge_chunk(session, ids[start:start + PURGE_CHUNK], actor, now, result)
    result.add("tickets", len(ids))
    _purge_payloads(session, cutoff, result)
    if not dry_run:
        from ticketing.workflow.audit import EventDraft, record_event

        _optimise_search(session)
        record_event(session, EventDraft(None, now, actor.username, "privacy_purge", None, None, result.as_dict()))
    return result


def _quiet(statement):
    return statement.execution_options(synchronize_session=False)


def _count(session: Session, *where) -> int:
    return session.execute(sa.select(sa.func.count()).where(*where)).scalar_one()


def _purge_chunk(session: Session, ids: list[int], actor: Actor, now: datetime, result: PurgeResult) -> None:
    from ticketing.workflow.audit import EventDraft, append_events

    m = _tables()
    Message, Ticket = m.Message, m.Ticket
    messages = sa.select(Message.id).where(Message.ticket_id.in_(ids)).scalar_subquery()
    per_ticket = dict(session.execute(sa.select(Message.ticket_id, sa.func.count()).where(
        Message.ticket_id.in_(ids)).group_by(Message.ticket_id)).all())
    result.add("messages", sum(per_ticket.values()))
    result.add("names", _count(session, Message.ticket_id.in_(ids), Message.direction == "in",
                               sa.or_(Message.author_name != "", Message.author_handle != "", Message.author_id != "")))
    result.add("notes", _count(session, Message.ticket_id.in_(ids), Message.direction == "note"))
    result.add("revisions", _count(session, m.MessageRevision.message_id.in_(messages)))
    result.add("escalations", _count(session, m.Escalation.ticket_id.in_(ids)))
    result.add("notifications", _count(session, m.Notification.ticket_id.in_(ids), m.Notification.text != PURGED_TEXT))
    attachments = session.execute(sa.select(m.AttachmentRecord.path, m.AttachmentRecord.sha256).where(
        m.AttachmentRecord.message_id.in_(messages))).all()
    result.add("attachments", len(attachments))
    contact_ids = set(session.execute(sa.select(Ticket.contact_id).where(
        Ticket.id.in_(ids), Ticket.contact_id.is_not(None))).scalars())
    if result.dry_run:
        return
    statuses = dict(session.execute(sa.select(Ticket.id, Ticket.status).where(Ticket.id.in_(ids))).all())
    session.execute(_quiet(sa.update(m.MessageRevision).where(m.MessageRevision.message_id.in_(messages))
                           .values(previous_text=PURGED_TEXT, raw=None)))
    session.execute(_quiet(sa.update(m.AttachmentRecord).where(m.AttachmentRecord.message_id.in_(messages))
                           .values(path=None, sha256=None, filename=PURGED_NAME)))
    pseudonym = sa.literal("purged:") + sa.cast(Message.ticket_id, sa.String)
    citizen = Message.direction == "in"  # which officer answered or noted stays: it is not the citizen's data
    session.execute(_quiet(sa.update(Message).where(Message.ticket_id.in_(ids)).values(
        text=PURGED_TEXT, raw=None, subject=None, thread_key=pseudonym, delivery_error=None,
        author_name=sa.case((citizen, ""), else_=Message.author_name),
        author_handle=sa.case((citizen, ""), else_=Message.author_handle),
        author_id=sa.case((citizen, ""), else_=Message.author_id))))
    session.execute(_quiet(sa.update(m.Escalation).where(m.Escalation.ticket_id.in_(ids)).values(
        note="", answer_text=sa.case((m.Escalation.answer_text.is_(None), None), else_=PURGED_TEXT))))
    session.execute(_quiet(sa.update(m.Notification).where(m.Notification.ticket_id.in_(ids))
                           .values(text=PURGED_TEXT, error=None)))
    flags = Ticket.__table__.c.flags
    session.execute(_quiet(sa.update(Ticket).where(Ticket.id.in_(ids)).values(
        summary="", contact_id=None, thread_key=sa.literal("purged:") + sa.cast(Ticket.id, sa.String),
        flags=sa.case((flags == "", PURGED_FLAG), else_=flags + f",{PURGED_FLAG}"))))
    _drop_unreferenced_contacts(session, contact_ids, result)
    _sort_files(session, attachments, result)
    append_events(session, [
        EventDraft(ticket_id, now, actor.username, "purged", statuses.get(ticket_id), statuses.get(ticket_id),
                   {"messages": per_ticket.get(ticket_id, 0), "older_than_days": result.older_than_days})
        for ticket_id in ids
    ])


def _drop_unreferenced_contacts(session: Session, contact_ids: set[int], result: PurgeResult) -> None:
    """A contact with no ticket left goes, with its handles; one still on a kept ticket stays."""
    m = _tables()
    if not contact_ids:
        return
    used = set(session.execute(sa.select(m.Ticket.contact_id).where(m.Ticket.contact_id.in_(contact_ids))).scalars())
    gone = sorted(contact_ids - used)
    if not gone:
        return
    result.add("handles", session.execute(_quiet(sa.delete(m.ContactHandle).where(
        m.ContactHandle.contact_id.in_(gone)))).rowcount)
    result.add("contacts", session.execute(_quiet(sa.delete(m.Contact).where(m.Contact.id.in_(gone)))).rowcount)


def _still_referenced(session: Session, path: str, sha256: str | None) -> bool:
    AttachmentRecord = _tables().AttachmentRecord
    same = AttachmentRecord.path == path
    if sha256:
        same = sa.or_(same, AttachmentRecord.sha256 == sha256)
    return session.execute(sa.select(AttachmentRecord.id).where(AttachmentRecord.path.is_not(None), same)
                           .limit(1)).first() is not None


def _sort_files(session: Session, attachments, result: PurgeResult) -> None:
    """Files of the purged rows: to delete when no other row refers to them, else kept."""
    seen: set[str] = set()
    for path, sha256 in attachments:
        if not path or path in seen:
            continue
        seen.add(path)
        if _still_referenced(session, path, sha256):
            result.shared_files += 1
        else:
            result.files.append(path)


def remove_files(engine, paths: list[str]) -> int:
    """Delete purged files after the commit, each re-checked under the write lock (a new message
    may have brought the same content meanwhile); a file already gone is not an error."""
    from ticketing.store.db import write_session

    removed = 0
    with write_session(engine) as session:
        for path in paths:
            if _still_referenced(session, path, None):
                continue
            try:
                Path(path).unlink()
                removed += 1
            except FileNotFoundError:
                continue
    return removed


def _purge_payloads(session: Session, cutoff: datetime, result: PurgeResult) -> None:
    """Processed webhook bodies and quarantined payloads hold the same messages: after the
    retention period keep only the webhook's hash and the quarantine's reason (and who handled it)."""
    m = _tables()
    hooks = sa.and_(m.WebhookDelivery.processed_at.is_not(None), m.WebhookDelivery.processed_at < cutoff,
                    m.WebhookDelivery.payload != "")
    quarantined = sa.and_(m.Quarantine.received_at < cutoff,  # the note an admin wrote may name the citizen
                          sa.or_(m.Quarantine.payload.is_not(None), m.Quarantine.resolution_note.is_not(None)))
    result.add("webhook_payloads", _count(session, hooks))
    result.add("quarantine_payloads", _count(session, quarantined))
    if result.dry_run:
        return
    session.execute(_quiet(sa.update(m.WebhookDelivery).where(hooks).values(payload="")))
    session.execute(_quiet(sa.update(m.Quarantine).where(quarantined).values(payload=None, resolution_note=None)))


def _optimise_search(session: Session) -> None:
    """SQLite's FTS5 index keeps deleted terms in old segments until they are merged."""
    from ticketing.store.search import FTS_TABLE

    if session.get_bind().dialect.name != "sqlite":
        return
    exists = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}).first()
    if exists:
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))


def compact(engine) -> None:
    """SQLite: rebuild the file and empty the WAL so purged text is not left in free pages."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
