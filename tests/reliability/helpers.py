"""Plumbing shared by the reliability tests: polling with a deadline, a process holding the
SQLite write lock, a Telegram fake whose reads can be held open, and subprocess CLI runs."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.cli_helpers import ROOT, cli_env
from tests.fakes.base import Request, Response
from tests.fakes.telegram import TelegramFake


def wait_until(condition: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached within {timeout}s")


def start_cli(config: Path, *args: str, now: str | None = None, env: dict[str, str] | None = None,
              user: str = "admin1") -> subprocess.Popen:
    """The real `aduan` entry point in its own process group (so SIGKILL reaches only it)."""
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], cwd=config.parent,
                            env=cli_env(config, now, env, user), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))  # the fault under test: another process keeps the write lock this long
conn.execute("COMMIT")
print("released", flush=True)
"""


@contextlib.contextmanager
def sqlite_write_lock(path: Path, hold_seconds: float) -> Iterator[subprocess.Popen]:
    """Another process holding `BEGIN IMMEDIATE` on the database file; yields once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(hold_seconds)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


class HeldTelegram(TelegramFake):
    """A Telegram fake whose getUpdates can be held open: a run is then provably mid-fetch (it holds
    the channel's lease) for as long as the test wants, without sleeping."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()
        self.echo_status: int | None = None
        self.echo_extra = ""
        self.server.handler = self._held

    def hold(self) -> None:
        self.gate.clear()
        self.waiting.clear()

    def release(self) -> None:
        self.gate.set()

    def _held(self, request: Request) -> Response:
        if self.echo_status is not None:  # a broken server that echoes the request URL (token included)
            return Response(self.echo_status, {"ok": False, "error_code": self.echo_status,
                                               "description": f"failed {request.path}{self.echo_extra}"})
        if request.path.endswith("/getUpdates") and not self.gate.is_set():
            self.waiting.set()
            self.gate.wait(timeout=60)
        return self.handle(request)

    def get_updates_calls(self) -> int:
        return len(self.server.calls("/getUpdates"))
