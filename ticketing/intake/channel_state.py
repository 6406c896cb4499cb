"""Per-channel run state in `collector_state`: the lease, errors, back-off, re-authorisation, budget.

The lease makes overlapping cron runs harmless: a run takes a channel only with a conditional
UPDATE that succeeds when nobody holds it or the holder's lease has expired (a crashed run
never blocks a channel for longer than the lease). Each batch renews the lease in the same
transaction that stores its messages, so a run that lost its lease cannot write a cursor.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ticketing.errors import LeaseLost
from ticketing.privacy.redact import redact
from ticketing.store.models import CollectorState, Notification
from ticketing.store.sql import insert_row_ignoring

LEASE_TTL = timedelta(minutes=15)  # longer than a normal run; a crashed run frees the channel after this
ERROR_CHARS = 500  # enough for a useful message, short enough for a status table

STATE = CollectorState.__table__



@dataclass(frozen=True)
class BudgetView:
    limit: int
    used: int
    month: str

    @property
    def spent(self) -> bool:
        return self.used >= self.limit


def new_owner() -> str:
    """Who holds a lease: host, process and a random part, readable in `channels status`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def ensure_row(session: Session, channel: str) -> None:
    insert_row_ignoring(session, STATE, {"channel": channel, "needs_reauth": False, "budget_used": 0}, ["channel"])


def acquire_lease(session: Session, channel: str, owner: str, now: datetime, ttl: timedelta = LEASE_TTL) -> bool:
    """Take the channel for this run, or return False when another live run holds it."""
    ensure_row(session, channel)
    free = sa.or_(STATE.c.lock_owner.is_(None), STATE.c.lock_expires_at.is_(None),
                  STATE.c.lock_expires_at <= now, STATE.c.lock_owner == owner)
    result = session.execute(
        sa.update(STATE).where(STATE.c.channel == channel, free)
        .values(lock_owner=owner, lock_expires_at=now + ttl, last_run_at=now)
    )
    return result.rowcount == 1


def renew_lease(session: Session, channel: str, owner: str, now: datetime, ttl: timedelta = LEASE_TTL) -> None:
    result = session.execute(
        sa.update(STATE).where(STATE.c.channel == channel, STATE.c.lock_owner == owner)
        .values(lock_expires_at=now + ttl)
    )
    if result.rowcount != 1:
        raise LeaseLost(f"kanal {channel}: proses lain mengambil alih kanal ini; berhenti tanpa menyimpan")


def release_lease(session: Session, channel: str, owner: str) -> None:
    session.execute(
        sa.update(STATE).where(STATE.c.channel == channel, STATE.c.lock_owner == owner)
        .values(lock_owner=None, lock_expires_at=None)
    )


def get_state(session: Session, channel: str) -> CollectorState | None:
    return session.get(CollectorState, channel)


def _update(session: Session, channel: str, **values) -> None:
    ensure_row(session, channel)
    session.execute(sa.update(STATE).where(STATE.c.channel == channel).values(**values))


def record_success(session: Session, channel: str, now: datetime) -> None:
    """A run that reached the end: the channel is healthy, credentials work."""
    _update(session, channel, last_success_at=now, needs_reauth=False, next_allowed_at=None)


def clear_reauth(session: Session, channel: str) -> None:
    _update(session, channel, needs_reauth=False)


def record_error(session: Session, channel: str, now: datetime, error: str) -> None:
    _update(session, channel, last_error=redact(error)[:ERROR_CHARS], last_error_at=now)


def record_rate_limit(session: Session, channel: str, now: datetime, retry_at: datetime, error: str) -> None:
    """No call to this channel before `retry_at`; cron runs in between skip it without a request."""
    _update(session, channel, next_allowed_at=retry_at, last_error=redact(error)[:ERROR_CHARS], last_error_at=now)


def record_auth_expired(session: Session, channel: str, now: datetime, error: str, timezone: str) -> bool:
    """Flag the channel and notify staff once per day; return True when a notification was queued."""
    text = redact(error)[:ERROR_CHARS]
    _update(session, channel, needs_reauth=True, last_error=text, last_error_at=now)
    day = now.astimezone(ZoneInfo(timezone)).date().isoformat()
    queued = insert_row_ignoring(session, Notification.__table__, {
        "key": f"reauth:{channel}:{day}", "kind": "reauth", "recipient": "", "via": "",  # "": the staff group
        "text": f"Kanal {channel} perlu otorisasi ulang: {text}", "state": "pending", "attempts": 0,
        "created_at": now,
    }, ["key"])
    if queued:
        _update(session, channel, reauth_notified_at=now)
    return queued


def budget_view(state: CollectorState | None, limit: int | None, now: datetime) -> BudgetView | None:
    """This month's reads against the configured monthly budget (X bills per item read)."""
    if not limit:
        return None
    month = now.strftime("%Y-%m")
    used = state.budget_used if state is not None and state.budget_month == month else 0
    return BudgetView(int(limit), int(used or 0), month)


def add_reads(session: Session, channel: str, month: str, reads: int) -> None:
    """Count reads in the same transaction as the batch they fetched; a new month starts at zero."""
    if reads <= 0:
        return
    ensure_row(session, channel)
    same_month = STATE.c.budget_month == month
    session.execute(
        sa.update(STATE).where(STATE.c.channel == channel).values(
            budget_used=sa.case((same_month, STATE.c.budget_used + reads), else_=reads),
            budget_month=month,
        )
    )


def cursor_for_display(text: str | None) -> object:
    """The stored cursor for display: parsed JSON when it is JSON, the text otherwise."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def all_states(engine: Engine) -> dict[str, CollectorState]:
    from ticketing.store.db import read_session

    with read_session(engine) as session:
        return {s.channel: s for s in session.execute(sa.select(CollectorState)).scalars()}
