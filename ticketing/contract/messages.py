"""The values that cross the boundary between the core and a channel.

A collector turns its channel's JSON or MIME into `InboundMessage` values and delivers
`OutboundMessage` values back; nothing channel-specific leaves the collector. Every string a
message carries is made valid Unicode when the message is built (`__post_init__`), so a lone
surrogate from a channel never reaches the database, a log or a terminal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ticketing.contract.text import valid_text

TEXT_FIELDS = ("text", "author_name", "author_handle", "author_id", "subject", "thread_key", "external_id")


def _json(value: Any) -> str | None:
    """A raw payload as JSON text that is valid Unicode (a lone surrogate becomes U+FFFD)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return valid_text(text)


@dataclass(frozen=True)
class Attachment:
    """Metadata of a file that came with a message; the bytes live on disk, not in the DB."""

    filename: str
    content_type: str
    size: int
    sha256: str | None = None
    path: str | None = None
    skipped_reason: str | None = None
    sensitive: bool = False  # looks like a photo/scan of an identity document (KTP, KK): never exported

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", valid_text(self.filename))


@dataclass
class InboundMessage:
    """One message read from a channel, normalised.

    `external_id` is unique within the channel; `thread_key` groups messages of one
    conversation (X conversation_id, Messenger conversation id, Telegram chat id, email
    thread root, comment thread). `direction` is "out" for items written by the office's own
    account that the read APIs return too; those never become citizen input.
    """

    channel: str
    external_id: str
    thread_key: str
    text: str
    sent_at: datetime
    author_id: str = ""
    author_handle: str = ""
    author_name: str = ""
    account: str = ""
    is_private: bool = False
    in_reply_to: str | None = None
    direction: str = "in"
    opens_ticket: bool = True
    is_edit: bool = False
    flags: list[str] = field(default_factory=list)
    subject: str | None = None
    raw: Any = None
    attachments: list[Attachment] = field(default_factory=list)
    # Earlier messages of the conversation this one answers, oldest first (email References);
    # ingest uses them, with `in_reply_to`, to find the ticket of a reply whose thread_key is new.
    references: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, valid_text(value))

    def raw_json(self) -> str | None:
        return _json(self.raw)


@dataclass(frozen=True)
class QuarantinedItem:
    """A payload the collector could not normalise, kept with the reason."""

    channel: str
    reason: str
    payload: Any = None
    external_id: str | None = None

    def payload_json(self) -> str | None:
        return _json(self.payload)


@dataclass
class Batch:
    """What one `fetch` returns: messages, the cursor that covers them, and rejects."""

    messages: list[InboundMessage]
    next_cursor: Any
    quarantined: list[QuarantinedItem] = field(default_factory=list)
    more: bool = False
    reads: int = 0


@dataclass(frozen=True)
class OutboundMessage:
    """A reply to deliver: the ticket's channel, thread and the message it answers."""

    channel: str
    thread_key: str
    text: str
    in_reply_to: str | None = None
    recipient_id: str | None = None
    is_private: bool = False
    subject: str | None = None
    ticket_ref: str | None = None
    local_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    # A reply the channel takes in several parts (Telegram's 4,096-character limit): the parts
    # accepted by an earlier attempt (index -> the channel's id), never sent again, and the
    # callback that records each part the moment the channel accepts it (the outbox commits it).
    parts_done: Mapping[int, str] = field(default_factory=dict)
    on_part: Callable[[int, str], None] | None = field(default=None, compare=False, repr=False)

    def part_accepted(self, index: int, external_id: str) -> None:
        if self.on_part is not None:
            self.on_part(index, external_id)


@dataclass(frozen=True)
class SendResult:
    """What the channel said about a delivered reply."""

    external_id: str
    raw: Any = None
    accepted_at: datetime | None = None  # the channel's own time for the accepted reply, when it says
