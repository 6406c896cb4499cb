"""Dovecot from the Debian package on loopback, with a throwaway configuration, for the email tests.

Plain IMAP with STARTTLS and IMAPS, a self-signed certificate for 127.0.0.1, a static test
password (each test logs in as its own user, so tests never see each other's mail) with a deny
list that turns one user's login off to play an expired password, and maildirs owned by the
mail user. `.ci/run` starts one through tests/servers.py `EXTRA_SERVERS` and exports
ADUAN_TEST_IMAP_*; without those variables the first test that needs it starts its own.
"""

from __future__ import annotations

import atexit
import contextlib
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, wait_for_port

PASSWORD = "rahasia-uji-imap"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    ssl_port: int
    ca_file: str
    users_file: str


def _accounts() -> tuple[str, str]:
    """(mail user, login user): Debian's dovecot/dovenull as root (Dovecot refuses root for both)."""
    if os.geteuid() == 0:
        return "dovecot", "dovenull"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me


def _config(base: Path, imap_port: int, ssl_port: int, mail_user: str, login_user: str) -> str:
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
disable_plaintext_auth = no
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {mail_user}
default_login_user = {login_user}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  deny = yes
  args = username_format=%u {base}/users
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={base}/mail/%u
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    path = anvil-auth-penalty-off
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
"""


@contextlib.contextmanager
def dovecot_server() -> Iterator[dict[str, str]]:
    """Start Dovecot on two free loopback ports; yield the ADUAN_TEST_IMAP_* variables."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(binary):
        raise RuntimeError("dovecot not found: apt-get install dovecot-imapd (or run bash .ci/run)")
    base = Path(tempfile.mkdtemp(prefix="aduan-dovecot-"))
    base.chmod(0o755)
    mail_user, login_user = _accounts()
    (base / "mail").mkdir()
    shutil.chown(base / "mail", mail_user, mail_user)
    (base / "users").write_text("")
    (base / "users").chmod(0o644)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(base / "key.pem"),
                    "-out", str(base / "cert.pem"), "-days", "3", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    imap_port, ssl_port = free_port(), free_port()
    (base / "dovecot.conf").write_text(_config(base, imap_port, ssl_port, mail_user, login_user))
    proc = subprocess.Popen([binary, "-F", "-c", str(base / "dovecot.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        try:
            wait_for_port(imap_port)
            wait_for_port(ssl_port)
        except RuntimeError:
            log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot did not start: {log[-2000:]}") from None
        yield {"ADUAN_TEST_IMAP_PORT": str(imap_port), "ADUAN_TEST_IMAPS_PORT": str(ssl_port),
               "ADUAN_TEST_IMAP_CA": str(base / "cert.pem"), "ADUAN_TEST_IMAP_USERS": str(base / "users")}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


_shared: Dovecot | None = None
_shared_lock = threading.Lock()


def shared_dovecot() -> Dovecot:
    """The session's Dovecot: the one `.ci/run` started, else one started here and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            env = dict(os.environ)
            if "ADUAN_TEST_IMAP_PORT" not in env:
                context = dovecot_server()
                env.update(context.__enter__())
                atexit.register(context.__exit__, None, None, None)
            _shared = Dovecot("127.0.0.1", int(env["ADUAN_TEST_IMAP_PORT"]), int(env["ADUAN_TEST_IMAPS_PORT"]),
                              env["ADUAN_TEST_IMAP_CA"], env["ADUAN_TEST_IMAP_USERS"])
        return _shared




def set_denied(server: Dovecot, user: str, denied: bool) -> None:
    """Put a user on (or take it off) the deny list; Dovecot re-reads the file when it changes."""
    with _shared_lock:
        path = Path(server.users_file)
        lines = [x for x in path.read_text().splitlines() if x and not x.startswith(f"{user}:")]
        if denied:
            lines.append(f"{user}:")
        # Dovecot re-reads the file when its mtime (whole seconds) changes: move it forward explicitly.
        stamp = max(path.stat().st_mtime + 1, time.time())
        tmp = path.with_name(f".users-{uuid.uuid4().hex}")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.chmod(0o644)
        os.utime(tmp, (stamp, stamp))
        os.replace(tmp, path)


def wait_for_login(server: Dovecot, user: str, password: str, accepted: bool, timeout: float = 5.0) -> None:
    """Dovecot checks the passwd-file at most once a second: poll until it answers as expected."""
    deadline = time.monotonic() + timeout
    while True:
        conn = imaplib.IMAP4(server.host, server.port, timeout=5)
        try:
            conn.login(user, password)
            ok = True
        except imaplib.IMAP4.error:
            ok = False
        finally:
            with contextlib.suppress(Exception):
                conn.logout()
        if ok == accepted:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"dovecot still {'refuses' if accepted else 'accepts'} {user} after {timeout}s")
        time.sleep(0.1)
