"""What a Graph API item (Messenger/Instagram DM, Page post, comment) carries besides its text.

The Conversations API lists a DM's `attachments` (mime type, name, size, image/video data); a
comment has one `attachment` (type photo, sticker, video_inline, share...). Only metadata is
kept: Graph hands out short-lived URLs. An item without text is summarised by placeholders in
the UI language (`[gambar]`), so a photo-only DM or comment never reaches the inbox empty.
"""

from __future__ import annotations

from typing import Any

from ticketing.contract import Attachment
from ticketing.contract.placeholders import placeholders

NOT_DOWNLOADED = "not downloaded: Graph attachment URLs expire"
COMMENT_KINDS = {"photo": "image", "sticker": "sticker", "video_inline": "video", "video_autoplay": "video",
                 "animated_image_share": "animated_image", "animated_image_video": "animated_image",
                 "animated_image_autoplay": "animated_image", "share": "share", "album": "image"}


def _items(raw: dict) -> list[dict]:
    listed = raw.get("attachments")
    data = listed.get("data") if isinstance(listed, dict) else None
    single = raw.get("attachment")
    return [i for i in (data if isinstance(data, list) else []) + [single] if isinstance(i, dict)]


def kind_of(item: dict) -> str:
    """image, video, audio, sticker, file... from a comment's `type` or a DM attachment's data and mime type."""
    declared = item.get("type")
    if isinstance(declared, str) and declared:
        return COMMENT_KINDS.get(declared, declared)
    if item.get("image_data"):
        return "sticker" if isinstance(item["image_data"], dict) and item["image_data"].get("render_as_sticker") \
            else "image"
    if item.get("video_data"):
        return "video"
    mime = item.get("mime_type")
    head = mime.split("/")[0] if isinstance(mime, str) else ""
    return head if head in ("image", "video", "audio") else "file"


def attachments_of(raw: Any) -> list[Attachment]:
    found = []
    for item in _items(raw) if isinstance(raw, dict) else []:
        size = item.get("size")
        name = item.get("name") or item.get("title") or item.get("type") or kind_of(item)
        found.append(Attachment(filename=str(name), size=size if isinstance(size, int) else 0,
                                content_type=str(item.get("mime_type") or "application/octet-stream"),
                                skipped_reason=NOT_DOWNLOADED))
    return found


def text_or_placeholder(text: str, raw: Any, locale: str) -> str:
    """The item's text, or `[gambar] [suara]` for its attachments when it has none."""
    if text.strip() or not isinstance(raw, dict):
        return text
    kinds = [kind_of(item) for item in _items(raw)]
    return placeholders(kinds, locale) if kinds else text
