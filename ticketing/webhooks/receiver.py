"""The HTTP receiver for Meta webhooks (WhatsApp, Messenger, Instagram).

Starlette on uvicorn: a small, well-kept ASGI toolkit and a production server, no framework
weight we do not use. Handlers are sync functions (Starlette runs them in its thread pool)
because the work is a short database write. A background thread ingests stored deliveries, so
the 200 goes back to Meta as soon as the body is safe on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ticketing.errors import AduanError, SignatureError
from ticketing.privacy.redact import redact
from ticketing.store.db import run_write
from ticketing.webhooks.body import BodyRefused, parse_body
from ticketing.webhooks.queue import process_pending, store_delivery

log = logging.getLogger("aduan.webhook")
RECEIVER_BATCH = 20  # deliveries per ingest transaction: small, so POSTs never wait long for the write lock
REFUSALS = {400: "bad request", 408: "request timeout", 413: "too large", 422: "unprocessable"}


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The body, counted while it streams in (chunked or not): over `limit` is refused before it
    is all read, and a client that sends nothing for `timeout` seconds is dropped."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyRefused(400, f"non-numeric Content-Length {declared[:20]!r}")
        if int(declared) > limit:
            raise BodyRefused(413, f"Content-Length {int(declared)} over the {limit}-byte limit")
    chunks, size = [], 0
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout)
        except StopAsyncIteration:
            return b"".join(chunks)
        except TimeoutError:
            raise BodyRefused(408, f"client sent nothing for {timeout:g} s after {size} bytes") from None
        size += len(chunk)
        if size > limit:
            raise BodyRefused(413, f"body over the {limit}-byte limit (stopped reading at {size} bytes)")
        chunks.append(chunk)


def refusal(status: int) -> PlainTextResponse:
    # `Connection: close`: the rest of a refused body is never read, so the connection cannot be reused.
    return PlainTextResponse(REFUSALS.get(status, "refused"), status_code=status, headers={"connection": "close"})


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
                try:
                    result = process_pending(self.app, limit=RECEIVER_BATCH, write_lock=self.write_lock)
                except Exception as exc:  # noqa: BLE001 - the database is away: wait for the next wake
                    log.error("webhook ingest pass failed: %s: %s", type(exc).__name__, redact(exc)[:300])
                    break
                if result.attempted == 0:  # failed rows wait for their backoff, so this ends
                    break


def webhook_channels(app) -> dict:
    """The enabled channels whose collector receives webhooks, built once, by channel name.

    Found through the registry, so a third-party channel type receives webhooks like a built-in."""
    from ticketing.contract.registry import build_collector, collector_class

    found = {}
    for channel in app.settings.channels:
        if channel.enabled and collector_class(channel.type).receives_webhooks:
            found[channel.name] = build_collector(channel, app.environ, clock=app.now,
                                                  locale=app.settings.office.locale)
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
        limits = app.settings.webhook
        try:
            body = await read_body(request, limits.max_body_bytes, limits.read_timeout_seconds)
        except BodyRefused as exc:
            log.warning("webhook %s: refused (%s)", name, exc.reason)
            return refusal(exc.status)
        except ClientDisconnect:
            log.warning("webhook %s: client disconnected before the body was complete", name)
            return PlainTextResponse("client disconnected", status_code=400)
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
            text, _value = parse_body(body)
        except BodyRefused as exc:
            log.warning("webhook %s: refused a signed body (%s, %d bytes)", name, exc.reason, len(body))
            return refusal(exc.status)
        with write_lock:
            run_write(app.engine, lambda session: store_delivery(session, name, body, app.now(), text))
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
