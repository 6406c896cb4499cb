"""The `x` channel's config section and its cursor: what a run may read, and where the last one stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ticketing.contract import CollectorError

OAUTH1_KEYS = ("consumer_key_env", "consumer_secret_env", "access_token_env", "access_token_secret_env")


class XSettings(BaseModel):
    """The `x` channel's own section of config.yaml."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = Field(default="https://api.x.com", pattern=r"^https?://")
    user_id: str | None = Field(default=None, pattern=r"^[0-9]{1,25}$")
    username: str | None = Field(default=None, pattern=r"^@?[A-Za-z0-9_]{1,15}$")
    bearer_token_env: str | None = None
    consumer_key_env: str | None = None
    consumer_secret_env: str | None = None
    access_token_env: str | None = None
    access_token_secret_env: str | None = None
    bearer_is_user_token: bool = False
    read_mentions: bool = True
    read_dms: bool = True
    page_size: int = Field(default=100, ge=5, le=100)
    max_pages: int = Field(default=5, ge=1, le=100)
    monthly_read_budget: int | None = Field(default=None, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Minimum minutes between two reads of an endpoint (0: every run). DMs are billed per event
    # and change less often than mentions, so an office can poll them less often.
    mentions_interval_minutes: int = Field(default=0, ge=0, le=1440)
    dms_interval_minutes: int = Field(default=0, ge=0, le=1440)

    @model_validator(mode="after")
    def _some_credentials(self) -> XSettings:
        given = [getattr(self, key) for key in OAUTH1_KEYS]
        if any(given) and not all(given):
            raise ValueError("OAuth 1.0a needs all four of " + ", ".join(OAUTH1_KEYS))
        if not self.bearer_token_env and not all(given):
            raise ValueError("name bearer_token_env, or the four OAuth 1.0a *_env keys")
        return self


@dataclass
class XCursor:
    """Where the last run stopped. Ids compare as integers; payload timestamps never move it.

    A run that hits `max_pages` leaves a backfill in progress: mentions between
    `mentions_since_id` and `mentions_until_id` are still unread and `mentions_newest_id`
    becomes the new since_id once they are. DMs have no since_id on X: `dm_since_id` is the
    newest event stored, a run reads newest first until it reaches it, and a cut-short DM read
    resumes from `dm_resume_token`. `*_read_at` is when our clock last read an endpoint (for the
    per-endpoint intervals), never a time taken from a payload.
    """

    mentions_since_id: str | None = None
    mentions_until_id: str | None = None
    mentions_newest_id: str | None = None
    dm_since_id: str | None = None
    dm_resume_token: str | None = None
    dm_newest_id: str | None = None
    mentions_read_at: str | None = None
    dms_read_at: str | None = None

    @classmethod
    def coerce(cls, value: Any) -> XCursor:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return replace(value)
        if isinstance(value, Mapping):
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in value.items() if k in known})
        raise CollectorError(f"X cursor has an unexpected shape: {type(value).__name__}")

    def positions(self) -> tuple[str | None, ...]:
        """Where reading stands, without the read times: equal positions mean no progress."""
        return tuple(getattr(self, f.name) for f in fields(self) if not f.name.endswith("_read_at"))

    def due(self, endpoint: str, now: datetime, interval_minutes: int) -> bool:
        """Whether `endpoint` ("mentions" or "dms") may be read again at `now`."""
        last = getattr(self, f"{endpoint}_read_at")
        if not interval_minutes or not last:
            return True
        try:
            then = datetime.fromisoformat(last)
        except (TypeError, ValueError):
            return True
        return (now - then).total_seconds() >= interval_minutes * 60 or then > now
