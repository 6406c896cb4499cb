"""The `Collector` base: everything the collect runner, the outbox and the webhook receiver call.

A channel plugin subclasses it, declares its settings model and cursor type, and implements
`fetch` and `send` (a poller), or `verify_webhook` and `parse_webhook` (a webhook channel), or
both. The core calls nothing that is not declared here, so a third-party collector registered
under the `aduan.collectors` entry-point group polls and receives webhooks with no core change.
Constructors do no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ticketing.clock import Clock, pinned_clock
from ticketing.contract.cursors import decode_cursor, encode_cursor
from ticketing.contract.messages import Batch, OutboundMessage, SendResult
from ticketing.contract.webhook import ParsedWebhook
from ticketing.errors import SignatureError


class Collector:
    """Base class of every channel collector."""

    type_name: ClassVar[str] = ""
    settings_model: ClassVar[type | None] = None  # a pydantic model of the channel's own config keys
    cursor_type: ClassVar[type | None] = None  # a dataclass; None: the cursor is plain JSON
    polls: ClassVar[bool] = True  # False for a channel with no read API (WhatsApp: webhooks only)
    receives_webhooks: ClassVar[bool] = False  # True: `aduan webhook serve` accepts its POSTs
    locale: str = "id"  # the office's UI language, for placeholders of messages without text

    def __init__(self, name: str, settings: Any, env: Mapping[str, str] | None = None,
                 clock: Clock | None = None):
        self.name = name
        self.settings = settings
        self.env = env
        # The runner's clock (ADUAN_NOW pins it for rehearsals): retry times, 24-hour windows.
        self.clock: Clock = clock or pinned_clock(env)
        # Billed reads this run may still make (X bills per item), or None for no limit. The
        # runner sets it from what is left of the channel's monthly budget; fetch spends from it.
        self.read_allowance: int | None = None
        # The office's UI language ("id" or "en"): placeholders for media without text use it.
        self.locale: str = "id"

    # -- polling ---------------------------------------------------------------------------

    def load_cursor(self, data: str | None) -> Any:
        """Turn the stored JSON back into this collector's typed cursor."""
        return decode_cursor(data, self.cursor_type)

    def dump_cursor(self, cursor: Any) -> str | None:
        """The cursor as JSON for the database; two equal cursors give the same text."""
        return encode_cursor(cursor)

    def fetch(self, cursor: Any) -> Batch:
        raise NotImplementedError(f"{type(self).__name__} does not poll")

    # -- replies ---------------------------------------------------------------------------

    def send(self, outbound: OutboundMessage) -> SendResult:
        raise NotImplementedError(f"{type(self).__name__} cannot send replies")

    def check(self) -> str:
        """Verify credentials and reachability; return a short description of the account."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; called once when the runner is done with the collector."""

    # -- webhooks --------------------------------------------------------------------------

    def answer_subscription(self, params: Mapping[str, str]) -> str | None:
        """The body that confirms a webhook subscription handshake (a GET), or None to refuse."""
        return None

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise `SignatureError` unless the POST is authentic (checked on the raw bytes)."""
        raise SignatureError(f"channel type {self.type_name!r} does not receive webhooks")

    def parse_webhook(self, payload: Any) -> ParsedWebhook:
        """Messages, delivery statuses, rejects and media references of one stored webhook body."""
        raise NotImplementedError(f"{type(self).__name__} does not receive webhooks")

    def download_media(self, media_id: str) -> tuple[Iterable[bytes] | bytes, str]:
        """A media item a webhook referred to: its bytes as an iterator of chunks (or, from a
        simple plugin, one bytes value) and its MIME type. The webhook queue streams the chunks
        into the attachment store (ticketing.store.attachments), never holding the whole file."""
        raise NotImplementedError(f"{type(self).__name__} has no media to download")
