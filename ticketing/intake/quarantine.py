"""Rejects: items a collector or ingest could not store, kept with their reason for an admin.

Intake writes them (`store_quarantined`); `aduan quarantine` reads them (`list_quarantined`,
`get_quarantined`, `item_view`) and marks them handled (`resolve_quarantined`) once an admin has
re-entered the complaint by hand or judged it junk. A handled item keeps its row (who, when, the
note) and leaves `aduan health`, which counts only unhandled ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import QuarantinedItem
from ticketing.errors import NotFound
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


# --- the admin's side: list, show, resolve ----------------------------------------------------------

class UnknownQuarantineItems(NotFound):
    """Ids that name no quarantined item; nothing was changed."""

    def __init__(self, ids: Sequence[int], locale: str = "id"):
        from ticketing.i18n_cli import message

        self.ids = list(ids)
        super().__init__(message("quarantine_unknown", locale, ids=", ".join(map(str, self.ids))))


@dataclass
class Resolution:
    resolved: list[int] = field(default_factory=list)
    already: list[dict[str, Any]] = field(default_factory=list)  # handled before, left as they were (item_view)


def list_quarantined(session: Session, *, include_resolved: bool = False, channels: Sequence[str] | None = None,
                     limit: int = 50) -> list[Quarantine]:
    """Newest first; only unhandled items unless `include_resolved`."""
    query = sa.select(Quarantine).order_by(Quarantine.received_at.desc(), Quarantine.id.desc()).limit(limit)
    if not include_resolved:
        query = query.where(Quarantine.resolved_at.is_(None))
    if channels:
        query = query.where(Quarantine.channel.in_(list(channels)))
    return list(session.execute(query).scalars())


def quarantine_channels(session: Session) -> list[str]:
    """Channels that ever had a reject (a channel since removed from config.yaml included)."""
    return [c for (c,) in session.execute(sa.select(Quarantine.channel).distinct()) if c]


def get_quarantined(session: Session, item_id: int) -> Quarantine:
    item = session.get(Quarantine, item_id)
    if item is None:
        raise UnknownQuarantineItems([item_id])
    return item


def resolve_quarantined(session: Session, ids: Sequence[int], actor: str, note: str, now: datetime) -> Resolution:
    """Mark items handled, all or none: one unknown id changes nothing. Each row is claimed with a
    conditional UPDATE, so of two admins resolving the same item at once only one is recorded."""
    from ticketing.workflow.audit import EventDraft, record_event

    wanted = list(dict.fromkeys(ids))
    found = {row.id: row for row in session.execute(sa.select(Quarantine).where(Quarantine.id.in_(wanted))).scalars()}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise UnknownQuarantineItems(missing)
    result = Resolution()
    for item_id in wanted:
        claimed = session.execute(sa.update(Quarantine).where(
            Quarantine.id == item_id, Quarantine.resolved_at.is_(None)).values(
            resolved_at=now, resolved_by=actor, resolution_note=note).execution_options(synchronize_session=False))
        if claimed.rowcount:
            result.resolved.append(item_id)
        else:
            session.refresh(found[item_id])
            result.already.append(item_view(found[item_id]))
    if result.resolved:  # the note stays in the quarantine row (purgeable), not in the append-only trail
        record_event(session, EventDraft(None, now, actor, "quarantine_resolved", None, None,
                                         {"quarantine_ids": result.resolved}))
    return result


def _masked(value: Any) -> Any:
    """Every string (and number that reads as a NIK or a phone number) in a parsed payload, masked."""
    from ticketing.privacy.safety import mask

    if isinstance(value, str):
        return mask(value, contacts=True)
    if isinstance(value, dict):
        return {_masked(str(k)): _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        shown = mask(str(value), contacts=True)
        return value if shown == str(value) else shown
    return value


def _payload(text: str | None) -> tuple[Any, bool]:
    """The stored payload parsed when it is JSON (collectors' items), else the text (a raw mail)."""
    if text is None:
        return None, False
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


def item_view(item: Quarantine, *, reveal: bool = False, with_payload: bool = False) -> dict[str, Any]:
    """One item as staff see it, stable for --json: NIK/KK, phone numbers and e-mail addresses
    masked everywhere unless `reveal` (the caller authorises and audits that)."""
    from ticketing.privacy.safety import mask

    def show(text: str | None) -> str | None:
        return text if reveal or text is None else mask(text, contacts=True)

    data: dict[str, Any] = {
        "id": item.id, "channel": item.channel, "external_id": show(item.external_id), "reason": show(item.reason),
        "received_at": item.received_at.isoformat(),
        "resolved_at": item.resolved_at.isoformat() if item.resolved_at else None,
        "resolved_by": item.resolved_by, "resolution_note": show(item.resolution_note),
    }
    if with_payload:
        payload, is_json = _payload(item.payload)
        data["payload_format"] = None if payload is None else ("json" if is_json else "text")
        data["payload"] = payload if reveal else _masked(payload)
    return data
