"""A third-party channel, as another team would ship it: found only through its entry point.

`parrot` polls a JSON-lines file (one message per line) and receives webhooks signed with an
HMAC of the body in `X-Parrot-Signature`, keyed with the secret named by `secret_env`. It uses
nothing of aduan but the public contract in `ticketing.contract`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ticketing.contract import Batch, Collector, InboundMessage, ParsedWebhook, SendResult, SignatureError


class ParrotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inbox_file: str
    secret_env: str


def _message(channel: str, item: dict[str, Any]) -> InboundMessage:
    return InboundMessage(channel=channel, external_id=str(item["id"]), thread_key=str(item["from"]),
                          text=str(item["text"]), sent_at=datetime.fromtimestamp(int(item["ts"]), UTC),
                          author_handle=str(item["from"]), is_private=True)


class ParrotCollector(Collector):
    type_name = "parrot"
    settings_model = ParrotSettings
    receives_webhooks = True

    def fetch(self, cursor: Any) -> Batch:
        start = int(cursor or 0)
        lines = Path(self.settings.inbox_file).read_text(encoding="utf-8").splitlines()
        messages = [_message(self.name, json.loads(line)) for line in lines[start:] if line.strip()]
        return Batch(messages, len(lines))

    def send(self, outbound) -> SendResult:
        return SendResult(f"parrot-out-{outbound.local_id}")

    def check(self) -> str:
        return "parrot"

    def _secret(self) -> bytes:
        return str((self.env or {}).get(self.settings.secret_env, "")).encode()

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        expected = hmac.new(self._secret(), body, hashlib.sha256).hexdigest()
        if not self._secret() or not hmac.compare_digest(expected, headers.get("x-parrot-signature", "")):
            raise SignatureError("X-Parrot-Signature does not match")

    def parse_webhook(self, payload: Any) -> ParsedWebhook:
        return ParsedWebhook(messages=[_message(self.name, item) for item in payload["messages"]])
