"""The codec of the comma-separated columns (`ticket.flags`, `ticket.tags`, `message.flags`,
`notification.via`): one way to read, add and remove entries, so an empty string, a stray comma
or a repeated entry mean the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable


def parse_flags(text: str | None) -> list[str]:
    """The entries in stored order, without empties or repeats."""
    return list(dict.fromkeys(part for part in (text or "").split(",") if part))


def join_flags(entries: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(entry for entry in entries if entry))


def add_flag(text: str | None, flag: str) -> str:
    return join_flags([*parse_flags(text), flag])


def remove_flag(text: str | None, flag: str) -> str:
    return join_flags(entry for entry in parse_flags(text) if entry != flag)


def has_flag(text: str | None, flag: str) -> bool:
    return flag in parse_flags(text)
