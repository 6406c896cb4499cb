"""Plumbing shared by the fake channel servers, and the contract every channel fake offers.

A fake is a real HTTP server on 127.0.0.1 with a free port, so tweepy, facebook-sdk and
requests run their real code paths against it. The `ChannelFake` protocol is what the
parametrized collector contract test drives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class Request:
    def __init__(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes):
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class Response:
    def __init__(self, status: int = 200, body: Any = None, headers: dict[str, str] | None = None,
                 raw: bytes | None = None, content_type: str = "application/json"):
        self.status, self.body, self.headers = status, body, headers or {}
        self.raw, self.content_type = raw, content_type

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


class FakeServer:
    """A threaded HTTP server dispatching to one handler; records every request it got."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._after_read: list[list] = []  # [request-line part, "drop"/"stall", seconds, requests to let pass]
        self._released = threading.Event()
        self._answers: list[tuple[str, Response]] = []  # (request-line part, answer given instead)
        fake = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
                with fake._lock:
                    fake.requests.append(request)
                try:
                    response = fake.handler(request)
                except Exception as exc:  # a bug in the fake must show, not hang the client
                    response = Response(500, {"error": f"fake server bug: {exc!r}"})
                line = f"{self.command} {parts.path}"
                response = fake._take_answer(line) or response
                fault = fake._take_fault(line)
                if fault is not None:  # the request was read and handled: the answer never arrives
                    mode, seconds = fault
                    if mode == "stall":
                        fake._released.wait(seconds)
                    self.close_connection = True
                    return
                payload = response.encode()
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_after_read(self, path_contains: str, mode: str = "drop", seconds: float = 5.0, after: int = 0) -> None:
        """The next request whose "METHOD /path" contains `path_contains` is read and handled (a send is
        recorded as accepted), then its connection is dropped (`drop`) or held silent for
        `seconds` (`stall`, past the client's read timeout) and closed without an answer. With
        `after`, that many matching requests are answered normally first."""
        assert mode in ("drop", "stall")
        with self._lock:
            self._after_read.append([path_contains, mode, seconds, after])

    def replace_next_answer(self, path_contains: str, response: Response) -> None:
        """The next request whose "METHOD /path" contains `path_contains` is handled as usual (a
        send is recorded as accepted) but answered with `response` (no id, not JSON, ...)."""
        with self._lock:
            self._answers.append((path_contains, response))

    def _take_answer(self, line: str) -> Response | None:
        with self._lock:
            for index, (part, response) in enumerate(self._answers):
                if part in line:
                    del self._answers[index]
                    return response
        return None

    def _take_fault(self, line: str) -> tuple[str, float] | None:
        with self._lock:
            for index, fault in enumerate(self._after_read):
                part, mode, seconds, after = fault
                if part in line:
                    if after:
                        fault[3] -= 1
                        return None
                    del self._after_read[index]
                    return mode, seconds
        return None

    def calls(self, path_contains: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path_contains in r.path]


class ServedFake:
    """A fake whose HTTP server runs for the length of a `with` block; subclasses set `server`."""

    server: FakeServer

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)


class FaultSwitches:
    """The contract's fault switches kept as flags in `_faults`, read by the fake's handler."""

    _faults: dict[str, Any]

    def expire_token(self) -> None:
        self._faults["expired"] = True

    def repeat_next_page(self) -> None:
        self._faults["repeat"] = True

    def stick_pagination(self) -> None:
        self._faults["stuck"] = True

    def clear_faults(self) -> None:
        self._faults.clear()


class ChannelFake(Protocol):
    """What the parametrized collector contract test needs from each channel's fake."""

    channel_type: str
    base_url: str
    sent: list[dict[str, Any]]

    def __enter__(self) -> ChannelFake: ...
    def __exit__(self, *exc) -> None: ...

    def channel_config(self) -> dict[str, Any]:
        """The channel's config entry (name, type, base_url, *_env names, ids) for this fake."""

    def env(self) -> dict[str, str]:
        """Environment variables holding the fake's (test) secrets."""

    def add_citizen_messages(self, count: int) -> list[str]:
        """Queue `count` new citizen messages; return the external ids the collector must store."""

    def add_own_message(self) -> str:
        """Queue an item written by the office's own account; return its external id."""

    def add_malformed_item(self) -> None:
        """Queue one item that cannot be normalised (missing fields, wrong types)."""

    def rate_limit_next(self, retry_after_seconds: int) -> None:
        """The next read answers the channel's 429 (with its documented headers/body)."""

    def expire_token(self) -> None:
        """Every call answers the channel's expired-token error until `clear_faults`."""

    def repeat_next_page(self) -> None:
        """The next read serves again a page it already served."""

    def stick_pagination(self) -> None:
        """Pagination hands back the same next-token forever."""

    def clear_faults(self) -> None: ...
