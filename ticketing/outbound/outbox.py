"""The outbox: replies are rows first and channel calls second, and each is sent exactly once.

`workflow.reply` commits an outbound message in state `pending`. Delivery claims it
(`pending -> sending`, a conditional UPDATE; `FOR UPDATE SKIP LOCKED` first on PostgreSQL so a
second worker moves on instead of waiting), calls the channel, then stores the channel's id and
`sent`. Telegram, the Graph API and X DMs take no idempotency key, so a row found still in
`sending` after its lease means a process died between the call and the commit: nobody can tell
whether the citizen got it. Such rows become `unknown` and wait on the "verify, then resend"
list (`aduan outbox list`); they are never resent automatically. A channel error says where the
send failed: before the request could reach the channel (`TransientError`, retried with
backoff), or after it may have (`DeliveryUnknown`: `unknown` at once). A reply the channel takes
in parts records each accepted part (`outbound_part`), so a retry sends only the rest. The
admin settles `unknown` rows in `ticketing.outbound.settle`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from ticketing.errors import AduanError
from ticketing.faults import crash_point
from ticketing.privacy.redact import redact
from ticketing.store.sql import is_postgres

log = logging.getLogger("aduan.outbox")

PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"
SEND_LEASE = timedelta(minutes=10)  # longer than the deliver job's timeout: a live sender never loses its row
MAX_ATTEMPTS = 6  # transient failures before the row is `failed`
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)  # after the 1st, 2nd, ... transient failure
UNKNOWN_REASON = ("pengiriman terputus setelah dimulai: cek di kanal, lalu `aduan outbox confirm-sent ID` "
                  "(sudah diterima) atau `aduan outbox resend ID` (belum)")


def _tables():
    from ticketing.store.models import Message, Ticket

    return Message.__table__, Ticket.__table__


def parts_done(session, message_id: int) -> dict[int, str]:
    """The parts of a multi-part reply the channel already accepted (index -> its id)."""
    from ticketing.store.models import OutboundPart

    p = OutboundPart.__table__
    rows = session.execute(sa.select(p.c.part_index, p.c.external_id).where(p.c.message_id == message_id))
    return {r.part_index: r.external_id for r in rows}


def part_recorder(app, message_id: int):
    """A callback committing each accepted part at once: a crash after it keeps the record."""
    from ticketing.store.db import write_session
    from ticketing.store.models import OutboundPart

    def record(index: int, external_id: str) -> None:
        with write_session(app.engine) as session:
            session.execute(sa.insert(OutboundPart.__table__).values(
                message_id=message_id, part_index=index, external_id=external_id, accepted_at=app.now()))
        crash_point("after_part")

    return record


def claim(session, message_id: int, now: datetime) -> bool:
    """Take a pending, due message for sending; False if someone else has it or it is not due."""
    m, _t = _tables()
    ready = sa.and_(m.c.id == message_id, m.c.direction == "out", m.c.delivery_state == PENDING,
                    sa.or_(m.c.next_attempt_at.is_(None), m.c.next_attempt_at <= now))
    if is_postgres(session):
        locked = session.execute(sa.select(m.c.id).where(ready).with_for_update(skip_locked=True)).first()
        if locked is None:
            return False
    result = session.execute(sa.update(m).where(ready).values(
        delivery_state=SENDING, delivery_attempts=m.c.delivery_attempts + 1, next_attempt_at=now + SEND_LEASE))
    return result.rowcount == 1


def build_outbound(session, message_id: int):
    """The reply as the channel needs it: thread, the citizen's last message, the recipient."""
    from ticketing.contract import OutboundMessage

    m, t = _tables()
    message = session.execute(sa.select(m).where(m.c.id == message_id)).one()
    ticket = session.execute(sa.select(t).where(t.c.id == message.ticket_id)).one()
    last_in = session.execute(
        sa.select(m.c.external_id, m.c.author_id, m.c.is_private, m.c.subject, m.c.sent_at, m.c.raw)
        .where(m.c.ticket_id == ticket.id, m.c.direction == "in").order_by(m.c.sent_at.desc(), m.c.id.desc())
        .limit(1)).first()
    return OutboundMessage(
        channel=ticket.channel, thread_key=ticket.thread_key, text=message.text,
        in_reply_to=last_in.external_id if last_in else None, recipient_id=last_in.author_id if last_in else None,
        is_private=bool(last_in.is_private) if last_in else not ticket.is_public,
        subject=last_in.subject if last_in else None, ticket_ref=ticket.ref, local_id=str(message.id),
        context={"ticket_id": ticket.id, "message_id": message.id,
                 # channels with a customer-service window (WhatsApp, Messenger) check it before sending
                 "last_inbound_at": last_in.sent_at.isoformat() if last_in else None,
                 # mail threads: the parent's own References come before its Message-ID (RFC 5322 3.6.4)
                 "references": _references(last_in.raw if last_in else None)},
    )


def _references(raw: str | None) -> list[str]:
    """The `references` a channel stored with the message (email keeps the parsed References)."""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return []
    refs = value.get("references") if isinstance(value, dict) else None
    return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


@dataclass
class Outcome:
    state: str  # sent / pending (retry later) / failed / unknown / skipped (not ours to send)
    retry_at: datetime | None = None
    external_id: str | None = None
    error: str | None = None


def _default_factory(app):
    from ticketing.contract.registry import build_collector

    def build(channel: str):
        # window checks (24 h) use the same, possibly pinned, clock
        return build_collector(app.settings.channel(channel), app.environ, clock=app.now)

    return build


def deliver(app, message_id: int, collector_factory=None) -> Outcome:
    """Send one outbox row through its ticket's channel, at most once."""
    from ticketing.contract import (
        AuthExpired,
        CollectorError,
        DeliveryUnknown,
        RateLimited,
        SendRefused,
        TransientError,
    )
    from ticketing.store.db import write_session

    now = app.now()
    with write_session(app.engine) as session:
        if not claim(session, message_id, now):
            return Outcome("skipped")
        outbound = build_outbound(session, message_id)
        done = parts_done(session, message_id)
    outbound = replace(outbound, parts_done=done, on_part=part_recorder(app, message_id))
    factory = collector_factory or _default_factory(app)
    try:
        result = factory(outbound.channel).send(outbound)
    except DeliveryUnknown as exc:  # the request may have reached the channel: never resent blindly
        return _mark(app, message_id, UNKNOWN, f"{exc} — {UNKNOWN_REASON}", action="delivery_unknown")
    except RateLimited as exc:
        return _retry(app, message_id, str(exc), exc.retry_at)
    except TransientError as exc:
        return _retry(app, message_id, str(exc), None)
    except AuthExpired as exc:
        return _fail(app, message_id, str(exc), reauth_channel=outbound.channel)
    except (SendRefused, CollectorError, AduanError) as exc:
        return _fail(app, message_id, str(exc))
    except Exception as exc:  # a bug or an unexpected library error: the call may have gone out
        return _mark(app, message_id, UNKNOWN, f"{type(exc).__name__}: {exc}", action="delivery_unknown")
    crash_point("after_send")
    return _mark_sent(app, message_id, result.external_id, getattr(result, "accepted_at", None))


def _ticket_of(session, message_id: int) -> tuple[int | None, str | None]:
    m, t = _tables()
    row = session.execute(sa.select(m.c.ticket_id, t.c.status).join(t, t.c.id == m.c.ticket_id)
                          .where(m.c.id == message_id)).first()
    return (row.ticket_id, row.status) if row else (None, None)


def _event(session, message_id: int, now: datetime, action: str, detail: dict, actor: str = "system") -> None:
    from ticketing.workflow.audit import EventDraft, record_event

    ticket_id, status = _ticket_of(session, message_id)
    record_event(session, EventDraft(ticket_id, now, actor, action, status, status, {"message_id": message_id,
                                                                                    **detail}))


def _settle_ticket(session, message_id: int, state: str, at: datetime, reason: str | None = None,
                   actor: str = "system") -> None:
    from ticketing.workflow.delivery import apply_delivery_outcome

    apply_delivery_outcome(session, message_id, state, at, reason=reason, actor=actor)


def _accepted_time(accepted_at: datetime | None, now: datetime) -> datetime:
    """The channel's time counts, unless it is missing or implausible (future beyond skew)."""
    if accepted_at is None or accepted_at.tzinfo is None or accepted_at > now + timedelta(minutes=10):
        return now
    return accepted_at


def _mark_sent(app, message_id: int, external_id: str, accepted_at: datetime | None = None) -> Outcome:
    from ticketing.store.db import write_session

    m, _t = _tables()
    now = app.now()
    at = _accepted_time(accepted_at, now)
    with write_session(app.engine) as session:
        updated = session.execute(sa.update(m).where(m.c.id == message_id, m.c.delivery_state == SENDING).values(
            delivery_state=SENT, external_id=external_id, delivered_at=at, delivery_error=None,
            next_attempt_at=None)).rowcount
        _event(session, message_id, now, "delivered", {"external_id": external_id, "accepted_at": at.isoformat()})
        if updated:
            _settle_ticket(session, message_id, SENT, at)
    return Outcome(SENT, external_id=external_id)


def _retry(app, message_id: int, error: str, retry_at: datetime | None) -> Outcome:
    from ticketing.store.db import write_session

    m, _t = _tables()
    now = app.now()
    with write_session(app.engine) as session:
        attempts = session.execute(sa.select(m.c.delivery_attempts).where(m.c.id == message_id)).scalar() or 1
    if attempts >= MAX_ATTEMPTS:
        return _fail(app, message_id, f"{error} (menyerah setelah {attempts} percobaan)")
    wait = timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])
    at = max(retry_at, now) if retry_at is not None else now + wait
    with write_session(app.engine) as session:
        session.execute(sa.update(m).where(m.c.id == message_id, m.c.delivery_state == SENDING).values(
            delivery_state=PENDING, next_attempt_at=at, delivery_error=redact(error)[:1000]))
    log.warning("reply %s: will retry at %s: %s", message_id, at.isoformat(), redact(error))
    return Outcome(PENDING, retry_at=at, error=redact(error))


def _fail(app, message_id: int, error: str, reauth_channel: str | None = None) -> Outcome:
    outcome = _mark(app, message_id, FAILED, error, action="delivery_failed", reauth_channel=reauth_channel)
    log.error("reply %s failed: %s", message_id, redact(error))
    return outcome


def _mark(app, message_id: int, state: str, error: str, action: str, reauth_channel: str | None = None) -> Outcome:
    from ticketing.store.db import write_session
    from ticketing.workflow.delivery import office_reason

    m, _t = _tables()
    now = app.now()
    text = redact(office_reason(error, reauth=bool(reauth_channel), channel=reauth_channel or ""))[:1000]
    with write_session(app.engine) as session:
        updated = session.execute(sa.update(m).where(m.c.id == message_id, m.c.delivery_state == SENDING).values(
            delivery_state=state, next_attempt_at=None, delivery_error=text)).rowcount
        _event(session, message_id, now, action, {"error": text})
        if updated:
            _settle_ticket(session, message_id, state, now, text)
        if reauth_channel:
            from ticketing.intake.channel_state import record_auth_expired

            record_auth_expired(session, reauth_channel, now, f"balasan tidak bisa dikirim. {text}",
                                app.settings.office.timezone)
    return Outcome(state, error=text)


def expire_sending(session, now: datetime) -> list[int]:
    """Rows still `sending` after their lease: the sender died mid-call. Verify, never resend blindly."""
    m, _t = _tables()
    ids = sorted(session.execute(
        sa.update(m).where(m.c.delivery_state == SENDING, m.c.next_attempt_at <= now)
        .values(delivery_state=UNKNOWN, next_attempt_at=None, delivery_error=UNKNOWN_REASON)
        .returning(m.c.id)).scalars())
    for message_id in ids:
        _event(session, message_id, now, "delivery_unknown", {"error": UNKNOWN_REASON})
        _settle_ticket(session, message_id, UNKNOWN, now, UNKNOWN_REASON)
    return ids


def due_for_delivery(session, now: datetime, limit: int = 100) -> list[int]:
    m, _t = _tables()
    return list(session.execute(sa.select(m.c.id).where(
        m.c.delivery_state == PENDING, m.c.direction == "out",
        sa.or_(m.c.next_attempt_at.is_(None), m.c.next_attempt_at <= now)).order_by(m.c.id).limit(limit)).scalars())
