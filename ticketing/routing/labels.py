"""The office's corrections as training labels (table `routing_label`).

Every correction is a label (issue 19): an escalation to another bidang than the one suggested,
`aduan route ID --category/--kind/--bidang`, a close as spam. The workflow functions call
`record_label` inside their own transaction, so a correction and its label commit together.
A later label of the same ticket overrides an earlier one field by field (the last word counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from ticketing.routing.training import LabelledText
from ticketing.store.models import Message, RoutingLabel, Ticket

FIELDS = ("kind", "category", "bidang")


def first_citizen_message(session: Session, ticket: Ticket) -> Message | None:
    return session.exec(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "in")
                        .order_by(Message.sent_at, Message.id)).first()


def record_label(session: Session, ticket: Ticket, username: str, now: datetime, source: str,
                 suggested: dict[str, str | None], **values: str | None) -> RoutingLabel | None:
    """Store which fields the office asserted (`values` holds only those) and what was suggested."""
    fields = [name for name in FIELDS if name in values]
    if not fields:
        return None
    message = first_citizen_message(session, ticket)
    label = RoutingLabel(
        ticket_id=ticket.id, message_id=message.id if message else None, source=source, fields=",".join(fields),
        kind=values.get("kind"), category=values.get("category"), bidang=values.get("bidang"),
        suggested="/".join(suggested.get(name) or "-" for name in FIELDS), created_by=username, created_at=now,
    )
    session.add(label)
    return label


def _merged(rows: Iterable[tuple[RoutingLabel, str | None]]) -> dict[int, dict[str, Any]]:
    merged: dict[int, dict[str, Any]] = {}
    for label, text in rows:
        entry = merged.setdefault(label.ticket_id, {"text": text, "values": {}, "sources": [], "suggested":
                                                    label.suggested, "at": label.created_at})
        for name in label.fields.split(","):
            entry["values"][name] = getattr(label, name)
        entry["sources"].append(label.source)
        entry["at"] = label.created_at
    return merged


def label_rows(session: Session) -> list[dict[str, Any]]:
    """One row per corrected ticket, oldest correction first: text, asserted fields, sources."""
    query = (select(RoutingLabel, Message.text).join(Message, Message.id == RoutingLabel.message_id, isouter=True)
             .order_by(RoutingLabel.created_at, RoutingLabel.id))
    merged = _merged(session.exec(query).all())
    rows = []
    for ticket_id, entry in merged.items():
        row = {"ticket_id": ticket_id, "text": entry["text"] or "", "fields": sorted(entry["values"]),
               "sources": entry["sources"], "suggested": entry["suggested"], "labelled_at": entry["at"]}
        row.update({name: entry["values"].get(name) for name in FIELDS})
        rows.append(row)
    return rows


def office_labels(session: Session) -> list[LabelledText]:
    """The labels in training form; a purged (empty) text is skipped."""
    return [LabelledText(row["text"], row["kind"], row["category"], row["bidang"],
                         tuple(name for name in FIELDS if name in row["fields"]), source="office")
            for row in label_rows(session) if row["text"].strip()]
