"""The citizens behind a batch: one contact per author and channel, created once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.contract import InboundMessage
from ticketing.store import bulk
from ticketing.store.models import Contact, ContactHandle


def resolve_contacts(session: Session, channel: str, messages: list[InboundMessage],
                      now: datetime) -> dict[str, int]:
    """Map author ids of inbound messages to contact ids, creating contacts once per author."""
    authors: dict[str, InboundMessage] = {}
    for message in messages:
        if message.direction == "in" and message.author_id and message.author_id not in authors:
            authors[message.author_id] = message
    if not authors:
        return {}
    handles = bulk.existing_keys(session, ContactHandle.__table__, {"channel": channel}, "external_user_id",
                                 list(authors))
    known = {}
    if handles:
        rows = session.execute(
            sa.select(ContactHandle.external_user_id, ContactHandle.contact_id)
            .where(ContactHandle.id.in_(list(handles.values())))
        )
        known = dict(rows.all())
    missing = [author for author in authors if author not in known]
    contact_ids = bulk.allocate_ids(session, Contact.__table__, len(missing))
    bulk.insert_rows(session, Contact.__table__, ("id", "display_name", "created_at"), [
        {"id": cid, "display_name": authors[a].author_name or authors[a].author_handle, "created_at": now}
        for cid, a in zip(contact_ids, missing, strict=True)
    ])
    bulk.insert_rows(session, ContactHandle.__table__,
                     ("contact_id", "channel", "external_user_id", "handle", "display_name"), [
        {"contact_id": cid, "channel": channel, "external_user_id": a, "handle": authors[a].author_handle,
         "display_name": authors[a].author_name}
        for cid, a in zip(contact_ids, missing, strict=True)
    ])
    known.update(zip(missing, contact_ids, strict=True))
    return known
