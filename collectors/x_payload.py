"""X API v2's wire format: mentions and DM event pages into `InboundMessage` values, error
responses into the collector error tree, and the hook that points tweepy at `base_url`.

Kept apart from the collector's control flow so it can be read against the wire format alone. Every item is
checked on its own: a malformed one becomes a `QuarantinedItem` and the rest of the page goes
on. Timestamps are parsed here from the raw strings because tweepy's parser replaces a non-UTC
offset instead of converting it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from collectors.http import later_of, retry_at_from_headers
from ticketing.contract import (
    Attachment,
    AuthExpired,
    CollectorError,
    InboundMessage,
    PayloadError,
    QuarantinedItem,
    RateLimited,
    TransientError,
)
from ticketing.privacy.redact import redact

log = logging.getLogger("aduan.collectors.x")

RATE_LIMIT_FLOOR = timedelta(seconds=60)  # never poll again sooner than this after a 429
FUTURE_SKEW = timedelta(minutes=10)  # clock skew we accept before calling a timestamp "future"
TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "author_id",
                "entities", "lang", "edit_history_tweet_ids", "note_tweet", "attachments", "withheld"]
TWEET_EXPANSIONS = ["author_id", "in_reply_to_user_id", "attachments.media_keys"]
USER_FIELDS = ["username", "name"]
MEDIA_FIELDS = ["media_key", "type", "url", "preview_image_url", "alt_text", "width", "height", "variants"]
DM_EVENT_FIELDS = ["id", "event_type", "text", "sender_id", "dm_conversation_id", "created_at", "attachments",
                   "participant_ids"]
DM_EXPANSIONS = ["sender_id", "attachments.media_keys"]
MEDIA_TYPES = {"photo": ("image/jpeg", "jpg"), "video": ("video/mp4", "mp4"), "animated_gif": ("video/mp4", "mp4")}
# X escapes these three in post text (not in DMs); a citizen's literal "&amp;" arrives as "&amp;amp;"
_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_ID = re.compile(r"^[0-9]{1,25}$")
_DM_CONVERSATION = re.compile(r"^[0-9]{1,25}(-[0-9]{1,25})?$")


def as_id(value: Any) -> str | None:
    """X ids are digit strings; anything else (ints included: precision) is not trusted."""
    return value if isinstance(value, str) and _ID.match(value) else None


def bigger_id(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a if b is None else b
    return a if int(a) >= int(b) else b


def smaller_id(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a if b is None else b
    return a if int(a) <= int(b) else b


def parse_time(value: Any, now: datetime, what: str) -> tuple[datetime, list[str]]:
    """An aware UTC instant and flags. A zone-less value is read as UTC and flagged; a future
    one is flagged and replaced by `now`, the moment we actually saw it; garbage is a PayloadError."""
    if value is None or value == "":
        return now, ["timestamp_missing"]
    if not isinstance(value, str):
        raise PayloadError(f"{what}: created_at is not a string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PayloadError(f"{what}: unreadable created_at {value[:40]!r}") from None
    flags: list[str] = []
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
        flags.append("timestamp_no_zone")
    parsed = parsed.astimezone(UTC)
    if parsed > now + FUTURE_SKEW:
        flags.append("future_timestamp")
        parsed = now
    return parsed, flags


def mentions_account(post: Mapping[str, Any], own_id: str, username: str) -> bool:
    """Whether a post @mentions the office (X only lets us reply publicly to those)."""
    entities = post.get("entities")
    mentions = entities.get("mentions") if isinstance(entities, Mapping) else None
    for mention in mentions if isinstance(mentions, list) else []:
        if not isinstance(mention, Mapping):
            continue
        if mention.get("id") == own_id or (username and str(mention.get("username", "")).lower() == username.lower()):
            return True
    text = post.get("text")
    if username and isinstance(text, str):
        return re.search(rf"(?<![\w@])@{re.escape(username)}(?!\w)", text, re.I) is not None
    return False


def is_retweet(item: Any) -> bool:
    """A plain retweet repeats someone else's post (cut to 140 characters); it carries no words of its own."""
    referenced = item.get("referenced_tweets") if isinstance(item, Mapping) else None
    return isinstance(referenced, list) and any(isinstance(r, Mapping) and r.get("type") == "retweeted"
                                                for r in referenced)


def _users(page: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    includes = page.get("includes")
    users = includes.get("users") if isinstance(includes, Mapping) else None
    return {u["id"]: u for u in users or [] if isinstance(u, Mapping) and as_id(u.get("id"))}


def _media(page: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    includes = page.get("includes")
    media = includes.get("media") if isinstance(includes, Mapping) else None
    return {m["media_key"]: m for m in media if isinstance(media, list) and isinstance(m, Mapping)
            and isinstance(m.get("media_key"), str)} if isinstance(media, list) else {}


def unescape(text: str) -> str:
    for entity, char in _ESCAPES:
        text = text.replace(entity, char)
    return text


def attachments_of(item: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]]) -> list[Attachment]:
    """The post's or DM's media as attachment rows: metadata and where X serves it (not downloaded:
    X's media URLs need no login, staff open them from `show`)."""
    attached = item.get("attachments")
    keys = attached.get("media_keys") if isinstance(attached, Mapping) else None
    found: list[Attachment] = []
    for key in keys if isinstance(keys, list) else []:
        if not isinstance(key, str):
            continue
        info = media.get(key, {})
        kind = info.get("type") if isinstance(info.get("type"), str) else "photo"
        mime, ext = MEDIA_TYPES.get(kind, ("application/octet-stream", "bin"))
        url = info.get("url") or info.get("preview_image_url")
        where = f"tidak diunduh; ada di {url}" if isinstance(url, str) else "tidak diunduh; X tidak memberi URL"
        found.append(Attachment(f"{key}.{ext}", mime, 0, skipped_reason=where[:200]))
    return found


def _page_items(page: Mapping[str, Any], what: str) -> list[Any]:
    errors = page.get("errors")
    if isinstance(errors, list) and errors:
        titles = {str(e.get("title", e.get("message", "?"))) for e in errors if isinstance(e, Mapping)}
        log.warning("X %s: the page carries %d partial errors: %s", what, len(errors), redact(", ".join(titles)))
    data = page.get("data")
    if data is None:
        return []
    if not isinstance(data, list):
        raise TransientError(f"X {what}: the page's data is not a list")
    return data


class PageParser:
    """Parses pages for one fetch and remembers the id range each page covered."""

    def __init__(self, channel: str, own_id: str, now: datetime):
        self.channel, self.own_id, self.now = channel, own_id, now
        self._bounds: list[tuple[str, str]] = []
        self.skipped: list[tuple[str, str]] = []  # (id, reason) of items read but deliberately not stored

    def take_bounds(self) -> list[tuple[str, str]]:
        """(lowest id, highest id) of every page parsed since the last call."""
        bounds, self._bounds = self._bounds, []
        return bounds

    def _note(self, ids: list[str | None], meta: Any) -> None:
        if isinstance(meta, Mapping):
            ids = [*ids, as_id(meta.get("newest_id")), as_id(meta.get("oldest_id"))]
        valid = [i for i in ids if i is not None]
        if valid:
            self._bounds.append((min(valid, key=int), max(valid, key=int)))

    def _quarantine(self, out: list[QuarantinedItem], exc: PayloadError, item: Any) -> None:
        out.append(QuarantinedItem(self.channel, str(exc), item, exc.external_id))

    def tweets(self, page: Mapping[str, Any], since_id: str | None, messages: list[InboundMessage],
               quarantined: list[QuarantinedItem]) -> bool:
        """Parse a mentions page; items at or below since_id (a replayed page) are skipped."""
        items = _page_items(page, "mentions")
        users, media = _users(page), _media(page)
        ids: list[str | None] = []
        for item in items:
            tweet_id = as_id(item.get("id")) if isinstance(item, Mapping) else None
            if tweet_id is not None and since_id is not None and int(tweet_id) <= int(since_id):
                continue
            ids.append(tweet_id)
            if is_retweet(item):
                self.skipped.append((tweet_id or "?", "retweet"))
                continue
            try:
                messages.append(self.tweet(item, users, media))
            except PayloadError as exc:
                self._quarantine(quarantined, exc, item)
        self._note(ids, page.get("meta"))
        return False

    def tweet(self, item: Any, users: Mapping[str, Mapping[str, Any]],
              media: Mapping[str, Mapping[str, Any]] | None = None) -> InboundMessage:
        if not isinstance(item, Mapping):
            raise PayloadError("X mention is not an object")
        tweet_id = as_id(item.get("id"))
        if tweet_id is None:
            raise PayloadError("X mention without a valid id")
        text = item.get("text")
        note = item.get("note_tweet")
        if isinstance(note, Mapping) and isinstance(note.get("text"), str) and note["text"]:
            text = note["text"]  # a long post: `text` holds only its first 280 characters
        if not isinstance(text, str):
            raise PayloadError(f"X mention {tweet_id} has no text", external_id=tweet_id)
        text = unescape(text)
        author = as_id(item.get("author_id"))
        if author is None:
            raise PayloadError(f"X mention {tweet_id} has no author_id", external_id=tweet_id)
        try:
            sent_at, flags = parse_time(item.get("created_at"), self.now, f"X mention {tweet_id}")
        except PayloadError as exc:
            raise PayloadError(str(exc), external_id=tweet_id) from None
        history = item.get("edit_history_tweet_ids", item.get("edit_history_post_ids"))
        original = as_id(history[0]) if isinstance(history, list) and history else None
        conversation = as_id(item.get("conversation_id"))
        if conversation is None:
            flags.append("no_conversation_id")
        referenced = item.get("referenced_tweets")
        replied_to = next((as_id(r.get("id")) for r in referenced if isinstance(r, Mapping)
                           and r.get("type") == "replied_to"), None) if isinstance(referenced, list) else None
        if isinstance(item.get("withheld"), Mapping):
            flags.append("withheld")
        if isinstance(referenced, list) and any(isinstance(r, Mapping) and r.get("type") == "quoted"
                                                for r in referenced):
            flags.append("quote")
        user = users.get(author, {})
        direction = "out" if author == self.own_id else "in"
        return InboundMessage(
            attachments=attachments_of(item, media or {}),
            channel=self.channel, external_id=original or tweet_id, thread_key=conversation or tweet_id, text=text,
            sent_at=sent_at, author_id=author, author_handle=f"@{user['username']}" if user.get("username") else "",
            author_name=str(user.get("name", "")), account=self.own_id, is_private=False, in_reply_to=replied_to,
            direction=direction, opens_ticket=direction == "in", is_edit=original not in (None, tweet_id),
            flags=flags, raw=dict(item),
        )

    def dm_events(self, page: Mapping[str, Any], since_id: str | None, messages: list[InboundMessage],
                  quarantined: list[QuarantinedItem]) -> bool:
        """Parse a DM events page; True once it reaches an event stored by an earlier run."""
        items = _page_items(page, "dm_events")
        users, media = _users(page), _media(page)
        ids: list[str | None] = []
        reached = False
        for item in items:
            event_id = as_id(item.get("id")) if isinstance(item, Mapping) else None
            if event_id is not None and since_id is not None and int(event_id) <= int(since_id):
                reached = True
                continue
            ids.append(event_id)
            try:
                message = self.dm(item, users, media)
            except PayloadError as exc:
                self._quarantine(quarantined, exc, item)
                continue
            if message is not None:
                messages.append(message)
        self._note(ids, None)
        return reached

    def dm(self, event: Any, users: Mapping[str, Mapping[str, Any]],
           media: Mapping[str, Mapping[str, Any]] | None = None) -> InboundMessage | None:
        """A message, or None for events that carry no text (ParticipantsJoin/Leave, ...)."""
        if not isinstance(event, Mapping):
            raise PayloadError("X DM event is not an object")
        event_id = as_id(event.get("id"))
        if event_id is None:
            raise PayloadError("X DM event without a valid id")
        event_type = event.get("event_type")
        if not isinstance(event_type, str):
            raise PayloadError(f"X DM event {event_id} has no event_type", external_id=event_id)
        if event_type != "MessageCreate":
            return None
        text, sender = event.get("text"), as_id(event.get("sender_id"))
        if not isinstance(text, str):
            raise PayloadError(f"X DM {event_id} has no text", external_id=event_id)
        if sender is None:
            raise PayloadError(f"X DM {event_id} has no sender_id", external_id=event_id)
        conversation = event.get("dm_conversation_id")
        if not isinstance(conversation, str) or not _DM_CONVERSATION.match(conversation):
            raise PayloadError(f"X DM {event_id} has no dm_conversation_id", external_id=event_id)
        try:
            sent_at, flags = parse_time(event.get("created_at"), self.now, f"X DM {event_id}")
        except PayloadError as exc:
            raise PayloadError(str(exc), external_id=event_id) from None
        attachments = attachments_of(event, media or {})
        if attachments:
            flags.append("media_not_downloaded")
        user = users.get(sender, {})
        direction = "out" if sender == self.own_id else "in"
        return InboundMessage(
            channel=self.channel, external_id=event_id, thread_key=conversation, text=text, sent_at=sent_at,
            author_id=sender, author_handle=f"@{user['username']}" if user.get("username") else "",
            author_name=str(user.get("name", "")), account=self.own_id, is_private=True, direction=direction,
            opens_ticket=direction == "in", flags=flags, raw=dict(event), attachments=attachments,
        )


class ForbiddenError(CollectorError):
    """X answered 403: on a reply this means "not allowed publicly", not a broken channel."""


class NotFoundError(CollectorError):
    """X answered 404."""


def translate_error(exc: Exception, what: str, now: datetime) -> CollectorError:
    """The one place that reads X's error responses."""
    import tweepy

    response = getattr(exc, "response", None)
    detail = redact("; ".join(str(m) for m in getattr(exc, "api_messages", []))[:300]) or "tanpa keterangan"
    if isinstance(exc, tweepy.TooManyRequests):
        retry_at = retry_at_from_headers(getattr(response, "headers", {}) or {}, now)
        if retry_at is None and exc.reset_time:
            retry_at = datetime.fromtimestamp(exc.reset_time, UTC)
        retry_at = later_of(retry_at, now, RATE_LIMIT_FLOOR)
        return RateLimited(f"X: batas permintaan tercapai saat {what}; coba lagi setelah "
                           f"{retry_at.isoformat()} ({detail})", retry_at)
    if isinstance(exc, tweepy.Unauthorized):
        return AuthExpired(f"X menolak kredensial saat {what} (HTTP 401: {detail}); token tidak berlaku atau "
                           f"dicabut, buat token baru di developer portal X dan perbarui variabel lingkungannya")
    if isinstance(exc, tweepy.Forbidden):
        text = _forbidden_text(exc, what, detail)
        # a suspended account is the channel's problem, not a refusal of this one request
        return CollectorError(text) if "(suspended)" in text else ForbiddenError(text)
    if isinstance(exc, tweepy.NotFound):
        return NotFoundError(f"X tidak menemukan yang diminta saat {what} (HTTP 404: {detail})")
    if isinstance(exc, tweepy.TwitterServerError):
        return TransientError(f"X sedang bermasalah saat {what} (HTTP {response.status_code}: {detail})")
    if isinstance(exc, tweepy.HTTPException):
        status = getattr(response, "status_code", "?")
        return CollectorError(f"X menolak permintaan saat {what} (HTTP {status}: {detail})")
    return CollectorError(f"X: gagal {what}: {redact(exc)}")


def _forbidden_text(exc: Any, what: str, detail: str) -> str:
    body: dict[str, Any] = {}
    try:
        parsed = exc.response.json()
        body = parsed if isinstance(parsed, dict) else {}
    except ValueError:
        pass
    words = " ".join([detail, str(body.get("type", "")), str(body.get("reason", ""))]).lower()
    if "suspend" in words:
        why = "akun atau aplikasi X ditangguhkan (suspended); hubungi X, pengambilan dihentikan"
    elif any(w in words for w in ("unsupported-authentication", "oauth1-permissions", "client-not-enrolled",
                                  "not permitted", "permission")):
        why = "aplikasi X tidak punya izin untuk ini (periksa paket/tier dan izin Read, Write, Direct Messages)"
    else:
        why = "X menolak akses"
    return f"X (HTTP 403) saat {what}: {why}: {detail}"


def redirect_adapter(base_url: str, timeout: tuple[float, float]):
    """A requests adapter that sends tweepy's api.twitter.com requests to `base_url`."""
    from urllib.parse import urlsplit, urlunsplit

    from requests.adapters import HTTPAdapter

    target = urlsplit(base_url.rstrip("/"))

    class RedirectAdapter(HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[override]
            url = urlsplit(request.url)
            request.url = urlunsplit((target.scheme, target.netloc, target.path + url.path, url.query, ""))
            if not kwargs.get("timeout"):
                kwargs["timeout"] = timeout
            return super().send(request, **kwargs)

    return RedirectAdapter()
