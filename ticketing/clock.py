"""Time: aware datetimes (stored in UTC, shown in the office's time zone) and the one clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

OFFICE_TZ = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_aware(value: datetime, what: str = "timestamp") -> datetime:
    """Refuse naive datetimes: guessing their zone shifts SLA deadlines by hours."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{what} {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse the timestamp formats channel APIs use into an aware UTC datetime.

    Accepts `2026-03-17T03:04:05Z`, `...+0000`, `...+07:00`, fractional seconds, and a
    space instead of `T`. Raises ValueError for a value with no offset.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Graph API writes +0000; fromisoformat wants +00:00 before Python 3.11 edge cases.
    if len(value) >= 5 and value[-5] in "+-" and value[-4:].isdigit() and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]
    parsed = datetime.fromisoformat(value)
    return ensure_aware(parsed, f"timestamp {text!r}")


NOW_ENV = "ADUAN_NOW"  # pins the clock for rehearsals and tests: an ISO-8601 instant with offset


def pinned_now(environ: Mapping[str, str] | None = None) -> datetime | None:
    """The instant ADUAN_NOW pins, or None; a malformed value is a ConfigError naming it."""
    from ticketing.errors import ConfigError

    value = (os.environ if environ is None else environ).get(NOW_ENV)
    if not value:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        raise ConfigError(f"{NOW_ENV}={value!r} bukan waktu ISO-8601 dengan zona "
                          "(mis. 2026-03-17T10:00+07:00)") from None


def pinned_clock(environ: Mapping[str, str] | None = None) -> Clock:
    """The one clock of every command, worker and collector: ADUAN_NOW when set, else real time."""
    instant = pinned_now(environ)
    return (lambda: instant) if instant is not None else utcnow
