"""Telegram Bot API: citizens write to the office's bot; the bot answers in the same chat.

Polling uses `getUpdates` with an offset (the cursor). Telegram confirms updates once a later
call carries a higher offset, so the offset moves only when the runner has stored the batch.
Every update advances the offset, including the ones that open no ticket (bot commands,
member changes, callback queries), or they would be delivered again forever.

Choices documented here because the API leaves them open:
- `channel_post` / `edited_channel_post` are ignored: they are the office's own broadcasts in a
  Telegram channel, not citizen input (citizens comment through a linked discussion group,
  which arrives as ordinary `message` updates).
- A bot command (`/start`, `/help`, ...) is stored but opens no ticket.
- Service messages (members joining or leaving, title changes) and `my_chat_member` are skipped.
- The thread is the chat: a private chat is one citizen's conversation with the office.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.http import DEFAULT_TIMEOUT, HttpClient, raise_for_status, unreadable_acceptance
from ticketing.clock import Clock
from ticketing.config import secret_from_env
from ticketing.contract import (
    Attachment,
    AuthExpired,
    Batch,
    Collector,
    CollectorError,
    InboundMessage,
    OutboundMessage,
    QuarantinedItem,
    RateLimited,
    SendRefused,
    SendResult,
    TransientError,
)
from ticketing.privacy.redact import redact

DEFAULT_BASE_URL = "https://api.telegram.org"
MAX_TEXT = 4096  # sendMessage accepts 1-4096 characters; longer replies are split
SERVICE_KEYS = (  # `message` payloads that are chat events, not something a person wrote
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
    "group_chat_created", "supergroup_chat_created", "channel_chat_created", "pinned_message",
    "migrate_to_chat_id", "migrate_from_chat_id", "message_auto_delete_timer_changed",
    "video_chat_started", "video_chat_ended", "forum_topic_created", "forum_topic_closed",
)
PLACEHOLDERS = {  # media without a caption still reaches the inbox, with a readable marker
    "sticker": "[stiker]", "voice": "[pesan suara]", "audio": "[audio]", "video": "[video]",
    "video_note": "[video]", "animation": "[animasi]", "location": "[lokasi]", "contact": "[kontak]",
    "photo": "[foto]", "document": "[dokumen]", "poll": "[polling]",
}


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str = DEFAULT_BASE_URL
    bot_token_env: str
    page_size: int = Field(default=100, ge=1, le=100)
    poll_timeout: int = Field(default=0, ge=0, le=50)  # 0: short polling, right for cron
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT[1], gt=0, le=300)  # read timeout, beyond a long poll
    allowed_updates: list[str] = Field(default_factory=lambda: ["message", "edited_message"])


@dataclass(frozen=True)
class TelegramCursor:
    """The next `getUpdates` offset: highest stored update_id + 1."""

    offset: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"offset": self.offset}


def _epoch(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} {value!r} is not Unix seconds")
    return datetime.fromtimestamp(value, UTC)


def _name(user: Mapping[str, Any]) -> str:
    parts = [str(user.get("first_name") or ""), str(user.get("last_name") or "")]
    return " ".join(p for p in parts if p) or str(user.get("title") or "")


def _is_command(message: Mapping[str, Any]) -> bool:
    for entity in message.get("entities") or []:
        if isinstance(entity, Mapping) and entity.get("type") == "bot_command" and entity.get("offset") == 0:
            return True
    return False


def _attachments(message: Mapping[str, Any]) -> list[Attachment]:
    """File metadata only: files are fetched on demand, not during a cron poll."""
    found: list[Attachment] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        largest = max(photos, key=lambda p: (p.get("file_size") or 0, p.get("width") or 0))
        found.append(Attachment("photo.jpg", "image/jpeg", int(largest.get("file_size") or 0),
                                skipped_reason="not downloaded"))
    document = message.get("document")
    if isinstance(document, Mapping):
        found.append(Attachment(str(document.get("file_name") or "dokumen"),
                                str(document.get("mime_type") or "application/octet-stream"),
                                int(document.get("file_size") or 0), skipped_reason="not downloaded"))
    return found


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a reply into parts Telegram accepts, preferring paragraph, line and word breaks.

    The limit is counted in UTF-16 code units, which is never less than the character count,
    so an emoji-heavy reply cannot overflow.
    """
    parts: list[str] = []
    rest = text
    while _utf16_len(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > cut // 2:
                cut = at + len(sep)
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


class TelegramCollector(Collector):
    type_name = "telegram"
    settings_model = TelegramSettings
    cursor_type = TelegramCursor

    def __init__(self, name: str, settings: TelegramSettings, env: Mapping[str, str] | None = None,
                 clock: Clock | None = None):
        super().__init__(name, settings, env, clock)
        self._http: HttpClient | None = None
        self._token: str | None = None

    # -- plumbing ---------------------------------------------------------------------------

    def _base_url(self) -> str:
        return self.settings.base_url

    def token(self) -> str:
        if self._token is None:
            secret = secret_from_env(self.settings.model_dump(), "bot_token_env", self.name, self.env)
            self._token = secret.get()
        return self._token

    @property
    def bot_id(self) -> str:
        """A bot token starts with the bot's own user id (`123456:ABC...`)."""
        return self.token().split(":", 1)[0]

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            connect = DEFAULT_TIMEOUT[0]
            # a long poll holds the request open for poll_timeout seconds: read longer than that
            read = self.settings.timeout_seconds + self.settings.poll_timeout
            self._http = HttpClient(self._base_url(), timeout=(connect, read))
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def call(self, method: str, payload: Mapping[str, Any] | None = None, delivers: bool = False) -> Any:
        """POST one Bot API method with a JSON body; return `result` or raise a typed error.

        `delivers` marks sendMessage: a failure after the request may have reached Telegram,
        or a 2xx answer that cannot be read, is then `DeliveryUnknown`.
        """
        response = self.http.request("POST", f"bot{self.token()}/{method}", delivers=delivers,
                                     json=dict(payload or {}))
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, Mapping) and body.get("ok") is True:
            return body.get("result")
        if delivers and 200 <= response.status_code < 300:
            raise unreadable_acceptance(f"telegram {method}", response.status_code)
        self._raise(method, response.status_code, response.headers, body, response.text)
        raise CollectorError(f"telegram {method}: unexpected answer (HTTP {response.status_code})")

    def _raise(self, method: str, status: int, headers: Mapping[str, str], body: Any, text: str) -> None:
        """The one place that reads Telegram's error bodies."""
        what = f"telegram {method}"
        now = self.clock()
        if not isinstance(body, Mapping):
            raise_for_status(status, headers, text, now, what)
            raise TransientError(f"{what}: answer is not Bot API JSON (HTTP {status})")
        code = body.get("error_code") or status
        description = redact(str(body.get("description") or ""))[:200]
        parameters = body.get("parameters") if isinstance(body.get("parameters"), Mapping) else {}
        retry_after = parameters.get("retry_after")
        if isinstance(retry_after, int) and not isinstance(retry_after, bool):
            retry_at = now + timedelta(seconds=max(retry_after, 1))
            raise RateLimited(f"{what}: flood control, retry after {retry_after} s ({description})", retry_at)
        if code == 401:
            raise AuthExpired(f"{what}: bot token rejected (401 {description}); create a new token with "
                              "@BotFather and update the environment variable")
        if code == 409:
            raise CollectorError(f"{what}: conflict (409 {description}): a webhook is set or another "
                                 "process polls this bot; call deleteWebhook or stop the other poller")
        if code == 403 and method == "sendMessage":
            raise SendRefused(f"Telegram menolak pengiriman: warga memblokir bot atau chat tidak bisa "
                              f"dikirimi ({description})")
        raise_for_status(int(code) if isinstance(code, int) else status, headers, description, now, what)
        raise CollectorError(f"{what}: {description or 'request refused'}")

    # -- reading ----------------------------------------------------------------------------

    def fetch(self, cursor: TelegramCursor | None) -> Batch:
        offset = cursor.offset if cursor is not None else None
        params: dict[str, Any] = {"limit": self.settings.page_size, "timeout": self.settings.poll_timeout,
                                  "allowed_updates": list(self.settings.allowed_updates)}
        if offset is not None:
            params["offset"] = offset
        updates = self.call("getUpdates", params)
        if not isinstance(updates, list):
            raise CollectorError("telegram getUpdates: result is not a list of updates")
        messages: list[InboundMessage] = []
        quarantined: list[QuarantinedItem] = []
        highest = offset - 1 if offset is not None else None
        cut_short = False
        for update in updates:
            update_id = update.get("update_id") if isinstance(update, Mapping) else None
            if isinstance(update_id, bool) or not isinstance(update_id, int):
                quarantined.append(QuarantinedItem(self.name, "update without an integer update_id", update))
                continue
            try:
                message = self.normalise(update)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                message = None
                quarantined.append(QuarantinedItem(self.name, f"update {update_id}: {exc}", update))
            if message is not None and message.is_edit and any(m.external_id == message.external_id
                                                                for m in messages):
                # The original is in this batch: end the batch before its edit, so the edit is
                # stored next time as a revision of a stored message rather than a duplicate.
                cut_short = True
                break
            highest = update_id if highest is None else max(highest, update_id)
            if message is not None:
                messages.append(message)
        next_offset = highest + 1 if highest is not None else offset
        full_page = len(updates) >= self.settings.page_size
        if full_page and offset is not None and next_offset == offset:
            raise CollectorError("telegram getUpdates: the server keeps returning updates below the "
                                 f"requested offset {offset}; stuck pagination, stopping")
        next_cursor = TelegramCursor(next_offset) if next_offset is not None else cursor
        return Batch(messages, next_cursor, quarantined, more=full_page or cut_short, reads=len(updates))

    def normalise(self, update: Mapping[str, Any]) -> InboundMessage | None:
        """One update as a message, or None for updates that carry nothing to store."""
        if isinstance(update.get("message"), Mapping):
            return self._message(update["message"], update, is_edit=False)
        if isinstance(update.get("edited_message"), Mapping):
            return self._message(update["edited_message"], update, is_edit=True)
        return None  # channel posts, member changes, callback queries, reactions...

    def _message(self, message: Mapping[str, Any], update: Mapping[str, Any], is_edit: bool) -> InboundMessage | None:
        if any(key in message for key in SERVICE_KEYS):
            return None
        chat = message["chat"]
        chat_id, message_id = chat["id"], message["message_id"]
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            raise ValueError("chat.id and message_id must be integers")
        sent_at = _epoch(message["edit_date"] if is_edit else message["date"], "edit_date" if is_edit else "date")
        sender = message.get("from") or message.get("sender_chat") or {}
        text = message.get("text") if message.get("text") is not None else message.get("caption")
        if text is None:
            kind = next((k for k in PLACEHOLDERS if k in message), None)
            text = PLACEHOLDERS[kind] if kind else "[pesan tanpa teks]"
        if not isinstance(text, str):
            raise ValueError("text is not a string")
        own = str(sender.get("id")) == self.bot_id
        command = _is_command(message)
        reply_to = message.get("reply_to_message")
        username = sender.get("username")
        return InboundMessage(
            channel=self.name, external_id=f"{chat_id}:{message_id}", thread_key=str(chat_id), text=text,
            sent_at=sent_at, author_id=str(sender.get("id") or ""),
            author_handle=f"@{username}" if username else "", author_name=_name(sender),
            is_private=chat.get("type") == "private",
            in_reply_to=f"{chat_id}:{reply_to['message_id']}" if isinstance(reply_to, Mapping)
            and isinstance(reply_to.get("message_id"), int) else None,
            direction="out" if own else "in", opens_ticket=not command, is_edit=is_edit,
            flags=["bot_command"] if command else [], raw=dict(update), attachments=_attachments(message),
        )

    # -- replying ---------------------------------------------------------------------------

    def send(self, outbound: OutboundMessage) -> SendResult:
        """Answer in the citizen's chat, threaded to their message; long text goes in parts.

        The external id of the first part is returned (`<chat_id>:<message_id>`, the form
        `fetch` uses), so a reply seen again later is recognised as already stored. Each part is
        reported to the outbox as soon as Telegram accepts it, and parts an earlier attempt got
        through are skipped: a retry after a failed second part never repeats the first.
        """
        chat_id = outbound.recipient_id or outbound.thread_key
        reply_to = _message_id(outbound.in_reply_to)
        ids: list[str] = []
        sent: list[Any] = []
        for index, part in enumerate(split_text(outbound.text)):
            if index in outbound.parts_done:
                ids.append(outbound.parts_done[index])
                continue
            payload: dict[str, Any] = {"chat_id": chat_id, "text": part}
            if reply_to is not None:
                payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
            result = self.call("sendMessage", payload, delivers=True)
            if not isinstance(result, Mapping) or isinstance(result.get("message_id"), bool) \
                    or not isinstance(result.get("message_id"), int):
                raise unreadable_acceptance("telegram sendMessage", 200)
            chat = result.get("chat") if isinstance(result.get("chat"), Mapping) else {"id": chat_id}
            ids.append(f"{chat.get('id', chat_id)}:{result['message_id']}")
            outbound.part_accepted(index, ids[-1])
            sent.append(result)
        return SendResult(external_id=ids[0], raw=sent)

    def check(self) -> str:
        me = self.call("getMe")
        if not isinstance(me, Mapping):
            raise CollectorError("telegram getMe: unexpected answer")
        return f"bot @{me.get('username', '?')} (id {me.get('id')})"


def _message_id(external_id: str | None) -> int | None:
    if not external_id:
        return None
    tail = external_id.rsplit(":", 1)[-1]
    return int(tail) if tail.lstrip("-").isdigit() else None

