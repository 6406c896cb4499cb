"""The SOP workflow: every status change goes through `change_status`, which checks the
transition table and writes exactly one audit event. Actions take a session, an actor and
`now`; they never commit (the caller's transaction does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.config import BIDANG_CODES
from ticketing.errors import InvalidTransition, NotFound, PermissionDenied, Refused, ReplyKindNeeded
from ticketing.store.flags import join_flags, parse_flags
from ticketing.store.models import Escalation, Message, Ticket
from ticketing.workflow.audit import EventDraft, record_event
from ticketing.workflow.roles import Actor, require
from ticketing.workflow.statuses import (
    CLOSE_REASONS,
    NEEDS_REVIEW_FLAG,
    OPEN_STATUSES,
    TRANSITIONS,
    TicketStatus,
    label,
)

S = TicketStatus


def get_ticket(session: Session, ticket_id: int | str) -> Ticket:
    """Find a ticket by numeric id or by its reference (ADU-2026-000123)."""
    ticket = None
    text = str(ticket_id).strip()
    if text.isdigit():
        ticket = session.get(Ticket, int(text))
    else:
        ticket = session.exec(select(Ticket).where(Ticket.ref == text.upper())).first()
    if ticket is None:
        raise NotFound(f"tiket {text} tidak ditemukan")
    return ticket


def check_access(ticket: Ticket, actor: Actor, action: str, session: Session | None = None) -> None:
    """Role check plus the teknis rule: only tickets escalated to the officer's own bidang."""
    require(actor, action)
    if actor.role == "teknis":
        bidangs = {ticket.bidang}
        if session is not None:
            bidangs |= set(session.exec(select(Escalation.bidang).where(Escalation.ticket_id == ticket.id)))
        if actor.bidang not in bidangs:
            raise PermissionDenied(
                f"{actor.username} (teknis {actor.bidang}) hanya boleh menangani tiket yang diteruskan ke "
                f"bidang {actor.bidang}; tiket {ticket.ref} ada di bidang {ticket.bidang or '-'}"
            )


def change_status(session: Session, ticket: Ticket, target: TicketStatus, actor: Actor, now: datetime,
                  action: str, detail: dict | None = None) -> None:
    current = TicketStatus(ticket.status)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(label(s) for s in sorted(TRANSITIONS[current])) or "-"
        from ticketing.i18n import event_label

        raise InvalidTransition(
            f"tiket {ticket.ref} berstatus {label(current)}; tidak bisa {event_label(action).lower()} "
            f"(ke {label(target)}). Dari {label(current)} hanya bisa ke: {allowed}"
        )
    ticket.status = target.value
    session.add(ticket)
    record_event(session, EventDraft(ticket.id, now, actor.username, action, current.value, target.value, detail))


def _event(session: Session, ticket: Ticket, actor: Actor, now: datetime, action: str,
           detail: dict | None = None) -> None:
    record_event(session, EventDraft(ticket.id, now, actor.username, action, ticket.status, ticket.status,
                                     detail))


def _note_message(ticket: Ticket, actor: Actor, now: datetime, text: str, note_type: str) -> Message:
    return Message(ticket_id=ticket.id, channel=ticket.channel, thread_key=ticket.thread_key,
                   direction="note", note_type=note_type, author_id=actor.username,
                   author_handle=actor.username, author_name=actor.name, text=text, sent_at=now,
                   created_at=now, created_by=actor.username)


ReplyGuard = Callable[[Ticket, str], None]


def reply(session: Session, ticket: Ticket, text: str, actor: Actor, now: datetime,
          guard: ReplyGuard | None = None, *, interim: bool = False, final: bool = False) -> Message:
    """Queue a reply to the citizen (outbox). The ticket is answered, and its clock stops, only
    when the channel accepts it (`workflow.delivery`); until then it shows *Mengirim*.

    An interim reply ("sedang kami cek") never changes the status. A plain reply on an escalated
    ticket whose bidang has not answered needs `final=True`: the bidang's answer would be dropped.
    """
    check_access(ticket, actor, "reply", session)
    if not text.strip():
        raise Refused("balasan kosong: tulis isi balasan dengan -m TEKS atau --template NAMA")
    if guard is None:
        from ticketing.privacy.rules import public_reply_guard as guard  # no NIK in a public reply
    guard(ticket, text)
    if ticket.status not in (S.ANSWERED,) and ticket.status not in OPEN_STATUSES:
        raise InvalidTransition(f"tiket {ticket.ref} berstatus {label(ticket.status)}; buka kembali dulu "
                                "(aduan reopen) sebelum membalas")
    reply_kind_check(ticket, interim, final)
    message = Message(ticket_id=ticket.id, channel=ticket.channel, thread_key=ticket.thread_key,
                      direction="out", author_id=actor.username, author_handle=actor.username,
                      author_name=actor.name, text=text, sent_at=now, created_at=now,
                      created_by=actor.username, delivery_state="pending",
                      flags="interim" if interim else "")
    session.add(message)
    session.flush()
    from ticketing.workflow.delivery import refresh_reply_state

    refresh_reply_state(session, ticket)
    _event(session, ticket, actor, now, "replied", {"message_id": message.id, "interim": interim})
    return message


def reply_kind_check(ticket: Ticket, interim: bool = False, final: bool = False) -> None:
    """Refuse a plain reply on an escalated ticket: it would silently drop the bidang's answer."""
    if interim and final:
        raise Refused("pilih salah satu: --final atau --interim")
    if ticket.status == S.ESCALATED and not interim and not final:
        raise ReplyKindNeeded(
            f"tiket {ticket.ref} masih diteruskan ke bidang {ticket.bidang or '-'} dan jawaban bidang belum "
            "masuk. Pakai --interim untuk balasan sementara (status tetap Diteruskan, batas waktu tetap "
            "berjalan) atau --final bila ini jawaban akhir (tiket menjadi Dijawab setelah terkirim)")


def escalate(session: Session, ticket: Ticket, bidang: str, actor: Actor, now: datetime,
             note: str = "") -> Escalation:
    """Consult a bidang's Group Admin (SOP step 2)."""
    check_access(ticket, actor, "escalate", session)
    bidang = bidang.upper()
    if bidang not in BIDANG_CODES:
        raise Refused(f"bidang {bidang!r} tidak dikenal; pilih salah satu: {', '.join(BIDANG_CODES)}")
    escalation = Escalation(ticket_id=ticket.id, bidang=bidang, note=note, escalated_by=actor.username,
                            escalated_at=now)
    session.add(escalation)
    if bidang != ticket.bidang:  # another bidang than routing (or an earlier admin) chose: a label
        _label(session, ticket, actor, now, "escalate", bidang=bidang)
    ticket.bidang = bidang
    ticket.classification_locked = True
    detail = {"bidang": bidang, "note_chars": len(note)}  # the text is on the ticket (purgeable), not in the audit
    if ticket.status == S.ESCALATED:
        _event(session, ticket, actor, now, "escalated", detail)
    else:
        change_status(session, ticket, S.ESCALATED, actor, now, "escalated", detail)
    if note:
        session.add(_note_message(ticket, actor, now, note, "escalation"))
    return escalation


def answer(session: Session, ticket: Ticket, text: str, actor: Actor, now: datetime) -> Message:
    """Record the technical officer's answer (SOP step 3)."""
    check_access(ticket, actor, "answer", session)
    if not text.strip():
        raise Refused("jawaban kosong: tulis isi jawaban dengan -m TEKS")
    query = select(Escalation).where(Escalation.ticket_id == ticket.id, Escalation.answered_at.is_(None))
    if actor.role == "teknis":
        query = query.where(Escalation.bidang == actor.bidang)
    escalation = session.exec(query.order_by(Escalation.id.desc())).first()
    if escalation is None:
        raise InvalidTransition(f"tiket {ticket.ref} tidak sedang diteruskan ke bidang mana pun "
                                f"(status {label(ticket.status)})")
    escalation.answered_by, escalation.answered_at, escalation.answer_text = actor.username, now, text
    session.add(escalation)
    message = _note_message(ticket, actor, now, text, "technical_answer")
    session.add(message)
    session.flush()
    change_status(session, ticket, S.FOLLOWED_UP, actor, now, "answered_by_bidang",
                  {"bidang": escalation.bidang, "message_id": message.id})
    return message


def latest_technical_answer(session: Session, ticket: Ticket) -> str | None:
    return session.exec(
        select(Message.text).where(Message.ticket_id == ticket.id, Message.note_type == "technical_answer")
        .order_by(Message.id.desc())
    ).first()


def resolve(session: Session, ticket: Ticket, actor: Actor, now: datetime) -> None:
    check_access(ticket, actor, "resolve", session)
    ticket.closed_at = now
    change_status(session, ticket, S.CLOSED, actor, now, "resolved")


def dismiss(session: Session, ticket: Ticket, reason: str, actor: Actor, now: datetime) -> None:
    """Close without a reply: spam, duplicates, thanks, not our authority."""
    check_access(ticket, actor, "close", session)
    if reason not in CLOSE_REASONS:
        raise Refused(f"alasan {reason!r} tidak dikenal; pilih: {', '.join(CLOSE_REASONS)}")
    if reason == "spam" and ticket.kind != "spam":
        _label(session, ticket, actor, now, "spam", kind="spam", category=None, bidang=None)
    ticket.close_reason = reason
    ticket.closed_at = now
    change_status(session, ticket, S.DISMISSED, actor, now, "dismissed", {"reason": reason})


def reopen(session: Session, ticket: Ticket, actor: Actor, now: datetime,
           due_at: datetime | None = None) -> None:
    check_access(ticket, actor, "reopen", session)
    ticket.closed_at = None
    ticket.close_reason = None
    if due_at is not None:
        ticket.due_at, ticket.sla_state = due_at, "ok"
        ticket.warn_notified_at = ticket.breach_notified_at = None
    change_status(session, ticket, S.NEW, actor, now, "reopened")


def assign(session: Session, ticket: Ticket, username: str, actor: Actor, now: datetime) -> None:
    check_access(ticket, actor, "assign", session)
    previous = ticket.assignee
    ticket.assignee = username
    session.add(ticket)
    _event(session, ticket, actor, now, "assigned", {"from": previous, "to": username})


def add_note(session: Session, ticket: Ticket, text: str, actor: Actor, now: datetime) -> Message:
    check_access(ticket, actor, "note", session)
    if not text.strip():
        raise Refused("catatan kosong: tulis isi catatan dengan -m TEKS")
    message = _note_message(ticket, actor, now, text, "internal")
    session.add(message)
    session.flush()
    _event(session, ticket, actor, now, "noted", {"message_id": message.id})
    return message


def tag(session: Session, ticket: Ticket, tags: list[str], actor: Actor, now: datetime) -> None:
    check_access(ticket, actor, "tag", session)
    current = parse_flags(ticket.tags)
    added = [t.strip().lower() for t in tags if t.strip() and t.strip().lower() not in current]
    ticket.tags = join_flags(current + added)
    session.add(ticket)
    _event(session, ticket, actor, now, "tagged", {"added": added})


def merge(session: Session, ticket: Ticket, into: Ticket, actor: Actor, now: datetime) -> None:
    """Move a duplicate's messages onto another ticket and dismiss it as a duplicate."""
    check_access(ticket, actor, "merge", session)
    if ticket.id == into.id:
        raise Refused("tiket tidak bisa digabung ke dirinya sendiri")
    moved = session.execute(sa.update(Message).where(Message.ticket_id == ticket.id)
                            .values(ticket_id=into.id)).rowcount
    into.message_count += moved
    ticket.message_count = 0
    ticket.merged_into_id = into.id
    session.add(into)
    _event(session, into, actor, now, "merged_in", {"from": ticket.ref, "messages": moved})
    ticket.close_reason, ticket.closed_at = "duplikat", now
    if ticket.status in OPEN_STATUSES:
        change_status(session, ticket, S.DISMISSED, actor, now, "merged", {"into": into.ref})
    else:
        _event(session, ticket, actor, now, "merged", {"into": into.ref})


def set_classification(session: Session, ticket: Ticket, actor: Actor, now: datetime, *,
                       kind: str | None = None, category: str | None = None, bidang: str | None = None) -> None:
    """An admin's correction; locked so later messages never overwrite it, and kept as a routing
    label. `bidang=None` leaves the bidang as it is, `bidang=""` clears it."""
    check_access(ticket, actor, "classify", session)
    before = {"kind": ticket.kind, "category": ticket.category, "bidang": ticket.bidang}
    if bidang and bidang.upper() not in BIDANG_CODES:
        raise Refused(f"bidang {bidang!r} tidak dikenal; pilih salah satu: {', '.join(BIDANG_CODES)}")
    ticket.kind = kind or ticket.kind
    ticket.category = category or ticket.category
    if bidang is not None:  # "" clears it: not our authority goes to no bidang
        ticket.bidang = bidang.upper() or None
    given = {name: getattr(ticket, name) for name, value in (("kind", kind), ("category", category),
                                                            ("bidang", bidang)) if value is not None}
    if given:
        _label(session, ticket, actor, now, "route", before=before, **given)
    ticket.classification_locked = True
    session.add(ticket)
    _event(session, ticket, actor, now, "classified", {"before": before, "kind": ticket.kind,
                                                       "category": ticket.category, "bidang": ticket.bidang})


def _label(session: Session, ticket: Ticket, actor: Actor, now: datetime, source: str,
           before: dict[str, str | None] | None = None, **values: str | None) -> None:
    """A correction of routing is a training label; the ticket no longer needs review."""
    from ticketing.routing.labels import record_label

    suggested = before or {"kind": ticket.kind, "category": ticket.category, "bidang": ticket.bidang}
    record_label(session, ticket, actor.username, now, source, suggested, **values)
    flags = [f for f in ticket.flags.split(",") if f and f != NEEDS_REVIEW_FLAG]
    ticket.flags = ",".join(flags)
