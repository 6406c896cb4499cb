"""Mail test doubles: a Dovecot user per test (tests/fakes/dovecot.py), an aiosmtpd sink that
captures replies, mail builders, and `EmailFake` for the shared collector contract test."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import itertools
import os
import shutil
import ssl
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from tests.fakes.dovecot import PASSWORD, Dovecot, set_denied, shared_dovecot, wait_for_login
from tests.servers import free_port

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "email"
OFFICE_ADDRESS = "pengaduan@dukcapil.brebeskab.go.id"
PASSWORD_ENV = "ADUAN_TEST_EMAIL_PASSWORD"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


_user_numbers = itertools.count(1)


class Mailbox:
    """One fresh Dovecot user; appends mail and reads flags like another mail client would."""

    def __init__(self, server: Dovecot | None = None, user: str | None = None):
        self.server = server or shared_dovecot()
        self.user = user or f"warga{os.getpid()}x{next(_user_numbers)}x{uuid.uuid4().hex[:6]}"

    @contextlib.contextmanager
    def connect(self) -> Iterator[imaplib.IMAP4]:
        conn = imaplib.IMAP4(self.server.host, self.server.port, timeout=10)
        try:
            conn.login(self.user, PASSWORD)
            yield conn
        finally:
            with contextlib.suppress(Exception):
                conn.logout()

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "", when: datetime | None = None) -> int:
        """APPEND one mail; returns its UID (from APPENDUID)."""
        with self.connect() as conn:
            if folder != "INBOX":
                conn.create(f'"{folder}"')
            date = imaplib.Time2Internaldate(when) if when else None
            typ, data = conn.append(f'"{folder}"', f"({flags})" if flags else None, date, raw)
            assert typ == "OK", data
            return int(data[0].split(b"APPENDUID ")[1].split(b"]")[0].split()[1])

    def create(self, folder: str) -> None:
        with self.connect() as conn:
            conn.create(f'"{folder}"')

    def append_fixture(self, name: str, folder: str = "INBOX", flags: str = "") -> int:
        return self.append(fixture(name), folder, flags)

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        with self.connect() as conn:
            conn.select(f'"{folder}"', readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            result: dict[int, set[str]] = {}
            for item in data:
                if not item:
                    continue
                text = item.decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                result[uid] = set(text.split("FLAGS (")[1].split(")")[0].split())
            return result

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.connect() as conn:
            conn.select(f'"{folder}"', readonly=True)
            return int(conn.response("UIDVALIDITY")[1][0])

    def recreate(self, folder: str) -> list[bytes]:
        """Delete a folder and create it again with the same mail: a new UIDVALIDITY, new UIDs."""
        with self.connect() as conn:
            conn.select(f'"{folder}"', readonly=True)
            _typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[])")
            mails = [item[1] for item in data if isinstance(item, tuple)]
            conn.close()
            assert conn.delete(f'"{folder}"')[0] == "OK"
        for raw in mails:
            self.append(raw, folder)
        return mails

    def deny_login(self, denied: bool = True) -> None:
        """Make the configured password stop (or start again) working, and wait until Dovecot agrees."""
        set_denied(self.server, self.user, denied)
        wait_for_login(self.server, self.user, PASSWORD, accepted=not denied)

    def channel_config(self, name: str = "email-test", **overrides: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "name": name, "type": "email", "enabled": True, "imap_host": self.server.host,
            "imap_port": self.server.port, "imap_security": "none", "username": self.user,
            "password_env": PASSWORD_ENV, "folders": ["INBOX"], "from_address": OFFICE_ADDRESS,
            "smtp_host": "127.0.0.1", "smtp_port": 25, "smtp_security": "none", "smtp_auth": False,
        }
        config.update(overrides)
        return config


def env() -> dict[str, str]:
    return {PASSWORD_ENV: PASSWORD}


@dataclass
class CapturedMail:
    sender: str
    recipients: list[str]
    data: bytes
    login: str | None

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpSink:
    """aiosmtpd on 127.0.0.1 with AUTH (no TLS needed for it), capturing every accepted mail.

    Recipients whose local part starts with `tolak` are refused with 550, `nanti` with 450.
    """

    username: str = "pengaduan"
    password: str = PASSWORD
    tls_cert: tuple[str, str] | None = None
    mails: list[CapturedMail] = field(default_factory=list)
    port: int = 0
    # After the end of DATA the mail is captured, then: "drop" closes the connection, "stall"
    # stays silent `stall_seconds` (past the client's timeout). One mail each; None: answer 250.
    after_data: str | None = None
    stall_seconds: float = 3.0

    def __enter__(self) -> SmtpSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                local = address.split("@")[0].lower()
                if local.startswith("tolak"):
                    return "550 5.1.1 mailbox unavailable"
                if local.startswith("nanti"):
                    return "450 4.2.1 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                auth = session.auth_data
                login = auth.login.decode() if getattr(auth, "login", None) else None
                sink.mails.append(CapturedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login))
                fault, sink.after_data = sink.after_data, None
                if fault == "stall":
                    await asyncio.sleep(sink.stall_seconds)
                if fault is not None:
                    server.transport.close()
                    return "421 4.3.0 connection lost"  # never reaches the client: the transport is closed
                return "250 2.0.0 accepted"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == sink.username and auth_data.password.decode() == sink.password
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": False}
        if self.tls_cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.tls_cert)
            kwargs["tls_context"] = context
        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


def citizen_mail(n: int, *, sender: str | None = None, subject: str | None = None, body: str | None = None,
                 message_id: str | None = None, extra_headers: str = "") -> bytes:
    """A small plain-text complaint, unique per `n`."""
    sender = sender or f"warga{n}@contoh.id"
    message_id = message_id or f"warga-{n}-{uuid.uuid4().hex[:8]}@contoh.id"
    text = (f"From: Warga {n} <{sender}>\r\nTo: {OFFICE_ADDRESS}\r\nSubject: {subject or f'Pengaduan nomor {n}'}\r\n"
            f"Date: Mon, 23 Nov 2026 08:{n % 60:02d}:00 +0700\r\nMessage-ID: <{message_id}>\r\n{extra_headers}"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body or f'KTP-el saya nomor {n} belum jadi, mohon bantuannya.'}\r\n")
    return text.encode()


class EmailFake:
    """The email channel for the shared collector contract test: a Dovecot user whose folder
    `Pengaduan` is polled, and an SMTP sink that records replies.

    Faults that have no IMAP equivalent are listed in `not_applicable` and raise
    NotImplementedError: IMAP has no rate-limit answer (a busy server is a TransientError) and
    no page tokens (UID ranges and batch_size bound a read). `repeat_next_page` is the IMAP
    analogue of a replayed page: the folder is recreated, so the next read serves every mail
    again under a new UIDVALIDITY.
    """

    channel_type = "email"
    folder = "Pengaduan"
    not_applicable = {
        "rate_limit_next": "IMAP has no rate-limit reply; a refused or busy server is a TransientError",
        "stick_pagination": "IMAP has no page tokens; UID ranges and batch_size bound every read",
    }

    def __init__(self) -> None:
        self.smtp = SmtpSink()
        self.mailbox: Mailbox | None = None
        self.base_url = ""
        self._numbers = itertools.count(1)
        self._expired = False
        self._attachments = tempfile.mkdtemp(prefix="aduan-mail-att-")

    def __enter__(self) -> EmailFake:
        self.mailbox = Mailbox()
        self.mailbox.create(self.folder)
        self.smtp.__enter__()
        self.base_url = f"imap://{self.mailbox.server.host}:{self.mailbox.server.port}"
        return self

    def __exit__(self, *exc) -> None:
        self.smtp.__exit__(*exc)
        shutil.rmtree(self._attachments, ignore_errors=True)

    @property
    def sent(self) -> list[dict[str, Any]]:
        result = []
        for mail in self.smtp.mails:
            msg = mail.message
            result.append({"to": mail.recipients, "subject": str(msg["Subject"]),
                           "message_id": str(msg["Message-ID"]).strip("<>"), "in_reply_to": msg["In-Reply-To"],
                           "references": msg["References"], "text": msg.get_content()})
        return result

    def channel_config(self) -> dict[str, Any]:
        assert self.mailbox is not None, "use EmailFake as a context manager"
        return self.mailbox.channel_config(folders=[self.folder], smtp_port=self.smtp.port, smtp_auth=True,
                                           smtp_username=self.smtp.username, attachments_dir=self._attachments)

    def env(self) -> dict[str, str]:
        return env()

    def _append(self, raw: bytes) -> None:
        assert self.mailbox is not None
        self.mailbox.append(raw, self.folder)

    def add_citizen_messages(self, count: int) -> list[str]:
        ids = []
        for _ in range(count):
            n = next(self._numbers)
            message_id = f"kontrak-{n}-{uuid.uuid4().hex[:8]}@contoh.id"
            self._append(citizen_mail(n, message_id=message_id))
            ids.append(message_id)
        return ids

    def add_own_message(self) -> str:
        n = next(self._numbers)
        message_id = f"kantor-{n}-{uuid.uuid4().hex[:8]}@dukcapil.brebeskab.go.id"
        self._append(citizen_mail(n, sender=OFFICE_ADDRESS, message_id=message_id, body="Balasan dari kantor."))
        return message_id

    def add_malformed_item(self) -> None:
        """Bytes with no header line at all: not a mail, so it is quarantined (a mail that names no
        address is still a mail and opens a ticket flagged no_reply_address)."""
        n = next(self._numbers)
        self._append(f"bukan surat {n} {uuid.uuid4().hex[:8]}, tanpa satu pun baris header\r\n".encode())

    def rate_limit_next(self, retry_after_seconds: int) -> None:
        raise NotImplementedError(self.not_applicable["rate_limit_next"])

    def expire_token(self) -> None:
        assert self.mailbox is not None
        self.mailbox.deny_login()
        self._expired = True

    def repeat_next_page(self) -> None:
        assert self.mailbox is not None
        self.mailbox.recreate(self.folder)

    def stick_pagination(self) -> None:
        raise NotImplementedError(self.not_applicable["stick_pagination"])

    def clear_faults(self) -> None:
        if self._expired and self.mailbox is not None:
            self.mailbox.deny_login(False)
            self._expired = False
