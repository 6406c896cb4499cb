"""Make citizens' text safe to show: no terminal escapes, no bidi tricks, NIK/KK masked.

Text is stored raw and escaped on display (kubectl's approach): every untrusted string goes
through `safe_terminal_text` before it reaches a terminal, and through `mask_sensitive`
before it leaves the database in a table or an export.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except \n and \t, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates,
# LRM/RLM, Arabic letter mark and zero-width characters that can hide or reorder text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\u200b-\u200d\u2060\ufeff]"
)
_CONTROL_PICTURES = {0x1B: "␛", 0x00: "␀", 0x0D: "␍", 0x07: "␇", 0x08: "␈"}

# 16 digits, optionally grouped with spaces, dots or dashes, not part of a longer digit run.
NIK_PATTERN = re.compile(r"(?<![0-9])(?:[0-9][ .\-]?){15}[0-9](?![0-9])")


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code in _CONTROL_PICTURES:
        return _CONTROL_PICTURES[code]
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block
    return f"\\u{code:04x}"


def safe_terminal_text(text: str | None, max_chars: int | None = None, single_line: bool = False) -> str:
    """Neutralise everything a terminal would interpret; keep the text readable."""
    if not text:
        return ""
    value = unicodedata.normalize("NFC", text)
    if single_line:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    value = _UNSAFE.sub(_visible, value)
    if max_chars is not None and len(value) > max_chars:
        value = value[: max_chars - 1] + "…"
    return value


def mask_number(digits: str) -> str:
    """Keep the first four and last four digits of a 16-digit number: 3329********0001."""
    only = re.sub(r"[^0-9]", "", digits)
    return only[:4] + "*" * 8 + only[-4:]


def mask_sensitive(text: str | None) -> str:
    """Mask NIK/KK numbers (also grouped and full-width) in text that leaves the database."""
    if not text:
        return ""
    normalised = unicodedata.normalize("NFKC", text)
    if normalised != text and NIK_PATTERN.search(normalised):
        text = normalised
    return NIK_PATTERN.sub(lambda m: mask_number(m.group(0)), text)


def contains_nik(text: str | None) -> bool:
    return bool(text) and bool(NIK_PATTERN.search(unicodedata.normalize("NFKC", text)))
