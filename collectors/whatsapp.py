"""WhatsApp Business Cloud API: inbound by webhook only, replies through the messages endpoint.

There is nothing to poll: `fetch` returns an empty batch and inbound messages arrive through
`aduan webhook serve`, which hands each stored payload to `parse_webhook`. Channel JSON never
leaves this module; what leaves is `InboundMessage` and `StatusUpdate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.http import DEFAULT_TIMEOUT, HttpClient, raise_for_status, unreadable_acceptance
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
TEXT_TYPES = ("text", "image", "document", "video", "audio", "sticker", "location", "interactive", "button",
              "contacts", "reaction")


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


def _instant(value: Any) -> datetime:
    return datetime.fromtimestamp(int(str(value)), UTC)


def failure_reason(code: int | None, fallback: str = "") -> str:
    if code in FAILURE_REASONS:
        return f"{FAILURE_REASONS[code]} (kode {code})"
    return f"pengiriman gagal (kode {code}): {fallback}".strip() if code else fallback or "pengiriman gagal"


def _message_text(item: dict[str, Any]) -> tuple[str, MediaRef | None]:
    kind = item.get("type")
    body = item.get(kind) if isinstance(item.get(kind), dict) else {}
    if kind == "text":
        return str(body.get("body", "")), None
    if kind in ("image", "document", "video", "audio", "sticker"):
        media = MediaRef(item["id"], str(body.get("id", "")), str(body.get("mime_type", "")), body.get("sha256"),
                         str(body.get("filename") or f"{kind}-{body.get('id', '')}"))
        label = {"image": "gambar", "document": "dokumen", "video": "video", "audio": "suara", "sticker": "stiker"}
        text = str(body.get("caption") or f"[{label[kind]}] {body.get('filename', '')}".strip())
        return text, media if media.media_id else None
    if kind == "location":
        name = " ".join(str(body.get(k, "")) for k in ("name", "address")).strip()
        return f"[lokasi] {name} ({body.get('latitude')}, {body.get('longitude')})".strip(), None
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return str(reply.get("title", "")), None
    if kind == "button":
        return str(body.get("text", "")), None
    if kind == "reaction":
        return str(body.get("emoji", "")), None
    if kind == "contacts":
        names = [c.get("name", {}).get("formatted_name", "") for c in item.get("contacts", [])]
        return "[kontak] " + ", ".join(n for n in names if n), None
    return "", None


def parse_webhook(channel: str, payload: Any, own_number: str = "") -> ParsedWebhook:
    """Every message and status in a WhatsApp webhook body; broken parts are quarantined."""
    parsed = ParsedWebhook()
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        parsed.quarantined.append(QuarantinedItem(channel, "not a WhatsApp Business webhook body", payload))
        return parsed
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value")
            if (change or {}).get("field") != "messages" or not isinstance(value, dict):
                continue
            if "metadata" not in value:
                parsed.quarantined.append(QuarantinedItem(channel, "change without metadata", change))
                continue
            names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in value.get("contacts") or []}
            for item in value.get("messages") or []:
                _parse_message(channel, item, names, own_number, parsed)
            for status in value.get("statuses") or []:
                _parse_status(channel, status, parsed)
    return parsed


def _parse_message(channel: str, item: Any, names: dict, own_number: str, parsed: ParsedWebhook) -> None:
    try:
        sender, message_id, kind = str(item["from"]), str(item["id"]), item.get("type")
        sent_at = _instant(item["timestamp"])
    except (KeyError, TypeError, ValueError) as exc:
        parsed.quarantined.append(QuarantinedItem(channel, f"message without {exc}", item,
                                                  str(item.get("id")) if isinstance(item, dict) else None))
        return
    if kind in ("unsupported", "system") or kind not in TEXT_TYPES:
        parsed.quarantined.append(QuarantinedItem(channel, f"message type {kind!r} is not supported", item, message_id))
        return
    text, media = _message_text(item)
    if not text and media is None:
        parsed.quarantined.append(QuarantinedItem(channel, f"{kind} message without content", item, message_id))
        return
    context = item.get("context") or {}
    parsed.messages.append(InboundMessage(
        channel=channel, external_id=message_id, thread_key=f"wa:{sender}", text=text, sent_at=sent_at,
        author_id=sender, author_handle=sender, author_name=names.get(sender, ""), is_private=True,
        in_reply_to=context.get("id"), direction="out" if own_number and sender == own_number else "in",
        raw=item,
    ))
    if media is not None:
        parsed.media.append(media)


def _parse_status(channel: str, status: Any, parsed: ParsedWebhook) -> None:
    try:
        errors = status.get("errors") or []
        code = int(errors[0]["code"]) if errors else None
        detail = errors[0].get("title", "") if errors else ""
        reason = failure_reason(code, detail) if status["status"] == "failed" else None
        parsed.statuses.append(StatusUpdate(str(status["id"]), str(status["status"]), _instant(status["timestamp"]),
                                            code, reason))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        parsed.quarantined.append(QuarantinedItem(channel, f"status without {exc}", status))


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
        return parse_webhook(self.name, payload, self.settings.display_phone_number)

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
        if len(outbound.text) > MAX_TEXT:
            raise SendRefused(f"balasan WhatsApp maksimal {MAX_TEXT} karakter; persingkat isinya")
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient,
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
