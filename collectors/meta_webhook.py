"""Messenger and Instagram webhook bodies (`object: page` / `instagram`, `entry[].messaging[]`).

Webhook events name the citizen by page-scoped id, while the pollers thread by conversation id;
`resolve_thread` looks the conversation up so both paths land on the same ticket, and the
message id (`mid`) is the same either way, so a message seen twice is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ticketing.config import secret_from_env
from ticketing.contract import InboundMessage, QuarantinedItem, SignatureError
from ticketing.contract.webhook import ParsedWebhook
from ticketing.errors import AduanError


def verify_signature(body: bytes, header: str | None, app_secret: str) -> None:
    """Check `X-Hub-Signature-256: sha256=<hex>` against the raw bytes, in constant time."""
    if not header or not header.startswith("sha256="):
        raise SignatureError("missing X-Hub-Signature-256")
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower()):
        raise SignatureError("X-Hub-Signature-256 does not match")


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class MetaWebhookReceiver:
    """Meta's webhook handshake and signature, for the Graph collectors (a mixin of `Collector`).

    The subscription GET must echo `hub.challenge` when `hub.verify_token` matches the channel's
    verify token; every POST carries `X-Hub-Signature-256`, an HMAC of the raw body keyed with the
    app secret. Both secrets are read from the environment only when a request arrives.
    """

    receives_webhooks = True

    def _webhook_secret(self, key: str) -> str:
        section = self.settings.model_dump() if hasattr(self.settings, "model_dump") else dict(self.settings)
        try:
            return secret_from_env(section, key, self.name, self.env).get()
        except AduanError as exc:
            raise SignatureError(str(exc)) from None

    def answer_subscription(self, params: Mapping[str, str]) -> str | None:
        try:
            expected = self._webhook_secret("verify_token_env")
        except SignatureError:
            return None
        given = params.get("hub.verify_token") or ""
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(given.encode(), expected.encode()):
            return params.get("hub.challenge", "")
        return None

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        verify_signature(body, headers.get("x-hub-signature-256"), self._webhook_secret("app_secret_env"))


def _event_text(event: dict[str, Any]) -> str | None:
    message = event.get("message")
    if isinstance(message, dict):
        text = message.get("text")
        if text:
            return str(text)
        kinds = [a.get("type", "lampiran") for a in message.get("attachments") or [] if isinstance(a, dict)]
        return f"[{', '.join(kinds)}]" if kinds else None
    postback = event.get("postback")
    if isinstance(postback, dict):
        return str(postback.get("title") or postback.get("payload") or "")
    return None


def parse_messaging(channel: str, payload: Any, expected_object: str, own_ids: set[str],
                    resolve_thread: Callable[[str], str]) -> ParsedWebhook:
    """Every message event in the body; read/delivery receipts and other events are skipped."""
    parsed = ParsedWebhook()
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        parsed.quarantined.append(QuarantinedItem(channel, f"not an `{expected_object}` webhook body", payload))
        return parsed
    for entry in payload.get("entry") or []:
        for event in (entry or {}).get("messaging") or []:
            text = _event_text(event) if isinstance(event, dict) else None
            if text is None:
                continue  # read, delivery, reaction or referral events carry no message
            try:
                sender = str(event["sender"]["id"])
                recipient = str(event["recipient"]["id"])
                sent_at = datetime.fromtimestamp(int(event["timestamp"]) / 1000, UTC)
                message = event.get("message") or {}
                mid = str(message.get("mid") or f"postback:{sender}:{event['timestamp']}")
            except (KeyError, TypeError, ValueError) as exc:
                parsed.quarantined.append(QuarantinedItem(channel, f"messaging event without {exc}", event))
                continue
            echo = bool(message.get("is_echo")) or sender in own_ids
            citizen = recipient if echo else sender
            parsed.messages.append(InboundMessage(
                channel=channel, external_id=mid, thread_key=resolve_thread(citizen), text=text, sent_at=sent_at,
                author_id=sender, is_private=True, direction="out" if echo else "in", raw=event,
            ))
    return parsed


def conversation_resolver(client, page_id: str, platform: str) -> Callable[[str], str]:
    """Find the conversation id of a citizen's thread with the Page (cached per citizen)."""
    cache: dict[str, str] = {}

    def resolve(user_id: str) -> str:
        if user_id not in cache:
            found = client.get(f"{page_id}/conversations", {"platform": platform, "user_id": user_id,
                                                              "fields": "id"})
            data = found.get("data") or []
            cache[user_id] = str(data[0]["id"]) if data and data[0].get("id") else f"{platform}:{user_id}"
        return cache[user_id]

    return resolve
