"""Bytes of a mail to text: the declared charset widened to what senders really use, UTF-8 first for
undeclared 8-bit text, detection when a label fails, cp1252 last. Never raises.

Mail clients label text with the narrow standard name of a wider encoding they actually write:
"GB2312" mail carries GBK characters, "ks_c_5601-1987" is Windows' cp949, "iso-8859-8-i" is
logical-order Hebrew, "windows-874" is Thai. Web contact forms send UTF-8 with no charset at
all. Decoding under the narrow name fills a citizen's complaint with U+FFFD or mojibake.
"""

from __future__ import annotations

import codecs

# The label a sender writes -> the codec that reads what it really wrote.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "windows-1252": "cp1252", "x-user-defined": "cp1252", "ansi_x3.4-1968": "cp1252",
    "gb2312": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "chinese": "gb18030", "x-euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ksc5601": "cp949", "ks_c_5601-1989": "cp949",
    "euc-kr": "cp949", "x-windows-949": "cp949", "korean": "cp949",
    "iso-8859-8-i": "iso8859-8", "iso-8859-8-e": "iso8859-8", "iso_8859-8-i": "iso8859-8", "logical": "iso8859-8",
    "visual": "iso8859-8",
    "windows-874": "cp874", "x-windows-874": "cp874", "tis-620": "cp874", "tis620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "ms_kanji": "cp932", "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-9": "cp1254", "iso-8859-7": "cp1253", "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8",
}
_UNDECLARED = {"", "us-ascii", "ascii", "ansi_x3.4-1968", "us", "unknown-8bit", "x-unknown", "8bit", "default"}
# Detection guesses wrong on short Latin text (cp1250 for French); only these results are trusted.
_TRUSTED_GUESSES = {
    "utf_8", "gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp950", "cp932", "shift_jis", "shift_jis_2004",
    "euc_jp", "euc_jis_2004", "iso2022_jp", "cp949", "euc_kr", "johab", "cp874", "tis_620", "koi8_r", "koi8_u",
    "cp1251", "cp866", "iso8859_5", "mac_cyrillic", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp1253",
    "iso8859_7",
}
_DETECT_MIN_HIGH_BYTES = 8  # fewer 8-bit bytes than this is too little evidence for a guess
_LATIN_LABELS = {"cp1252", "iso8859-15", "iso8859-1"}  # single-byte labels UTF-8 bytes often hide behind
_SEVEN_BIT_CODECS = ("iso2022", "utf-7", "hz")  # ASCII bytes that still need their codec
_NO_BOM_CODECS = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "utf_7"]


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label (widened), or None when the label names nothing known."""
    text = (label or "").strip().strip('"').strip("'").lower()
    name = CHARSET_ALIASES.get(text, text)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _high_bytes(payload: bytes) -> int:
    return sum(1 for b in payload if b > 0x7F)


def detect(payload: bytes) -> str | None:
    """charset-normalizer's best guess, kept only when it is a guess worth trusting."""
    if _high_bytes(payload) < _DETECT_MIN_HIGH_BYTES:
        return None
    from charset_normalizer import from_bytes  # imported here: most mail never needs it

    best = from_bytes(payload[:64_000], cp_exclusion=_NO_BOM_CODECS).best()
    if best is None or best.encoding not in _TRUSTED_GUESSES:
        return None
    try:
        payload.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):  # a guess on the sample that the whole does not bear out
        return None
    return best.encoding


def decode_bytes(payload: bytes, charset: str | None, flags: list[str]) -> str:
    """Bytes to text under the declared charset, never raising.

    Undeclared (or us-ascii-labelled) 8-bit text: UTF-8, else a trusted guess, else cp1252.
    A label the bytes do not bear out: a trusted guess (flag `charset_mismatch`), else the old
    rules (cp1252 for a UTF-8 label with no valid sequence at all, else U+FFFD and `invalid_bytes`).
    An unknown label (flag `unknown_charset`) is treated as undeclared.
    """
    label = (charset or "").strip().strip('"').lower()
    name = None if label in _UNDECLARED else codec_for(label)
    if payload.isascii() and not (name or "").startswith(_SEVEN_BIT_CODECS):
        return payload.decode("ascii")
    if name is None:
        if label not in _UNDECLARED:
            flags.append("unknown_charset")
        return decode_undeclared(payload)
    try:
        text = payload.decode(name)
    except UnicodeDecodeError:
        pass
    else:
        if name in _LATIN_LABELS and _is_utf8(payload):  # a form or client that says Latin-1 and writes UTF-8
            flags.append("charset_mismatch")
            return payload.decode("utf-8")
        return text
    guess = detect(payload)
    if guess is not None and guess != name:
        flags.append("charset_mismatch")
        return payload.decode(guess)
    if name == "utf-8":
        lenient = payload.decode("utf-8", "replace")
        if not any(ord(ch) > 0x7F and ch != "\ufffd" for ch in lenient):
            flags.append("charset_mismatch")  # no valid multi-byte sequence at all: a lying label
            return payload.decode("cp1252", "replace")
        flags.append("invalid_bytes")
        return lenient
    flags.append("invalid_bytes")
    return payload.decode(name, "replace")


def _is_utf8(payload: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte sequence: Latin-1 text almost never is by accident."""
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not payload.isascii()


def decode_undeclared(payload: bytes) -> str:
    """8-bit bytes that came with no usable label (a raw header, a filename, a form's body)."""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = detect(payload)
    return payload.decode(guess) if guess else payload.decode("cp1252", "replace")
