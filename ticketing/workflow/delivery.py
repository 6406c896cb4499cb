"""What a reply's delivery does to its ticket: "answered" means the citizen got the answer.

`workflow.reply` only queues the reply; the ticket stays open and its clock keeps running
(shown as *Mengirim*). When the channel accepts the reply, `apply_delivery_outcome` moves the
ticket to `answered` at the channel's time and the SLA verdict is judged there. A refused or
bounced reply leaves (or puts back) the ticket open as *Gagal kirim* with the reason in the
office's words; an interrupted send is *Belum pasti terkirim* until an admin settles it with
`aduan outbox confirm-sent` / `aduan outbox resend`, which call this same function.

Interim replies (flag `interim`) record the first response and never change the status.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.store.models import Event, Message, Ticket
from ticketing.workflow.audit import EventDraft, record_event
from ticketing.workflow.statuses import OPEN_STATUSES, TicketStatus

SENT, PENDING, SENDING, FAILED, UNKNOWN = "sent", "pending", "sending", "failed", "unknown"
INTERIM_FLAG = "interim"
NATIVE_FLAG = "native_reply"  # written by the office in the channel's own app, collected as ours
ANSWER_ACTION = "answer_delivered"
WAITING = (FAILED, UNKNOWN, PENDING)  # reply_state values, worst first

REPLY_LABELS = {
    "id": {PENDING: "Mengirim", FAILED: "Gagal kirim", UNKNOWN: "Belum pasti terkirim"},
    "en": {PENDING: "Sending", FAILED: "Delivery failed", UNKNOWN: "Delivery unknown"},
}
SETTLE_HINT = "cek di kanal, lalu `aduan outbox confirm-sent {id}` (sudah diterima) atau `aduan outbox resend {id}`"


def is_interim(message: Message) -> bool:
    return INTERIM_FLAG in (message.flags or "").split(",")


def reply_label(reply_state: str | None, locale: str = "id") -> str | None:
    if reply_state is None:
        return None
    return REPLY_LABELS.get(locale, REPLY_LABELS["id"]).get(reply_state, reply_state)


def office_reason(error: str | None, *, reauth: bool = False, channel: str = "") -> str:
    """The channel's refusal as an admin reads it. Collectors already word refusals for the
    office (SendRefused); a dead token and unclassified errors get a sentence of their own."""
    text = (error or "").strip()
    if reauth:
        return (f"token kanal {channel} ditolak: otorisasi ulang dulu (aduan channels check), "
                f"lalu kirim ulang. ({text[:200]})")
    return text or "kanal menolak balasan tanpa alasan"


def _record(session: Session, ticket: Ticket, at: datetime, actor: str, action: str, detail: dict,
            target: TicketStatus | None = None) -> None:
    current = ticket.status
    if target is not None and target.value != current:
        from ticketing.workflow.roles import Actor
        from ticketing.workflow.transitions import change_status

        change_status(session, ticket, target, Actor(actor, "system"), at, action, detail)
        return
    record_event(session, EventDraft(ticket.id, at, actor, action, current, current, detail))


def refresh_reply_state(session: Session, ticket: Ticket) -> None:
    """The ticket's waiting reply: the worst state among replies after the last one that arrived."""
    rows = session.execute(
        sa.select(Message.id, Message.delivery_state, Message.delivery_error, Message.flags)
        .where(Message.ticket_id == ticket.id, Message.direction == "out", Message.delivery_state.is_not(None))
        .order_by(Message.id)).all()
    waiting: list[tuple[str, str | None]] = []
    for _id, state, error, flags in rows:
        if state == SENT:
            if INTERIM_FLAG not in (flags or "").split(","):
                waiting = []  # a final answer arrived: earlier failures no longer wait
            continue
        waiting.append((PENDING if state == SENDING else state, error))
    ticket.reply_state, ticket.reply_error = None, None
    for state in WAITING:
        found = [error for s, error in waiting if s == state]
        if found:
            ticket.reply_state, ticket.reply_error = state, found[-1] if state != PENDING else None
            break
    session.add(ticket)


def _about(event: Event, message_id: int) -> bool:
    try:
        return json.loads(event.detail or "{}").get("message_id") == message_id
    except (ValueError, AttributeError):
        return False


def _previous_status(session: Session, ticket: Ticket, message_id: int) -> TicketStatus:
    """Where the ticket was before this message answered it."""
    details = session.exec(select(Event).where(Event.ticket_id == ticket.id, Event.action == ANSWER_ACTION)
                           .order_by(Event.id.desc())).all()
    for event in details:
        if _about(event, message_id) and event.from_status:
            status = TicketStatus(event.from_status)
            if status in OPEN_STATUSES:
                return status
    return TicketStatus.NEW


def _verdict(ticket: Ticket) -> None:
    from ticketing.sla.tracking import LATE, MET, OK

    if ticket.status in OPEN_STATUSES:
        ticket.sla_state = OK  # the sweep puts warning/breach back from due_at
    elif ticket.answered_at is not None and ticket.due_at is not None:
        ticket.sla_state = MET if ticket.answered_at <= ticket.due_at else LATE


def apply_delivery_outcome(session: Session, message_id: int, state: str, at: datetime, *,
                           reason: str | None = None, actor: str = "system") -> Ticket | None:
    """Apply one reply's delivery outcome (sent / failed / unknown / pending) to its ticket.

    `at` is the moment that counts: the channel's acceptance or delivery-status time for `sent`,
    the time the outcome became known otherwise. Safe to call twice with the same outcome.
    Returns the ticket, or None for a message on no ticket.
    """
    message = session.get(Message, message_id)
    if message is None or message.ticket_id is None:
        return None
    ticket = session.get(Ticket, message.ticket_id)
    if ticket is None:
        return None
    interim = is_interim(message)
    detail = {"message_id": message.id}
    if state == SENT:
        if ticket.first_response_at is None or at < ticket.first_response_at:
            ticket.first_response_at = at
        if not interim and ticket.status in OPEN_STATUSES:
            ticket.answered_at = at
            ticket.sla_paused_at = None
            _record(session, ticket, at, actor, ANSWER_ACTION, detail, TicketStatus.ANSWERED)
        elif not interim and ticket.status == TicketStatus.ANSWERED and ticket.answered_at is None:
            ticket.answered_at = at
    elif state == FAILED:
        if reason and not message.delivery_error:
            message.delivery_error = reason[:1000]
            session.add(message)
            session.flush()
        answered_by_this = (not interim and ticket.status == TicketStatus.ANSWERED
                            and _answered_by(session, ticket, message.id))
        if answered_by_this:  # reported failed after the channel had accepted it (WhatsApp, bounce)
            back = _previous_status(session, ticket, message.id)
            ticket.answered_at = None
            _record(session, ticket, at, actor, "answer_undelivered", {**detail, "reason": reason}, back)
    refresh_reply_state(session, ticket)
    _verdict(ticket)
    session.add(ticket)
    session.flush()
    return ticket


def _answered_by(session: Session, ticket: Ticket, message_id: int) -> bool:
    last = session.exec(select(Event).where(Event.ticket_id == ticket.id, Event.to_status == "answered")
                        .order_by(Event.id.desc())).first()
    return last is not None and last.action == ANSWER_ACTION and _about(last, message_id)


def apply_status_time(session: Session, message_id: int, at: datetime) -> None:
    """A channel that reports delivery status (WhatsApp "sent") gives the answer's own time:
    the ticket this message answered is answered then, and judged against its deadline there."""
    message = session.get(Message, message_id)
    if message is None or message.ticket_id is None or is_interim(message):
        return
    ticket = session.get(Ticket, message.ticket_id)
    if ticket is None or ticket.status != TicketStatus.ANSWERED or not _answered_by(session, ticket, message_id):
        return
    if ticket.first_response_at == ticket.answered_at:
        ticket.first_response_at = at
    ticket.answered_at = at
    _verdict(ticket)
    session.add(ticket)
