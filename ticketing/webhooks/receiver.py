"""The HTTP receiver for Meta webhooks (WhatsApp, Messenger, Instagram).

Starlette on uvicorn: a small, well-kept ASGI toolkit and a production server, no framework
weight we do not use. Handlers are sync functions (Starlette runs them in its thread pool)
because the work is a short database write. A background thread ingests stored deliveries, so
the 200 goes back to Meta as soon as the body is safe on disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ticketing.errors import AduanError, SignatureError
from ticketing.store.db import run_write
from ticketing.webhooks.queue import process_pending, store_delivery

log = logging.getLogger("aduan.webhook")
RECEIVER_BATCH = 20  # deliveries per ingest transaction: small, so POSTs never wait long for the write lock
MAX_BODY = 1_000_000  # Meta's payloads are small; refuse anything absurd before reading it all


class Processor:
    """Ingests stored deliveries in the background; woken after every accepted POST."""

    def __init__(self, app, write_lock: threading.Lock, enabled: bool = True):
        self.app, self.enabled, self.write_lock = app, enabled, write_lock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-ingest", daemon=True)

    def start(self) -> None:
        if self.enabled:
            self._thread.start()
            self._wake.set()  # catch up on anything stored before a restart

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def poke(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=30)
            self._wake.clear()
            while not self._stop.is_set():
                result = process_pending(self.app, limit=RECEIVER_BATCH, write_lock=self.write_lock)
                if result.deliveries == 0:
                    break


def webhook_channels(app) -> dict:
    """The enabled channels whose collector receives webhooks, built once, by channel name.

    Found through the registry, so a third-party channel type receives webhooks like a built-in."""
    from ticketing.contract.registry import build_collector, collector_class

    found = {}
    for channel in app.settings.channels:
        if channel.enabled and collector_class(channel.type).receives_webhooks:
            found[channel.name] = build_collector(channel, app.environ, clock=app.now)
    return found


def create_app(app, process: bool = True) -> Starlette:
    # One writer at a time inside this process: threads queue on a lock instead of SQLite's busy
    # handler, whose sleeps (up to 100 ms each) made the slowest responses ten times the median.
    write_lock = threading.Lock()
    processor = Processor(app, write_lock, enabled=process)
    channels = webhook_channels(app)

    def verify(request: Request) -> PlainTextResponse:
        name = request.path_params["channel"]
        collector = channels.get(name)
        if collector is None:
            return PlainTextResponse("unknown channel", status_code=404)
        challenge = collector.answer_subscription(request.query_params)
        if challenge is not None:
            return PlainTextResponse(challenge)
        log.warning("webhook %s: verification refused", name)
        return PlainTextResponse("forbidden", status_code=403)

    async def receive(request: Request) -> PlainTextResponse:
        name = request.path_params["channel"]
        collector = channels.get(name)
        if collector is None:
            return PlainTextResponse("unknown channel", status_code=404)
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(_accept, name, collector, body, request.headers)

    def _accept(name: str, collector, body: bytes, headers) -> PlainTextResponse:
        try:
            collector.verify_webhook(headers, body)
        except (SignatureError, AduanError) as exc:
            log.warning("webhook %s: rejected unsigned or wrongly signed request (%s, %d bytes)", name, exc,
                        len(body))
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            json.loads(body)
        except ValueError:
            log.warning("webhook %s: rejected a body that is not JSON (%d bytes)", name, len(body))
            return PlainTextResponse("malformed JSON", status_code=400)
        with write_lock:
            run_write(app.engine, lambda session: store_delivery(session, name, body, app.now()))
        processor.poke()
        return PlainTextResponse("EVENT_RECEIVED")

    def health(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    routes = [
        Route("/webhook/{channel}", verify, methods=["GET"]),
        Route("/webhook/{channel}", receive, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        processor.start()
        try:
            yield
        finally:
            processor.stop()

    starlette = Starlette(routes=routes, lifespan=lifespan)
    starlette.state.processor = processor
    return starlette
