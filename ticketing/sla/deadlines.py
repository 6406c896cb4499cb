"""Moving deadlines: recomputing due dates after a policy or calendar change, and pausing the
clock while the office waits for the citizen's data ("menunggu data pelapor").

A deadline is `due_at(start) + paused working time`, where the start is the receipt or the
latest reopening. Recompute rewrites `due_at` for open tickets only: answered tickets keep the
deadline they were judged against. A ticket whose new deadline lies in the future gets its
warning/breach claims cleared, so it is notified again against the new deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ticketing.errors import Refused
from ticketing.sla.tracking import OK, OPEN_CODES
from ticketing.store.flags import add_flag, remove_flag

RECOMPUTE_CHUNK = 2000  # tickets per transaction: short write locks on a shared SQLite file
PAUSE_TAG = "menunggu-data"


@dataclass
class RecomputeReport:
    examined: int = 0
    changed: int = 0
    changed_ids: list[int] | None = None


def _starts(session, ids: list[int]) -> dict[int, datetime]:
    """Latest reopening per ticket: the clock restarted there."""
    from ticketing.store.models import Event

    e = Event.__table__
    rows = session.execute(sa.select(e.c.ticket_id, sa.func.max(e.c.at)).where(
        e.c.ticket_id.in_(ids), e.c.action == "reopened").group_by(e.c.ticket_id))
    return {ticket_id: at for ticket_id, at in rows}


def new_due(app, received_at: datetime, kind: str | None, category: str | None, paused_seconds: int) -> datetime:
    from ticketing.intake.ingest import Classification

    due = app.due_at(received_at, Classification(kind, category, None))
    if paused_seconds:
        due = app.calendar.add_working_time(due, timedelta(seconds=paused_seconds))
    return due


def recompute(app, now: datetime, progress: Callable[[int, int], None] | None = None) -> RecomputeReport:
    """Recompute `due_at` of every open ticket in chunks; returns what changed."""
    from ticketing.store.db import read_session, run_write
    from ticketing.store.models import Ticket

    t = Ticket.__table__
    with read_session(app.engine) as session:
        ids = list(session.execute(sa.select(t.c.id).where(t.c.status.in_(OPEN_CODES), t.c.merged_into_id.is_(None))
                                   .order_by(t.c.id)).scalars())
    report = RecomputeReport(changed_ids=[])
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        chunk = ids[start:start + RECOMPUTE_CHUNK]
        report.changed_ids.extend(run_write(app.engine, lambda s, c=chunk: _recompute_chunk(app, s, c, now)))
        report.examined += len(chunk)
        if progress:
            progress(report.examined, len(ids))
    report.changed = len(report.changed_ids)
    return report


def _recompute_chunk(app, session, ids: list[int], now: datetime) -> list[int]:
    from ticketing.store.models import Ticket
    from ticketing.workflow.audit import EventDraft, append_events

    t = Ticket.__table__
    starts = _starts(session, ids)
    rows = session.execute(sa.select(t.c.id, t.c.status, t.c.received_at, t.c.kind, t.c.category, t.c.due_at,
                                     t.c.sla_paused_seconds).where(t.c.id.in_(ids)))
    changed, events = [], []
    for row in rows:
        received = max(filter(None, [row.received_at, starts.get(row.id)]))
        due = new_due(app, received, row.kind, row.category, row.sla_paused_seconds or 0)
        if row.due_at == due:
            continue
        values = {"due_at": due}
        if due > now:
            values.update(breach_notified_at=None, sla_state=OK)
            if due - app.warn_before > now:
                values["warn_notified_at"] = None
        session.execute(sa.update(t).where(t.c.id == row.id).values(**values))
        events.append(EventDraft(row.id, now, "system", "sla_recomputed", row.status, row.status,
                                 {"from": row.due_at.isoformat() if row.due_at else None, "to": due.isoformat()}))
        changed.append(row.id)
    append_events(session, events)
    return changed


def pause(session, app, ticket, actor, now: datetime) -> None:
    """Stop the clock while waiting for the citizen's data (only if the office enabled it)."""
    from ticketing.workflow.transitions import _event, check_access

    check_access(ticket, actor, "tag", session)
    if not app.settings.sla.pause_while_waiting:
        raise Refused("jeda SLA tidak diaktifkan: set sla.pause_while_waiting: true di config.yaml")
    if ticket.status not in OPEN_CODES:
        raise Refused(f"tiket {ticket.ref} tidak terbuka; jeda hanya untuk tiket yang sedang berjalan")
    if ticket.sla_paused_at is not None:
        raise Refused(f"tiket {ticket.ref} sudah dijeda sejak {ticket.sla_paused_at.isoformat()}")
    ticket.sla_paused_at = now
    ticket.tags = add_flag(ticket.tags, PAUSE_TAG)
    session.add(ticket)
    _event(session, ticket, actor, now, "sla_paused", {"due_at": ticket.due_at.isoformat() if ticket.due_at else None})


def resume(session, app, ticket, actor, now: datetime) -> timedelta:
    """Restart the clock; the deadline moves by the office hours spent waiting."""
    from ticketing.workflow.transitions import _event, check_access

    check_access(ticket, actor, "tag", session)
    if ticket.sla_paused_at is None:
        raise Refused(f"tiket {ticket.ref} tidak sedang dijeda")
    waited = app.calendar.working_time_between(ticket.sla_paused_at, now)
    ticket.sla_paused_seconds = (ticket.sla_paused_seconds or 0) + int(waited.total_seconds())
    if ticket.due_at is not None:
        ticket.due_at = app.calendar.add_working_time(ticket.due_at, waited)
        if ticket.due_at > now:
            ticket.breach_notified_at, ticket.sla_state = None, OK
            if ticket.due_at - app.warn_before > now:
                ticket.warn_notified_at = None
    ticket.sla_paused_at = None
    ticket.tags = remove_flag(ticket.tags, PAUSE_TAG)
    session.add(ticket)
    _event(session, ticket, actor, now, "sla_resumed", {"waited_seconds": int(waited.total_seconds()),
                                                        "due_at": ticket.due_at.isoformat() if ticket.due_at else None})
    return waited
