"""The stored webhook deliveries as staff see them: listed, counted for health, requeued by hand.

A row is `processed` once ingested, `failing` while it has failed and waits for its next try,
`dead` after too many failures (it waits for `aduan webhook retry ID`), `pending` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.errors import NotFound
from ticketing.store.models import WebhookDelivery


@dataclass(frozen=True)
class DeliveryView:
    id: int
    source: str
    state: str
    received_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    error: str | None
    size: int

    def to_json(self) -> dict:
        return {"id": self.id, "source": self.source, "state": self.state,
                "received_at": self.received_at.isoformat(), "attempts": self.attempts,
                "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
                "error": self.error, "size": self.size}


def state_of(row) -> str:
    if row.processed_at is not None:
        return "processed"
    if row.dead_at is not None:
        return "dead"
    return "failing" if (row.attempts or 0) > 0 else "pending"


FAILED = sa.and_(WebhookDelivery.processed_at.is_(None),
                 sa.or_(WebhookDelivery.dead_at.is_not(None), WebhookDelivery.attempts > 0))


def list_deliveries(session: Session, failed_only: bool = False, limit: int = 50) -> list[DeliveryView]:
    """Newest first; `failed_only` keeps the failing and dead-lettered rows."""
    columns = (WebhookDelivery.id, WebhookDelivery.source, WebhookDelivery.received_at, WebhookDelivery.attempts,
               WebhookDelivery.next_attempt_at, WebhookDelivery.error, WebhookDelivery.processed_at,
               WebhookDelivery.dead_at, sa.func.length(WebhookDelivery.payload))
    query = sa.select(*columns).order_by(WebhookDelivery.id.desc()).limit(limit)
    if failed_only:
        query = query.where(FAILED)
    return [DeliveryView(row.id, row.source, state_of(row), row.received_at, row.attempts or 0, row.next_attempt_at,
                         row.error, row[-1] or 0) for row in session.execute(query)]


def requeue(session: Session, delivery_id: int) -> bool:
    """Make a failing or dead row due now, with a fresh attempt budget (the last error is kept);
    False when the row was already processed."""
    row = session.exec(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)).first()
    if row is None:
        raise NotFound(f"kiriman webhook {delivery_id} tidak ada")
    if row.processed_at is not None:
        return False
    row.attempts, row.dead_at, row.next_attempt_at = 0, None, None
    session.add(row)
    return True


def failure_counts(session: Session) -> tuple[int, int]:
    """(dead-lettered rows, rows failing and waiting for their next try)."""
    dead, failing = session.execute(sa.select(
        sa.func.count().filter(WebhookDelivery.dead_at.is_not(None)),
        sa.func.count().filter(WebhookDelivery.dead_at.is_(None), WebhookDelivery.attempts > 0),
    ).where(WebhookDelivery.processed_at.is_(None))).one()
    return dead or 0, failing or 0
