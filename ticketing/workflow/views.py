"""Read models for the inbox and the ticket view: plain dicts, stable for `--json`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.intake.summary import without_leading_mentions
from ticketing.privacy.safety import display_handle, mask_sensitive
from ticketing.sla.tracking import sla_state
from ticketing.store import search
from ticketing.store.flags import parse_flags
from ticketing.store.models import (
    AttachmentRecord,
    CollectorState,
    Contact,
    ContactHandle,
    Escalation,
    Event,
    Message,
    MessageRevision,
    Ticket,
)
from ticketing.workflow.delivery import SETTLE_HINT, reply_label
from ticketing.workflow.statuses import NEEDS_REVIEW_FLAG, OPEN_STATUSES, TicketStatus, label

if TYPE_CHECKING:
    from ticketing.sla.calendar import OfficeCalendar

REMAINING_SCAN_DAYS = 400  # a remaining/overdue span longer than this is shown as "at least"


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class InboxFilter:
    statuses: list[str] | None = None
    channel: str | list[str] | None = None  # a name or several (`--channel x`: every X channel)
    bidang: str | None = None
    kind: str | None = None
    category: str | None = None
    assignee: str | None = None
    overdue: bool = False
    since: datetime | None = None
    search: str | None = None
    limit: int = 50
    escalated_to: str | None = None  # a teknis officer's view: tickets ever escalated to this bidang


def _contacts(session: Session, tickets: list[Ticket]) -> dict[int, str]:
    ids = {t.contact_id for t in tickets if t.contact_id is not None}
    if not ids:
        return {}
    names = dict(session.execute(sa.select(Contact.id, Contact.display_name).where(Contact.id.in_(ids))).all())
    handles: dict[int, str] = {}
    for contact_id, handle in session.execute(
        sa.select(ContactHandle.contact_id, ContactHandle.handle).where(ContactHandle.contact_id.in_(ids))
    ):
        handles.setdefault(contact_id, handle)
    return {cid: display_handle(handles.get(cid)) or names.get(cid) or "" for cid in ids}


def inbox_query(filters: InboxFilter, now: datetime, session: Session | None = None):
    """The inbox as one indexed query; `session` picks the dialect's full-text search."""
    statuses = filters.statuses or [s.value for s in OPEN_STATUSES]
    query = select(Ticket).where(Ticket.status.in_(statuses), Ticket.merged_into_id.is_(None))
    if filters.channel:
        names = [filters.channel] if isinstance(filters.channel, str) else list(filters.channel)
        query = query.where(Ticket.channel.in_(names))
    if filters.bidang:
        query = query.where(Ticket.bidang == filters.bidang.upper())
    if filters.escalated_to:
        query = query.where(Ticket.id.in_(select(Escalation.ticket_id).where(
            Escalation.bidang == filters.escalated_to.upper())))
    if filters.kind:
        query = query.where(Ticket.kind == filters.kind)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.assignee:
        query = query.where(Ticket.assignee == filters.assignee)
    if filters.overdue:
        query = query.where(Ticket.due_at <= now)
    if filters.since:
        query = query.where(Ticket.received_at >= filters.since)
    term = search.normalise_term(filters.search)
    if term:
        if session is not None:
            query = query.where(search.matching_tickets(session, term))
        else:
            pattern = search.like_pattern(term)
            query = query.where(Ticket.id.in_(select(Message.ticket_id).where(
                Message.text.ilike(pattern, escape=search.LIKE_ESCAPE))))
    # Most urgent first: replies that did not reach the citizen (failed / unknown) sort with the
    # breached ones at the top, then the earliest due times; no due time last.
    stuck = sa.case((Ticket.reply_state.in_(("failed", "unknown")), 0), else_=1)
    return query.order_by(stuck, Ticket.due_at.is_(None), Ticket.due_at, Ticket.id).limit(filters.limit)


def _day_bounds(calendar: OfficeCalendar, day: date) -> tuple[datetime, datetime]:
    opening, closing = calendar.opening_hours(day)
    return datetime.combine(day, opening, calendar.tz), datetime.combine(day, closing, calendar.tz)


def working_time_left(calendar: OfficeCalendar, now: datetime, due_at: datetime) -> dict[str, Any]:
    """Office time between now and the due time: whole working days plus the hours of partly
    covered days. Overdue tickets get the working time since they fell due."""
    overdue = due_at < now
    start, end = (due_at, now) if overdue else (now, due_at)
    day, last = start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date()
    days, seconds, scanned = 0, 0.0, 0
    while day <= last and scanned < REMAINING_SCAN_DAYS:
        if calendar.is_working_day(day):
            opening, closing = _day_bounds(calendar, day)
            low, high = max(opening, start), min(closing, end)
            if low == opening and high == closing:
                days += 1
            elif high > low:
                seconds += (high - low).total_seconds()
        day += timedelta(days=1)
        scanned += 1
    minutes = int(seconds // 60)
    return {"working_days": days, "hours": minutes // 60, "minutes": minutes % 60, "overdue": overdue,
            "at_least": day <= last}


def ticket_summary(ticket: Ticket, contact: str, now: datetime, warn_before: timedelta,
                   locale: str = "id", calendar: OfficeCalendar | None = None,
                   reveal: bool = False) -> dict[str, Any]:
    show = _shown(reveal)
    state = sla_state(ticket.status, ticket.due_at, ticket.answered_at, now, warn_before)
    remaining = None
    if calendar is not None and ticket.due_at is not None and ticket.status in OPEN_STATUSES:
        remaining = working_time_left(calendar, now, ticket.due_at)
    return {
        "id": ticket.id, "ref": ticket.ref, "contact_id": ticket.contact_id, "channel": ticket.channel,
        "channel_type": ticket.channel_type,
        "status": ticket.status,
        "status_label": reply_label(ticket.reply_state, locale) or label(ticket.status, locale),
        "reply_state": ticket.reply_state, "reply_error": show(ticket.reply_error) if ticket.reply_error else None,
        "kind": ticket.kind,
        "category": ticket.category, "bidang": ticket.bidang, "contact": show(contact),
        "summary": show(without_leading_mentions(ticket.summary)), "assignee": ticket.assignee,
        "received_at": iso(ticket.received_at), "due_at": iso(ticket.due_at),
        "sla_state": state, "sla_remaining": remaining,
        "message_count": ticket.message_count, "tags": parse_flags(ticket.tags),
        "flags": parse_flags(ticket.flags),
        "needs_review": NEEDS_REVIEW_FLAG in parse_flags(ticket.flags),
    }


def _files_and_revisions(session: Session, ticket_id: int, show) -> tuple[dict[int, list], dict[int, list]]:
    """Attachments and earlier texts of the ticket's messages, by message id (two queries in all)."""
    of_ticket = select(Message.id).where(Message.ticket_id == ticket_id)
    files: dict[int, list] = {}
    for a in session.exec(select(AttachmentRecord).where(AttachmentRecord.message_id.in_(of_ticket))
                          .order_by(AttachmentRecord.id)):
        files.setdefault(a.message_id, []).append({
            "filename": show(a.filename), "content_type": a.content_type, "size": a.size,
            "sensitive": a.sensitive, "sha256": a.sha256, "path": a.path, "skipped_reason": a.skipped_reason})
    revisions: dict[int, list] = {}
    for r in session.exec(select(MessageRevision).where(MessageRevision.message_id.in_(of_ticket))
                          .order_by(MessageRevision.edited_at, MessageRevision.id)):
        revisions.setdefault(r.message_id, []).append({"edited_at": iso(r.edited_at),
                                                       "previous_text": show(r.previous_text)})
    return files, revisions


def _shown(reveal: bool):
    """NIK/KK masked unless a permitted user asked to see them (and was audited)."""
    return (lambda text: text or "") if reveal else mask_sensitive


def inbox(session: Session, filters: InboxFilter, now: datetime, warn_before: timedelta,
          locale: str = "id", calendar: OfficeCalendar | None = None) -> list[dict[str, Any]]:
    tickets = list(session.exec(inbox_query(filters, now, session)))
    contacts = _contacts(session, tickets)
    return [ticket_summary(t, contacts.get(t.contact_id, ""), now, warn_before, locale, calendar)
            for t in tickets]


def _escalated_to(query, bidang: str | None):
    """A teknis officer's header counts cover what their inbox lists: tickets escalated to their bidang."""
    if not bidang:
        return query
    return query.where(Ticket.id.in_(sa.select(Escalation.ticket_id).where(Escalation.bidang == bidang.upper())))


def status_counts(session: Session, escalated_to: str | None = None) -> dict[str, int]:
    """Open tickets per status, for the inbox header (an index range, not a table scan)."""
    open_codes = [s.value for s in OPEN_STATUSES]
    rows = session.execute(_escalated_to(sa.select(Ticket.status, sa.func.count()).where(
        Ticket.status.in_(open_codes)), escalated_to).group_by(Ticket.status))
    counts = {code: 0 for code in open_codes}
    counts.update(dict(rows.all()))
    return counts


def failed_reply_count(session: Session) -> int:
    """Tickets whose reply did not reach the citizen (failed or unknown): the inbox header shows it."""
    return session.execute(sa.select(sa.func.count()).select_from(Ticket).where(
        Ticket.reply_state.in_(("failed", "unknown")), Ticket.merged_into_id.is_(None))).scalar() or 0


def overdue_count(session: Session, now: datetime, escalated_to: str | None = None) -> int:
    """Open tickets past their due time: one index range per open status."""
    open_codes = [s.value for s in OPEN_STATUSES]
    return session.execute(_escalated_to(sa.select(sa.func.count()).select_from(Ticket).where(
        Ticket.status.in_(open_codes), Ticket.due_at <= now), escalated_to)).scalar() or 0


def channels_needing_reauth(session: Session) -> list[str]:
    return list(session.exec(select(CollectorState.channel).where(CollectorState.needs_reauth.is_(True))))


def ticket_detail(session: Session, ticket: Ticket, now: datetime, warn_before: timedelta,
                  locale: str = "id", reveal: bool = False,
                  calendar: OfficeCalendar | None = None) -> dict[str, Any]:
    contact = _contacts(session, [ticket]).get(ticket.contact_id, "")
    data = ticket_summary(ticket, contact, now, warn_before, locale, calendar, reveal)
    show = _shown(reveal)
    messages = list(session.exec(select(Message).where(Message.ticket_id == ticket.id)
                                 .order_by(Message.sent_at, Message.id)))
    files, revisions = _files_and_revisions(session, ticket.id, show)
    data["messages"] = [{
        "id": m.id, "external_id": m.external_id, "direction": m.direction, "note_type": m.note_type,
        "author": show(m.author_name or display_handle(m.author_handle or m.author_id)),
        "author_handle": show(m.author_handle if reveal else display_handle(m.author_handle)),
        "subject": show(m.subject) if m.subject else None,
        "text": show(m.text), "sent_at": iso(m.sent_at), "is_private": m.is_private,
        "delivery_state": m.delivery_state, "delivery_error": m.delivery_error,
        "settle": SETTLE_HINT.format(id=m.id) if m.delivery_state in ("unknown", "failed") else None,
        "flags": parse_flags(m.flags),
        "attachments": files.get(m.id, []), "revisions": revisions.get(m.id, []),
    } for m in messages]
    # a mail ticket's subject: the citizen's first mail that had one (replies only add "Re:")
    data["subject"] = next((m["subject"] for m in data["messages"] if m["direction"] == "in" and m["subject"]),
                           None)
    events = session.exec(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id))
    data["events"] = [{"at": iso(e.at), "actor": e.actor, "action": e.action, "from_status": e.from_status,
                       "to_status": e.to_status, "detail": e.detail} for e in events]
    escalations = session.exec(select(Escalation).where(Escalation.ticket_id == ticket.id)
                               .order_by(Escalation.id))
    data["escalations"] = [{"bidang": e.bidang, "note": show(e.note), "escalated_by": e.escalated_by,
                            "escalated_at": iso(e.escalated_at), "answered_by": e.answered_by,
                            "answered_at": iso(e.answered_at)} for e in escalations]
    thread_key = ticket.thread_key if reveal else mask_sensitive(ticket.thread_key, contacts=True)
    data.update({"thread_key": thread_key, "first_response_at": iso(ticket.first_response_at),
                 "answered_at": iso(ticket.answered_at), "closed_at": iso(ticket.closed_at),
                 "close_reason": ticket.close_reason})
    others = []
    if ticket.contact_id is not None:
        others = session.exec(select(Ticket.ref, Ticket.status).where(
            Ticket.contact_id == ticket.contact_id, Ticket.id != ticket.id).order_by(Ticket.id.desc()).limit(10))
    data["other_tickets"] = [{"ref": ref, "status": status, "status_label": label(status, locale)}
                             for ref, status in others]
    return data


__all__ = ["InboxFilter", "TicketStatus", "inbox", "status_counts", "ticket_detail", "channels_needing_reauth"]
