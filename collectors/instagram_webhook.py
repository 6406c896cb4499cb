"""Instagram `comments` and `mentions` webhook changes as messages on the media's thread.

Threads follow the poller (`collectors.instagram`): a comment on our media is on
`{media_id}:{top-level comment id}`, so the comment read later by polling is the same message;
a mention is on the tagged media's `tag:{media_id}` thread, where a public reply is refused.
The change value carries no time of its own, so the entry's `time` (seconds or milliseconds) is used.
"""

from __future__ import annotations

from typing import Any

from collectors.meta_events import Unreadable, as_dict, epoch_instant, text_of
from ticketing.contract import InboundMessage
from ticketing.contract.placeholders import placeholder


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return ""
    return str(value)


def comment_change(collector, entry: dict, change: dict) -> InboundMessage:
    value = change.get("value")
    if not isinstance(value, dict):
        raise Unreadable("comments change without a value object")
    comment_id, media_id = _id(value.get("id")), _id(as_dict(value.get("media")).get("id"))
    if not comment_id or not media_id:
        raise Unreadable("comment without id or media id")
    author = as_dict(value.get("from"))
    handle = text_of(author.get("username"))
    parent = _id(value.get("parent_id")) or None
    own = collector.is_own({"id": _id(author.get("id")), "username": handle})
    text = text_of(value.get("text")) or placeholder("empty", collector.locale)
    flags = ["live_comment"] if change.get("field") == "live_comments" else []
    return InboundMessage(
        channel=collector.name, external_id=comment_id, thread_key=f"{media_id}:{parent or comment_id}", text=text,
        sent_at=epoch_instant(entry.get("time")), author_id=_id(author.get("id")) or handle, author_handle=handle,
        account=collector.settings.ig_user_id, in_reply_to=parent or media_id, direction="out" if own else "in",
        flags=flags, raw=change)


def mention_change(collector, entry: dict, change: dict) -> InboundMessage:
    """An @mention in a caption (media id only) or in a comment (media and comment id)."""
    from collectors.instagram import TAG_THREAD_PREFIX

    value = change.get("value")
    if not isinstance(value, dict):
        raise Unreadable("mentions change without a value object")
    media_id, comment_id = _id(value.get("media_id")), _id(value.get("comment_id"))
    if not media_id:
        raise Unreadable("mention without a media id")
    text = text_of(value.get("text")) or placeholder("mention", collector.locale)
    return InboundMessage(
        channel=collector.name, external_id=comment_id or media_id, thread_key=f"{TAG_THREAD_PREFIX}{media_id}",
        text=text, sent_at=epoch_instant(entry.get("time")), account=collector.settings.ig_user_id,
        in_reply_to=media_id if comment_id else None,
        flags=["instagram_mention", "comment" if comment_id else "caption"], raw=change)
