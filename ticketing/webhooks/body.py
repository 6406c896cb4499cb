"""What makes a webhook body acceptable before it is stored: decodable, JSON, not absurdly deep.

RFC 8259 requires UTF-8 between systems, but senders differ: a UTF-8 BOM, or UTF-16/32 from a
proxy or a test tool, is JSON all the same, and `json.loads(bytes)` would accept it while the
stored text (decoded as UTF-8) would never parse again: a row stuck forever. So the body is
decoded once, here, with the encoding JSON itself detects, and the text is what gets stored.
Bytes that decode in no such encoding are refused. Nesting is bounded: Meta's bodies are a
dozen levels deep, and a hostile 100,000-level body must be a clear 4xx, not a RecursionError.
"""

from __future__ import annotations

import json
from typing import Any

from ticketing.errors import Refused

MAX_DEPTH = 64


class BodyRefused(Refused):
    """The body cannot be accepted; `status` is the HTTP answer, `reason` the log line's words."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def decode_body(body: bytes) -> str:
    """The body as text: UTF-8 (BOM tolerated) or UTF-16/32 as detected; refused if it does not decode."""
    try:
        text = body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError):
        raise BodyRefused(400, "body is not UTF-8/16/32 text") from None
    return text.removeprefix("\ufeff")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON tree nests deeper than `limit` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_body(body: bytes) -> tuple[str, Any]:
    """The stored text and the parsed JSON of an accepted body, or BodyRefused with the reason."""
    text = decode_body(body)
    try:
        value = json.loads(text)
    except RecursionError:
        raise BodyRefused(422, "JSON nested too deep") from None
    except ValueError:
        raise BodyRefused(400, "body is not JSON") from None
    if too_deep(value):
        raise BodyRefused(422, f"JSON nested deeper than {MAX_DEPTH} levels")
    return text, value
