"""Run the real `aduan` entry point with an isolated config and database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def make_config(tmp_path: Path, db_url: str | None = None, **sections) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = db_url or f"sqlite:///{tmp_path / 'aduan.db'}"
    data["identity"] = "declared"  # tests act as the staff they name; tests/ticketing/test_identity.py covers "os"
    for key, value in sections.items():
        data[key] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


PINNED_NOW_ISO = "2026-11-23T03:00:00+00:00"


def cli_env(config: Path, now: str | None, extra: dict[str, str] | None = None, user: str = "admin1") -> dict:
    """The environment of an isolated CLI run: this config, this user, a pinned clock, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env.update({"ADUAN_CONFIG": str(config), "ADUAN_USER": user, "COLUMNS": "160", "NO_COLOR": "1",
                "PYTHONIOENCODING": "utf-8"})
    if now:
        env["ADUAN_NOW"] = now
    env.update(extra or {})
    return env


def run_cli(config: Path, *args: str, user: str = "admin1", now: str | None = PINNED_NOW_ISO,
            env: dict[str, str] | None = None, input_text: str | None = None, timeout: float = 60) -> CliResult:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=config.parent,
                          env=cli_env(config, now, env, user), capture_output=True, text=True, input=input_text,
                          timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_here(config: Path, *args: str, user: str = "admin1", now: str | None = PINNED_NOW_ISO,
             env: dict[str, str] | None = None) -> CliResult:
    """`run_cli` without the process start-up (about a second each): the same entry point, exit-code
    table, environment and working folder, with stdout and stderr captured. For tests that call the
    CLI many times; `run_cli` stays the end-to-end path."""
    import contextlib
    import io

    from cli import app
    from commands.entry import run

    environment = cli_env(config, now, env, user)
    saved, cwd = dict(os.environ), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(environment)
    try:
        os.chdir(config.parent)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(app, list(args), environ=environment)
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_in_pty(config: Path, *args: str, user: str = "admin1", env: dict[str, str] | None = None,
               columns: int = 120, lines: int = 50, timeout: float = 60, typed: bytes = b"") -> tuple[int, bytes]:
    """The CLI with a pseudo-terminal as its stdin/stdout/stderr; (exit code, everything written).
    `typed` is keyed in at once (the terminal holds it until the program reads)."""
    import fcntl
    import pty
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    environment = cli_env(config, PINNED_NOW_ISO, env, user)
    for key in ("NO_COLOR", "COLUMNS"):
        environment.pop(key, None)
    environment["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], stdin=slave, stdout=slave, stderr=slave,
                            env=environment, cwd=config.parent, close_fds=True)
    os.close(slave)
    if typed:
        os.write(master, typed)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, b"".join(chunks)


class PtySession:
    """An interactive CLI run on a pseudo-terminal: wait for a text on the screen, then type.
    Waiting is on the output itself (with a deadline), never a fixed sleep."""

    def __init__(self, config: Path, *args: str, user: str = "admin1", env: dict[str, str] | None = None,
                 columns: int = 120, lines: int = 50):
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        environment = cli_env(config, PINNED_NOW_ISO, env, user)
        for key in ("NO_COLOR", "COLUMNS"):
            environment.pop(key, None)
        environment["TERM"] = "xterm-256color"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=environment, cwd=config.parent, close_fds=True,
                                     start_new_session=True)
        os.close(slave)
        self.screen = b""

    def expect(self, text: str, timeout: float = 30) -> str:
        """Read until `text` appears after what was already matched; returns everything read."""
        import select
        import time

        wanted = text.encode()
        deadline = time.monotonic() + timeout
        while wanted not in self.screen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen.decode(errors='replace')}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the CLI ended before {text!r}; screen:\n"
                                         f"{self.screen.decode(errors='replace')}")
                self.screen += chunk
        seen = self.screen.decode(errors="replace")
        self.screen = self.screen[self.screen.index(wanted) + len(wanted):]
        return seen

    def send(self, keys: str) -> None:
        """Type a line (the CLI reads it in line mode) or raw text."""
        os.write(self.master, keys.encode())

    def key(self, char: str, timeout: float = 30) -> None:
        """Press one key once the CLI waits for a single key: Click switches the terminal to raw
        mode with TCSAFLUSH, which drops anything typed before; so wait for raw mode first."""
        import select
        import termios
        import time

        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.master)[3] & termios.ICANON:
            if time.monotonic() > deadline:
                raise AssertionError(f"the CLI never waited for a key; screen:\n{self.screen.decode(errors='replace')}")
            ready, _, _ = select.select([self.master], [], [], 0.02)  # keep the screen drained meanwhile
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
        os.write(self.master, char.encode())

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Drain the output until the CLI exits; (exit code, the rest of the screen)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.screen += chunk
        try:
            code = self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            os.close(self.master)
            if self.proc.poll() is None:
                self.proc.kill()
        return code, self.screen.decode(errors="replace")
