"""Instagram professional account collector: DMs, comments on our media, and media we are tagged in.

DMs use the Conversations and Send APIs exactly like Messenger (`platform=instagram`), so that
part is shared with `collectors.facebook`. Comments are read from the account's recent media;
tagged media come from `/{ig-user-id}/tags`. Instagram does not let an account comment on media
it was only tagged in, so such threads refuse a public reply before anything is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from collectors.facebook import ConversationReader, finish, send_direct
from collectors.graph import GraphCollector, GraphSettings
from collectors.graph_items import Harvest, dated_items, edge_items, item_id, item_text, item_time
from collectors.graph_marks import Watermark
from collectors.http import unreadable_acceptance
from ticketing.contract import (
    Batch,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    SendRefused,
    SendResult,
)

DM_TEXT_LIMIT = 1000  # Instagram's Send API limit for a text message
COMMENT_TEXT_LIMIT = 2200  # Instagram's limit for a caption or comment
TAG_THREAD_PREFIX = "tag:"
COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"
TAG_FIELDS = "id,caption,timestamp,username,permalink,media_type"


class InstagramSettings(GraphSettings):
    ig_user_id: str
    username: str | None = None  # our own handle, a second way to recognise our comments
    read_messages: bool = True
    read_comments: bool = True
    read_tags: bool = True


@dataclass
class InstagramCursor:
    """Per-source high-water marks: DMs by conversation `updated_time`, comments and tags by `timestamp`."""

    conversations: Watermark = field(default_factory=Watermark)
    comments: Watermark = field(default_factory=Watermark)
    tags: Watermark = field(default_factory=Watermark)

    @classmethod
    def from_json(cls, data: Any) -> InstagramCursor:
        data = data if isinstance(data, dict) else {}
        return cls(*(Watermark.from_json(data.get(k)) for k in ("conversations", "comments", "tags")))


class InstagramCollector(GraphCollector):
    """DMs, comments and tags of one Instagram professional account linked to a Facebook Page."""

    type_name: ClassVar[str] = "instagram"
    settings_model: ClassVar[type | None] = InstagramSettings
    cursor_type: ClassVar[type | None] = InstagramCursor
    app_name: ClassVar[str] = "Instagram"

    def load_cursor(self, data: str | None) -> InstagramCursor | None:
        return None if data is None else InstagramCursor.from_json(json.loads(data))

    def is_own(self, author: dict) -> bool:
        if str(author.get("id") or "") == self.settings.ig_user_id:
            return True
        handle = str(author.get("username") or "").lstrip("@").lower()
        return bool(handle) and handle == (self.settings.username or "").lstrip("@").lower()

    def fetch(self, cursor: Any) -> Batch:
        cursor = cursor if isinstance(cursor, InstagramCursor) else InstagramCursor.from_json(cursor)
        now, harvest, reads_before = self.clock(), Harvest(self.name), self.client.reads
        marks, more = InstagramCursor(cursor.conversations, cursor.comments, cursor.tags), False
        lookback = timedelta(days=self.settings.initial_lookback_days)
        if self.settings.read_messages:
            reader = ConversationReader(self.client, harvest, self.settings.page_id, "instagram",
                                        self.settings.ig_user_id, self.is_own, lookback, self.locale)
            marks.conversations, truncated = reader.read(cursor.conversations, now)
            more = more or truncated
        if self.settings.read_comments:
            marks.comments, truncated = self._read_comments(cursor.comments, harvest, now)
            more = more or truncated
        if self.settings.read_tags:
            marks.tags, truncated = self._read_tags(cursor.tags, harvest, now, lookback)
            more = more or truncated
        return Batch(list(harvest.messages.values()), marks, harvest.quarantined, more=more,
                     reads=self.client.reads - reads_before)

    # --- comments on our own media -----------------------------------------------------------

    def _read_comments(self, mark: Watermark, harvest: Harvest, now: datetime) -> tuple[Watermark, bool]:
        """Scan comments of recent media; their order is not documented, so every page is read."""
        size = self.settings.page_size
        fields = (f"id,caption,timestamp,permalink,comments_count,"
                  f"comments.limit({size}){{{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}}}")
        pager = self.client.paginate(f"{self.settings.ig_user_id}/media", {"fields": fields, "limit": size},
                                     mark.resume)
        seen: list[tuple[datetime, str]] = []
        floor = None
        for page in pager:
            for media, media_id, posted in dated_items(page, harvest, "timestamp", "media"):
                floor = floor or posted - timedelta(days=self.settings.comment_window_days)
                if posted < floor:
                    return mark.advanced(seen, now), False
                self._media_comments(media, media_id, mark, harvest, seen)
        return finish(mark, seen, now, pager, None)

    def _media_comments(self, media: dict, media_id: str, mark: Watermark, harvest: Harvest, seen: list) -> None:
        for page in self.client.paginate_embedded(media.get("comments")):
            for raw in edge_items(page):
                self._take_comment(raw, media_id, None, mark, harvest, seen)
                if isinstance(raw, dict) and raw.get("id"):
                    for reply_page in self.client.paginate_embedded(raw.get("replies")):
                        for reply in edge_items(reply_page):
                            self._take_comment(reply, media_id, str(raw["id"]), mark, harvest, seen)

    def _take_comment(self, raw: Any, media_id: str, parent: str | None, mark: Watermark, harvest: Harvest,
                      seen: list) -> None:
        try:
            cid = item_id(raw, "comment")
            created = item_time(raw, "timestamp", "comment")
        except PayloadError as exc:
            harvest.quarantine(str(exc), raw, exc.external_id)
            return
        if mark.covers(created, cid):
            return
        seen.append((created, cid))
        harvest.add(lambda: self._comment(raw, cid, created, media_id, parent), raw)

    def _comment(self, raw: dict, cid: str, created: datetime, media_id: str, parent: str | None) -> InboundMessage:
        """Threads follow Instagram's rule: a reply to a reply lands on the top-level comment."""
        author = raw.get("from") if isinstance(raw.get("from"), dict) else {}
        handle = str(raw.get("username") or author.get("username") or "")
        parent = parent or (str(raw["parent_id"]) if raw.get("parent_id") else None)
        own = self.is_own({"id": author.get("id"), "username": handle})
        return InboundMessage(
            channel=self.name, external_id=cid, thread_key=f"{media_id}:{parent or cid}",
            text=item_text(raw, "text", "comment"), sent_at=created, author_id=str(author.get("id") or handle),
            author_handle=handle, account=self.settings.ig_user_id, in_reply_to=parent or media_id,
            direction="out" if own else "in", raw=raw)

    # --- media we are tagged in ----------------------------------------------------------------

    def _read_tags(self, mark: Watermark, harvest: Harvest, now: datetime,
                   lookback: timedelta) -> tuple[Watermark, bool]:
        """Tagged media, newest first; a tag is a citizen's post that names the office."""
        pager = self.client.paginate(f"{self.settings.ig_user_id}/tags",
                                     {"fields": TAG_FIELDS, "limit": self.settings.page_size}, mark.resume)
        seen: list[tuple[datetime, str]] = []
        stop_at = mark.instant
        for page in pager:
            for raw, media_id, posted in dated_items(page, harvest, "timestamp", "tagged media"):
                stop_at = stop_at or posted - lookback
                if posted < stop_at:
                    return mark.advanced(seen, now), False
                if mark.covers(posted, media_id):
                    continue
                seen.append((posted, media_id))
                harvest.add(lambda raw=raw, media_id=media_id, posted=posted: InboundMessage(
                    channel=self.name, external_id=media_id, thread_key=f"{TAG_THREAD_PREFIX}{media_id}",
                    text=item_text(raw, "caption", "tagged media"), sent_at=posted,
                    author_id=str(raw.get("username") or ""), author_handle=str(raw.get("username") or ""),
                    account=self.settings.ig_user_id, flags=["instagram_tag"], raw=raw), raw)
        return finish(mark, seen, now, pager, stop_at)

    # --- replies ----------------------------------------------------------------------------------

    def send(self, outbound: OutboundMessage) -> SendResult:
        thread = outbound.thread_key
        if thread.startswith(TAG_THREAD_PREFIX):
            raise SendRefused("Akun kita hanya ditandai (tag) di media ini. Instagram tidak mengizinkan membalas "
                              "atau berkomentar di media milik orang lain tempat kita ditandai. Hubungi warga "
                              "lewat DM Instagram bila ia pernah mengirim pesan, atau lewat kanal lain.")
        media_id, _, top_comment = thread.partition(":")
        if outbound.is_private or not top_comment:
            return send_direct(self.client, page_id=self.settings.page_id, conversation_id=thread, own=self.is_own,
                               text=outbound.text, now=self.clock(), human_agent_tag=self.settings.human_agent_tag,
                               text_limit=DM_TEXT_LIMIT, recipient_hint=outbound.recipient_id,
                               app_name=self.app_name)
        if len(outbound.text) > COMMENT_TEXT_LIMIT:
            raise SendRefused(f"Balasan komentar Instagram terlalu panjang: {len(outbound.text)} karakter, "
                              f"maksimal {COMMENT_TEXT_LIMIT}.")
        result = self.client.post(f"{top_comment}/replies", {"message": outbound.text})
        if not result.get("id"):
            raise unreadable_acceptance(f"channel {self.name}: comment reply", 200)
        return SendResult(str(result["id"]), result)

    def parse_webhook(self, payload: Any):
        """An Instagram webhook body: DMs (threads match the poller's conversation ids), and the
        `comments` and `mentions` fields, which land on the media's thread as the poller's do."""
        from collectors.meta_events import conversation_resolver, parse_messaging

        resolve = conversation_resolver(self.client, self.settings.page_id, "instagram")
        return parse_messaging(self.name, payload, "instagram", {self.settings.ig_user_id}, resolve, self.locale,
                               changes=self._webhook_change)

    def _webhook_change(self, entry: dict, change: Any, parsed) -> None:
        from collectors.instagram_webhook import comment_change, mention_change

        field = change.get("field") if isinstance(change, dict) else None
        if field == "comments" or field == "live_comments":
            parsed.messages.append(comment_change(self, entry, change))
        elif field == "mentions":
            parsed.messages.append(mention_change(self, entry, change))
        elif field == "story_insights":
            parsed.skipped.append("story insights: statistics, not a message")
        else:
            raise ValueError(f"`{str(field)[:40]}` change is not handled")

    def check(self) -> str:
        info = self.client.get(self.settings.ig_user_id, {"fields": "id,username,name"})
        usage = f", pemakaian kuota {self.client.usage.percent}%" if self.client.usage.percent else ""
        return f"Instagram @{info.get('username') or '?'} ({info.get('id') or self.settings.ig_user_id}){usage}"
