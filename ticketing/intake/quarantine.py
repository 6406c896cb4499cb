"""Rejects: items a collector or ingest could not store, kept with their reason for an admin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import QuarantinedItem
from ticketing.store.models import Quarantine


def store_quarantined(session: Session, items: Sequence[QuarantinedItem], now: datetime) -> None:
    """Keep each reject once: a page read again (a lost cursor, a replay) adds no second row."""
    rows: dict[tuple[str, str], dict] = {}
    bare: list[dict] = []  # no payload to recognise it by
    for item in items:
        payload = item.payload_json()
        row = {"channel": item.channel, "external_id": item.external_id, "reason": item.reason[:500],
               "payload": payload, "received_at": now}
        if payload is None:
            bare.append(row)
        else:
            rows.setdefault((item.channel, payload), row)
    for channel in {c for c, _p in rows}:
        payloads = [p for c, p in rows if c == channel]
        for start in range(0, len(payloads), 500):
            known = session.execute(sa.select(Quarantine.payload).where(
                Quarantine.channel == channel, Quarantine.payload.in_(payloads[start:start + 500])))
            for (payload,) in known:
                rows.pop((channel, payload), None)
    if rows or bare:
        session.execute(sa.insert(Quarantine), [*rows.values(), *bare])
