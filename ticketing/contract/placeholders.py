"""The words a message without text is shown with, in the UI language (Indonesian by default).

A photo-only DM or a sticker still reaches the inbox, so it needs a readable summary; the
placeholder is stored as the message text in the office's language (`office.locale`), never
in the channel's English type names (`[image]`).
"""

from __future__ import annotations

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "id": {
        "image": "gambar", "video": "video", "audio": "suara", "file": "dokumen", "document": "dokumen",
        "sticker": "stiker", "location": "lokasi", "contacts": "kontak", "fallback": "tautan", "share": "kiriman",
        "story_mention": "menyebut kita di cerita", "story_reply": "balasan cerita", "ig_reel": "reel",
        "reel": "reel", "reaction": "reaksi", "attachment": "lampiran", "mention": "menyebut akun kita",
        "comment_media": "komentar bergambar", "empty": "pesan tanpa teks", "animated_image": "gambar bergerak",
        "template": "templat", "postback": "tombol",
    },
    "en": {
        "image": "image", "video": "video", "audio": "audio", "file": "document", "document": "document",
        "sticker": "sticker", "location": "location", "contacts": "contact", "fallback": "link", "share": "share",
        "story_mention": "mentioned us in a story", "story_reply": "story reply", "ig_reel": "reel",
        "reel": "reel", "reaction": "reaction", "attachment": "attachment", "mention": "mentioned our account",
        "comment_media": "comment with media", "empty": "message without text", "animated_image": "animated image",
        "template": "template", "postback": "button",
    },
}


def placeholder(kind: str, locale: str = "id") -> str:
    """`[gambar]` for an image in Indonesian; an unknown kind is an attachment."""
    words = PLACEHOLDERS.get(locale, PLACEHOLDERS["id"])
    return f"[{words.get(kind) or words['attachment']}]"


def placeholders(kinds: list[str], locale: str = "id") -> str:
    """`[gambar] [gambar] [suara]` for several attachments, in their order."""
    return " ".join(placeholder(kind, locale) for kind in kinds)
