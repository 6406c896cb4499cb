"""The collector contract shared by every channel.

A collector knows one channel and nothing else: it turns that channel's JSON or MIME into
`InboundMessage` values and delivers `OutboundMessage` values back. Errors form a tree the
caller can act on (`AuthExpired` is fatal and alerts, `RateLimited`/`TransientError` retry
later, `PayloadError` quarantines one item).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ticketing.errors import AduanError


class CollectorError(AduanError):
    """Something went wrong talking to a channel."""


class AuthExpired(CollectorError):
    """The credentials are invalid or expired: an operator must re-authorise the channel."""


class RateLimited(CollectorError):
    """The channel asked us to wait; no call may be made before `retry_at`."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


class TransientError(CollectorError):
    """A failure worth retrying later (5xx, timeout, connection reset)."""


class PayloadError(CollectorError):
    """One item could not be understood; it is quarantined and the batch goes on."""

    def __init__(self, message: str, payload: Any = None, external_id: str | None = None):
        super().__init__(message)
        self.payload = payload
        self.external_id = external_id


class SendRefused(CollectorError):
    """The channel's rules forbid this reply (24-hour window, comment on a tag, ...).

    Raised before anything is sent; the message says why in the office's words.
    """


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

    def raw_json(self) -> str | None:
        if self.raw is None:
            return None
        if isinstance(self.raw, str):
            return self.raw
        return json.dumps(self.raw, ensure_ascii=False, default=str, sort_keys=True)


@dataclass(frozen=True)
class QuarantinedItem:
    """A payload the collector could not normalise, kept with the reason."""

    channel: str
    reason: str
    payload: Any = None
    external_id: str | None = None


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


@dataclass(frozen=True)
class SendResult:
    """What the channel said about a delivered reply."""

    external_id: str
    raw: Any = None


def cursor_to_json(cursor: Any) -> str | None:
    """Serialise a typed cursor (a dataclass, a dict or None) for the collector_state table."""
    if cursor is None:
        return None
    if dataclasses.is_dataclass(cursor) and not isinstance(cursor, type):
        return json.dumps(dataclasses.asdict(cursor), sort_keys=True, default=str)
    return json.dumps(cursor, sort_keys=True, default=str)


class Collector:
    """Base class of every channel collector.

    Subclasses set `type_name`, may declare a pydantic `settings_model` for their config
    section, and implement `fetch` and `send`. Constructors do no I/O.
    """

    type_name: ClassVar[str] = ""
    settings_model: ClassVar[type | None] = None
    cursor_type: ClassVar[type | None] = None

    def __init__(self, name: str, settings: Any, env: Mapping[str, str] | None = None):
        self.name = name
        self.settings = settings
        self.env = env

    def load_cursor(self, data: str | None) -> Any:
        """Turn the stored JSON back into this collector's typed cursor."""
        if data is None:
            return None
        value = json.loads(data)
        if self.cursor_type is not None and isinstance(value, dict):
            return self.cursor_type(**value)
        return value

    def fetch(self, cursor: Any) -> Batch:
        raise NotImplementedError

    def send(self, outbound: OutboundMessage) -> SendResult:
        raise NotImplementedError

    def check(self) -> str:
        """Verify credentials and reachability; return a short description of the account."""
        raise NotImplementedError
