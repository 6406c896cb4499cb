"""Shared HTTP plumbing for channel collectors: one session, timeouts, `base_url`, retry-time
parsing and a default classification of responses into the collector error tree.

Each collector still owns the one place that reads its channel's error bodies (Graph `code`,
Telegram `retry_after`, X problem details); it calls `raise_for_status` for what is generic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from ticketing.contract import AuthExpired, CollectorError, RateLimited, TransientError
from ticketing.privacy.redact import redact

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read: a hung API must not hold the cron run
DEFAULT_BACKOFF = timedelta(seconds=60)  # when a 429 names no time, wait at least this long


def retry_at_from_headers(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When the server says we may call again: Retry-After (seconds or date) or X's reset epoch."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    reset = lowered.get("x-rate-limit-reset")
    if reset and reset.strip().isdigit():
        return datetime.fromtimestamp(int(reset), UTC)
    return None


def later_of(retry_at: datetime | None, now: datetime, minimum: timedelta = DEFAULT_BACKOFF) -> datetime:
    """A retry time never in the past and never sooner than `minimum` from now."""
    floor = now + minimum
    return floor if retry_at is None or retry_at < floor else retry_at


def raise_for_status(status: int, headers: Mapping[str, str], body: str, now: datetime, what: str) -> None:
    """Map a non-2xx status to the error tree; the message is redacted and short."""
    if status < 400:
        return
    snippet = redact(body[:300])
    if status == 401:
        raise AuthExpired(f"{what}: credentials rejected (HTTP 401): {snippet}")
    if status == 429:
        retry_at = later_of(retry_at_from_headers(headers, now), now)
        raise RateLimited(f"{what}: rate limited until {retry_at.isoformat()}", retry_at)
    if status >= 500 or status == 408:
        raise TransientError(f"{what}: server error HTTP {status}: {snippet}")
    raise CollectorError(f"{what}: HTTP {status}: {snippet}")


class HttpClient:
    """A requests session bound to one channel's base URL. Constructing it does no I/O."""

    def __init__(self, base_url: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 headers: Mapping[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._headers = dict(headers or {})
        self._session = None

    @property
    def session(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers.update(self._headers)
        return self._session

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any):
        """Send a request; network failures become TransientError with the URL redacted."""
        import requests

        kwargs.setdefault("timeout", self.timeout)
        try:
            return self.session.request(method, self.url(path), **kwargs)
        except requests.Timeout as exc:
            raise TransientError(f"timeout talking to {redact(self.base_url)}: {redact(exc)}") from None
        except requests.RequestException as exc:
            raise TransientError(f"cannot reach {redact(self.base_url)}: {redact(exc)}") from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
