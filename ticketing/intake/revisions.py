"""Edited messages: the stored row takes the new text, the earlier one is kept as a revision."""

from __future__ import annotations

from sqlmodel import Session

from ticketing.contract import InboundMessage
from ticketing.store.flags import add_flag
from ticketing.store.models import Message, MessageRevision
from ticketing.store.sql import insert_ignoring


def apply_edits(session: Session, edits: list[InboundMessage], existing: dict[str, int],
                 fresh: list[InboundMessage]) -> int:
    """Keep the earlier text as a revision; an edit of an unknown message is stored as new."""
    changed = 0
    for edit in edits:
        message_id = existing.get(edit.external_id)
        if message_id is None:
            edit.is_edit = False
            fresh.append(edit)
            continue
        stored = session.get(Message, message_id)
        if stored is None or stored.text == edit.text:
            continue
        revision = insert_ignoring(session, MessageRevision.__table__, ["message_id", "edited_at"]).values(
            message_id=message_id, previous_text=stored.text, edited_at=edit.sent_at, raw=edit.raw_json(),
        )
        if session.execute(revision).rowcount:
            stored.text = edit.text
            stored.flags = add_flag(stored.flags, "edited")
            session.add(stored)
            changed += 1
    return changed

