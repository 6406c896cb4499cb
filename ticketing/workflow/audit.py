"""The append-only, hash-chained event log.

Each event stores the hash of the event before it, so a deleted or edited row breaks the
chain and `verify_chain` finds it. Writers serialise on the chain's tail: SQLite writers
already hold the database lock; PostgreSQL takes a transaction-scoped advisory lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.store import bulk
from ticketing.store.models import Event
from ticketing.store.sql import advisory_lock

EVENT_COLUMNS = ("ticket_id", "at", "actor", "action", "from_status", "to_status", "detail", "prev_hash", "hash",
                 "os_account")

CHAIN_LOCK = "audit-chain"  # the advisory lock guarding the chain's tail on PostgreSQL


@dataclass(frozen=True)
class EventDraft:
    ticket_id: int | None
    at: datetime
    actor: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    detail: dict[str, Any] | str | None = None

    def detail_text(self) -> str:
        if self.detail is None:
            return ""
        if isinstance(self.detail, str):
            return self.detail
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True, default=str)


def event_hash(prev_hash: str, ticket_id: int | None, at: datetime, actor: str, action: str,
               from_status: str | None, to_status: str | None, detail: str, os_account: str | None = None) -> str:
    fields = [prev_hash, ticket_id, at.isoformat(), actor, action, from_status, to_status, detail]
    if os_account is not None:  # events written before the column existed hash as they always did
        fields.append(os_account)
    material = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@functools.cache
def writer_account() -> str:
    """The OS account of this process, recorded on every event it writes (fixed for its lifetime)."""
    from ticketing.workflow.identity import os_account

    return os_account()


def _lock_chain(session: Session) -> None:
    advisory_lock(session, CHAIN_LOCK)


def _tail_hash(session: Session) -> str:
    value = session.execute(sa.select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    return value or ""


def append_events(session: Session, drafts: Sequence[EventDraft]) -> list[dict[str, Any]]:
    """Insert events in order, chaining their hashes; returns the rows written."""
    if not drafts:
        return []
    _lock_chain(session)
    prev = _tail_hash(session)
    account = writer_account()
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        detail = draft.detail_text()
        at = draft.at.astimezone(UTC)  # hashed as stored, so verification reads back the same text
        digest = event_hash(prev, draft.ticket_id, at, draft.actor, draft.action,
                            draft.from_status, draft.to_status, detail, account)
        rows.append({
            "ticket_id": draft.ticket_id, "at": at, "actor": draft.actor, "action": draft.action,
            "from_status": draft.from_status, "to_status": draft.to_status, "detail": detail,
            "prev_hash": prev, "hash": digest, "os_account": account,
        })
        prev = digest
    bulk.insert_rows(session, Event.__table__, EVENT_COLUMNS, rows)
    _recorded_refusals.update(str(d.detail.get("reason")) for d in drafts
                              if d.action == "refused" and isinstance(d.detail, dict))
    return rows


# Refusals this process has written (their reasons), so the CLI's last-resort handler audits a
# refusal that escaped a command exactly once.
_recorded_refusals: set[str] = set()


def refusal_recorded(reason: str) -> bool:
    return reason in _recorded_refusals


def record_event(session: Session, draft: EventDraft) -> None:
    append_events(session, [draft])


def verify_chain(events: Iterable[Event]) -> list[str]:
    """Problems found walking the chain in id order; an empty list means it is intact."""
    problems: list[str] = []
    prev = ""
    for event in events:
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: previous hash does not match (a row before it was changed "
                            "or removed)")
        expected = event_hash(event.prev_hash, event.ticket_id, event.at, event.actor, event.action,
                              event.from_status, event.to_status, event.detail, event.os_account)
        if event.hash != expected:
            problems.append(f"event {event.id}: content does not match its hash (the row was edited)")
        prev = event.hash
    return problems


CHUNK = 5000  # events read per query: bounded memory on a years-long trail


def _events(session) -> Iterator[Any]:
    """Every event in id order, read in chunks (the chain is verified in one pass)."""
    last = 0
    while True:
        rows = list(session.execute(sa.select(Event).where(Event.id > last).order_by(Event.id).limit(CHUNK))
                    .scalars())
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify_database(engine) -> dict[str, Any]:
    """Walk the chain; the result names the first broken event and counts what was checked."""
    from ticketing.store.db import read_session

    checked = [0]

    def counted(events: Iterator[Any]) -> Iterator[Any]:
        for event in events:
            checked[0] += 1
            yield event

    with read_session(engine) as session:
        problems = verify_chain(counted(_events(session)))
    first = problems[0] if problems else None
    first_id = int(first.split(":", 1)[0].removeprefix("event ")) if first else None
    return {"ok": not problems, "events": checked[0], "problems": len(problems), "first_broken_event": first_id,
            "first_problem": first}
