"""aduan's error tree, grouped by what the caller does about an error.

Every error aduan raises on purpose derives from `AduanError`, whose text is safe to show a
user. The second level says what to do:

- `ConfigError`      fix the configuration (exit 2);
- `Refused`          the request is refused as it stands and nothing happened (a ticket that does
                     not exist, a transition the SOP forbids, a role that may not act, a reply the
                     channel's rules forbid, a webhook with a bad signature);
- `RetryLater`       nothing happened yet; the same call may succeed later (timeouts, 5xx, rate
                     limits, another run holding the channel's lease);
- `NeedsReauth`      credentials are invalid or expired: an operator must re-authorise;
- `NeedsSettling`    the outcome is unknown (a reply may have gone out): never retried blindly,
                     an admin settles it;
- `PayloadError`     one item could not be understood: quarantine it, go on with the rest.

`CollectorError` marks errors that came from talking to a channel; its subclasses are also
members of the group that says what to do. Importable without any heavy dependency.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class AduanError(Exception):
    """Base of every error aduan raises on purpose; its text is safe to show a user."""


class ConfigError(AduanError):
    """The configuration is invalid; the message names the key, the value and the fix."""


class InvalidSection(ConfigError):
    """A section of the configuration file has an unknown or invalid key (not a missing variable)."""


# -- what the caller does -------------------------------------------------------------------


class Refused(AduanError):
    """The request is refused as it stands; nothing was changed or sent."""


class RetryLater(AduanError):
    """Nothing happened yet; the same call may succeed later."""


class NeedsReauth(AduanError):
    """Credentials are invalid or expired: an operator must re-authorise the channel."""


class NeedsSettling(AduanError):
    """The outcome is unknown: an admin must check and settle it; never retried automatically."""


# -- refusals -------------------------------------------------------------------------------


class NotFound(Refused):
    """A ticket, message or user that does not exist."""


class InvalidTransition(Refused):
    """A status change the SOP does not allow."""


class PermissionDenied(Refused):
    """The acting user's role does not allow this action."""


class ReplyKindNeeded(Refused):
    """A reply on an escalated ticket whose bidang has not answered: final answer or interim?"""
class DifferentContacts(Refused):
    """Merging tickets of two different citizens without --force: replies would reach the wrong person."""


class SignatureError(Refused):
    """A webhook request whose signature or verify token does not match."""


# -- channels -------------------------------------------------------------------------------


class CollectorError(AduanError):
    """Something went wrong talking to a channel (and no more specific class applies)."""


class AuthExpired(CollectorError, NeedsReauth):
    """The channel rejected our credentials."""


class TransientError(CollectorError, RetryLater):
    """A failure before anything reached the channel (5xx, connect timeout, reset): retry later."""


class RateLimited(CollectorError, RetryLater):
    """The channel asked us to wait; no call may be made before `retry_at`."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


class DeliveryUnknown(CollectorError, NeedsSettling):
    """A send whose request may have reached the channel (read timeout, dropped connection after
    the request was written, accepted without an id): it may have gone out."""


class SendRefused(CollectorError, Refused):
    """The channel's rules forbid this reply (24-hour window, comment on a tag, ...).

    Raised before anything is sent; the message says why in the office's words.
    """


class PayloadError(CollectorError):
    """One item could not be understood; it is quarantined and the batch goes on."""

    def __init__(self, message: str, payload: Any = None, external_id: str | None = None):
        super().__init__(message)
        self.payload = payload
        self.external_id = external_id


class LeaseLost(RetryLater):
    """Another run took over this channel's lease; this run stops without writing."""


class DatabaseBusy(RetryLater):
    """Another process held the database lock past every wait and retry."""


class SchemaOutdated(Refused):
    """The database is older than this code and is not upgraded automatically (PostgreSQL)."""
