"""High-water marks of the Graph readers: how far one source (an inbox, a feed) has been read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ticketing.clock import parse_instant

FUTURE_SKEW = timedelta(minutes=10)  # a timestamp further ahead than this never moves a watermark


@dataclass
class Watermark:
    """How far one source has been read: the newest item time, and the ids seen at that time.

    Keeping the ids makes equal timestamps safe: an item stamped exactly at the mark but not
    yet seen is still new. Graph lists newest first, so when the page budget runs out before
    the mark is reached, the read is suspended: `resume` holds the next page (its link without
    any token) and `pending_*` the newest item already taken; the next fetch goes on from
    there, and only when it reaches the old mark does the mark jump to the pending one.
    """

    time: str | None = None
    ids: list[str] = field(default_factory=list)
    resume: str | None = None
    pending_time: str | None = None
    pending_ids: list[str] = field(default_factory=list)

    @property
    def instant(self) -> datetime | None:
        return parse_instant(self.time) if self.time else None

    def covers(self, when: datetime, item_id: str) -> bool:
        """True when the item is behind the mark or was already seen at the mark's time."""
        mark = self.instant
        return mark is not None and (when < mark or (when == mark and item_id in self.ids))

    def advanced(self, seen: Iterable[tuple[datetime, str]], now: datetime) -> Watermark:
        """The mark after a complete read that stored `seen`."""
        base = (self.pending_time, self.pending_ids) if self.resume and self.pending_time else (self.time, self.ids)
        time, ids = _merge(base[0], base[1], seen, now)
        return Watermark(time, ids)

    def suspended(self, seen: Iterable[tuple[datetime, str]], now: datetime, link: str | None,
                  floor: datetime | None) -> Watermark:
        """The mark after a read cut short by the page budget: keep the floor, remember where to go on."""
        base = (self.pending_time, self.pending_ids) if self.resume else (None, [])
        pending_time, pending_ids = _merge(base[0], base[1], seen, now)
        time = self.time or (floor.isoformat() if floor is not None else None)
        return Watermark(time, list(self.ids), link, pending_time, pending_ids)

    @classmethod
    def from_json(cls, data: Any) -> Watermark:
        if not isinstance(data, dict):
            return cls()
        return cls(data.get("time"), [str(i) for i in data.get("ids") or []], data.get("resume") or None,
                   data.get("pending_time"), [str(i) for i in data.get("pending_ids") or []])


def _merge(time: str | None, ids: list[str], seen: Iterable[tuple[datetime, str]],
           now: datetime) -> tuple[str | None, list[str]]:
    """Newest time and its ids; future-dated items (clock skew) never move a mark."""
    ceiling = now + FUTURE_SKEW
    usable = [(when, item) for when, item in seen if when <= ceiling]
    mark = parse_instant(time) if time else None
    if not usable:
        return time, list(ids)
    newest = max(when for when, _ in usable)
    if mark is not None and newest < mark:
        return time, list(ids)
    found = {item for when, item in usable if when == newest}
    if mark is not None and newest == mark:
        found.update(ids)
    return newest.isoformat(), sorted(found)
