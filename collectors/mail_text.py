"""Text helpers for mail: HTML to plain text, quoted-history trimming, header cleaning,
file-type sniffing and identity-document detection.

Pure functions on str/bytes, no I/O: the HTML converter never fetches anything (no remote
images, no tracking pixels), it only reads the markup it is given.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from collectors.mail_charset import decode_undeclared

# Tags whose content is never shown to a reader of the mail.
_INVISIBLE = {"script", "style", "head", "title", "noscript", "template", "object", "iframe", "svg"}
# Tags that start a new line of text.
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr",
          "blockquote", "pre", "section", "article", "header", "footer", "dt", "dd", "address", "aside",
          "caption", "center", "dl", "details", "summary", "fieldset", "figure", "figcaption", "form", "legend",
          "main", "nav", "tbody", "thead", "tfoot"}
_CELLS = {"td", "th"}  # cells of one row stay on one line, apart: `Nama: Budi`, `Budi | Brebes`
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|bls|balas|balasan|trs|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_TICKET_TAG = re.compile(r"\s*\[ADU-\d{4}-\d{6}\]\s*")
_ATTRIBUTION = re.compile(r"^\s*(?:pada|on|le|am)\b.{0,400}?(?:menulis|wrote|a écrit|schrieb)\s*:\s*$", re.I | re.S)
_DIVIDERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|pesan asli|forwarded message|pesan yang diteruskan)\s*-{2,}"
    r"|_{20,})\s*$", re.I)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|dari)\s*:\*?\s.+$", re.I)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(?:sent|dikirim|terkirim|date|tanggal)\s*:\*?\s.+$", re.I)


def fix_surrogates(value: str) -> str:
    """Undo surrogateescape from raw 8-bit header bytes: UTF-8 if valid, else a trusted guess, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_undeclared(value.encode("utf-8", "surrogateescape"))


def clean_header(value: object, limit: int = 998) -> str:
    """One safe line: unfolded, control characters (CR, LF, NUL, ESC, C1) removed, whitespace collapsed.

    Header values from citizens' mail are reused in our replies and shown to staff; a decoded
    encoded-word can carry CR/LF or escapes, which must never become a new header line.
    """
    text = fix_surrogates(str(value or ""))
    text = _CONTROL.sub(" ", text.replace("\t", " "))
    text = " ".join(text.split())
    return text[:limit]


def strip_reply_prefixes(subject: str) -> str:
    """`Re: RE: Bls: Fwd: [ADU-2026-000123] KTP` -> `KTP`: our replies carry exactly one `Re:`."""
    previous = None
    text = clean_header(subject)
    while previous != text:
        previous = text
        text = _REPLY_PREFIX.sub("", text)
        text = _TICKET_TAG.sub(" ", text).strip()
    return text


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML body, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._hidden = 0
        self._quote = 0
        self._pre = 0
        self._line_quote = 0
        self._cell_pending = False

    def _newline(self, force: bool = False) -> None:
        text = "".join(self._current)
        text = text if self._pre else " ".join(text.split())
        if text or force:
            self.lines.append("> " * self._line_quote + text)
        self._current = []
        self._cell_pending = False
        self._line_quote = self._quote

    def _paragraph(self) -> None:
        self._newline()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("> " * self._quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self._hidden:
                self._current.append(f"[gambar: {alt}]")
        elif tag == "br":
            self._newline(force=True)
        elif tag in _CELLS:
            self._cell()
        elif tag in _BLOCK:
            self._newline()
            if tag == "blockquote":
                self._quote += 1
                self._line_quote = self._quote
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._current.append("- ")

    def _cell(self) -> None:
        """A new cell: its first text gets a space after a label ending in `:`, else ` | `, so cells
        never run together and empty cells add nothing."""
        self._cell_pending = bool("".join(self._current).strip())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in ("p", "blockquote", "table", "ul", "ol"):
            if tag == "blockquote":
                self._newline()
                self._quote = max(0, self._quote - 1)
                self._line_quote = self._quote
            self._paragraph()
        elif tag in _BLOCK:
            self._newline()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._cell_pending and data.strip():
            before = "".join(self._current).rstrip()
            self._current = [before, " " if before.endswith(":") else " | "]
            self._cell_pending = False
        self._current.append(data)

    def text(self) -> str:
        self._newline()
        return collapse_blank_lines("\n".join(self.lines))


def collapse_blank_lines(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    """Readable text from an HTML body; quoted blocks become `> ` lines so they can be trimmed."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pathological markup: fall back to stripping tags
        return collapse_blank_lines(re.sub(r"<[^>]*>", " ", html))
    return parser.text()


def _is_outlook_header(lines: list[str], index: int) -> bool:
    """Outlook quotes with a `From:` / `Sent:` block; one `Dari:` line alone is citizen text."""
    return bool(_OUTLOOK_FROM.match(lines[index])) and any(
        _OUTLOOK_SENT.match(line) for line in lines[index + 1:index + 4])


def _is_attribution(lines: list[str], index: int) -> bool:
    for span in (1, 2, 3):
        chunk = " ".join(line.strip() for line in lines[index:index + span])
        if _ATTRIBUTION.match(chunk):
            return True
    return False


def trim_quoted(text: str) -> str:
    """The new part of a reply: drop the quoted history below an attribution line or divider,
    or a trailing block of `>` lines. Interleaved answers are kept whole. Never returns empty
    when the input had content."""
    lines = text.split("\n")
    cut = None
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            rest = [x for x in lines[index:] if x.strip()]
            if all(x.lstrip().startswith(">") for x in rest):
                cut = index
                break
            continue
        if _DIVIDERS.match(line) or _is_outlook_header(lines, index) or (
                line.strip() and _is_attribution(lines, index)):
            cut = index
            break
    if cut is None:
        return text.strip()
    trimmed = "\n".join(lines[:cut]).strip()
    return trimmed or text.strip()


_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"Rar!\x1a\x07", 0, "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x7fELF", 0, "application/x-executable"),
]
_FTYP = {b"heic": "image/heic", b"heix": "image/heic", b"mif1": "image/heif", b"avif": "image/avif",
         b"isom": "video/mp4", b"mp41": "video/mp4", b"mp42": "video/mp4", b"qt  ": "video/quicktime",
         b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"M4A ": "audio/mp4"}


def sniff_type(data: bytes) -> str:
    """The file type the bytes say they are; the sender's Content-Type is not trusted."""
    for magic, offset, kind in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _FTYP:
        return _FTYP[data[8:12]]
    head = data[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # a multi-byte character cut at the sample's end is fine
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


_ID_TOKENS = {"ktp", "ektp", "ktpel", "kk", "kia", "nik", "identitas", "kartukeluarga", "kartutandapenduduk"}
_ID_SUBSTRINGS = ("ktp", "kartukeluarga", "kartutandapenduduk", "identitas")


def looks_like_identity_document(filename: str, content_type: str) -> bool:
    """A photo or scan whose name says KTP/KK/KIA: kept for staff, never put in exports."""
    if not (content_type.startswith("image/") or content_type == "application/pdf"):
        return False
    name = re.sub(r"\.[a-z0-9]{1,5}$", "", filename.lower())
    tokens = [t for t in re.split(r"[^a-z0-9]+", name) if t]
    joined = "".join(tokens)
    if any(t in _ID_TOKENS or (t.startswith("kk") and t[2:].isdigit()) for t in tokens):
        return True
    return any(s in joined for s in _ID_SUBSTRINGS)
