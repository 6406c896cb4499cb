"""The `--help` texts of every command and option, paired Indonesian / English.

Command modules write their help in one language (mostly Indonesian); `translate` finds the
pair by either text and returns it in the chosen language, so `aduan --lang en inbox --help`
is English throughout and the default is Indonesian throughout. A text missing here shows as
written; tests/test_cli_language.py walks every command and catches it.
"""

from __future__ import annotations

PAIRS: tuple[tuple[str, str], ...] = (
)

_INDEX: dict[str, tuple[str, str]] = {}


def _index() -> dict[str, tuple[str, str]]:
    if not _INDEX:
        for indonesian, english in PAIRS:
            _INDEX[indonesian.strip()] = _INDEX[english.strip()] = (indonesian, english)
    return _INDEX


def translate(text: str | None, locale: str) -> str | None:
    if not text:
        return text
    pair = _index().get(text.strip())
    if pair is None:
        return text
    return pair[1] if locale == "en" else pair[0]
