"""Who wrote a mail, read from the raw header bytes, and header text decoded the way senders encode it.

The email package's modern header objects rewrite a From value before anyone sees it: an address
with a trailing dot, an empty `<>` before the real address, a comment holding the name, or two
From headers come out empty or wrong, and the citizen's mail could not be attributed. Here every
From header is read raw, split with `getaddresses`, and the first valid address wins; without
one, a person's mail falls back to Reply-To, Sender, then Return-Path, and the header used is
recorded. A header block broken by an unindented continuation line (or preceded by a divider
line pasted by a forwarding client) is repaired before parsing, so From and Subject are not
read as body text.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from collectors.mail_charset import decode_bytes
from collectors.mail_text import clean_header, fix_surrogates

FALLBACK_HEADERS = ("Reply-To", "Sender", "Return-Path")  # in this order, only for a person's mail
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
_VALID_ADDRESS = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@(?:[\w-]+\.)+[\w-]{2,}$")
_ADDRESS_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@(?:[\w-]+\.)+[\w-]{2,}")
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_LEADING_DIVIDER = re.compile(rb"^\s*[-=_*~>]{2,}.{0,80}$")
_MAX_LEADING_JUNK = 3  # non-header lines before the first header that a repair may drop
MAX_NAME_CHARS = 200


@dataclass
class Sender:
    address: str  # lower case, "" when the mail names nobody
    name: str
    source: str | None  # the header the address came from: From, Reply-To, Sender, Return-Path


def _decode_word(charset: str, encoding: str, text: str) -> bytes:
    if encoding in "Bb":
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return text.encode("ascii", "replace")
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)


def header_text(raw: object) -> str:
    """A raw header value as text: unfolded, RFC 2047 words decoded under widened charsets (adjacent
    words of one charset joined as bytes first, so a character split across two words survives),
    raw 8-bit bytes read as UTF-8 or guessed. Not yet cleaned of control characters."""
    text = fix_surrogates(re.sub(r"\r?\n[ \t]*", " ", str(raw or "")))
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        if between and (pending is None or between.strip()):
            if pending is not None:
                out.append(decode_bytes(bytes(pending[1]), pending[0], []))
                pending = None
            out.append(between)
        charset = match.group(1).lower()
        data = _decode_word(charset, match.group(2), match.group(3))
        if pending is not None and pending[0] == charset:
            pending[1].extend(data)
        else:
            if pending is not None:
                out.append(decode_bytes(bytes(pending[1]), pending[0], []))
            pending = (charset, bytearray(data))
        position = match.end()
    if pending is not None:
        out.append(decode_bytes(bytes(pending[1]), pending[0], []))
    out.append(text[position:])
    return "".join(out)


def raw_values(msg: Message, name: str) -> list[str]:
    """Every value of a header, raw (as the sender wrote it), in order."""
    lower = name.lower()
    return [str(value) for key, value in msg.raw_items() if key.lower() == lower]


def valid_address(value: str) -> str:
    """The address cleaned of what real senders add (brackets, quotes, trailing dots), or ""."""
    address = fix_surrogates(value).strip().strip("<>\"' ").rstrip(".").strip()
    return address if _VALID_ADDRESS.match(address) else ""


def _name(raw_name: str) -> str:
    name = clean_header(header_text(raw_name), limit=MAX_NAME_CHARS).strip("\"' ")
    return name


def first_address(values: list[str]) -> tuple[str, str]:
    """(address, name) of the first valid address over the header values, or ("", "")."""
    for value in values:
        value = re.sub(r"\r?\n[ \t]*", " ", value)  # unfolded: a folded From is one value
        for raw_name, raw_address in getaddresses([value]):
            address = valid_address(raw_address)
            if address:
                return address.lower(), _name(raw_name)
        decoded = clean_header(header_text(value))
        found = _ADDRESS_IN_TEXT.search(decoded)  # quoting so odd that getaddresses gave up
        if found and valid_address(found.group(0)):
            before = decoded[:found.start()].rstrip(" <(\"'")
            return valid_address(found.group(0)).lower(), clean_header(before, MAX_NAME_CHARS).strip("\"' ")
    return "", ""


def attribute(msg: Message, person: bool) -> Sender:
    """The sender: the first valid From; for a person's mail without one, the first fallback header."""
    address, name = first_address(raw_values(msg, "From"))
    if address:
        return Sender(address, name, "From")
    if person:
        for header in FALLBACK_HEADERS:
            address, fallback_name = first_address(raw_values(msg, header))
            if address:
                return Sender(address, fallback_name, header)
    return Sender("", "", None)


def repair_header_block(raw: bytes) -> bytes | None:
    """The mail with a broken header block mended, or None when it needs no mending.

    A non-header line inside the header block is an unindented continuation when more header
    lines follow it (it is folded into the header above), else the start of a body that lacks
    its blank separator line (one is inserted). Up to three divider lines before the first
    header (`---- Original email message ----`) are dropped.
    """
    head, sep, body = _split_head(raw)
    lines = head.split(b"\n")
    start = 0
    while start < min(len(lines), _MAX_LEADING_JUNK) and not _HEADER_LINE.match(lines[start]) \
            and _LEADING_DIVIDER.match(lines[start].rstrip(b"\r")):
        start += 1
    if start < len(lines) and not _HEADER_LINE.match(lines[start]):
        return None  # not a header block we can read: leave it to the parser
    fixed: list[bytes] = []
    changed = start > 0
    for index in range(start, len(lines)):
        line = lines[index]
        if _HEADER_LINE.match(line) or line[:1] in (b" ", b"\t"):
            fixed.append(line)
            continue
        if any(_HEADER_LINE.match(later) for later in lines[index + 1:]):
            fixed.append(b" " + line)
        else:  # the body started without a blank line
            rest = b"\n".join(lines[index:])
            return b"\n".join(fixed) + b"\n" + (b"\r\n" if line.endswith(b"\r") else b"\n") + rest + sep + body
        changed = True
    if not changed:
        return None
    return b"\n".join(fixed) + sep + body


def _split_head(raw: bytes) -> tuple[bytes, bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b"", b""
    return raw[:match.start()], raw[match.start():match.end()], raw[match.end():]


__all__ = ["Sender", "attribute", "first_address", "header_text", "raw_values",
           "repair_header_block", "valid_address"]
