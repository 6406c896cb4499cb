"""Messenger and Instagram webhook bodies (`object: page` / `instagram`, `entry[].messaging[]`).

Webhook events name the citizen by page-scoped id, while the pollers thread by conversation id;
`resolve_thread` looks the conversation up so both paths land on the same ticket, and the
message id (`mid`) is the same either way, so a message seen twice is stored once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from collectors.base import InboundMessage, QuarantinedItem
from collectors.webhook_types import ParsedWebhook


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
