"""Facebook Page collector: Messenger conversations and comments on the Page's posts.

Reads go through the Conversations API (`/{page-id}/conversations?platform=messenger`) and the
Page feed with its comments; replies go through the Send API inside Meta's 24-hour window, or
as a comment under the citizen's comment. The Messenger parts are shared with Instagram, whose
DMs use the same Conversations and Send APIs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from collectors.graph import GraphClient, GraphCollector, GraphSettings, Pager
from collectors.graph_attachments import attachments_of, text_or_placeholder
from collectors.graph_items import Harvest, dated_items, edge_items, item_id, item_text, item_time
from collectors.graph_marks import Watermark
from collectors.http import unreadable_acceptance
from ticketing.contract import (
    Batch,
    CollectorError,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    SendRefused,
    SendResult,
)
from ticketing.i18n import format_datetime

STANDARD_WINDOW = timedelta(hours=24)  # Messenger/IG: free replies only this long after the citizen's last message
HUMAN_AGENT_WINDOW = timedelta(days=7)  # the HUMAN_AGENT tag stretches it to 7 days for human support
MESSENGER_TEXT_LIMIT = 2000  # Send API refuses longer text on Messenger
COMMENT_TEXT_LIMIT = 8000  # Facebook comment length limit
WINDOW_LOOKUP_MESSAGES = 25  # enough recent messages to find the citizen's last one
MESSAGE_FIELDS = "id,created_time,from,to,message,attachments"
POST_FIELDS = "id,message,created_time,updated_time,from,permalink_url"
COMMENT_FIELDS = "id,message,created_time,from,parent{id},attachment"


class FacebookSettings(GraphSettings):
    read_messenger: bool = True
    read_comments: bool = True


@dataclass
class FacebookCursor:
    """Per-source high-water marks: conversations by `updated_time`, the feed by `created_time`."""

    conversations: Watermark = field(default_factory=Watermark)
    feed: Watermark = field(default_factory=Watermark)

    @classmethod
    def from_json(cls, data: Any) -> FacebookCursor:
        data = data if isinstance(data, dict) else {}
        return cls(Watermark.from_json(data.get("conversations")), Watermark.from_json(data.get("feed")))


# --- Messenger / Instagram conversations (shared) -------------------------------------------------

def finish(mark: Watermark, seen: list, now: datetime, pager: Pager, floor: datetime | None) -> tuple[Watermark, bool]:
    """Close one source's read: advance the mark, or suspend it when the page budget ran out."""
    if pager.truncated:
        return mark.suspended(seen, now, pager.next_link, floor), True
    return mark.advanced(seen, now), False


def dm_message(raw: Any, channel: str, thread_key: str, account: str, own: Callable[[dict], bool],
               locale: str = "id") -> InboundMessage:
    """One Messenger or Instagram DM; the office's own messages come back with direction "out".
    An attachment-only DM gets placeholders in the UI language as its text."""
    mid = item_id(raw, "message")
    sent_at = item_time(raw, "created_time", "message")
    sender = raw.get("from")
    if not isinstance(sender, dict) or not sender.get("id"):
        raise PayloadError("message without a sender", raw, mid)
    return InboundMessage(
        channel=channel, external_id=mid, thread_key=thread_key,
        text=text_or_placeholder(item_text(raw, "message", "message"), raw, locale),
        sent_at=sent_at, author_id=str(sender["id"]), author_handle=str(sender.get("username") or ""),
        author_name=str(sender.get("name") or ""), account=account, is_private=True,
        direction="out" if own(sender) else "in", raw=raw, attachments=attachments_of(raw))


@dataclass
class ConversationReader:
    """Reads one inbox (`platform=messenger` or `instagram`) newest-first down to the mark."""

    client: GraphClient
    harvest: Harvest
    page_id: str
    platform: str
    account: str
    own: Callable[[dict], bool]
    lookback: timedelta
    locale: str = "id"

    def read(self, mark: Watermark, now: datetime) -> tuple[Watermark, bool]:
        """The new mark, and whether the page budget ran out (the next fetch then goes on)."""
        fields = (f"id,updated_time,participants,"
                  f"messages.limit({self.client.settings.page_size}){{{MESSAGE_FIELDS}}}")
        pager = self.client.paginate(f"{self.page_id}/conversations", {
            "platform": self.platform, "fields": fields, "limit": self.client.settings.page_size}, mark.resume)
        seen: list[tuple[datetime, str]] = []
        stop_at = mark.instant
        for page in pager:
            for conversation, cid, updated in dated_items(page, self.harvest, "updated_time", "conversation"):
                if stop_at is None:
                    stop_at = updated - self.lookback  # first run: only recent history
                if updated < stop_at:
                    return mark.advanced(seen, now), False
                if mark.covers(updated, cid):
                    continue
                seen.append((updated, cid))
                self._read_messages(cid, conversation.get("messages"), stop_at)
        return finish(mark, seen, now, pager, stop_at)

    def _read_messages(self, cid: str, embedded: Any, stop_at: datetime) -> None:
        if isinstance(embedded, dict):
            pager = self.client.paginate_embedded(embedded)
        else:
            pager = self.client.paginate(f"{cid}/messages", {"fields": MESSAGE_FIELDS,
                                                             "limit": self.client.settings.page_size})
        for page in pager:
            older = False
            for raw in edge_items(page):
                sent = raw.get("created_time") if isinstance(raw, dict) else None
                try:
                    if sent and item_time(raw, "created_time", "message") < stop_at:
                        older = True
                        continue
                except CollectorError:
                    pass  # dm_message quarantines it with the reason
                self.harvest.add(lambda raw=raw: dm_message(raw, self.harvest.channel, cid, self.account, self.own,
                                                            self.locale), raw)
            if older:
                return


def send_direct(client: GraphClient, *, page_id: str, conversation_id: str, own: Callable[[dict], bool],
                text: str, now: datetime, human_agent_tag: bool, text_limit: int, recipient_hint: str | None,
                app_name: str) -> SendResult:
    """Send a DM through the Send API, inside the window since the citizen's last message."""
    if len(text) > text_limit:
        raise SendRefused(f"Balasan terlalu panjang untuk {app_name}: {len(text)} karakter, "
                          f"maksimal {text_limit}. Persingkat balasan.")
    info = client.get(conversation_id, {
        "fields": f"participants,messages.limit({WINDOW_LOOKUP_MESSAGES}){{id,created_time,from}}"})
    recipient, last_citizen = _citizen_and_last_message(info, own, recipient_hint)
    if recipient is None or last_citizen is None:
        raise SendRefused(f"Percakapan {app_name} ini belum berisi pesan dari warga, jadi Meta tidak "
                          "mengizinkan Halaman mengirim pesan lebih dulu.")
    form = {"recipient": json.dumps({"id": recipient}), "message": json.dumps({"text": text}, ensure_ascii=False),
            "messaging_type": "RESPONSE"}
    age = now - last_citizen
    if age > STANDARD_WINDOW:
        if not human_agent_tag or age > HUMAN_AGENT_WINDOW:
            raise SendRefused(_window_refusal(app_name, last_citizen, human_agent_tag))
        form.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    result = client.post(f"{page_id}/messages", form)
    message_id = result.get("message_id")
    if not message_id:
        raise unreadable_acceptance(f"{app_name} Send API", 200)
    return SendResult(str(message_id), result)


def _citizen_and_last_message(info: dict, own: Callable[[dict], bool],
                              hint: str | None) -> tuple[str | None, datetime | None]:
    participants = [p for p in edge_items(info.get("participants")) if isinstance(p, dict) and p.get("id")]
    citizens = [str(p["id"]) for p in participants if not own(p)]
    recipient = hint if hint and hint in citizens else (citizens[0] if citizens else None)
    last = None
    for raw in edge_items(info.get("messages")):
        sender = raw.get("from") if isinstance(raw, dict) else None
        if isinstance(sender, dict) and sender.get("id") and not own(sender):
            try:
                sent = item_time(raw, "created_time", "message")
            except CollectorError:
                continue
            last = sent if last is None or sent > last else last
            recipient = recipient or str(sender["id"])
    return recipient, last


def _window_refusal(app_name: str, last: datetime, human_agent_tag: bool) -> str:
    when = format_datetime(last)
    if human_agent_tag:
        return (f"Pesan terakhir warga di {app_name} diterima {when}, lebih dari 7 hari yang lalu. Meta tidak "
                "mengizinkan balasan lagi, bahkan dengan tag HUMAN_AGENT. Hubungi warga lewat kanal lain.")
    return (f"Pesan terakhir warga di {app_name} diterima {when}, lebih dari 24 jam yang lalu. Meta hanya "
            "mengizinkan balasan dalam 24 jam sejak pesan terakhir warga. Hubungi warga lewat kanal lain, "
            "atau aktifkan human_agent_tag (7 hari) bila aplikasi sudah disetujui Meta.")


# --- Page feed: visitor posts and comments ---------------------------------------------------------

@dataclass
class FeedReader:
    """Reads the Page feed newest-first within the comment window, and new comments of each post.

    Comments come newest-first (`order(reverse_chronological)`) with replies included
    (`filter(stream)`), so each post's reading stops at the mark. A post whose `updated_time`
    is behind the mark had no new comments and is skipped without paging.
    """

    client: GraphClient
    harvest: Harvest
    channel: str
    settings: FacebookSettings
    locale: str = "id"

    def read(self, mark: Watermark, now: datetime) -> tuple[Watermark, bool]:
        size = self.settings.page_size
        fields = f"{POST_FIELDS},comments.filter(stream).order(reverse_chronological).limit({size}){{{COMMENT_FIELDS}}}"
        pager = self.client.paginate(f"{self.settings.page_id}/feed", {"fields": fields, "limit": size}, mark.resume)
        seen: list[tuple[datetime, str]] = []
        floor = None
        for page in pager:
            for post, pid, created in dated_items(page, self.harvest, "created_time", "post"):
                floor = floor or created - timedelta(days=self.settings.comment_window_days)
                if created < floor:
                    return mark.advanced(seen, now), False
                visitor = self._visitor_post(post, pid, created, mark, seen)
                updated = _optional_time(post, "updated_time") or created
                if mark.instant is not None and updated < mark.instant:
                    continue
                self._read_comments(post, pid, visitor, mark, seen)
        return finish(mark, seen, now, pager, None)

    def _is_page(self, author: Any) -> bool:
        return isinstance(author, dict) and str(author.get("id") or "") == self.settings.page_id

    def _visitor_post(self, post: dict, pid: str, created: datetime, mark: Watermark, seen: list) -> bool:
        """A citizen's post on the Page is a message of its own; the Page's posts are not."""
        author = post.get("from")
        if not isinstance(author, dict) or not author.get("id") or self._is_page(author):
            return False
        if not mark.covers(created, pid):
            seen.append((created, pid))
            self.harvest.add(lambda: InboundMessage(
                channel=self.channel, external_id=pid, thread_key=pid,
                text=text_or_placeholder(item_text(post, "message", "post"), post, self.locale),
                sent_at=created, author_id=str(author["id"]), author_name=str(author.get("name") or ""),
                account=self.settings.page_id, raw=post, attachments=attachments_of(post)), post)
        return True

    def _read_comments(self, post: dict, pid: str, visitor: bool, mark: Watermark, seen: list) -> None:
        for page in self.client.paginate_embedded(post.get("comments")):
            for raw in edge_items(page):
                try:
                    cid = item_id(raw, "comment")
                    created = item_time(raw, "created_time", "comment")
                except PayloadError as exc:
                    self.harvest.quarantine(str(exc), raw, exc.external_id)
                    continue
                if mark.instant is not None and created < mark.instant:
                    return
                if mark.covers(created, cid):
                    continue
                seen.append((created, cid))
                self.harvest.add(lambda raw=raw, cid=cid, created=created: self._comment(
                    raw, cid, created, pid, visitor), raw)

    def _comment(self, raw: dict, cid: str, created: datetime, pid: str, visitor: bool) -> InboundMessage:
        """Threads: a visitor post keeps its whole discussion; on the Page's posts each top comment is one."""
        author = raw.get("from") if isinstance(raw.get("from"), dict) else {}
        parent = raw.get("parent") if isinstance(raw.get("parent"), dict) else {}
        top = str(parent.get("id") or cid)
        return InboundMessage(
            channel=self.channel, external_id=cid, thread_key=pid if visitor else f"{pid}:{top}",
            text=text_or_placeholder(item_text(raw, "message", "comment"), raw, self.locale), sent_at=created,
            author_id=str(author.get("id") or ""),
            author_name=str(author.get("name") or ""), account=self.settings.page_id,
            in_reply_to=str(parent.get("id") or pid), direction="out" if self._is_page(author) else "in",
            raw=raw, attachments=attachments_of(raw))


def _optional_time(raw: dict, key: str) -> datetime | None:
    try:
        return item_time(raw, key, "item") if raw.get(key) else None
    except PayloadError:
        return None


# --- The Facebook Page collector ------------------------------------------------------------------

class FacebookCollector(GraphCollector):
    """Messenger conversations and public comments of one Facebook Page."""

    type_name: ClassVar[str] = "facebook"
    settings_model: ClassVar[type | None] = FacebookSettings
    cursor_type: ClassVar[type | None] = FacebookCursor
    app_name: ClassVar[str] = "Messenger"

    def load_cursor(self, data: str | None) -> FacebookCursor | None:
        return None if data is None else FacebookCursor.from_json(json.loads(data))

    def is_own(self, author: dict) -> bool:
        return str(author.get("id") or "") == self.settings.page_id

    def fetch(self, cursor: Any) -> Batch:
        cursor = cursor if isinstance(cursor, FacebookCursor) else FacebookCursor.from_json(cursor)
        now, harvest, reads_before = self.clock(), Harvest(self.name), self.client.reads
        more = False
        conversations, feed = cursor.conversations, cursor.feed
        if self.settings.read_messenger:
            reader = ConversationReader(self.client, harvest, self.settings.page_id, "messenger",
                                        self.settings.page_id, self.is_own,
                                        timedelta(days=self.settings.initial_lookback_days), self.locale)
            conversations, truncated = reader.read(cursor.conversations, now)
            more = more or truncated
        if self.settings.read_comments:
            feed, truncated = self._read_feed(cursor.feed, harvest, now)
            more = more or truncated
        return Batch(list(harvest.messages.values()), FacebookCursor(conversations, feed),
                     harvest.quarantined, more=more, reads=self.client.reads - reads_before)

    def _read_feed(self, mark: Watermark, harvest: Harvest, now: datetime) -> tuple[Watermark, bool]:
        return FeedReader(self.client, harvest, self.name, self.settings, self.locale).read(mark, now)

    def send(self, outbound: OutboundMessage) -> SendResult:
        thread = outbound.thread_key
        if outbound.is_private or thread.startswith("t_"):
            return send_direct(self.client, page_id=self.settings.page_id, conversation_id=thread, own=self.is_own,
                               text=outbound.text, now=self.clock(), human_agent_tag=self.settings.human_agent_tag,
                               text_limit=MESSENGER_TEXT_LIMIT, recipient_hint=outbound.recipient_id,
                               app_name=self.app_name)
        if len(outbound.text) > COMMENT_TEXT_LIMIT:
            raise SendRefused(f"Komentar balasan terlalu panjang: {len(outbound.text)} karakter, "
                              f"maksimal {COMMENT_TEXT_LIMIT}.")
        _post_id, _, top_comment = thread.partition(":")
        target = top_comment or thread  # a reply goes under the top-level comment; a visitor post gets a comment
        result = self.client.post(f"{target}/comments", {"message": outbound.text})
        if not result.get("id"):
            raise unreadable_acceptance(f"channel {self.name}: comment", 200)
        return SendResult(str(result["id"]), result)

    def parse_webhook(self, payload: Any):
        """A Messenger webhook body (`aduan webhook serve`); threads match the poller's."""
        from collectors.meta_events import conversation_resolver, parse_messaging

        resolve = conversation_resolver(self.client, self.settings.page_id, "messenger")
        return parse_messaging(self.name, payload, "page", {self.settings.page_id}, resolve, self.locale)

    def check(self) -> str:
        info = self.client.get(self.settings.page_id, {"fields": "id,name"})
        usage = f", pemakaian kuota {self.client.usage.percent}%" if self.client.usage.percent else ""
        return f"Halaman Facebook {info.get('name') or '?'} ({info.get('id') or self.settings.page_id}){usage}"
