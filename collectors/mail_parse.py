"""Parse one raw mail (bytes) into what the email collector needs. Pure functions, no I/O.

Citizens' mail is hostile or simply broken: unknown or lying charsets, invalid bytes, NUL,
encoded-word subjects that decode to CR/LF, HTML-only bodies, huge bodies. Nothing here
raises on bad content; problems become flags on the result (`invalid_bytes`,
`unknown_charset`, `charset_mismatch`, `html_only`, `truncated`, `quoted_trimmed`, ...).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from collectors.mail_auto import BounceReport, automatic_reason, parse_bounce
from collectors.mail_text import clean_header, collapse_blank_lines, fix_surrogates, html_to_text, trim_quoted

MAX_TEXT_CHARS = 20_000  # what the inbox stores and shows; the full text is kept (capped) in raw
MAX_FULL_TEXT_CHARS = 200_000  # a 5 MB body must not bloat every row and every render
MAX_ID_CHARS = 250  # Message-IDs longer than this are not real ones
# Labels that in practice mean cp1252 bytes (smart quotes, dashes at 0x80-0x9F).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252", "x-user-defined": "cp1252"}
_MSGID = re.compile(r"<([^<>\s]{1,250})>")
_REPORT_PARTS = {"message/delivery-status", "text/rfc822-headers", "message/rfc822",
                 "message/disposition-notification", "message/feedback-report"}


@dataclass
class MailPart:
    """An attached file as found in the mail; the collector decides whether it is stored."""

    filename: str
    declared_type: str
    data: bytes


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


def decode_bytes(payload: bytes, charset: str | None, flags: list[str]) -> str:
    """Bytes to text under the declared charset, never raising: unknown -> cp1252, invalid bytes
    -> U+FFFD, and a UTF-8 label on what is plainly cp1252 -> cp1252."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(name).name
    except LookupError:
        flags.append("unknown_charset")
        name = "cp1252"
    if name == "ascii":
        name = "cp1252"
    try:
        return payload.decode(name)
    except UnicodeDecodeError:
        pass
    if name == "utf-8":
        lenient = payload.decode("utf-8", "replace")
        if not any(ord(ch) > 0x7F and ch != "\ufffd" for ch in lenient):
            flags.append("charset_mismatch")  # no valid multi-byte sequence at all: a lying label
            return payload.decode("cp1252", "replace")
        flags.append("invalid_bytes")
        return lenient
    flags.append("invalid_bytes")
    return payload.decode(name, "replace")


def _part_text(part: Message, flags: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_content_charset(), flags)


def _leaves(msg: Message) -> list[Message]:
    """Every leaf part in order; an attached mail (message/rfc822) is one leaf, not opened."""
    if msg.get_content_maintype() == "multipart":
        payload = msg.get_payload()
        if isinstance(payload, list):
            return [leaf for sub in payload for leaf in _leaves(sub)]
        return []
    return [msg]


def _pick_body(leaves: list[Message]) -> tuple[Message | None, Message | None]:
    plain = html = None
    for part in leaves:
        if part.get_content_disposition() == "attachment" or part.get_filename():
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    return plain, html


def _body_text(plain: Message | None, html: Message | None, flags: list[str]) -> str:
    if plain is not None:
        text = _part_text(plain, flags)
        if text.strip():
            return text.replace("\r\n", "\n").replace("\r", "\n")
    if html is not None:
        flags.append("html_only" if plain is None else "html_body")
        return html_to_text(_part_text(html, flags))
    return ""


def _attachment(part: Message, flags: list[str]) -> MailPart:
    try:
        name = part.get_filename() or ""
    except Exception:  # a broken RFC 2231 parameter
        name = ""
    kind = part.get_content_type()
    if kind == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        data = inner.as_bytes() if isinstance(inner, Message) else b""
        name = name or "lampiran.eml"
    else:
        data = part.get_payload(decode=True) or b""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return MailPart(clean_header(name, limit=200) or "lampiran", kind, data)


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


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one mail. Raises only if the bytes are not a mail at all (then it is quarantined)."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    flags: list[str] = []
    ids = message_ids(_header(msg, "Message-ID"))
    name, address = parseaddr(clean_header(_header(msg, "From")))
    reply_name, reply_address = parseaddr(clean_header(_header(msg, "Reply-To")))
    recipients = [a.lower() for _n, a in getaddresses([clean_header(_header(msg, h)) for h in ("To", "Cc")]) if a]
    leaves = _leaves(msg)
    bounce = parse_bounce(msg)
    plain, html = _pick_body(leaves)
    body = _body_text(plain, html, flags)
    if "\x00" in body:
        flags.append("nul")
    full = _cap(collapse_blank_lines(body), MAX_FULL_TEXT_CHARS, flags, "truncated_full")
    shown = trim_quoted(full)
    if shown != full.strip():
        flags.append("quoted_trimmed")
    shown = _cap(shown, MAX_TEXT_CHARS, flags, "truncated")
    is_report = msg.get_content_type() == "multipart/report"
    attachments = [_attachment(p, flags) for p in leaves
                   if p is not plain and p is not html and not (is_report and p.get_content_type() in _REPORT_PARTS)]
    in_reply_to = message_ids(_header(msg, "In-Reply-To"))
    references = message_ids(_header(msg, "References"))
    if in_reply_to and in_reply_to[0] not in references:
        references.append(in_reply_to[0])
    subject = clean_header(_header(msg, "Subject"))
    return ParsedMail(
        message_id=ids[0] if ids else fallback_message_id(raw), has_message_id=bool(ids),
        in_reply_to=in_reply_to[0] if in_reply_to else None, references=references, subject=subject,
        from_address=address.lower(), from_name=clean_header(name, limit=200),
        reply_to=(reply_address or "").lower(), recipients=recipients, date=_date(msg, flags),
        text=shown, full_text=full, flags=flags, attachments=attachments,
        automatic=automatic_reason(msg, subject, address.lower(), bounce), bounce=bounce,
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

