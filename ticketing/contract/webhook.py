"""What a channel's webhook parser returns: messages, delivery statuses, rejects, media to fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ticketing.contract.messages import InboundMessage, QuarantinedItem


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery status of one of our messages: sent, delivered, read or failed."""

    external_id: str
    status: str
    at: datetime
    error_code: int | None = None
    reason: str | None = None


@dataclass
class MediaRef:
    external_id: str
    media_id: str
    mime_type: str
    sha256: str | None
    filename: str


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    quarantined: list[QuarantinedItem] = field(default_factory=list)
    media: list[MediaRef] = field(default_factory=list)
    # Parts of the body that are not messages and are knowingly not stored (read receipts,
    # reactions...), each with its reason: logged and counted, never silently dropped.
    skipped: list[str] = field(default_factory=list)
