"""SLA state, the sweep and timer claims. The database is the source of truth for time.

`ticket.due_at` is written at ingest; RQ timers only make notices punctual. Every notice is
claimed with a conditional UPDATE (`... WHERE breach_notified_at IS NULL`), so a timer, a
sweep, a retried job and a second worker can all see the same breach and exactly one of them
notifies. The sweep is set-based SQL: its cost barely grows with the number of open tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from ticketing.workflow.statuses import OPEN_STATUSES

OK, WARNING, BREACHED, MET, LATE = "ok", "warning", "breached", "met", "late"
WARN, BREACH = "warn", "breach"  # timer kinds, as in job ids sla-warn-<id> / sla-breach-<id>
TIMER_EARLY_TOLERANCE = timedelta(seconds=2)  # clock skew between the scheduler's host and ours
SWEEP_BATCH = 2000  # notices claimed per transaction: short write locks even when catching up after an outage
OPEN_CODES = tuple(sorted(s.value for s in OPEN_STATUSES))


def sla_state(status: str, due_at: datetime | None, answered_at: datetime | None, now: datetime,
              warn_before: timedelta) -> str:
    """ok / warning / breached while the clock runs; met / late once the citizen was answered."""
    if due_at is None:
        return OK
    if status in OPEN_STATUSES:
        if now >= due_at:
            return BREACHED
        return WARNING if due_at - now <= warn_before else OK
    if answered_at is None:
        return OK
    return MET if answered_at <= due_at else LATE


def _tables():
    from ticketing.store.models import Escalation, Message, Ticket

    return Ticket.__table__, Message.__table__, Escalation.__table__


def running_clause(t):
    """Tickets whose SLA clock runs: open, not merged, a due time, not paused."""
    return sa.and_(t.c.status.in_(OPEN_CODES), t.c.due_at.is_not(None), t.c.merged_into_id.is_(None),
                   t.c.sla_paused_at.is_(None))


@dataclass
class SweepResult:
    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    state_fixes: int = 0
    unknown_outbox: list[int] = field(default_factory=list)
    escalations: int = 0
    notifications: int = 0
    more: bool = False  # a claim hit the batch limit: sweep again

    def add(self, other: SweepResult) -> None:
        self.warned += other.warned
        self.breached += other.breached
        self.unknown_outbox += other.unknown_outbox
        for name in ("state_fixes", "escalations", "notifications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.more = other.more

    def summary(self) -> dict[str, int]:
        return {"warned": len(self.warned), "breached": len(self.breached), "state_fixes": self.state_fixes,
                "outbox_unknown": len(self.unknown_outbox), "escalations": self.escalations,
                "notifications": self.notifications}


def sweep(session, now: datetime, warn_before: timedelta, limit: int = SWEEP_BATCH) -> SweepResult:
    """Reconcile SLA state with the clock in one transaction; notices are queued, not sent.

    At most `limit` warnings and `limit` breaches are claimed per call; `more` says to call again.
    """
    t, _m, _e = _tables()
    result = SweepResult()
    running = running_clause(t)
    result.breached = _claim(session, sa.and_(running, t.c.due_at <= now, t.c.breach_notified_at.is_(None)),
                             {"breach_notified_at": now, "sla_state": BREACHED}, limit)
    result.warned = _claim(session, sa.and_(running, t.c.due_at > now, t.c.due_at <= now + warn_before,
                                            t.c.warn_notified_at.is_(None), t.c.breach_notified_at.is_(None)),
                           {"warn_notified_at": now, "sla_state": WARNING}, limit)
    result.more = len(result.breached) >= limit or len(result.warned) >= limit
    result.state_fixes = _fix_states(session, now, warn_before)
    result.notifications += record_notices(session, BREACH, result.breached, now)
    result.notifications += record_notices(session, WARN, result.warned, now)
    from ticketing.outbound.notify import release_orphans
    from ticketing.outbound.outbox import expire_sending

    result.unknown_outbox = expire_sending(session, now)
    release_orphans(session, now)
    result.escalations = queue_escalation_notices(session, now)
    result.notifications += result.escalations
    return result


def _claim(session, where, values: dict, limit: int) -> list[int]:
    """Conditional UPDATE ... RETURNING: the rows this caller won; the condition is re-checked on update."""
    t = _tables()[0]
    batch = sa.select(t.c.id).where(where).order_by(t.c.due_at, t.c.id).limit(limit).correlate(None)
    stmt = sa.update(t).where(where, t.c.id.in_(batch)).values(**values).returning(t.c.id)
    return sorted(session.execute(stmt).scalars())


def _fix_states(session, now: datetime, warn_before: timedelta) -> int:
    """Keep the stored `sla_state` (indexed, used by lists) in step with the clock."""
    t = _tables()[0]
    running = running_clause(t)
    changed = 0
    for where, state in (
        (sa.and_(running, t.c.due_at <= now, t.c.sla_state.in_((OK, WARNING))), BREACHED),
        (sa.and_(running, t.c.due_at > now, t.c.due_at <= now + warn_before,
                 t.c.sla_state.in_((OK, BREACHED))), WARNING),
        (sa.and_(running, t.c.sla_state.in_((WARNING, BREACHED)), t.c.due_at > now + warn_before), OK),
    ):
        changed += session.execute(sa.update(t).where(where).values(sla_state=state)).rowcount or 0
    answered = sa.and_(t.c.status.not_in(OPEN_CODES), t.c.sla_state.in_((OK, WARNING, BREACHED)),
                       t.c.answered_at.is_not(None), t.c.due_at.is_not(None))
    verdict = sa.case((t.c.answered_at <= t.c.due_at, MET), else_=LATE)
    changed += session.execute(sa.update(t).where(answered).values(sla_state=verdict)).rowcount or 0
    return changed


def claim_timer(session, ticket_id: int, kind: str, now: datetime,
                warn_before: timedelta) -> tuple[str, datetime | None]:
    """What a fired timer should do: ("claimed", due), ("early", due) to reschedule, or ("done", None)."""
    t = _tables()[0]
    row = session.execute(sa.select(t.c.due_at).where(t.c.id == ticket_id, running_clause(t))).first()
    if row is None:
        return "done", None
    due = row.due_at
    fire_at = due if kind == BREACH else due - warn_before
    if fire_at - now > TIMER_EARLY_TOLERANCE:
        return "early", due  # the deadline moved later (recompute, pause): schedule again
    if kind == BREACH:
        where = sa.and_(t.c.id == ticket_id, running_clause(t), t.c.breach_notified_at.is_(None))
        values = {"breach_notified_at": now, "sla_state": BREACHED}
    else:
        where = sa.and_(t.c.id == ticket_id, running_clause(t), t.c.warn_notified_at.is_(None),
                        t.c.breach_notified_at.is_(None))
        values = {"warn_notified_at": now, "sla_state": WARNING}
    if not session.execute(sa.update(t).where(where).values(**values)).rowcount:
        return "done", None
    record_notices(session, kind, [ticket_id], now)
    return "claimed", due


def notice_key(kind: str, ticket_id: int) -> str:
    return f"sla-{'breach' if kind == BREACH else 'warning'}:{ticket_id}"


def record_notices(session, kind: str, ticket_ids: Sequence[int], now: datetime) -> int:
    """Events and queued notifications for tickets just claimed as warned or breached."""
    if not ticket_ids:
        return 0
    from ticketing.i18n import format_datetime
    from ticketing.outbound.notify import KIND_SLA_BREACH, KIND_SLA_WARNING, Draft, queue
    from ticketing.workflow.audit import EventDraft, append_events

    t = _tables()[0]
    drafts, events = [], []
    action = "sla_breached" if kind == BREACH else "sla_warning"
    for start in range(0, len(ticket_ids), 900):
        chunk = list(ticket_ids[start:start + 900])
        rows = session.execute(sa.select(t.c.id, t.c.ref, t.c.status, t.c.channel, t.c.bidang, t.c.due_at,
                                         t.c.summary).where(t.c.id.in_(chunk)).order_by(t.c.id))
        for row in rows:
            due = format_datetime(row.due_at)
            head = "Pengaduan MELEWATI batas waktu" if kind == BREACH else "Pengaduan mendekati batas waktu"
            text = (f"{head}: {row.ref} (kanal {row.channel}, bidang {row.bidang or '-'}), batas {due}.\n"
                    f"Ringkasan: {(row.summary or '')[:160]}\nTindak lanjut: aduan show {row.ref}")
            drafts.append(Draft(notice_key(kind, row.id), KIND_SLA_BREACH if kind == BREACH else KIND_SLA_WARNING,
                                text, row.id))
            events.append(EventDraft(row.id, now, "system", action, row.status, row.status, {"due_at": due}))
    append_events(session, events)
    return queue(session, drafts, now)


def queue_escalation_notices(session, now: datetime) -> int:
    """One notice per escalation to the teknis staff of its bidang (found by anti-join, set-based)."""
    from ticketing.outbound.notify import KIND_ESCALATION, Draft, queue
    from ticketing.store.models import Notification

    t, _m, e = _tables()
    n = Notification.__table__
    key = sa.literal("escalation:") + sa.cast(e.c.id, sa.String)
    pending = session.execute(
        sa.select(e.c.id, e.c.bidang, e.c.note, t.c.id.label("ticket_id"), t.c.ref, t.c.summary)
        .join(t, t.c.id == e.c.ticket_id)
        .where(e.c.answered_at.is_(None), ~sa.exists().where(n.c.key == key))
        .order_by(e.c.id).limit(500)
    ).all()
    drafts = [Draft(f"escalation:{r.id}", KIND_ESCALATION,
                    f"Pengaduan {r.ref} diteruskan ke bidang {r.bidang}.\nRingkasan: {(r.summary or '')[:160]}\n"
                    f"Catatan admin: {(r.note or '-')[:300]}\nJawab dengan: aduan answer {r.ref} -m \"...\"",
                    r.ticket_id, f"bidang:{r.bidang}") for r in pending]
    return queue(session, drafts, now)


@dataclass(frozen=True)
class Timer:
    ticket_id: int
    kind: str
    at: datetime

    @property
    def job_id(self) -> str:
        return f"sla-{self.kind}-{self.ticket_id}"


def timers_due_within(session, now: datetime, horizon: timedelta, warn_before: timedelta) -> list[Timer]:
    """The timers that should exist now: notices not yet claimed whose time falls in the horizon.

    Timers further out are scheduled by a later sweep, so Redis holds hours of timers, not months.
    """
    t = _tables()[0]
    limit = now + horizon
    rows = session.execute(sa.select(t.c.id, t.c.due_at, t.c.warn_notified_at).where(
        running_clause(t), t.c.breach_notified_at.is_(None), t.c.due_at > now, t.c.due_at <= limit + warn_before))
    found: list[Timer] = []
    for ticket_id, due, warned in rows:
        if due <= limit:
            found.append(Timer(ticket_id, BREACH, due))
        if warned is None and now < due - warn_before <= limit:
            found.append(Timer(ticket_id, WARN, due - warn_before))
    return found


def at_risk(session, now: datetime, warn_before: timedelta, limit: int = 500):
    """Open tickets in warning or breach, most overdue first (from due_at, not the stored state)."""
    from sqlmodel import select

    from ticketing.store.models import Ticket

    query = (select(Ticket).where(Ticket.status.in_(OPEN_CODES), Ticket.merged_into_id.is_(None),
                                  Ticket.due_at.is_not(None), Ticket.due_at <= now + warn_before)
             .order_by(Ticket.due_at, Ticket.id).limit(limit))
    return list(session.exec(query))
