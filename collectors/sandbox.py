"""The `sandbox` channel: a Telegram bot that talks to aduan's own practice server.

Admins can try `aduan collect --channel sandbox`, `aduan reply` and the rest without any
credential: the collector is the real Telegram collector, only its base_url is a sandbox
server (collectors/sandbox_server.py) started inside the process on first use and serving
the bundled sample messages. Nothing leaves the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from collectors.sandbox_server import SANDBOX_TOKEN, SandboxServer
from collectors.telegram import TelegramCollector, TelegramSettings

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
