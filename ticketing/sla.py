"""SLA state of a ticket, from its stored `due_at` (the database is the source of truth)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ticketing.statuses import OPEN_STATUSES

OK, WARNING, BREACHED, MET, LATE = "ok", "warning", "breached", "met", "late"


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
