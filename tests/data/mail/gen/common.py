"""Building blocks for the mail corpus: encodings, MIME parts and the case registry.

Every mail in tests/data/mail/ is written here by hand, in the shapes the named clients and
servers produce (header order, boundaries, transfer encodings, X- headers), from RFC 5322,
2045-2049, 2231, 3464, 3834 and the clients' observable habits. Nothing is copied from
another project's corpus. `python -m tests.data.mail.gen` rewrites the files.
"""

from __future__ import annotations

import base64
import quopri
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OFFICE = "pengaduan@dukcapil.brebeskab.go.id"
OFFICE_REPLY_ID = "aduan.ADU-2026-000{n:03d}.{tag}@dukcapil.brebeskab.go.id"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(64)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 24
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SIGNATURE = b"0\x82\x05\x1a\x06\t*\x86H\x86\xf7\r\x01\x07\x02\xa0\x82\x05\x0b" + b"\x01" * 40


@dataclass
class Case:
    slug: str
    family: str  # outlook, apple, gmail, yahoo, thunderbird, webform, bounce, charset, broken
    raw: bytes
    expect: dict[str, Any] = field(default_factory=dict)


CASES: list[Case] = []


def case(slug: str, family: str) -> Callable[[Callable[[], tuple[bytes, dict[str, Any]]]], None]:
    """Register a mail: the function returns its bytes and what aduan must read from them."""
    def register(build: Callable[[], tuple[bytes, dict[str, Any]]]) -> None:
        raw, expect = build()
        CASES.append(Case(slug, family, raw, expect))
    return register


def crlf(text: str) -> str:
    """Mail on the wire has CRLF line ends; sources here are written with LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def mail(text: str, charset: str = "ascii") -> bytes:
    """A whole mail from LF-written text; `charset` encodes any 8-bit content written literally."""
    return crlf(text).encode(charset)


def b64(data: bytes | str, charset: str = "utf-8", width: int = 76) -> str:
    raw = data.encode(charset) if isinstance(data, str) else data
    encoded = base64.b64encode(raw).decode("ascii")
    return "\n".join(encoded[i:i + width] for i in range(0, len(encoded), width))


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.replace("\n", "\r\n").encode(charset)).decode("ascii").replace("\r\n", "\n")


def word(text: str, charset: str = "utf-8", kind: str = "B", codec: str | None = None) -> str:
    """One RFC 2047 encoded-word labelled `charset`, its bytes written with `codec` (default: the label)."""
    data = text.encode(codec or charset)
    if kind == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="
    body = "".join(chr(b) if (chr(b).isalnum() and b < 128) else ("_" if b == 32 else f"={b:02X}") for b in data)
    return f"=?{charset}?Q?{body}?="


def expect(subject: str, sender: str | None, name: str, body: list[str], *, attachments: list[str] | None = None,
           automatic: bool = False, bounce: bool = False, **extra: Any) -> dict[str, Any]:
    """Expectations in one shape: the YAML beside each mail."""
    found: dict[str, Any] = {"subject": subject, "from": sender, "name": name, "body": body,
                             "attachments": attachments or [], "automatic": automatic, "bounce": bounce}
    found.update(extra)
    return found
