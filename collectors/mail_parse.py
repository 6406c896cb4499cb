"""Parse one raw mail (bytes) into what the email collector needs. Pure functions, no I/O.

Citizens' mail is hostile or simply broken: unknown or lying charsets, invalid bytes, NUL,
encoded-word subjects that decode to CR/LF, HTML-only bodies, huge bodies. Nothing here
raises on bad content; problems become flags on the result (`invalid_bytes`,
`unknown_charset`, `charset_mismatch`, `html_only`, `truncated`, `quoted_trimmed`, ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from collectors.mail_address import Sender, attribute, first_address, header_text, raw_values, repair_header_block
from collectors.mail_auto import AUTOMATIC_SENDER, BounceReport, automatic_reason, parse_bounce
from collectors.mail_body import MailPart, read_body  # noqa: F401  (MailPart re-exported)
from collectors.mail_charset import decode_bytes  # noqa: F401  (re-exported: tests and callers use it here)
from collectors.mail_text import clean_header, collapse_blank_lines, fix_surrogates, trim_quoted
from ticketing.contract import PayloadError

MAX_TEXT_CHARS = 20_000  # what the inbox stores and shows; the full text is kept (capped) in raw
MAX_FULL_TEXT_CHARS = 200_000  # a 5 MB body must not bloat every row and every render
MAX_ID_CHARS = 250  # Message-IDs longer than this are not real ones
_MSGID = re.compile(r"<([^<>\s]{1,250})>")


@dataclass
class ParsedMail:
    message_id: str
    has_message_id: bool
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    reply_to: str
    address_source: str | None
    recipients: list[str]
    date: datetime | None
    text: str
    full_text: str
    flags: list[str] = field(default_factory=list)
    attachments: list[MailPart] = field(default_factory=list)
    automatic: str | None = None
    bounce: BounceReport | None = None
    defects: list[str] = field(default_factory=list)

    @property
    def thread_root(self) -> str:
        """The first message of the conversation as far as this mail knows it."""
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.message_id


def message_ids(value: object) -> list[str]:
    """The Message-IDs in a header value, without angle brackets, cleaned, in order."""
    text = clean_header(value, limit=20_000)
    found = _MSGID.findall(text)
    if not found and text and " " not in text and len(text) <= MAX_ID_CHARS:
        found = [text.strip("<>")]
    return list(dict.fromkeys(i for i in found if i))


def fallback_message_id(raw: bytes) -> str:
    """A stable id for mail without a Message-ID: the same bytes give the same id after a
    UIDVALIDITY reset or in another folder, so a rescan does not duplicate it."""
    return f"sha256-{hashlib.sha256(raw).hexdigest()[:40]}@aduan.invalid"


def _header(msg: Message, name: str) -> str:
    """A decoded header value; malformed headers fall back to their raw text instead of raising."""
    try:
        value = msg.get(name)
        return fix_surrogates(str(value)) if value is not None else ""
    except Exception:  # the email package raises assorted errors on hostile headers
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                return fix_surrogates(str(raw))
        return ""


def _date(msg: Message, flags: list[str]) -> datetime | None:
    value = _header(msg, "Date")
    if not value:
        flags.append("date_missing")
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        flags.append("date_invalid")
        return None
    if parsed.tzinfo is None:  # RFC 5322 "-0000": the sender does not know its zone; read as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _cap(text: str, limit: int, flags: list[str], flag: str) -> str:
    if len(text) <= limit:
        return text
    flags.append(flag)
    return text[:limit] + f"\n[… dipotong: {len(text) - limit} karakter lagi]"


def _sender(msg: Message, subject: str, bounce: BounceReport | None) -> tuple[Sender, str, str | None]:
    """(who wrote it, their Reply-To, why it is automatic). A no-reply From with a person's
    Reply-To is that person: the mail opens a ticket and the answer goes to the Reply-To."""
    from_address, _name = first_address(raw_values(msg, "From"))
    reply_address, reply_name = first_address(raw_values(msg, "Reply-To"))
    human_reply_to = bool(from_address and AUTOMATIC_SENDER.match(from_address) and reply_address
                          and not AUTOMATIC_SENDER.match(reply_address))
    automatic = automatic_reason(msg, subject, from_address, bounce, human_reply_to)
    if human_reply_to and automatic is None:
        return Sender(reply_address, reply_name, "Reply-To"), reply_address, None
    return attribute(msg, person=automatic is None), reply_address, automatic


def _parse(raw: bytes, flags: list[str]) -> tuple[Message, bytes]:
    """The mail as the email package reads it, after mending a broken header block."""
    repaired = repair_header_block(raw)
    if repaired is not None:
        flags.append("header_repaired")
        raw = repaired
    return BytesParser(policy=policy.default).parsebytes(raw), raw


def _header_text(msg: Message, name: str, limit: int = 998) -> str:
    values = raw_values(msg, name)
    return clean_header(header_text(values[0]), limit=limit) if values else ""


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one mail. Raises only if the bytes are not a mail at all (then it is quarantined)."""
    flags: list[str] = []
    msg, raw_read = _parse(raw, flags)
    if not msg.keys():  # no header line at all: not a mail (a mail without any address is still one)
        raise PayloadError("not a mail: no header fields")
    ids = message_ids(_header(msg, "Message-ID"))
    recipients = [a.lower() for _n, a in getaddresses([clean_header(_header(msg, h)) for h in ("To", "Cc")]) if a]
    bounce = parse_bounce(msg)
    body = read_body(msg, raw_read, flags)
    if "\x00" in body.text:
        flags.append("nul")
    full = _cap(collapse_blank_lines(body.text), MAX_FULL_TEXT_CHARS, flags, "truncated_full")
    shown = trim_quoted(full)
    if shown != full.strip():
        flags.append("quoted_trimmed")
    shown = _cap(shown, MAX_TEXT_CHARS, flags, "truncated")
    in_reply_to = message_ids(_header(msg, "In-Reply-To"))
    references = message_ids(_header(msg, "References"))
    if in_reply_to and in_reply_to[0] not in references:
        references.append(in_reply_to[0])
    subject = _header_text(msg, "Subject")
    sender, reply_to, automatic = _sender(msg, subject, bounce)
    if not sender.address:
        flags.append("no_reply_address")
    elif sender.source != "From":
        flags.append(f"sender_from_{sender.source.lower().replace('-', '_')}")
    return ParsedMail(
        message_id=ids[0] if ids else fallback_message_id(raw), has_message_id=bool(ids),
        in_reply_to=in_reply_to[0] if in_reply_to else None, references=references, subject=subject,
        from_address=sender.address, from_name=sender.name, reply_to=reply_to, address_source=sender.source,
        recipients=recipients, date=_date(msg, flags), text=shown, full_text=full, flags=flags,
        attachments=body.parts, automatic=automatic, bounce=bounce,
        defects=sorted({type(d).__name__ for d in _all_defects(msg)}),
    )


def _all_defects(msg: Message) -> list[object]:
    found = list(getattr(msg, "defects", []))
    if msg.is_multipart():
        payload = msg.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                found.extend(_all_defects(sub))
    return found

