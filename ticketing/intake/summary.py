"""A ticket's one-line summary: the start of its first message, without the @mentions a reply on
X or Instagram begins with (`@dindukcapilbbs @kominfo ktp saya ...`): truncated in the inbox,
those handles would be all an admin sees."""

from __future__ import annotations

import re

SUMMARY_CHARS = 160  # the inbox's one-line summary
LEADING_MENTIONS = re.compile(r"^\s*(?:[@＠][A-Za-z0-9_.]{1,64}[\s,:;]*)+")


def without_leading_mentions(text: str | None) -> str:
    """The text after every leading @handle; the text itself when it is nothing but handles."""
    value = text or ""
    rest = LEADING_MENTIONS.sub("", value, count=1)
    return rest if rest.strip() else value


def ticket_summary(message) -> str:
    """The inbox's one line for a new ticket: a mail's subject leads (staff scan subjects), then the
    text without its leading @mentions."""
    subject = " ".join((message.subject or "").split())
    text = without_leading_mentions(message.text)
    return (f"{subject} \u2014 {text}" if subject else text)[:SUMMARY_CHARS]
