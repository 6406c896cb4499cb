"""Messenger and Instagram webhook bodies: `entry[].messaging[]`, `entry[].standby[]`, `entry[].changes[]`.

Webhook events name the citizen by page-scoped (or Instagram-scoped) id, while the pollers thread
by conversation id; `resolve_thread` looks the conversation up so both paths land on the same
ticket, and the message id (`mid`) is the same either way, so a message seen twice is stored once.

Every part of a body ends somewhere: a message (text or a placeholder in the UI language, with
its attachments), a revision (`message_edit`), a quarantine with its reason, or a skip with its
reason (read and delivery receipts, reactions). One unreadable event never costs the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ticketing.contract import Attachment, InboundMessage, PayloadError, QuarantinedItem
from ticketing.contract.placeholders import placeholder, placeholders
from ticketing.contract.webhook import ParsedWebhook

# Seconds and milliseconds since the epoch are told apart by size: 10^11 seconds is the year
# 5138, 10^11 milliseconds is 1973. Anything outside 2000..2100 either way is refused.
EARLIEST, LATEST = 946_684_800, 4_102_444_800
RECEIPTS = {"read": "read receipt", "delivery": "delivery receipt", "reaction": "reaction to a message",
            "optin": "opt-in event", "referral": "referral event", "account_linking": "account linking event",
            "pass_thread_control": "handover event", "take_thread_control": "handover event",
            "request_thread_control": "handover event", "policy_enforcement": "policy notice",
            "game_play": "game event", "messaging_feedback": "feedback form"}
NOT_DOWNLOADED = "not downloaded: Graph attachment URLs expire"
MIME_GUESS = {"image": "image/*", "video": "video/*", "audio": "audio/*", "file": "application/octet-stream"}


class Unreadable(PayloadError, ValueError):
    """One event cannot be normalised; the reason names what is wrong."""


def epoch_instant(value: Any) -> datetime:
    """An epoch timestamp in seconds or milliseconds (number or digit string) as aware UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Unreadable(f"timestamp {str(value)[:30]!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise Unreadable(f"timestamp {str(value)[:30]!r} is not a number") from None
    seconds = number / 1000 if abs(number) >= 1e11 else number
    if not EARLIEST <= seconds <= LATEST:
        raise Unreadable(f"timestamp {str(value)[:30]!r} is outside 2000-2100")
    return datetime.fromtimestamp(seconds, UTC)


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _attachments(message: dict, locale: str) -> tuple[list[str], list[Attachment]]:
    kinds, found = [], []
    for item in as_list(message.get("attachments")):
        item = as_dict(item)
        kind = text_of(item.get("type")) or "attachment"
        if kind == "image" and as_dict(item.get("payload")).get("sticker_id"):
            kind = "sticker"
        kinds.append(kind)
        title = text_of(item.get("title")) or text_of(as_dict(item.get("payload")).get("title"))
        found.append(Attachment(filename=title or placeholder(kind, locale).strip("[]"),
                                content_type=MIME_GUESS.get(kind, "application/octet-stream"), size=0,
                                skipped_reason=NOT_DOWNLOADED))
    return kinds, found


def _message_event(event: dict, locale: str) -> tuple[str, str, list[Attachment], list[str], str | None]:
    """(mid, text, attachments, flags, replied-to mid) of a `message` event."""
    message = event["message"]
    if not isinstance(message, dict):
        raise Unreadable("`message` is not an object")
    mid = text_of(message.get("mid"))
    if not mid:
        raise Unreadable("message without a mid")
    if message.get("is_deleted"):
        raise Unreadable("message deleted by the sender (unsend)")
    kinds, attachments = _attachments(message, locale)
    text = text_of(message.get("text"))
    flags: list[str] = []
    reply_to = as_dict(message.get("reply_to"))
    if reply_to.get("story"):
        flags.append("story_reply")
        text = text or placeholder("story_reply", locale)
    if "story_mention" in kinds:
        flags.append("story_mention")
    quick = as_dict(message.get("quick_reply"))
    if not text and quick.get("payload"):
        text = text_of(quick.get("payload"))
    if not text:
        text = placeholders(kinds, locale) if kinds else ""
    if not text:
        raise Unreadable("message without text or attachments")
    return mid, text, attachments, flags, text_of(reply_to.get("mid")) or None


def _event(channel: str, event: Any, own_ids: set[str], resolve_thread: Callable[[str], str], locale: str,
           parsed: ParsedWebhook, standby: bool) -> None:
    if not isinstance(event, dict):
        raise Unreadable("messaging event is not an object")
    kind = next((k for k in ("message", "postback", "message_edit") if k in event), None)
    if kind is None:
        known = next((RECEIPTS[k] for k in RECEIPTS if k in event), None)
        if known is None:
            raise Unreadable(f"unknown messaging event with keys {sorted(event)[:6]}")
        parsed.skipped.append(known)
        return
    sender = text_of(as_dict(event.get("sender")).get("id")) or str(as_dict(event.get("sender")).get("id") or "")
    recipient = str(as_dict(event.get("recipient")).get("id") or "")
    if not sender or not recipient:
        raise Unreadable("messaging event without sender or recipient id")
    sent_at = epoch_instant(event.get("timestamp"))
    attachments: list[Attachment] = []
    flags, in_reply_to, is_edit = (["standby"] if standby else []), None, False
    if kind == "message":
        mid, text, attachments, more, in_reply_to = _message_event(event, locale)
        flags += more
        echo = bool(event["message"].get("is_echo")) or sender in own_ids
    elif kind == "message_edit":
        edit = as_dict(event["message_edit"])
        mid, text, is_edit, echo = text_of(edit.get("mid")), text_of(edit.get("text")), True, sender in own_ids
        if not mid or not text:
            raise Unreadable("message_edit without mid or text")
    else:
        postback = as_dict(event["postback"])
        text = text_of(postback.get("title")) or text_of(postback.get("payload"))
        if not text:
            raise Unreadable("postback without title or payload")
        mid = text_of(postback.get("mid")) or f"postback:{sender}:{event.get('timestamp')}"
        echo, flags = sender in own_ids, [*flags, "postback"]
    citizen = recipient if echo else sender
    parsed.messages.append(InboundMessage(
        channel=channel, external_id=mid, thread_key=resolve_thread(citizen), text=text, sent_at=sent_at,
        author_id=sender, is_private=True, direction="out" if echo else "in", raw=event, attachments=attachments,
        flags=flags, in_reply_to=in_reply_to, is_edit=is_edit))


def parse_messaging(channel: str, payload: Any, expected_object: str, own_ids: set[str],
                    resolve_thread: Callable[[str], str], locale: str = "id",
                    changes: Callable[[dict, dict, ParsedWebhook], None] | None = None) -> ParsedWebhook:
    """Every event of a Messenger (`page`) or Instagram body; `changes` handles `entry[].changes[]`."""
    parsed = ParsedWebhook()
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        parsed.quarantined.append(QuarantinedItem(channel, f"not an `{expected_object}` webhook body", payload))
        return parsed
    entries = payload.get("entry")
    if not isinstance(entries, list):
        parsed.quarantined.append(QuarantinedItem(channel, "`entry` is not a list", payload))
        return parsed
    for entry in entries:
        if not isinstance(entry, dict):
            parsed.quarantined.append(QuarantinedItem(channel, "entry is not an object", entry))
            continue
        events = [(e, False) for e in as_list(entry.get("messaging"))] + [(e, True) for e in
                                                                          as_list(entry.get("standby"))]
        for event, standby in events:
            try:
                _event(channel, event, own_ids, resolve_thread, locale, parsed, standby)
            except (Unreadable, KeyError, TypeError, ValueError, AttributeError) as exc:
                parsed.quarantined.append(QuarantinedItem(channel, _reason("messaging event", exc), event,
                                                          _mid(event)))
        for change in as_list(entry.get("changes")):
            if changes is None:
                parsed.skipped.append(f"`{text_of(as_dict(change).get('field')) or '?'}` change: read by the poller")
                continue
            try:
                changes(entry, change, parsed)
            except (Unreadable, KeyError, TypeError, ValueError, AttributeError) as exc:
                parsed.quarantined.append(QuarantinedItem(channel, _reason("change", exc), change))
        if not events and not as_list(entry.get("changes")):
            parsed.quarantined.append(QuarantinedItem(channel, "entry without messaging, standby or changes", entry))
    return parsed


def _reason(what: str, exc: Exception) -> str:
    detail = str(exc) if isinstance(exc, Unreadable) else f"{type(exc).__name__}: {exc}"
    return f"unreadable {what}: {detail}"[:300]


def _mid(event: Any) -> str | None:
    for key in ("message", "message_edit"):
        mid = as_dict(as_dict(event).get(key)).get("mid")
        if isinstance(mid, str) and mid:
            return mid
    return None


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
