"""Checks a replayed corpus against its expected outcomes, from what the database holds.

Every case is a pair: `NAME.json` (the payload as the channel's API delivers it, with a `note`)
and `NAME.expected.json`, one of:
- `{"outcome": "message", "external_id", ...}`: stored, with any of `text`, `text_contains`,
  `text_excludes`, `direction`, `ticket` (opened or joined one), `thread_key`, `flags` (all
  present), `attachments` (in order: `filename`, `content_type`, `size`, `sensitive`, `stored`,
  `reason_contains`);
- `{"outcome": "revision", "external_id", "text", "previous_text"}`: an edit of a stored message;
- `{"outcome": "skipped", "why"}`: read and deliberately not stored (nothing keeps its id);
- `{"outcome": "quarantined", "reason_contains"}`: kept as a reject with this reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from ticketing.store.models import AttachmentRecord, Message, MessageRevision, Quarantine, Ticket

CORPORA = Path(__file__).resolve().parents[1] / "data" / "realworld"


@dataclass
class Case:
    name: str
    payload: dict[str, Any]
    expected: dict[str, Any]


def load(channel: str) -> list[Case]:
    folder = CORPORA / channel
    cases = []
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        cases.append(Case(path.stem, json.loads(path.read_text(encoding="utf-8")), expected))
    return cases


def snapshot(session: Session) -> dict[str, int]:
    """Row counts that a second replay must leave unchanged."""
    return {table.__tablename__: len(list(session.exec(select(table.id))))
            for table in (Message, MessageRevision, Quarantine, AttachmentRecord, Ticket)}


def check(session: Session, case: Case, mentions: Callable[[str, str], bool]) -> list[str]:
    """Problems with one case (empty when it matches). `mentions(stored_json, case_name)` says whether a
    stored raw payload or quarantine payload belongs to this case."""
    want, problems = case.expected, []
    outcome = want["outcome"]
    if outcome in ("message", "revision"):
        message = session.exec(select(Message).where(Message.external_id == want["external_id"])).first()
        if message is None:
            return [f"{case.name}: no message {want['external_id']}"]
        problems += _message(session, case.name, message, want)
        if outcome == "revision":
            previous = [r.previous_text for r in session.exec(
                select(MessageRevision).where(MessageRevision.message_id == message.id))]
            if want["previous_text"] not in previous:
                problems.append(f"{case.name}: no revision with the earlier text (got {previous!r})")
        return problems
    rejects = [q for q in session.exec(select(Quarantine)) if mentions(q.payload or "", case.name)]
    if outcome == "quarantined":
        if not any(want["reason_contains"] in q.reason for q in rejects):
            problems.append(f"{case.name}: not quarantined with {want['reason_contains']!r} "
                            f"(got {[q.reason for q in rejects]!r})")
        return problems
    stored = [m.external_id for m in session.exec(select(Message)) if mentions(m.raw or "", case.name)]
    if stored or rejects:
        problems.append(f"{case.name}: expected skipped ({want['why']}), got {stored!r} / {len(rejects)} rejects")
    return problems


def _message(session: Session, name: str, message: Message, want: dict[str, Any]) -> list[str]:
    problems = []
    if "text" in want and message.text != want["text"]:
        problems.append(f"{name}: text {message.text[:120]!r} != {want['text'][:120]!r}")
    problems += [f"{name}: text lacks {part!r}" for part in want.get("text_contains", []) if part not in message.text]
    problems += [f"{name}: text has {part!r}" for part in want.get("text_excludes", []) if part in message.text]
    if "direction" in want and message.direction != want["direction"]:
        problems.append(f"{name}: direction {message.direction}")
    if "ticket" in want and (message.ticket_id is not None) != want["ticket"]:
        problems.append(f"{name}: ticket {message.ticket_id!r}, expected {'one' if want['ticket'] else 'none'}")
    if "thread_key" in want and message.thread_key != want["thread_key"]:
        problems.append(f"{name}: thread {message.thread_key!r} != {want['thread_key']!r}")
    flags = set(message.flags.split(","))
    problems += [f"{name}: flag {flag} missing ({message.flags})" for flag in want.get("flags", [])
                 if flag not in flags]
    if "attachments" in want:
        rows = list(session.exec(select(AttachmentRecord).where(AttachmentRecord.message_id == message.id)
                                 .order_by(AttachmentRecord.id)))
        if len(rows) != len(want["attachments"]):
            return [*problems, f"{name}: {len(rows)} attachments, expected {len(want['attachments'])}"]
        for row, expected in zip(rows, want["attachments"], strict=True):
            problems += _attachment(name, row, expected)
    return problems


def _attachment(name: str, row: AttachmentRecord, want: dict[str, Any]) -> list[str]:
    problems = [f"{name}: attachment {key} {getattr(row, key)!r} != {want[key]!r}"
                for key in ("filename", "content_type", "size", "sensitive") if key in want
                and getattr(row, key) != want[key]]
    if "stored" in want:
        on_disk = bool(row.path) and Path(row.path).is_file()
        if on_disk != want["stored"]:
            problems.append(f"{name}: attachment stored={on_disk} ({row.skipped_reason})")
    if "reason_contains" in want and want["reason_contains"] not in (row.skipped_reason or ""):
        problems.append(f"{name}: attachment reason {row.skipped_reason!r}")
    return problems
