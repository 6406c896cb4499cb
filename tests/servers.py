"""Start real servers (PostgreSQL, Redis) on loopback for the test session.

`.ci/run` starts them once and exports their URLs (ADUAN_TEST_POSTGRES_URL,
ADUAN_TEST_REDIS_URL); a developer running `pytest` directly gets private instances started
here from the Debian binaries. A missing binary fails the test with what to install.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _pg_tool(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: apt-get install postgresql (or run bash .ci/run)")
    return found


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a URL of a database `aduan_test`."""
    base = Path(tempfile.mkdtemp(prefix="aduan-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    port = free_port()
    subprocess.run(_as_postgres([_pg_tool("initdb"), "-D", str(data), "-U", "aduan", "--auth=trust",
                                 "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
    log = base / "server.log"
    subprocess.run(_as_postgres([_pg_tool("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                                 f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                                 "-c synchronous_commit=off -c full_page_writes=off", "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run([_pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "aduan", "aduan_test"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://aduan@127.0.0.1:{port}/aduan_test"
    finally:
        subprocess.run(_as_postgres([_pg_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen]]:
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server not found: apt-get install redis-server (or run bash .ci/run)")
    base = Path(tempfile.mkdtemp(prefix="aduan-redis-"))
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(base),
                             "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


def serve(env_file: Path) -> None:
    """Start every server the suite needs, write their URLs as `export` lines, wait for SIGTERM."""
    import signal

    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        redis_url, _proc = stack.enter_context(redis_server())
        lines = [f"export ADUAN_TEST_POSTGRES_URL={postgres}", f"export ADUAN_TEST_REDIS_URL={redis_url}"]
        for name, starter in EXTRA_SERVERS.items():
            lines.extend(f"export {k}={v}" for k, v in stack.enter_context(starter()).items())
            print(f"started {name}", flush=True)
        tmp = env_file.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.rename(env_file)
        stopped = False

        def _stop(*_args) -> None:
            nonlocal stopped
            stopped = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stopped:
            time.sleep(0.2)


# Other servers (Dovecot, ...) register here: name -> context manager yielding env variables.
EXTRA_SERVERS: dict[str, object] = {}


def _dovecot():
    """Dovecot for the email tests (tests/fakes/dovecot.py); exports ADUAN_TEST_IMAP_*."""
    from tests.fakes.dovecot import dovecot_server

    return dovecot_server()


EXTRA_SERVERS["dovecot"] = _dovecot


if __name__ == "__main__":
    import sys

    serve(Path(sys.argv[1]))
