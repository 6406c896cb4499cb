"""Telegram's `Message` object read as something staff can act on: text, thread, media, flags.

Kept apart from the collector's HTTP plumbing so it can be read against the Bot API's Update
and Message reference alone. Nothing here does I/O; the media items found here are fetched by
`collectors/telegram_media.py`.

Decisions the API leaves open:
- A bot command with text after it (`/lapor KTP-el saya hilang`, `/lapor@DukcapilBot ...`) is a
  citizen writing to the office: the text after the command is the message and opens a ticket.
  A bare command (`/start`, `/help`, `/lapor` alone) is stored but opens nothing, and so are
  `/start PAYLOAD` (a deep link's parameter) and a command addressed to another bot in a group.
- In a group every citizen is their own conversation: the thread is `<chat_id>:<user_id>`, so
  two citizens in one group never share a ticket; replies go to the group, threaded to the
  citizen's message. A private chat stays `<chat_id>` (the form earlier versions stored).
- A message in a connected business chat (`business_message`) lives in the business account's
  chat with the citizen, which has the citizen's id like the bot's own chat with them: its ids
  are `biz:<connection>:<chat_id>` so they never collide with the bot's chat, and the reply goes
  out through the same business connection. A business message not written by the citizen
  (the office staff in the Telegram app, or a bot on their behalf) is the office's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ticketing.privacy.safety import mask_phone

DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")
# `message` payloads that are chat events, not something a person wrote
SERVICE_KEYS = (
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
    "group_chat_created", "supergroup_chat_created", "channel_chat_created", "pinned_message",
    "migrate_to_chat_id", "migrate_from_chat_id", "message_auto_delete_timer_changed",
    "video_chat_started", "video_chat_ended", "video_chat_scheduled", "video_chat_participants_invited",
    "forum_topic_created", "forum_topic_closed", "forum_topic_reopened", "forum_topic_edited",
    "general_forum_topic_hidden", "general_forum_topic_unhidden", "write_access_allowed", "users_shared",
    "chat_shared", "boost_added", "chat_background_set", "proximity_alert_triggered", "successful_payment",
    "refunded_payment", "giveaway_created", "giveaway_completed", "connected_website",
)

WORDS = {
    "id": {
        "photo": "[foto]", "document": "[dokumen]", "voice": "[pesan suara]", "audio": "[audio]",
        "video": "[video]", "video_note": "[video bulat]", "animation": "[animasi]", "sticker": "[stiker]",
        "location": "[lokasi]", "live": "lokasi langsung", "venue": "[tempat]", "contact": "[kontak]",
        "poll": "[polling]", "quiz": "[kuis]", "dice": "[dadu]", "story": "[cerita]", "game": "[permainan]",
        "invoice": "[tagihan]", "paid_media": "[media berbayar]", "giveaway": "[giveaway]",
        "empty": "[pesan tanpa teks]", "forwarded": "[diteruskan dari {who}]", "someone": "seseorang",
        "votes": "suara", "from": "dari",
    },
    "en": {
        "photo": "[photo]", "document": "[document]", "voice": "[voice message]", "audio": "[audio]",
        "video": "[video]", "video_note": "[round video]", "animation": "[animation]", "sticker": "[sticker]",
        "location": "[location]", "live": "live location", "venue": "[place]", "contact": "[contact]",
        "poll": "[poll]", "quiz": "[quiz]", "dice": "[dice]", "story": "[story]", "game": "[game]",
        "invoice": "[invoice]", "paid_media": "[paid media]", "giveaway": "[giveaway]",
        "empty": "[message without text]", "forwarded": "[forwarded from {who}]", "someone": "someone",
        "votes": "votes", "from": "from",
    },
}
MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "video_note", "animation", "sticker")
DEFAULT_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4",
                "video_note": "video/mp4", "animation": "video/mp4", "document": "application/octet-stream"}
DEFAULT_NAME = {"photo": "foto.jpg", "voice": "pesan-suara.ogg", "audio": "audio.mp3", "video": "video.mp4",
                "video_note": "video-bulat.mp4", "animation": "animasi.mp4", "document": "dokumen"}


@dataclass(frozen=True)
class MediaItem:
    """One file a message carries, as the Bot API describes it (not yet downloaded)."""

    kind: str
    file_id: str | None
    filename: str
    content_type: str
    size: int


@dataclass
class Reading:
    """What one message says, ready for an `InboundMessage`."""

    text: str
    flags: list[str]
    opens_ticket: bool
    media: list[MediaItem]


def words(locale: str) -> dict[str, str]:
    return WORDS.get(locale, WORDS["id"])


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def person_name(user: Any) -> str:
    if not isinstance(user, Mapping):
        return ""
    parts = [_str(user.get("first_name")), _str(user.get("last_name"))]
    return " ".join(p for p in parts if p) or _str(user.get("title"))


def split_command(message: Mapping[str, Any], text: str, bot_username: str | None) -> tuple[str, str] | None:
    """(`/command`, the text after it) when the message starts with a bot command entity."""
    for entity in message.get("entities") or []:
        if not isinstance(entity, Mapping) or entity.get("type") != "bot_command" or entity.get("offset") != 0:
            continue
        length = _int(entity.get("length"))
        command = text[:length] if length else text.split(maxsplit=1)[0] if text.strip() else ""
        if not command.startswith("/"):
            return None
        name, _, addressee = command.partition("@")
        if addressee and bot_username and addressee.lower() != bot_username.lstrip("@").lower():
            return f"{name}@{addressee}", ""  # a command for another bot in the group: not ours
        rest = text[len(command):].strip()
        if name == "/start" and DEEP_LINK.fullmatch(rest):
            return f"{name} {rest}", ""  # t.me/bot?start=PAYLOAD: a link parameter, not words
        return name, rest
    return None


def _coordinates(location: Any) -> str:
    if not isinstance(location, Mapping):
        return ""
    lat, lon = location.get("latitude"), location.get("longitude")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return ""
    return f"{lat:.5f}, {lon:.5f}"


def _described(message: Mapping[str, Any], w: dict[str, str]) -> str | None:
    """Readable text for the kinds that carry their data in fields: location, venue, contact, poll, ..."""
    if isinstance(message.get("venue"), Mapping):
        venue = message["venue"]
        place = ", ".join(p for p in (_str(venue.get("title")), _str(venue.get("address"))) if p)
        where = _coordinates(venue.get("location"))
        return " ".join(p for p in (w["venue"], place, f"({where})" if where else "") if p)
    if isinstance(message.get("location"), Mapping):
        location = message["location"]
        live = f" ({w['live']})" if _int(location.get("live_period")) else ""
        return f"{w['location']} {_coordinates(location)}{live}".strip()
    if isinstance(message.get("contact"), Mapping):
        contact = message["contact"]
        phone = _str(contact.get("phone_number"))
        return " ".join(p for p in (w["contact"], person_name(contact), mask_phone(phone) if phone else "") if p)
    if isinstance(message.get("poll"), Mapping):
        poll = message["poll"]
        label = w["quiz"] if poll.get("type") == "quiz" else w["poll"]
        options = [o for o in poll.get("options") or [] if isinstance(o, Mapping)]
        choices = " / ".join(f"{_str(o.get('text'))} ({_int(o.get('voter_count'))})" for o in options)
        return " ".join(p for p in (label, _str(poll.get("question")), f"— {choices}" if choices else "") if p)
    if isinstance(message.get("dice"), Mapping):
        dice = message["dice"]
        return f"{w['dice']} {_str(dice.get('emoji'), '🎲')} {_int(dice.get('value'))}"
    if isinstance(message.get("story"), Mapping):
        chat = message["story"].get("chat")
        owner = _str(chat.get("username")) if isinstance(chat, Mapping) else ""
        return f"{w['story']} {w['from']} @{owner}" if owner else w["story"]
    for kind in ("game", "invoice", "paid_media", "giveaway"):
        if kind in message:
            return w[kind]
    return None


def _origin(message: Mapping[str, Any], w: dict[str, str]) -> str | None:
    """Who a forwarded message came from (`forward_origin`, Bot API 7.0), or None when not forwarded."""
    origin = message.get("forward_origin")
    if origin is None:
        return None
    who = ""
    if isinstance(origin, Mapping):
        kind = origin.get("type")
        if kind == "user":
            who = person_name(origin.get("sender_user"))
        elif kind == "hidden_user":
            who = _str(origin.get("sender_user_name"))
        elif kind in ("chat", "channel"):
            chat = origin.get("sender_chat") if kind == "chat" else origin.get("chat")
            who = person_name(chat) or (f"@{chat['username']}" if isinstance(chat, Mapping)
                                        and isinstance(chat.get("username"), str) else "")
    return w["forwarded"].format(who=who or w["someone"])


def media_items(message: Mapping[str, Any]) -> list[MediaItem]:
    """Every file of the message; the largest size of a photo."""
    found: list[MediaItem] = []
    for kind in MEDIA_KINDS:
        if kind == "document" and "animation" in message:
            continue  # an animation also arrives as `document` (the same file), for older clients
        value = message.get(kind)
        if kind == "photo":
            sizes = [p for p in value if isinstance(p, Mapping)] if isinstance(value, list) else []
            if not sizes:
                continue
            value = max(sizes, key=lambda p: (_int(p.get("file_size")), _int(p.get("width"))))
        if not isinstance(value, Mapping):
            continue
        if kind == "sticker":
            mime = "video/webm" if value.get("is_video") else (
                "application/x-tgsticker" if value.get("is_animated") else "image/webp")
            name = "stiker." + {"video/webm": "webm", "image/webp": "webp"}.get(mime, "tgs")
        else:
            mime = _str(value.get("mime_type")) or DEFAULT_MIME[kind]
            name = _str(value.get("file_name")) or DEFAULT_NAME[kind]
        file_id = value.get("file_id")
        found.append(MediaItem(kind, file_id if isinstance(file_id, str) and file_id else None, name, mime,
                               _int(value.get("file_size"))))
    return found


def read_message(message: Mapping[str, Any], locale: str, bot_username: str | None) -> Reading:
    """The message's text (or a readable description), its flags and whether it may open a ticket."""
    w = words(locale)
    flags: list[str] = []
    raw_text = message.get("text")
    if raw_text is None:
        raw_text = message.get("caption")
    if raw_text is not None and not isinstance(raw_text, str):
        raise ValueError("text is not a string")
    media = media_items(message)
    opens = True
    text = raw_text or ""
    if raw_text is not None and message.get("text") is not None:
        command = split_command(message, raw_text, bot_username)
        if command is not None:
            flags.append("bot_command")
            name, rest = command
            if rest:
                text = rest
            else:
                text, opens = name, False
    described = _described(message, w)
    if not text.strip():
        if described:
            text = described
        elif media:
            text = w.get(media[0].kind, w["empty"])
        else:
            text = w["empty"]
    elif described and raw_text is not None and message.get("text") is None:
        text = f"{described}\n{text}"  # a caption on a venue/location-like item (rare; paid media)
    origin = _origin(message, w)
    if origin is not None:
        flags.append("forwarded")
        text = f"{origin} {text}"
    if media:
        flags.append("media")
    return Reading(text, flags, opens, media)


def thread_and_ids(message: Mapping[str, Any], business: str | None) -> tuple[str, str, bool]:
    """(thread_key, external_id, is_private) of a message; see the module docstring."""
    chat = message["chat"]
    if not isinstance(chat, Mapping):
        raise ValueError("chat is not an object")
    chat_id, message_id = chat.get("id"), message.get("message_id")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool) or not isinstance(message_id, int) \
            or isinstance(message_id, bool):
        raise ValueError("chat.id and message_id must be integers")
    if business is not None:
        return f"biz:{business}:{chat_id}", f"biz:{business}:{chat_id}:{message_id}", True
    private = chat.get("type") == "private"
    sender = message.get("from")
    user_id = sender.get("id") if isinstance(sender, Mapping) else None
    if private or not isinstance(user_id, int) or isinstance(user_id, bool):
        return str(chat_id), f"{chat_id}:{message_id}", private
    return f"{chat_id}:{user_id}", f"{chat_id}:{message_id}", False


def reply_target(thread_key: str, in_reply_to: str | None) -> tuple[str | None, str, int | None]:
    """(business connection, chat id, message id to thread under) for a reply on `thread_key`."""
    business = None
    key = thread_key
    if key.startswith("biz:"):
        business, _, key = key[4:].rpartition(":")
    chat = key.split(":", 1)[0]
    message_id = None
    if in_reply_to:
        tail = in_reply_to.rsplit(":", 1)[-1]
        message_id = int(tail) if tail.isdigit() else None
    return business or None, chat, message_id
