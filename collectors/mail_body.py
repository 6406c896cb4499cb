"""The whole of what a citizen wrote: every inline text part in order, and every file, named.

Apple Mail and the iPhone send "text, photo, text, PDF" as four sibling parts when a citizen
puts a KTP photo in the middle of a message; reading only the first text part loses the rest.
Newsletters and portals send a plain part that only says "read the HTML version"; that plain
stub is measured against the HTML's text and the HTML wins when the plain part is much shorter.
Signatures (PGP, S/MIME) are kept but are not the citizen's files. An attached mail is stored
byte for byte as it arrived and named by its subject.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import quopri
import re
from dataclasses import dataclass
from email.message import Message

from collectors.mail_address import header_text, raw_values
from collectors.mail_charset import decode_bytes
from collectors.mail_text import clean_header, fix_surrogates, html_to_text

STUB_RATIO = 4  # a plain part with under a quarter of the HTML's text is a stub ...
STUB_MIN_HTML_CHARS = 200  # ... when the HTML says enough for the difference to matter
MAX_FILENAME_CHARS = 200
SIGNATURE_TYPES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
REPORT_PARTS = {"message/delivery-status", "text/rfc822-headers", "message/rfc822",
                "message/disposition-notification", "message/feedback-report", "message/global-delivery-status",
                "message/global-headers"}
_TYPE_NAMES = {"image/jpeg": "image.jpg", "image/png": "image.png", "image/gif": "image.gif",
               "image/heic": "image.heic", "text/html": "document.html", "text/plain": "document.txt",
               "application/pdf": "document.pdf", "application/octet-stream": "lampiran.bin",
               "message/rfc822": "pesan.eml", "text/calendar": "undangan.ics"}
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]+')


@dataclass
class MailPart:
    """A file as found in the mail; the collector decides whether it is stored. `role` is "file"
    for the citizen's attachments and "signature" for PGP/S-MIME parts kept out of that list."""

    filename: str
    declared_type: str
    data: bytes
    role: str = "file"


@dataclass
class _Item:
    text: str | None = None
    part: MailPart | None = None
    inline: bool = False
    html: bool = False


@dataclass
class BodyResult:
    text: str
    parts: list[MailPart]


def type_name(kind: str) -> str:
    """A name for an unnamed part from its type: `image.jpg`, `document.html`."""
    if kind in _TYPE_NAMES:
        return _TYPE_NAMES[kind]
    major = kind.split("/", 1)[0]
    extension = mimetypes.guess_extension(kind, strict=False) or ".bin"
    prefix = major if major in ("image", "audio", "video") else "document"
    return prefix + extension


def part_filename(part: Message) -> str:
    """The sender's file name, decoded (RFC 2231, RFC 2047 words, raw 8-bit), without any path."""
    try:
        name = part.get_filename() or ""
    except Exception:  # a broken RFC 2231 parameter
        name = ""
    name = fix_surrogates(str(name))
    if "=?" in name:
        name = header_text(name)
    name = re.split(r"[\\/]", name)[-1]
    return clean_header(name, limit=MAX_FILENAME_CHARS).strip(". ")


def _split_entity(raw: bytes) -> tuple[bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b""
    return raw[:match.start()], raw[match.end():]


def _children_raw(part: Message, raw: bytes | None, count: int) -> list[bytes | None]:
    """The raw bytes of each child of a multipart entity, when the boundaries can be found."""
    boundary = part.get_boundary()
    if raw is None or not boundary:
        return [None] * count
    _head, body = _split_entity(raw)
    marker = re.escape(str(boundary).encode("ascii", "surrogateescape"))
    lines = list(re.finditer(rb"(?m)^--" + marker + rb"(--)?[ \t]*\r?$", body))
    pieces: list[bytes | None] = []
    for first, second in zip(lines, lines[1:], strict=False):
        if first.group(1):
            break
        start = first.end() + (2 if body[first.end():first.end() + 2] == b"\r\n" else 1)
        end = second.start()
        end -= 2 if body[end - 2:end] == b"\r\n" else 1
        pieces.append(body[start:max(start, end)])
    return pieces if len(pieces) == count else [None] * count


def _attached_mail(part: Message, raw: bytes | None) -> bytes:
    """The attached mail exactly as it arrived (its transfer encoding undone, if a client added one)."""
    if raw is not None:
        _head, body = _split_entity(raw)
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        try:
            if encoding == "base64":
                return base64.b64decode(body)
            if encoding == "quoted-printable":
                return quopri.decodestring(body)
        except (binascii.Error, ValueError):
            pass
        return body
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    return inner.as_bytes() if isinstance(inner, Message) else b""


def _mail_name(part: Message) -> str:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    subject = ""
    if isinstance(inner, Message):
        values = raw_values(inner, "Subject")
        subject = clean_header(header_text(values[0]), limit=80) if values else ""
    subject = _UNSAFE_NAME.sub("_", subject).strip(". ")
    return f"{subject}.eml" if subject else "pesan.eml"


class _Walker:
    def __init__(self, flags: list[str]) -> None:
        self.flags = flags
        self.items: list[_Item] = []

    def text_of(self, part: Message) -> str:
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = b""
        if isinstance(payload, str):
            payload = payload.encode("utf-8", "surrogateescape")
        text = decode_bytes(payload, part.get_content_charset(), self.flags)
        if part.get_content_type() == "text/html":
            return html_to_text(text)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def file(self, part: Message, raw: bytes | None, inline: bool, role: str = "file") -> None:
        kind = part.get_content_type()
        name = part_filename(part)
        if kind == "message/rfc822":
            data = _attached_mail(part, raw)
            name = name or _mail_name(part)
        else:
            payload = part.get_payload(decode=True) or b""
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else payload
        self.items.append(_Item(part=MailPart(name or type_name(kind), kind, data, role), inline=inline))

    def walk(self, part: Message, raw: bytes | None, report: bool = False, related: bool = False) -> None:
        kind = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if not isinstance(children, list):
                return
            raws = _children_raw(part, raw, len(children))
            if kind == "multipart/alternative":
                self.alternative(children, raws, related)
            elif kind == "multipart/signed":
                for index, (child, child_raw) in enumerate(zip(children, raws, strict=True)):
                    if index == 0:
                        self.walk(child, child_raw, report, related)
                    else:
                        self.file(child, child_raw, False, "signature")
            else:
                for child, child_raw in zip(children, raws, strict=True):
                    self.walk(child, child_raw, report or kind == "multipart/report",
                              related or kind == "multipart/related")
            return
        disposition = part.get_content_disposition()
        if kind in SIGNATURE_TYPES:
            self.file(part, raw, False, "signature")
        elif report and kind in REPORT_PARTS:
            return  # the machine-readable half of a delivery report is read by mail_auto
        elif kind in ("text/plain", "text/html") and disposition != "attachment" and not part_filename(part):
            self.items.append(_Item(text=self.text_of(part), html=kind == "text/html"))
        else:
            self.file(part, raw, inline=not related and disposition != "attachment")

    def alternative(self, children: list[Message], raws: list[bytes | None], related: bool) -> None:
        """One rendering of the same text: plain unless it is a stub beside a much longer HTML."""
        walkers = []
        for child, child_raw in zip(children, raws, strict=True):
            walker = _Walker([])
            walker.walk(child, child_raw, related=related)
            walkers.append((child.get_content_type(), walker))
        plain = next((w for k, w in walkers if k == "text/plain"), None)
        rich = next((w for k, w in reversed(walkers) if k != "text/plain" and w.body().strip()), None)
        chosen = plain
        if plain is None or (rich is not None and _is_stub(plain.body(), rich.body())):
            chosen = rich or plain
            if rich is not None and plain is not None:
                self.flags.append("html_body")
        for _kind, walker in walkers:
            if walker is chosen:
                self.flags.extend(walker.flags)
                self.items.extend(walker.items)
            else:  # the other rendering's text is a copy; its files (related images) are kept
                self.items.extend(_Item(part=i.part) for i in walker.items if i.part is not None)

    def body(self) -> str:
        out: list[str] = []
        for index, item in enumerate(self.items):
            if item.text is not None:
                if item.text.strip():
                    out.append(item.text.strip("\n"))
            elif item.part is not None and item.part.role == "file" and (
                    item.inline and any(i.text and i.text.strip() for i in self.items[index + 1:])):
                out.append(f"[lampiran: {item.part.filename}]")
        return "\n\n".join(out)


def _is_stub(plain: str, rich: str) -> bool:
    plain_chars, rich_chars = len(plain.strip()), len(rich.strip())
    if not plain_chars:
        return rich_chars > 0
    return rich_chars >= STUB_MIN_HTML_CHARS and plain_chars * STUB_RATIO < rich_chars


def read_body(msg: Message, raw: bytes | None, flags: list[str]) -> BodyResult:
    """The body text (parts joined in order, placeholders where a file sat between them) and the files."""
    walker = _Walker(flags)
    walker.walk(msg, raw)
    texts = [i for i in walker.items if i.text is not None and i.text.strip()]
    if texts and all(i.html for i in texts) and "html_body" not in flags:
        flags.append("html_only")
    parts = [i.part for i in walker.items if i.part is not None]
    return BodyResult(walker.body(), parts)
