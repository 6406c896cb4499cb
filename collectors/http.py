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

from ticketing.contract import AuthExpired, CollectorError, DeliveryUnknown, RateLimited, TransientError
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


def reached_channel(exc: BaseException) -> bool:
    """Whether a requests failure happened after the request may have reached the channel.

    Before: the connection was never made (refused, DNS, connect timeout, TLS handshake) or the
    URL was unusable. After (or cannot tell): a read timeout, a connection dropped while we
    waited for the answer, a body cut short. Unknown kinds count as after: guessing "before"
    would resend a reply the citizen may already have.
    """
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                        requests.exceptions.ProxyError)):
        return False
    if isinstance(exc, requests.ConnectionError):
        for arg in exc.args:
            reason = getattr(arg, "reason", arg)
            if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
                return False
    return True


def network_failure(exc: BaseException, what: str, delivers: bool) -> CollectorError:
    """The error for a failed HTTP call: retry-safe unless a reply may have gone out."""
    if delivers and reached_channel(exc):
        return DeliveryUnknown(f"{what}: the connection failed after the reply was sent "
                               f"({type(exc).__name__}); it may have arrived: {redact(exc)}")
    return TransientError(f"{what}: {type(exc).__name__}: {redact(exc)}")


def unreadable_acceptance(what: str, status: int) -> DeliveryUnknown:
    """A 2xx answer to a send that cannot be read, or names no id: accepted, maybe delivered."""
    return DeliveryUnknown(f"{what}: the channel answered HTTP {status} but the answer names no message id; "
                           "the reply may have arrived")


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

    def request(self, method: str, path: str, delivers: bool = False, **kwargs: Any):
        """Send a request; network failures are classified by `network_failure`, the URL redacted.

        `delivers=True` marks a call that hands a reply to the channel: a failure after the
        request may have reached it is then `DeliveryUnknown`, never a retry-safe error.
        """
        import requests

        kwargs.setdefault("timeout", self.timeout)
        try:
            return self.session.request(method, self.url(path), **kwargs)
        except requests.RequestException as exc:
            raise network_failure(exc, f"talking to {redact(self.base_url)}", delivers) from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
