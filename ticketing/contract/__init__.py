"""The channel contract (ports and adapters): what the core and a collector agree on.

Collectors import this package; nothing here imports a collector. It holds the message values
(`messages`), cursors (`cursors`), webhook results (`webhook`), the `Collector` base
(`collector`), the entry-point registry (`registry`) and valid-Unicode repair (`text`). The
error tree lives in `ticketing.errors` and is re-exported here for collectors' convenience.
"""

from __future__ import annotations

from ticketing.contract.collector import Collector
from ticketing.contract.cursors import decode_cursor, encode_cursor
from ticketing.contract.messages import (
    Attachment,
    Batch,
    InboundMessage,
    OutboundMessage,
    QuarantinedItem,
    SendResult,
)
from ticketing.contract.webhook import MediaRef, ParsedWebhook, StatusUpdate
from ticketing.errors import (
    AuthExpired,
    CollectorError,
    DeliveryUnknown,
    PayloadError,
    RateLimited,
    SendRefused,
    SignatureError,
    TransientError,
)

__all__ = [
    "Attachment", "AuthExpired", "Batch", "Collector", "CollectorError", "DeliveryUnknown", "InboundMessage",
    "MediaRef", "OutboundMessage", "ParsedWebhook", "PayloadError", "QuarantinedItem", "RateLimited", "SendRefused",
    "SendResult", "SignatureError", "StatusUpdate", "TransientError", "decode_cursor", "encode_cursor",
]
