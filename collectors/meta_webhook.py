"""Meta's webhook handshake and signature, shared by WhatsApp, Messenger and Instagram.

The bodies themselves are read by `collectors.meta_events` (Messenger, Instagram) and
`collectors.whatsapp`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from ticketing.config import secret_from_env
from ticketing.contract import SignatureError
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
