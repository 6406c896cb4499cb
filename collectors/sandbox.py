"""The `sandbox` channel: a Telegram bot that talks to aduan's own practice server.

Admins can try `aduan collect --channel sandbox`, `aduan reply` and the rest without any
credential: the collector is the real Telegram collector, only its base_url is a sandbox
server (collectors/sandbox_server.py) started inside the process on first use and serving
the bundled sample messages. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from collectors.facebook import FacebookCollector, FacebookSettings
from collectors.sandbox_server import SANDBOX_TOKEN, SandboxServer
from collectors.telegram import TelegramCollector, TelegramSettings
from collectors.x import XCollector, XSettings
from ticketing.contract import Batch, Collector, InboundMessage, OutboundMessage, SendResult

# Placeholders only the sandbox server accepts; nothing leaves the machine.
SANDBOX_SECRETS = {
    "ADUAN_SANDBOX_X_BEARER": "sandbox-x-bearer-token",
    "ADUAN_SANDBOX_FB_TOKEN": "sandbox-facebook-page-token",
}

_server: SandboxServer | None = None
_server_lock = threading.Lock()


class SandboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    page_size: int = Field(default=100, ge=1, le=100)


def sandbox_server(clock: Callable[[], datetime] | None = None) -> SandboxServer:
    """The process's sandbox server, started once; its sample times follow the given clock."""
    global _server
    with _server_lock:
        if _server is None:
            _server = SandboxServer(now=clock() if clock else None).start()
        return _server


class SandboxCollector(TelegramCollector):
    type_name = "sandbox"
    settings_model = SandboxSettings

    def __init__(self, name: str, settings: SandboxSettings, env: Mapping[str, str] | None = None, clock=None):
        # the token is fixed (token() below), so no environment variable is ever read
        super().__init__(name, TelegramSettings(bot_token_env="", page_size=settings.page_size), env, clock)
        self.sandbox_settings = settings

    def token(self) -> str:
        return SANDBOX_TOKEN

    def _base_url(self) -> str:
        return sandbox_server(self.clock).base_url


class SandboxApiSettings(BaseModel):
    """The X and Facebook sandbox channels take no settings: the server's sample office is the account."""

    model_config = ConfigDict(extra="forbid")


def _sandbox_env(env: Mapping[str, str] | None) -> dict[str, str]:
    return {**(os.environ if env is None else env), **SANDBOX_SECRETS}


class SandboxXCollector(XCollector):
    """The real X collector against the sandbox server: `aduan demo`'s X tickets can be answered."""

    type_name: ClassVar[str] = "sandbox-x"
    settings_model: ClassVar[type | None] = SandboxApiSettings

    def __init__(self, name: str, settings: Any, env: Mapping[str, str] | None = None, clock=None):
        server = sandbox_server(clock)
        office = server.samples.office
        real = XSettings(base_url=server.base_url, user_id=office["x_user_id"], username=office["x_username"],
                         bearer_token_env="ADUAN_SANDBOX_X_BEARER", bearer_is_user_token=True)
        super().__init__(name, real, _sandbox_env(env), clock)


class SandboxFacebookCollector(FacebookCollector):
    """The real Facebook Page collector against the sandbox server."""

    type_name: ClassVar[str] = "sandbox-facebook"
    settings_model: ClassVar[type | None] = SandboxApiSettings

    def __init__(self, name: str, settings: Any, env: Mapping[str, str] | None = None, clock=None):
        server = sandbox_server(clock)
        real = FacebookSettings(base_url=server.base_url, graph_version="v23.0",
                                page_id=server.samples.office["facebook_page_id"],
                                page_token_env="ADUAN_SANDBOX_FB_TOKEN")
        super().__init__(name, real, _sandbox_env(env), clock)


def sample_mails(server: SandboxServer, channel: str) -> list[InboundMessage]:
    """The bundled sample mails as the messages of `channel`."""
    return [InboundMessage(
        channel=channel, external_id=m["id"], thread_key=m["thread"], text=m["text"], sent_at=m["at"],
        author_id=m["author_id"], author_handle=m["author_handle"], author_name=m["author_name"],
        is_private=True, subject=m.get("subject"), raw={k: v for k, v in m.items() if k != "at"},
    ) for m in server.samples.of("email")]


class SandboxMailCollector(Collector):
    """Mail in the sandbox: the sample mails are its inbox (read once per cursor) and replies are
    kept by the sandbox server instead of going to an SMTP server."""

    type_name: ClassVar[str] = "sandbox-email"
    settings_model: ClassVar[type | None] = SandboxApiSettings

    def fetch(self, cursor: Any) -> Batch:
        if cursor:
            return Batch([], cursor)
        return Batch(sample_mails(sandbox_server(self.clock), self.name), {"read": True})

    def send(self, outbound: OutboundMessage) -> SendResult:
        server = sandbox_server(self.clock)
        message_id = f"<sandbox-{len(server.mails_sent) + 1}.{id(outbound)}@aduan.sandbox>"
        server.mails_sent.append({"message_id": message_id, "thread": outbound.thread_key, "text": outbound.text})
        return SendResult(message_id)

    def check(self) -> str:
        return f"sandbox mail: {len(sandbox_server(self.clock).samples.of('email'))} sample mails"
