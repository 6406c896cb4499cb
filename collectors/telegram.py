"""Telegram Bot API: citizens write to the office's bot; the bot answers in the same chat.

Polling uses `getUpdates` with an offset (the cursor). Telegram confirms updates once a later
call carries a higher offset, so the offset moves only when the runner has stored the batch.
Every update advances the offset, including the ones that open no ticket (bot commands,
member changes, callback queries), or they would be delivered again forever.

What a message means (commands, group threads, business chats, media, forwards) is read in
`collectors/telegram_update.py`; files are fetched in `collectors/telegram_media.py`.
Other choices:
- `channel_post` / `edited_channel_post` are ignored: they are the office's own broadcasts in a
  Telegram channel, not citizen input (citizens comment through a linked discussion group,
  which arrives as ordinary `message` updates).
- Service messages (members joining or leaving, title changes), `my_chat_member`, reactions,
  callback queries, polls' vote counts and deleted business messages are skipped; their
  update_id still moves the offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.http import DEFAULT_TIMEOUT, HttpClient, raise_for_status, unreadable_acceptance
from collectors.telegram_media import MediaFetcher
from collectors.telegram_update import SERVICE_KEYS, person_name, read_message, reply_target, thread_and_ids
from ticketing.clock import Clock
from ticketing.config import secret_from_env
from ticketing.contract import (
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
UPDATE_KINDS = (  # the update fields that carry a message somebody wrote, and whether it is an edit
    ("message", False), ("edited_message", True), ("business_message", False), ("edited_business_message", True),
)


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str = DEFAULT_BASE_URL
    bot_token_env: str
    page_size: int = Field(default=100, ge=1, le=100)
    poll_timeout: int = Field(default=0, ge=0, le=50)  # 0: short polling, right for cron
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT[1], gt=0, le=300)  # read timeout, beyond a long poll
    allowed_updates: list[str] = Field(default_factory=lambda: [
        "message", "edited_message", "business_message", "edited_business_message"])
    bot_username: str | None = Field(default=None, pattern=r"^@?[A-Za-z0-9_]{3,64}$")  # `/cmd@this_bot`
    attachments_dir: str | None = "attachments"
    max_attachment_bytes: int = Field(default=10_000_000, ge=0)


@dataclass(frozen=True)
class TelegramCursor:
    """The next `getUpdates` offset: highest stored update_id + 1."""

    offset: int | None = None


def _epoch(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} {value!r} is not Unix seconds")
    return datetime.fromtimestamp(value, UTC)


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
        self._media: MediaFetcher | None = None

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
        for key, is_edit in UPDATE_KINDS:
            if key in update:
                message = update[key]
                if not isinstance(message, Mapping):
                    raise ValueError(f"{key} is not an object")
                return self._message(message, update, is_edit=is_edit, business=key.endswith("business_message"))
        return None  # channel posts, member changes, callback queries, reactions...

    def _message(self, message: Mapping[str, Any], update: Mapping[str, Any], is_edit: bool,
                 business: bool) -> InboundMessage | None:
        if any(key in message for key in SERVICE_KEYS):
            return None
        connection = message.get("business_connection_id") if business else None
        if business and (not isinstance(connection, str) or not connection):
            raise ValueError("business message without business_connection_id")
        thread_key, external_id, private = thread_and_ids(message, connection)
        chat_id = message["chat"]["id"]
        sent_at = _epoch(message.get("edit_date") if is_edit else message.get("date"),
                         "edit_date" if is_edit else "date")
        sender = message.get("from") or message.get("sender_chat") or {}
        if not isinstance(sender, Mapping):
            raise ValueError("from is not an object")
        reading = read_message(message, self.locale, self.settings.bot_username)
        sender_id = sender.get("id")
        # in a business chat the citizen is the chat; anyone else there writes for the office
        own = (sender_id != chat_id or "sender_business_bot" in message) if business \
            else str(sender_id) == self.bot_id
        reply_to = message.get("reply_to_message")
        username = sender.get("username")
        attachments = self.media.attachments(reading.media, reading.flags) if reading.media and not own else []
        in_reply_to = None
        if isinstance(reply_to, Mapping) and isinstance(reply_to.get("message_id"), int):
            in_reply_to = external_id.rsplit(":", 1)[0] + f":{reply_to['message_id']}"
        return InboundMessage(
            channel=self.name, external_id=external_id, thread_key=thread_key, text=reading.text,
            sent_at=sent_at, author_id=str(sender_id or ""),
            author_handle=f"@{username}" if isinstance(username, str) and username else "",
            author_name=person_name(sender), is_private=private, in_reply_to=in_reply_to,
            direction="out" if own else "in", opens_ticket=reading.opens_ticket and not own, is_edit=is_edit,
            flags=reading.flags, raw=dict(update), attachments=attachments,
        )

    @property
    def media(self) -> MediaFetcher:
        if self._media is None:
            self._media = MediaFetcher(lambda file_id: self.call("getFile", {"file_id": file_id}), self._download,
                                       self.settings.attachments_dir, self.settings.max_attachment_bytes)
        return self._media

    def _download(self, file_path: str) -> bytes:
        """The bytes behind a getFile `file_path` (`/file/bot<token>/<path>`), streamed: reading stops
        one byte past `max_attachment_bytes`, so a file bigger than it said is never held whole."""
        limit = self.settings.max_attachment_bytes
        response = self.http.request("GET", f"file/bot{self.token()}/{file_path.lstrip('/')}", stream=True)
        try:
            if response.status_code != 200:
                self._raise("getFile download", response.status_code, response.headers, None, "")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > limit:
                    break
            return bytes(data)
        finally:
            response.close()

    # -- replying ---------------------------------------------------------------------------

    def send(self, outbound: OutboundMessage) -> SendResult:
        """Answer in the citizen's chat, threaded to their message; long text goes in parts.

        The chat comes from the thread (a group's thread is one citizen in that group, so the
        answer goes to the group, under the citizen's message); a business chat is answered
        through its business connection. The external id of the first part is returned in the
        form `fetch` uses, so a reply seen again later is recognised as already stored. Each part is
        reported to the outbox as soon as Telegram accepts it, and parts an earlier attempt got
        through are skipped: a retry after a failed second part never repeats the first.
        """
        business, chat_id, reply_to = reply_target(outbound.thread_key or str(outbound.recipient_id or ""),
                                                   outbound.in_reply_to)
        prefix = f"biz:{business}:" if business else ""
        ids: list[str] = []
        accepted: datetime | None = None
        sent: list[Any] = []
        for index, part in enumerate(split_text(outbound.text)):
            if index in outbound.parts_done:
                ids.append(outbound.parts_done[index])
                continue
            payload: dict[str, Any] = {"chat_id": chat_id, "text": part}
            if business:
                payload["business_connection_id"] = business
            if reply_to is not None:
                payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
            result = self.call("sendMessage", payload, delivers=True)
            if not isinstance(result, Mapping) or isinstance(result.get("message_id"), bool) \
                    or not isinstance(result.get("message_id"), int):
                raise unreadable_acceptance("telegram sendMessage", 200)
            chat = result.get("chat") if isinstance(result.get("chat"), Mapping) else {"id": chat_id}
            ids.append(f"{prefix}{chat.get('id', chat_id)}:{result['message_id']}")
            outbound.part_accepted(index, ids[-1])
            sent.append(result)
            date = result.get("date")
            if accepted is None and isinstance(date, int) and date > 0:
                accepted = datetime.fromtimestamp(date, UTC)  # the channel's acceptance time answers the ticket
        return SendResult(external_id=ids[0], raw=sent, accepted_at=accepted)

    def check(self) -> str:
        me = self.call("getMe")
        if not isinstance(me, Mapping):
            raise CollectorError("telegram getMe: unexpected answer")
        return f"bot @{me.get('username', '?')} (id {me.get('id')})"
