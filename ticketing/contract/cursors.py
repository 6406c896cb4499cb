"""Cursors: where a collector's next fetch starts, as typed values.

A collector declares its cursor type (a dataclass such as `ImapCursor(uidvalidity, last_uid)`
or an X `since_id` pair); the runner stores it as JSON in `collector_state.cursor`, in the same
transaction as the messages it covers (`ticketing.intake.ingest.save_cursor`). This module is
the one place that turns a cursor into that JSON and back.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def encode_cursor(cursor: Any) -> str | None:
    """A typed cursor (a dataclass, a dict or None) as JSON for the collector_state table."""
    if cursor is None:
        return None
    if dataclasses.is_dataclass(cursor) and not isinstance(cursor, type):
        return json.dumps(dataclasses.asdict(cursor), sort_keys=True, default=str)
    return json.dumps(cursor, sort_keys=True, default=str)


def decode_cursor(data: str | None, cursor_type: type | None) -> Any:
    """The stored JSON back as `cursor_type` (when it is a dataclass and the JSON an object)."""
    if data is None:
        return None
    value = json.loads(data)
    if cursor_type is not None and isinstance(value, dict):
        return cursor_type(**value)
    return value
