"""WhatsApp Business Cloud API: inbound by webhook only, replies through the messages endpoint.

There is nothing to poll: `fetch` returns an empty batch and inbound messages arrive through
`aduan webhook serve`, which hands each stored payload to `parse_webhook`. Channel JSON never
leaves this module; what leaves is `InboundMessage` and `StatusUpdate`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.http import DEFAULT_TIMEOUT, HttpClient, raise_for_status, unreadable_acceptance
from collectors.meta_events import Unreadable, as_dict, as_list, epoch_instant, text_of
from collectors.meta_webhook import MetaWebhookReceiver
from ticketing.config import secret_from_env
from ticketing.contract import (
    AuthExpired,
    Batch,
    Collector,
    CollectorError,
    InboundMessage,
    OutboundMessage,
    QuarantinedItem,
    SendRefused,
    SendResult,
)
from ticketing.contract.placeholders import placeholder
from ticketing.contract.webhook import MediaRef, ParsedWebhook, StatusUpdate
from ticketing.privacy.redact import redact

SERVICE_WINDOW = timedelta(hours=24)  # free-form replies only this long after the citizen's last message
MAX_TEXT = 4096
MEDIA_CHUNK = 65536  # bytes per read of a media download: memory stays at one chunk
UNSUPPORTED_CODE = 131051
# Error codes the office sees on a failed status, in its own words.
FAILURE_REASONS = {
    131047: "di luar jendela layanan 24 jam: warga harus mengirim pesan dulu, atau gunakan template resmi",
    131026: "nomor tidak dapat menerima pesan WhatsApp",
    131051: "jenis pesan tidak didukung",
    131053: "media gagal diunggah",
    130429: "batas kecepatan pengiriman tercapai; akan dicoba lagi",
    131056: "terlalu banyak pesan ke nomor ini dalam waktu singkat",
}
MEDIA_TYPES = ("image", "document", "video", "audio", "sticker")
TEXT_TYPES = ("text", *MEDIA_TYPES, "location", "interactive", "button", "contacts", "reaction")


class WhatsAppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str = "https://graph.facebook.com"
    graph_version: str = "v23.0"
    phone_number_id: str
    display_phone_number: str = ""
    access_token_env: str
    app_secret_env: str
    verify_token_env: str
    max_media_bytes: int = 16_000_000
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT[1], gt=0, le=300)  # read timeout of each call
    attachments_dir: str = "attachments"


def failure_reason(code: int | None, fallback: str = "") -> str:
    if code in FAILURE_REASONS:
        return f"{FAILURE_REASONS[code]} (kode {code})"
    return f"pengiriman gagal (kode {code}): {fallback}".strip() if code else fallback or "pengiriman gagal"


def _code(errors: Any) -> tuple[int | None, str]:
    first = as_dict(as_list(errors)[0]) if as_list(errors) else {}
    code = first.get("code")
    code = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
    return code, text_of(first.get("title")) or text_of(first.get("message"))


def _flow_answer(reply: dict) -> str:
    """A WhatsApp Flow's answer (`nfm_reply.response_json`) as `field: value` lines; the flow token is ours."""
    try:
        answer = json.loads(text_of(reply.get("response_json")) or "{}")
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        lines = [f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
                 for key, value in answer.items() if key != "flow_token" and value not in (None, "", [], {})]
        if lines:
            return "\n".join(lines)
    body = text_of(reply.get("body"))
    return body if body and body != "Sent" else ""


def _message_text(item: dict[str, Any], locale: str) -> tuple[str, MediaRef | None]:
    kind = item.get("type")
    body = as_dict(item.get(kind)) if isinstance(kind, str) else {}
    if kind == "text":
        return text_of(body.get("body")), None
    if kind in MEDIA_TYPES:
        media_id = _plain_id(body.get("id"))
        name = text_of(body.get("filename"))
        media = MediaRef(str(item["id"]), media_id, text_of(body.get("mime_type")), body.get("sha256"),
                         name or f"{kind}-{media_id}")
        text = text_of(body.get("caption")) or f"{placeholder(kind, locale)} {name}".strip()
        return text, media if media_id else None
    if kind == "location":
        name = " ".join(text_of(body.get(k)) for k in ("name", "address")).strip()
        where = f"({body.get('latitude')}, {body.get('longitude')})" if "latitude" in body else ""
        return " ".join(p for p in (placeholder("location", locale), name, where) if p), None
    if kind == "interactive":
        if body.get("type") == "nfm_reply":
            return _flow_answer(as_dict(body.get("nfm_reply"))), None
        reply = as_dict(body.get("button_reply")) or as_dict(body.get("list_reply"))
        return " - ".join(p for p in (text_of(reply.get("title")), text_of(reply.get("description"))) if p), None
    if kind == "button":
        return text_of(body.get("text")) or text_of(body.get("payload")), None
    if kind == "reaction":
        emoji = text_of(body.get("emoji"))
        return (f"{placeholder('reaction', locale)} {emoji}" if emoji else ""), None
    if kind == "contacts":
        names = [text_of(as_dict(as_dict(c).get("name")).get("formatted_name")) for c in as_list(item.get("contacts"))]
        return " ".join([placeholder("contacts", locale), ", ".join(n for n in names if n)]).strip(), None
    return "", None


def _plain_id(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else ""


def parse_webhook(channel: str, payload: Any, own_number: str = "", locale: str = "id") -> ParsedWebhook:
    """Every message and status in a WhatsApp webhook body; broken parts are quarantined, one by one."""
    parsed = ParsedWebhook()
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        parsed.quarantined.append(QuarantinedItem(channel, "not a WhatsApp Business webhook body", payload))
        return parsed
    if not isinstance(payload.get("entry"), list):
        parsed.quarantined.append(QuarantinedItem(channel, "`entry` is not a list", payload))
        return parsed
    for entry in payload["entry"]:
        changes = as_dict(entry).get("changes")
        if not isinstance(changes, list) or not changes:
            parsed.quarantined.append(QuarantinedItem(channel, "entry without changes", entry))
            continue
        for change in changes:
            try:
                _parse_change(channel, change, own_number, locale, parsed)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                parsed.quarantined.append(QuarantinedItem(channel, f"unreadable change: {type(exc).__name__}: "
                                                                   f"{exc}"[:300], change))
    return parsed


def _parse_change(channel: str, change: Any, own_number: str, locale: str, parsed: ParsedWebhook) -> None:
    change = as_dict(change)
    value = change.get("value")
    if change.get("field") not in ("messages", "smb_message_echoes"):
        parsed.skipped.append(f"`{text_of(change.get('field')) or '?'}` change: not a message")
        return
    if not isinstance(value, dict):
        parsed.quarantined.append(QuarantinedItem(channel, "change without a value object", change))
        return
    if "metadata" not in value:
        parsed.quarantined.append(QuarantinedItem(channel, "change without metadata", change))
        return
    for error in as_list(value.get("errors")):
        code, title = _code([error])
        parsed.quarantined.append(QuarantinedItem(channel, f"WhatsApp reported an error: {failure_reason(code, title)}",
                                                  error))
    names: dict[str, tuple[str, str]] = {}
    for contact in as_list(value.get("contacts")):
        contact = as_dict(contact)
        profile = as_dict(contact.get("profile"))
        for key in ("wa_id", "user_id"):
            if _plain_id(contact.get(key)):
                names[_plain_id(contact.get(key))] = (text_of(profile.get("name")), text_of(profile.get("username")))
    items = as_list(value.get("messages")) + as_list(value.get("statuses"))
    if not items and not as_list(value.get("errors")):
        parsed.skipped.append("messages change without messages or statuses")
    # coexistence: what staff typed in the WhatsApp Business app, copied to us ("from" us, "to" them)
    echoes = [(item, True) for item in as_list(value.get("message_echoes"))]
    for item, echo in [(item, False) for item in as_list(value.get("messages"))] + echoes:
        try:
            _parse_message(channel, item, names, own_number, locale, parsed, echo)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = f"unreadable message: {type(exc).__name__}: {exc}"[:300]
            external = _plain_id(as_dict(item).get("id")) or None
            parsed.quarantined.append(QuarantinedItem(channel, reason, item, external))
    for status in as_list(value.get("statuses")):
        _parse_status(channel, status, parsed)


def _sender(item: dict) -> str:
    """The citizen's WhatsApp id: the phone number (`from`), or the business-scoped user id when the
    citizen uses a username and the number is withheld (`from_user_id`)."""
    return _plain_id(item.get("from")) or _plain_id(item.get("from_user_id"))


def _parse_message(channel: str, item: Any, names: dict, own_number: str, locale: str,
                   parsed: ParsedWebhook, echo: bool = False) -> None:
    item = item if isinstance(item, dict) else None
    message_id = _plain_id(item.get("id")) if item else ""
    sender = _sender(item) if item else ""
    try:
        if not item or not message_id or not sender:
            raise Unreadable("an id and a sender (`from` or `from_user_id`)")
        sent_at = epoch_instant(item.get("timestamp"))
    except Unreadable as exc:
        parsed.quarantined.append(QuarantinedItem(channel, f"message without {exc}", item, message_id or None))
        return
    kind = item.get("type")
    if kind == "unsupported" or kind not in TEXT_TYPES:
        code, title = _code(item.get("errors"))
        why = f": {failure_reason(code, title)}" if code or title else ""
        parsed.quarantined.append(QuarantinedItem(channel, f"message type {str(kind)[:30]!r} is not supported{why}",
                                                  item, message_id))
        return
    text, media = _message_text(item, locale)
    if kind == "reaction" and not text:
        parsed.skipped.append("reaction removed")
        return
    if not text and media is None:
        parsed.quarantined.append(QuarantinedItem(channel, f"{kind} message without content", item, message_id))
        return
    context = as_dict(item.get("context"))
    name, username = names.get(sender) or names.get(_plain_id(item.get("from_user_id"))) or ("", "")
    flags = ["forwarded"] if context.get("forwarded") or context.get("frequently_forwarded") else []
    if not _plain_id(item.get("from")):
        flags.append("whatsapp_username")
    reacted = _plain_id(as_dict(item.get("reaction")).get("message_id")) if kind == "reaction" else ""
    if reacted:  # a 🙏 on our answer is not a new complaint: an event on that message, no status change
        flags.append("reaction")
    citizen = (_plain_id(item.get("to")) or sender) if echo else sender
    parsed.messages.append(InboundMessage(
        channel=channel, external_id=message_id, thread_key=f"wa:{citizen}", text=text, sent_at=sent_at,
        author_id=sender, author_handle=username or sender, author_name=name, is_private=True,
        in_reply_to=reacted or _plain_id(context.get("id")) or None,
        direction="out" if echo or (own_number and sender == own_number) else "in", opens_ticket=kind != "reaction",
        flags=flags, raw=item,
    ))
    if media is not None:
        parsed.media.append(media)


def _parse_status(channel: str, status: Any, parsed: ParsedWebhook) -> None:
    try:
        status = status if isinstance(status, dict) else {}
        code, detail = _code(status.get("errors"))
        state = text_of(status.get("status"))
        if not state or not _plain_id(status.get("id")):
            raise Unreadable("an id and a status")
        reason = failure_reason(code, detail) if state == "failed" else None
        parsed.statuses.append(StatusUpdate(_plain_id(status["id"]), state, epoch_instant(status.get("timestamp")),
                                            code, reason))
    except (Unreadable, KeyError, TypeError, ValueError, AttributeError) as exc:
        parsed.quarantined.append(QuarantinedItem(channel, f"status without {exc}"[:300], status))


class WhatsAppCollector(MetaWebhookReceiver, Collector):
    type_name: ClassVar[str] = "whatsapp"
    settings_model: ClassVar[type] = WhatsAppSettings
    polls: ClassVar[bool] = False  # no read API for inbound messages: they come by webhook

    def __init__(self, name: str, settings: WhatsAppSettings, env=None, clock=None):
        super().__init__(name, settings, env, clock)
        self._client: HttpClient | None = None

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            token = secret_from_env(self.settings.model_dump(), "access_token_env", self.name, self.env)
            timeout = (DEFAULT_TIMEOUT[0], self.settings.timeout_seconds)
            self._client = HttpClient(self.settings.base_url, timeout=timeout,
                                      headers={"Authorization": f"Bearer {token.get()}"})
        return self._client

    def _path(self, tail: str) -> str:
        return f"{self.settings.graph_version}/{tail}"

    def fetch(self, cursor: Any) -> Batch:
        """WhatsApp has no read API for inbound messages: they come by webhook."""
        return Batch(messages=[], next_cursor=cursor)

    def parse_webhook(self, payload: Any) -> ParsedWebhook:
        return parse_webhook(self.name, payload, self.settings.display_phone_number, self.locale)

    def _check(self, response, now: datetime, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if error:
            code = error.get("code")
            if code in (190, 102):
                raise AuthExpired(f"{what}: WhatsApp token rejected (code {code}); renew the access token")
            if code == 131047:
                raise SendRefused(failure_reason(code))
            raise_for_status(max(response.status_code, 400), response.headers, redact(str(error))[:300], now, what)
        raise_for_status(response.status_code, response.headers, response.text, now, what)
        return body

    def send(self, outbound: OutboundMessage) -> SendResult:
        now = self.clock()
        last_inbound = outbound.context.get("last_inbound_at")
        if last_inbound is not None:
            last = last_inbound if isinstance(last_inbound, datetime) else datetime.fromisoformat(str(last_inbound))
            if now - last > SERVICE_WINDOW:
                raise SendRefused(FAILURE_REASONS[131047])
        recipient = outbound.recipient_id or outbound.thread_key.removeprefix("wa:")
        # A phone number goes in `to`; a business-scoped user id (`ID.1234...`, a citizen known only
        # by username) goes in `recipient`, as Meta's username rollout documents.
        address = {"recipient": recipient} if "." in recipient else {"to": recipient}
        if len(outbound.text) > MAX_TEXT:
            raise SendRefused(f"balasan WhatsApp maksimal {MAX_TEXT} karakter; persingkat isinya")
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", **address,
                                "type": "text", "text": {"body": outbound.text, "preview_url": False}}
        if outbound.in_reply_to:
            body["context"] = {"message_id": outbound.in_reply_to}
        response = self.client.request("POST", self._path(f"{self.settings.phone_number_id}/messages"),
                                       delivers=True, json=body)
        data = self._check(response, now, "WhatsApp send")
        try:
            wamid = data["messages"][0]["id"]
        except (KeyError, IndexError, TypeError):
            wamid = None
        if not isinstance(wamid, str) or not wamid:
            raise unreadable_acceptance("WhatsApp send", response.status_code)
        return SendResult(wamid, data)

    def download_media(self, media_id: str) -> tuple[Iterator[bytes], str]:
        """A media file through its id (two calls: metadata, then the file) as a stream of chunks.

        The size limit is checked against the metadata first and again while streaming, so a
        file that is bigger than announced stops the download as soon as it passes the limit.
        """
        now = datetime.now(UTC)
        meta = self._check(self.client.request("GET", self._path(media_id)), now, "WhatsApp media")
        size = int(meta.get("file_size") or 0)
        limit = self.settings.max_media_bytes
        if size > limit:
            raise CollectorError(f"media {media_id} is {size} bytes, over the {limit} limit")
        response = self.client.request("GET", meta["url"], stream=True)
        raise_for_status(response.status_code, response.headers, "", now, "WhatsApp media download")

        def chunks() -> Iterator[bytes]:
            received = 0
            try:
                for chunk in response.iter_content(MEDIA_CHUNK):
                    received += len(chunk)
                    if received > limit:
                        raise CollectorError(f"media {media_id} exceeds the {limit}-byte limit")
                    yield chunk
            finally:
                response.close()

        return chunks(), str(meta.get("mime_type", ""))

    def check(self) -> str:
        now = datetime.now(UTC)
        data = self._check(self.client.request("GET", self._path(self.settings.phone_number_id),
                                               params={"fields": "display_phone_number,verified_name"}),
                           now, "WhatsApp check")
        return f"{data.get('verified_name', '')} {data.get('display_phone_number', '')}".strip()
