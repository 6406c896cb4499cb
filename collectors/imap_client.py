"""A small read-only IMAP session on stdlib imaplib, with errors mapped to the collector tree.

Mailboxes are opened with EXAMINE and bodies fetched with BODY.PEEK[], so polling never sets
\\Seen: the office's own mail client still shows new mail as unread.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from ticketing.contract import AuthExpired, CollectorError, TransientError
from ticketing.privacy.redact import redact

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
FETCH_CHUNK = 25  # UIDs per FETCH command: bounded memory with large mails


@dataclass
class FetchedMail:
    uid: int
    raw: bytes
    internal_date: datetime | None
    flags: tuple[str, ...]
    size: int
    headers_only: bool = False


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificate and host name always verified; a private CA may be named for a self-hosted server."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


def quote_mailbox(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internal_date(meta: bytes) -> datetime | None:
    found = _INTERNALDATE.search(meta)
    if not found:
        return None
    try:
        return datetime.strptime(found.group(1).decode(), "%d-%b-%Y %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


class ImapSession:
    """One logged-in connection; use `ImapSession.open(...)` as a context manager."""

    def __init__(self, conn: imaplib.IMAP4, what: str):
        self.conn = conn
        self.what = what

    @classmethod
    @contextmanager
    def open(cls, host: str, port: int, security: str, username: str, password: str, timeout: float,
             ca_file: str | None, what: str) -> Iterator[ImapSession]:
        try:
            if security == "ssl":
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, port, ssl_context=tls_context(ca_file),
                                                       timeout=timeout)
            else:
                conn = imaplib.IMAP4(host, port, timeout=timeout)
                if security == "starttls":
                    conn.starttls(ssl_context=tls_context(ca_file))
        except ssl.SSLError as exc:
            raise CollectorError(f"{what}: TLS to {host}:{port} failed ({exc.__class__.__name__}: "
                                 f"{redact(exc)}); check imap_security/ca_file") from None
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise TransientError(f"{what}: cannot reach IMAP {host}:{port}: {redact(exc)}") from None
        except imaplib.IMAP4.error as exc:
            raise CollectorError(f"{what}: IMAP {host}:{port} refused the connection: {redact(exc)}") from None
        session = cls(conn, what)
        try:
            session._login(username, password)
            yield session
        finally:
            session.close()

    def _login(self, username: str, password: str) -> None:
        try:
            self.conn.login(username, password)
        except imaplib.IMAP4.abort as exc:
            raise TransientError(f"{self.what}: IMAP connection lost at login: {redact(exc)}") from None
        except imaplib.IMAP4.error as exc:
            text = redact(exc)
            if "UNAVAILABLE" in text.upper():
                raise TransientError(f"{self.what}: IMAP login temporarily unavailable: {text}") from None
            raise AuthExpired(f"{self.what}: IMAP login for {username} rejected: {text}") from None
        except OSError as exc:
            raise TransientError(f"{self.what}: IMAP connection failed at login: {redact(exc)}") from None

    def close(self) -> None:
        with suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()

    def _call(self, description: str, func, *args):
        try:
            typ, data = func(*args)
        except (imaplib.IMAP4.abort, OSError) as exc:
            raise TransientError(f"{self.what}: IMAP {description} interrupted: {redact(exc)}") from None
        except imaplib.IMAP4.error as exc:
            raise CollectorError(f"{self.what}: IMAP {description} failed: {redact(exc)}") from None
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            raise CollectorError(f"{self.what}: IMAP {description} answered {typ}: {redact(detail)[:200]}")
        return data

    def examine(self, folder: str) -> int:
        """Open a folder read-only; return its UIDVALIDITY."""
        self._call(f"EXAMINE {folder}", self.conn.select, quote_mailbox(folder), True)
        _typ, values = self.conn.response("UIDVALIDITY")
        if not values or values[0] is None:
            raise CollectorError(f"{self.what}: server sent no UIDVALIDITY for folder {folder}")
        return int(values[0])

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid`. `n:*` also returns the highest UID when it is below n: filter here."""
        data = self._call("UID SEARCH", self.conn.uid, "SEARCH", None, f"UID {last_uid + 1}:*")
        found = [int(x) for chunk in data if chunk for x in chunk.split()]
        return sorted(u for u in set(found) if u > last_uid)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        result: dict[int, int] = {}
        for start in range(0, len(uids), FETCH_CHUNK * 4):
            chunk = ",".join(str(u) for u in uids[start:start + FETCH_CHUNK * 4])
            for item in self._call("UID FETCH RFC822.SIZE", self.conn.uid, "FETCH", chunk, "(UID RFC822.SIZE)"):
                meta = item[0] if isinstance(item, tuple) else item
                if isinstance(meta, bytes) and (uid := _UID.search(meta)) and (size := _SIZE.search(meta)):
                    result[int(uid.group(1))] = int(size.group(1))
        return result

    def fetch(self, uids: list[int], headers_only: bool = False) -> list[FetchedMail]:
        """Whole mails (or only their headers) with BODY.PEEK, which leaves \\Seen untouched."""
        section = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        mails: dict[int, FetchedMail] = {}
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = ",".join(str(u) for u in uids[start:start + FETCH_CHUNK])
            data = self._call("UID FETCH", self.conn.uid, "FETCH", chunk,
                              f"(UID FLAGS INTERNALDATE RFC822.SIZE {section})")
            for index, item in enumerate(data):
                if not isinstance(item, tuple):
                    continue
                meta, body = item[0], item[1]
                trailer = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
                uid = _UID.search(meta) or _UID.search(trailer)
                if not uid:
                    continue
                flags = _FLAGS.search(meta) or _FLAGS.search(trailer)
                size = _SIZE.search(meta)
                mails[int(uid.group(1))] = FetchedMail(
                    uid=int(uid.group(1)), raw=body, internal_date=_internal_date(meta),
                    flags=tuple(flags.group(1).decode(errors="replace").split()) if flags else (),
                    size=int(size.group(1)) if size else len(body), headers_only=headers_only)
        return [mails[u] for u in uids if u in mails]

