"""A minimal channel for delivery tests: the `echo` collector POSTs each reply to a fake HTTP
server, which counts calls across processes (the worker runs in a subprocess).

`python -m tests.fakes.echo_channel ARGS...` runs the real `aduan` entry point with the `echo`
type registered, the way an installed plugin would be.
"""

from __future__ import annotations

import itertools
import sys
import threading
from typing import Any

import requests

from tests.fakes.base import FakeServer, Request, Response
from ticketing.contract import (
    AuthExpired,
    Batch,
    Collector,
    OutboundMessage,
    RateLimited,
    SendRefused,
    SendResult,
    TransientError,
)


class EchoCollector(Collector):
    type_name = "echo"

    def fetch(self, cursor: Any) -> Batch:
        return Batch([], cursor)

    def send(self, outbound: OutboundMessage) -> SendResult:
        from datetime import UTC, datetime, timedelta

        base = str(self.settings.get("base_url", "")).rstrip("/")
        try:
            response = requests.post(f"{base}/send", json={
                "thread_key": outbound.thread_key, "text": outbound.text, "local_id": outbound.local_id,
                "in_reply_to": outbound.in_reply_to, "recipient_id": outbound.recipient_id,
                "ticket_ref": outbound.ticket_ref}, timeout=10)
        except requests.RequestException as exc:
            raise TransientError(f"echo unreachable: {exc}") from None
        if response.status_code == 429:
            raise RateLimited("echo: slow down", datetime.now(UTC) + timedelta(seconds=30))
        if response.status_code >= 500:
            raise TransientError(f"echo: HTTP {response.status_code}")
        if response.status_code == 401:
            raise AuthExpired("echo: token expired")
        if response.status_code == 403:
            raise SendRefused("echo: outside the reply window")
        return SendResult(response.json()["id"], response.json())

    def check(self) -> str:
        return "echo"


class EchoServer(FakeServer):
    """Records every reply; `fail_with` makes the next calls answer with an error status."""

    def __init__(self):
        self.sent: list[dict[str, Any]] = []
        self.fail_with: list[int] = []
        self._ids = itertools.count(1)
        self._sent_lock = threading.Lock()
        super().__init__(self._handle)

    def _handle(self, request: Request) -> Response:
        with self._sent_lock:
            if self.fail_with:
                return Response(self.fail_with.pop(0), {"error": "injected"})
            body = request.json()
            self.sent.append(body)
            return Response(200, {"id": f"echo-{next(self._ids)}"})

    def channel_config(self, name: str = "echo-test") -> dict[str, Any]:
        return {"name": name, "type": "echo", "enabled": True, "base_url": self.base_url}


def register() -> None:
    """Make the `echo` type visible to ticketing.contract.registry, as an entry point would."""
    from ticketing.contract import registry

    class _Entry:
        name = "echo"

        @staticmethod
        def load():
            return EchoCollector

    registry.available()["echo"] = _Entry()


if __name__ == "__main__":
    register()
    sys.argv = ["aduan", *sys.argv[1:]]
    import cli

    cli.main()


# --- a harness for SLA / delivery tests -----------------------------------------------------------


def settings_for(db_url: str, echo: EchoServer | None = None, **sections: Any):
    """The sample config.yaml with this database, the echo channel and extra sections."""
    import yaml

    from tests.cli_helpers import ROOT
    from ticketing.config import Settings

    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = db_url
    data["identity"] = "declared"
    if echo is not None:
        data["channels"] = [echo.channel_config()]
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Settings.model_validate(data)


def seed_ticket(app, received, text: str = "KTP saya belum jadi", n: int = 1, channel: str = "echo-test") -> int:
    """One citizen message through real ingest (due date from the app's calendar); the ticket id."""
    from sqlmodel import select

    from tests.factories import inbound
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import write_session
    from ticketing.store.models import Ticket

    message = inbound(n, channel=channel, base=received, text=text)
    message.sent_at = received
    with write_session(app.engine) as session:
        ingest_batch(session, channel, [message], now=app.now(), channel_type="echo", policy=app.ingest_policy())
        query = select(Ticket.id).where(Ticket.thread_key == message.thread_key, Ticket.channel == channel)
        return session.exec(query).one()
