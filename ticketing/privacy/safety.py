"""Make citizens' text safe to show: no terminal escapes, no bidi tricks, NIK/KK masked.

Text is stored raw and escaped on display (kubectl's approach): every untrusted string goes
through `safe_terminal_text` before it reaches a terminal, and through `mask` (one function,
three styles) before it leaves the database in a table, an export, a notification or a log.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata

# C0 except \n and \t, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates,
# LRM/RLM, Arabic letter mark and zero-width characters that can hide or reorder text; also the
# invisible operators and deprecated shaping controls (U+2061-2064, U+206A-206F), interlinear
# annotation marks (U+FFF9-FFFB), tag characters (U+E0000-E007F, "ASCII smuggling") and lone
# surrogates, which would make printing to a UTF-8 stream fail.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_CONTROL_PICTURES = {0x1B: "␛", 0x00: "␀", 0x0D: "␍", 0x07: "␇", 0x08: "␈"}

# NIK / No. KK: 16 decimal digits (ASCII, full-width or any other script), optionally grouped with
# one space, dot or dash (also their full-width forms) between digits, not part of a longer digit
# run: a 15- or 17-digit number is not masked. Matched on the original text, so nothing else changes.
_SEPARATOR = "[ .\\-\u00a0\u3000\uff0e\uff0d]"
NIK_PATTERN = re.compile(rf"(?<!\d)(?:\d{_SEPARATOR}?){{15}}\d(?!\d)")
# Mobile numbers (08.., 62 8.., +62 8.., 0062 8..) and landlines with an area code ((0283) 671234).
PHONE_PATTERN = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)?62{_SEPARATOR}?|0)8\d(?:{_SEPARATOR}?\d){{6,10}}(?!\d)"
    r"|(?<![\d(])\(?0[2-79]\d{1,2}\)?[ .\-]?\d{5,8}(?!\d)"
)
EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code in _CONTROL_PICTURES:
        return _CONTROL_PICTURES[code]
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_terminal_safe(document: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every character a terminal
    would act on written as a `\\uXXXX` escape: same data, nothing interpreted when printed."""
    return _UNSAFE.sub(_json_escape, document)


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in text if unicodedata.decimal(char, None) is not None)


def mask_number(digits: str) -> str:
    """Keep the first four and last four digits of a 16-digit number: 3329********0001."""
    only = _ascii_digits(digits)
    return only[:4] + "*" * 8 + only[-4:]


def mask_phone(number: str) -> str:
    """Keep the prefix and the last three digits: 08*******890, +62********890."""
    only = _ascii_digits(number)
    plus = "+" if number.lstrip("(").startswith("+") else ""
    return plus + only[:2] + "*" * max(len(only) - 5, 3) + only[-3:]


def display_handle(handle: str | None) -> str:
    """A contact handle as staff screens show it: a phone number (a WhatsApp id) masked, others as is."""
    value = (handle or "").strip()
    digits = value.lstrip("+")
    return mask_phone(value) if digits.isdigit() and len(digits) >= 8 else value


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


PARTIAL, PSEUDONYM, OMIT = "partial", "pseudonym", "omit"
OMITTED = {"EMAIL": "[email]", "TEL": "[no. HP]"}  # recaps keep no address or number, not even masked


def mask(text: str | None, *, contacts: bool = True, style: str = PARTIAL) -> str:
    """The one masking function: NIK/KK numbers and, with `contacts`, phone numbers and e-mail
    addresses, in every form `NIK_PATTERN`, `PHONE_PATTERN` and `EMAIL_PATTERN` know.

    `style` says what a match becomes: `partial` for screens, tables, exports and notifications
    (3329********0002, 08*******890, b***@mail.co.id); `pseudonym` for logs (`NIK#<hmac8>`:
    joinable, unreadable); `omit` for recaps (NIK partial, contacts as a label only).
    """
    if not text:
        return ""

    def replace(kind: str, value: str) -> str:
        if style == PSEUDONYM:
            return pseudonym(kind, value)
        if style == OMIT and kind in OMITTED:
            return OMITTED[kind]
        return {"NIK": mask_number, "EMAIL": mask_email, "TEL": mask_phone}[kind](value)

    text = NIK_PATTERN.sub(lambda m: replace("NIK", m.group(0)), text)
    if contacts:
        text = EMAIL_PATTERN.sub(lambda m: replace("EMAIL", m.group(0)), text)
        text = PHONE_PATTERN.sub(lambda m: replace("TEL", m.group(0)), text)
    return text


def mask_sensitive(text: str | None, *, contacts: bool = False) -> str:
    """`mask` for staff tables: NIK/KK always; phones and e-mails only with `contacts` (staff
    need a citizen's number to call back)."""
    return mask(text, contacts=contacts)


def mask_personal(text: str | None) -> str:
    """`mask` with NIK/KK, phone numbers and e-mail addresses (notifications, public text)."""
    return mask(text, contacts=True)


def contains_nik(text: str | None) -> bool:
    return bool(text) and NIK_PATTERN.search(text) is not None


def contains_contact(text: str | None) -> bool:
    """A phone number or an e-mail address."""
    return bool(text) and (PHONE_PATTERN.search(text) is not None or EMAIL_PATTERN.search(text) is not None)


# --- log pseudonyms ---------------------------------------------------------------------------
# Logs get `NIK#<8 hex>` instead of a number: the same NIK gives the same token (joinable across
# log lines), the number cannot be read back. The key is random per process until
# `set_log_key` installs a configured one (ticketing.privacy.rules.install_log_key), which also makes
# tokens joinable across runs and machines.
_log_key: bytes = os.urandom(32)


def set_log_key(key: bytes | str) -> None:
    global _log_key
    _log_key = key.encode("utf-8") if isinstance(key, str) else bytes(key)


def pseudonym(kind: str, value: str) -> str:
    material = _ascii_digits(value) if kind in ("NIK", "TEL") else value.lower()
    return f"{kind}#{hmac.new(_log_key, material.encode('utf-8'), hashlib.sha256).hexdigest()[:8]}"


def pseudonymise(text: str | None, *, contacts: bool = False) -> str:
    """`mask` for a log line: NIK/KK (and with `contacts`, phones and e-mails) as keyed pseudonyms."""
    return mask(text, contacts=contacts, style=PSEUDONYM)
