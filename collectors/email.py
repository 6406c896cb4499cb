"""Email: poll IMAP folders by UID, reply through SMTP.

The cursor holds, per folder, the UIDVALIDITY and the last UID stored. When a server resets a
folder's UIDVALIDITY (mailbox recreated or migrated) every stored UID is void: the folder is
read again from the start and ingest drops what it already has by Message-ID (a content hash
for mail without one). Mail written by the office itself (From = from_address) comes back as
direction "out"; automatic mail is stored but opens no ticket; bounces name the reply they
return so it can be marked undelivered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from collectors.imap_client import FetchedMail, ImapSession
from collectors.mail_parse import MailPart, ParsedMail, fallback_message_id, parse_message
from collectors.mail_send import bare_message_id, compose_reply, smtp_send
from collectors.mail_text import clean_header, looks_like_identity_document, sniff_type
from ticketing.config import secret_from_env
from ticketing.contract import (
    Attachment,
    Batch,
    Collector,
    InboundMessage,
    OutboundMessage,
    QuarantinedItem,
    SendResult,
)
from ticketing.privacy.redact import redact
from ticketing.store.attachments import store_bytes

DEFAULT_PORTS = {"imap": {"ssl": 993, "starttls": 143, "none": 143}, "smtp": {"ssl": 465, "starttls": 587, "none": 25}}
DATE_SKEW = timedelta(minutes=10)  # a Date header later than the server's receipt by more than this is not trusted
# Mails fetched in one IMAP FETCH at most (one mail alone may be larger, up to max_message_bytes):
# a batch of 50 mails of 30 MB is read, parsed and written to disk a few at a time.
FETCH_BUDGET_BYTES = 64_000_000
MAX_QUARANTINE_BYTES = 1_000_000  # the unreadable mail is kept (capped) for an operator to look at
Security = Literal["ssl", "starttls", "none"]


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    imap_host: str
    imap_port: int | None = Field(default=None, ge=1, le=65535)
    imap_security: Security = "ssl"
    username: str
    password_env: str
    folders: list[str] = Field(default_factory=lambda: ["INBOX"], min_length=1)
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Security = "ssl"
    smtp_auth: bool = True
    smtp_username: str | None = None
    smtp_password_env: str | None = None
    from_address: str
    from_name: str = "Layanan Pengaduan Dindukcapil Brebes"
    message_id_domain: str | None = None
    ca_file: str | None = None
    attachments_dir: str | None = "attachments"
    max_attachment_bytes: int = Field(default=10_000_000, ge=0)
    max_message_bytes: int = Field(default=30_000_000, ge=1000)
    batch_size: int = Field(default=50, ge=1, le=1000)
    timeout_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _defaults(self) -> EmailSettings:
        if "@" not in self.from_address:
            raise ValueError("from_address must be an email address")
        self.from_address = self.from_address.strip().lower()
        self.imap_port = self.imap_port or DEFAULT_PORTS["imap"][self.imap_security]
        self.smtp_host = self.smtp_host or self.imap_host
        self.smtp_port = self.smtp_port or DEFAULT_PORTS["smtp"][self.smtp_security]
        self.message_id_domain = self.message_id_domain or self.from_address.rsplit("@", 1)[1]
        return self


@dataclass
class FolderCursor:
    uidvalidity: int
    last_uid: int


@dataclass
class EmailCursor:
    """Per folder: (UIDVALIDITY, last UID stored)."""

    folders: dict[str, FolderCursor] = field(default_factory=dict)


class EmailCollector(Collector):
    type_name: ClassVar[str] = "email"
    settings_model: ClassVar[type | None] = EmailSettings
    cursor_type: ClassVar[type | None] = EmailCursor

    # -- cursor -------------------------------------------------------------------------------
    def load_cursor(self, data: str | None) -> EmailCursor | None:
        if data is None:
            return None
        value = json.loads(data)
        folders = value.get("folders", {}) if isinstance(value, dict) else {}
        return EmailCursor({k: FolderCursor(int(v["uidvalidity"]), int(v["last_uid"])) for k, v in folders.items()})

    # -- connections --------------------------------------------------------------------------
    def _password(self, key: str) -> str:
        secret = secret_from_env({key: getattr(self.settings, key)}, key, self.name, self.env)
        return secret.get()

    def _imap(self):
        s = self.settings
        return ImapSession.open(s.imap_host, s.imap_port, s.imap_security, s.username,
                                self._password("password_env"), s.timeout_seconds, s.ca_file, self.name)

    # -- fetch --------------------------------------------------------------------------------
    def fetch(self, cursor: EmailCursor | None) -> Batch:
        state = dict(cursor.folders) if cursor else {}
        messages: list[InboundMessage] = []
        quarantined: list[QuarantinedItem] = []
        room = self.settings.batch_size
        more = False
        reads = 0
        with self._imap() as imap:
            for folder in self.settings.folders:
                uidvalidity = imap.examine(folder)
                reads += 1
                known = state.get(folder)
                last = known.last_uid if known is not None and known.uidvalidity == uidvalidity else 0
                uids = imap.uids_after(last)
                take = uids[:room]
                more = more or len(uids) > len(take)
                for mail in self._read(imap, take):
                    item = self._convert(folder, uidvalidity, mail)
                    (quarantined if isinstance(item, QuarantinedItem) else messages).append(item)
                room -= len(take)
                state[folder] = FolderCursor(uidvalidity, take[-1] if take else last)
        return Batch(messages, EmailCursor(state), quarantined, more=more, reads=reads)

    def _read(self, imap: ImapSession, uids: list[int]) -> Iterator[FetchedMail]:
        """The mails of `uids` in order, fetched in groups of at most `FETCH_BUDGET_BYTES`.

        Each group is converted (attachments written to disk) before the next is fetched, so
        one batch never holds all its mails, or all their attachments, in memory at once.
        """
        if not uids:
            return
        sizes = imap.sizes(uids)
        limit = self.settings.max_message_bytes
        group: list[int] = []
        total = 0
        for uid in uids:
            size = sizes.get(uid, 0)
            if size > limit:
                yield from self._fetch_group(imap, group)
                group, total = [], 0
                yield from imap.fetch([uid], headers_only=True)
                continue
            if group and total + size > FETCH_BUDGET_BYTES:
                yield from self._fetch_group(imap, group)
                group, total = [], 0
            group.append(uid)
            total += size
        yield from self._fetch_group(imap, group)

    @staticmethod
    def _fetch_group(imap: ImapSession, uids: list[int]) -> list[FetchedMail]:
        if not uids:
            return []
        found = {m.uid: m for m in imap.fetch(uids)}
        return [found[u] for u in uids if u in found]

    def _convert(self, folder: str, uidvalidity: int, mail: FetchedMail) -> InboundMessage | QuarantinedItem:
        try:
            if mail.headers_only:
                return self._oversized(folder, uidvalidity, mail)
            return self._inbound(folder, uidvalidity, mail, parse_message(mail.raw))
        except Exception as exc:  # one unreadable mail is quarantined; the batch and the cursor go on
            payload = mail.raw[:MAX_QUARANTINE_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")
            return QuarantinedItem(self.name, f"mail UID {uid_label(folder, uidvalidity, mail.uid)} unreadable: "
                                              f"{redact(exc)[:300]}", payload, fallback_message_id(mail.raw))

    def _sent_at(self, parsed_date: datetime | None, mail: FetchedMail, flags: list[str]) -> datetime:
        received = mail.internal_date
        if parsed_date is None:
            return received or self.clock()
        if received is not None and parsed_date > received + DATE_SKEW:
            flags.append("date_skewed")
            return received
        return parsed_date

    def _inbound(self, folder: str, uidvalidity: int, mail: FetchedMail, parsed: ParsedMail) -> InboundMessage:
        flags = list(parsed.flags)  # no_reply_address: still a ticket; a reply to it is refused at send
        own = bool(parsed.from_address) and parsed.from_address == self.settings.from_address
        text, thread_key, in_reply_to, references = parsed.text, parsed.thread_root, parsed.in_reply_to, \
            parsed.references
        if parsed.automatic:
            flags.append("automatic")
        bounce = parsed.bounce
        if bounce is not None and bounce.failed and bounce.original_message_id:
            flags.append("bounce")
            in_reply_to = bounce.original_message_id
            references = [*bounce.original_references, bounce.original_message_id]
            references = list(dict.fromkeys(references))
            thread_key = references[0]
            text = bounce.reason()
        if own:
            flags.append("own_mail")
        attachments = [self._attachment(part, flags) for part in parsed.attachments if part.role == "file"]
        signatures = [self._attachment(part, []) for part in parsed.attachments if part.role != "file"]
        raw: dict[str, Any] = {
            "folder": folder, "uidvalidity": uidvalidity, "uid": mail.uid, "size": mail.size,
            "message_id": parsed.message_id if parsed.has_message_id else None, "from": parsed.from_address,
            "address_source": parsed.address_source,
            "reply_to": parsed.reply_to or None, "to": parsed.recipients, "subject": parsed.subject,
            "references": references, "automatic": parsed.automatic, "defects": parsed.defects,
            "imap_flags": list(mail.flags),
        }
        if signatures:  # kept, but not the citizen's files
            raw["signatures"] = [{"filename": a.filename, "content_type": a.content_type, "sha256": a.sha256,
                                  "path": a.path} for a in signatures]
        if parsed.full_text.strip() != text.strip():
            raw["full_text"] = parsed.full_text
        return InboundMessage(
            channel=self.name, external_id=parsed.message_id, thread_key=thread_key, text=text,
            sent_at=self._sent_at(parsed.date, mail, flags), author_id=parsed.from_address,
            author_handle=parsed.from_address, author_name=parsed.from_name, account=self.settings.username,
            is_private=True, in_reply_to=in_reply_to, direction="out" if own else "in",
            opens_ticket=not own and parsed.automatic is None, flags=list(dict.fromkeys(flags)),
            subject=parsed.subject or None, raw=raw, attachments=attachments, references=references,
        )

    def _oversized(self, folder: str, uidvalidity: int, mail: FetchedMail) -> InboundMessage:
        """Too big to fetch: stored from its headers with a marker, never silently dropped."""
        parsed = parse_message(mail.raw)  # the header block only: ids, sender and subject are read
        parsed.text = (f"[Surat terlalu besar ({mail.size} byte, batas {self.settings.max_message_bytes} byte): "
                       "isi dan lampiran tidak diambil; buka surat ini di kotak surat "
                       f"{clean_header(folder)}]")
        parsed.full_text = parsed.text
        parsed.flags.append("oversized")
        parsed.attachments = []
        return self._inbound(folder, uidvalidity, mail, parsed)

    def _attachment(self, part: MailPart, flags: list[str]) -> Attachment:
        kind = sniff_type(part.data)
        digest = hashlib.sha256(part.data).hexdigest()
        sensitive = looks_like_identity_document(part.filename, kind)
        if sensitive and "identity_document" not in flags:
            flags.append("identity_document")
        reason = None
        path = None
        if len(part.data) > self.settings.max_attachment_bytes:
            reason = f"melebihi batas {self.settings.max_attachment_bytes} byte"
        elif not self.settings.attachments_dir:
            reason = "penyimpanan lampiran tidak diatur (attachments_dir)"
        else:
            path = store_bytes(self.settings.attachments_dir, part.data).path
        if reason:
            flags.append("attachment_skipped")
        return Attachment(part.filename, kind, len(part.data), digest, path, reason, sensitive=sensitive)

    # -- send ---------------------------------------------------------------------------------
    def send(self, outbound: OutboundMessage) -> SendResult:
        s = self.settings
        msg = compose_reply(outbound, from_address=s.from_address, from_name=s.from_name,
                            domain=s.message_id_domain, now=self.clock())
        username = password = None
        if s.smtp_auth:
            username = s.smtp_username or s.username
            password = self._password("smtp_password_env" if s.smtp_password_env else "password_env")
        smtp_send(msg, host=s.smtp_host, port=s.smtp_port, security=s.smtp_security, username=username,
                  password=password, timeout=s.timeout_seconds, ca_file=s.ca_file, what=self.name)
        return SendResult(external_id=bare_message_id(msg),
                          raw={"to": str(msg["To"]), "subject": str(msg["Subject"]),
                               "in_reply_to": msg.get("In-Reply-To"), "references": msg.get("References")})

    def check(self) -> str:
        parts = []
        with self._imap() as imap:
            for folder in self.settings.folders:
                parts.append(f"{folder} (UIDVALIDITY {imap.examine(folder)})")
        return f"{self.settings.username} @ {self.settings.imap_host}: {', '.join(parts)}"


def uid_label(folder: str, uidvalidity: int, uid: int) -> str:
    return f"{folder}/{uidvalidity}/{uid}"
