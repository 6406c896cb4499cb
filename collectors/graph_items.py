"""The items of a Graph page: their id, time and text, or a quarantine with the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ticketing.clock import parse_instant
from ticketing.contract import InboundMessage, PayloadError, QuarantinedItem
from ticketing.privacy.redact import redact


class Harvest:
    """The messages of one fetch, de-duplicated by external id, and the items that failed to parse.

    Overlapping Graph pages can hand the same item twice; a malformed item is quarantined and
    the rest of the batch goes on.
    """

    def __init__(self, channel: str):
        self.channel = channel
        self.messages: dict[str, InboundMessage] = {}
        self.quarantined: list[QuarantinedItem] = []

    def add(self, build: Callable[[], InboundMessage], raw: Any) -> InboundMessage | None:
        try:
            message = build()
        except PayloadError as exc:
            self.quarantine(str(exc), raw, exc.external_id)
            return None
        self.messages.setdefault(message.external_id, message)
        return message

    def quarantine(self, reason: str, raw: Any, external_id: str | None = None) -> None:
        self.quarantined.append(QuarantinedItem(self.channel, redact(reason), raw, external_id))


def item_id(raw: Any, what: str) -> str:
    """A Graph id as a string; ids are opaque and never numbers in our hands."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise PayloadError(f"{what} without an id", raw)
    return str(value)


def item_time(raw: Any, key: str, what: str) -> datetime:
    """A Graph timestamp (`2026-11-24T01:12:33+0000`) as an aware UTC datetime, or PayloadError."""
    value = raw.get(key) if isinstance(raw, dict) else None
    try:
        return parse_instant(value)
    except (AttributeError, TypeError, ValueError):
        external = raw.get("id") if isinstance(raw, dict) else None
        raise PayloadError(f"{what} has no valid {key}: {str(value)[:40]!r}", raw,
                           str(external) if external else None) from None


def item_text(raw: Any, key: str, what: str) -> str:
    value = raw.get(key, "") if isinstance(raw, dict) else None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{what} has a non-text {key}", raw, str(raw.get("id") or "") or None)
    return value


def dated_items(page: Any, harvest: Harvest, time_key: str, what: str) -> Iterator[tuple[Any, str, datetime]]:
    """The items of one page with their id and time; an item lacking either is quarantined."""
    for raw in edge_items(page):
        try:
            item = raw, item_id(raw, what), item_time(raw, time_key, what)
        except PayloadError as exc:
            harvest.quarantine(str(exc), raw, exc.external_id)
            continue
        yield item


def edge_items(page: Any) -> list[Any]:
    data = page.get("data") if isinstance(page, dict) else None
    return data if isinstance(data, list) else []
