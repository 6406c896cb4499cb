"""Reading X: the mentions timeline and DM events, at the lowest billed cost.

X bills every item a read returns, so an idle run must cost next to nothing:
- mentions carry `since_id`: an idle run returns no item at all;
- DM events have no `since_id`. A run that knows the newest stored event first *probes* with
  `max_results=1`: when the newest event is the stored one, the run ends after one billed item;
  otherwise it pages on from the probe's `next_token`, full pages, newest first, and stops at
  the first page that reaches the stored event;
- an endpoint read less than its interval ago (`mentions_interval_minutes`,
  `dms_interval_minutes`) is not read at all this run.
Ids are compared as integers throughout (`bigger_id`, `smaller_id`): X ids grow in length.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.x_config import XCursor, XSettings
from collectors.x_payload import (
    DM_EVENT_FIELDS,
    DM_EXPANSIONS,
    MEDIA_FIELDS,
    TWEET_EXPANSIONS,
    TWEET_FIELDS,
    USER_FIELDS,
    PageParser,
    bigger_id,
    smaller_id,
)
from ticketing.contract import CollectorError, InboundMessage, QuarantinedItem

PAGE_REPEATS_TOLERATED = 2  # one replayed page is a glitch worth one retry; a third time is stuck
MENTIONS_MIN_RESULTS = 5  # the mentions endpoint refuses max_results below 5
DM_PROBE_RESULTS = 1  # an idle DM read costs one billed event

Call = Callable[..., dict[str, Any]]


@dataclass
class ReadRun:
    """Bookkeeping for one fetch: what was read, and how much more it may read."""

    max_pages: int
    budget_left: int | None
    reads: int = 0
    messages: list[InboundMessage] = field(default_factory=list)
    quarantined: list[QuarantinedItem] = field(default_factory=list)

    def page_size(self, wanted: int, minimum: int) -> int | None:
        """How many items to ask for; None when the allowance cannot pay for a page."""
        if self.budget_left is None:
            return wanted
        left = self.budget_left - self.reads
        return None if left < minimum else min(wanted, left)


class Reader:
    """One fetch's reads; `call(what, tweepy_method, **kwargs)` is the collector's error-translating call."""

    def __init__(self, settings: XSettings, call: Call, run: ReadRun, parser: PageParser):
        self.settings, self.call, self.run, self.parser = settings, call, run, parser

    def _pages(self, what: str, method: str, params: dict[str, Any], minimum: int,
               start_token: str | None = None, first_size: int | None = None
               ) -> Generator[dict[str, Any], bool, str | None]:
        """Yield pages until the last one, max_pages or the budget; returns the token left over."""
        token, seen = start_token, {start_token: 1} if start_token else {}
        for number in range(self.run.max_pages + (1 if first_size else 0)):  # a probe is not a page
            wanted = first_size if number == 0 and first_size else self.settings.page_size
            size = self.run.page_size(wanted, minimum)
            if size is None:
                return token or "budget"
            call = dict(params, max_results=size)
            if token:
                call["pagination_token"] = token
            page = self.call(what, method, **call)
            data = page.get("data")
            self.run.reads += len(data) if isinstance(data, list) else 0
            meta = page.get("meta")
            next_token = meta.get("next_token") if isinstance(meta, dict) else None
            if next_token:
                seen[next_token] = seen.get(next_token, 0) + 1
                if seen[next_token] > PAGE_REPEATS_TOLERATED:
                    raise CollectorError(f"X: stuck pagination saat {what}: next_token yang sama terus berulang")
            stop = yield page
            if stop or not next_token:
                return None
            token = next_token
        return token

    @staticmethod
    def _drain(pages: Generator[dict[str, Any], bool, str | None],
               parse: Callable[[dict[str, Any]], bool | None]) -> str | None:
        """Feed each page to `parse` (True = reached known items, stop); return the token left over."""
        try:
            page = next(pages)
            while True:
                page = pages.send(bool(parse(page)))
        except StopIteration as done:
            return done.value

    def mentions(self, state: XCursor, user_auth: bool) -> bool:
        params: dict[str, Any] = {"id": self.parser.own_id, "tweet_fields": TWEET_FIELDS,
                                  "expansions": TWEET_EXPANSIONS, "user_fields": USER_FIELDS,
                                  "media_fields": MEDIA_FIELDS, "user_auth": user_auth}
        if state.mentions_since_id:
            params["since_id"] = state.mentions_since_id
        if state.mentions_until_id:
            params["until_id"] = state.mentions_until_id
        newest, oldest = state.mentions_newest_id, None
        run, parser = self.run, self.parser
        pages = self._pages("membaca mention", "get_users_mentions", params, MENTIONS_MIN_RESULTS)
        left = self._drain(pages, lambda page: parser.tweets(page, state.mentions_since_id, run.messages,
                                                             run.quarantined))
        for low, high in parser.take_bounds():
            newest, oldest = bigger_id(newest, high), smaller_id(oldest, low)
        if left is None:
            state.mentions_since_id = bigger_id(state.mentions_since_id, newest)
            state.mentions_until_id = state.mentions_newest_id = None
            return False
        state.mentions_until_id = smaller_id(state.mentions_until_id, oldest)
        state.mentions_newest_id = newest
        return True

    def dms(self, state: XCursor, user_auth: bool) -> bool:
        params: dict[str, Any] = {"dm_event_fields": DM_EVENT_FIELDS, "expansions": DM_EXPANSIONS,
                                  "user_fields": USER_FIELDS, "media_fields": MEDIA_FIELDS, "user_auth": user_auth}
        resuming = state.dm_resume_token
        newest = state.dm_newest_id if resuming else None
        probe = DM_PROBE_RESULTS if state.dm_since_id and not resuming else None
        run, parser = self.run, self.parser
        pages = self._pages("membaca DM", "get_direct_message_events", params, 1, start_token=resuming,
                            first_size=probe)
        left = self._drain(pages, lambda page: parser.dm_events(page, state.dm_since_id, run.messages,
                                                                run.quarantined))
        for _low, high in parser.take_bounds():
            newest = bigger_id(newest, high)
        if left is None:
            state.dm_since_id = bigger_id(state.dm_since_id, newest)
            state.dm_resume_token = state.dm_newest_id = None
            return False
        state.dm_resume_token, state.dm_newest_id = (None if left == "budget" else left), newest
        return True


def read_all(settings: XSettings, call: Call, state: XCursor, run: ReadRun, parser: PageParser, now: datetime,
             *, mentions_auth: bool, dms_auth: bool | None) -> bool:
    """Read every endpoint that is due; True when a backfill is left for the next batch.

    `dms_auth` is None when the credentials cannot read DMs (app-only bearer token).
    """
    reader = Reader(settings, call, run, parser)
    more = False
    stamp = now.isoformat()
    # a backfill in progress goes on whatever the interval: the run is still catching up
    if settings.read_mentions and (state.mentions_until_id or state.due("mentions", now,
                                                                        settings.mentions_interval_minutes)):
        more |= reader.mentions(state, mentions_auth)
        state.mentions_read_at = stamp
    if settings.read_dms and dms_auth is not None and (
            state.dm_resume_token or state.due("dms", now, settings.dms_interval_minutes)):
        more |= reader.dms(state, dms_auth)
        state.dms_read_at = stamp
    return more
