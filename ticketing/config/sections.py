"""The typed sections of config.yaml besides channels: each rejects keys it does not know.

A channel's own keys are validated by its collector's `settings_model` (ticketing.contract);
everything here is validated when the file is read, so a misspelt key anywhere fails at once,
naming its path and the nearest known key.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

BIDANG_CODES = ("DAFDUK", "CAPIL", "PIAK", "PDIP", "SEKRETARIAT")
NOTIFICATION_KINDS = ("sla_warning", "sla_breach", "escalation", "reauth", "recap")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficeSettings(Strict):
    name: str = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
    short_name: str = "Dindukcapil Brebes"
    timezone: str = "Asia/Jakarta"
    locale: Literal["id", "en"] = "id"
    address: str = ""
    head_title: str = "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
    head_name: str = ""
    head_nip: str = ""
    complaint_admin_name: str = ""
    complaint_admin_nip: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone; use an IANA name such as Asia/Jakarta") from exc
        return value


class DatabaseSettings(Strict):
    url: str = "sqlite:///aduan.db"
    busy_timeout_ms: int = Field(default=15000, ge=100)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value


class RedisSettings(Strict):
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://HOST:PORT/DB, rediss://... or unix://PATH, or null for inline mode")
        return value or None


class DatedEntry(Strict):
    date: date
    name: str = ""
    reason: str = ""


class RamadanHours(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: date = Field(alias="from")
    to: date
    mon_thu: str = Field(alias="mon-thu")
    fri: str


class SlaSettings(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    working_days: int = Field(default=3, ge=1, le=60)
    by_kind: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)
    receipt_day_counts: bool = False
    cuti_bersama_is_working_day: bool = False
    hours: dict[str, str] = Field(default_factory=lambda: {"mon-thu": "07:30-16:00", "fri": "07:30-16:30"})
    ramadan_hours: list[RamadanHours] = Field(default_factory=list)
    local_holidays: list[DatedEntry] = Field(default_factory=list)
    extra_working_days: list[DatedEntry] = Field(default_factory=list)
    removed_holidays: list[DatedEntry] = Field(default_factory=list)
    warn_before_hours: float = Field(default=8, ge=0)
    pause_while_waiting: bool = False


class IngestSettings(Strict):
    reopen_window_days: int = Field(default=7, ge=0, le=365)


class ChannelSettings(BaseModel):
    """The common keys of a channel; the collector validates the rest of its own section."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    type: str
    enabled: bool = True
    stale_after_minutes: int | None = Field(default=None, ge=1)  # `aduan health`: no success for longer = alert
    # a reply the office wrote in the channel's own app (collected as ours) answers the ticket
    native_replies_answer: bool = True

    def section(self) -> dict[str, Any]:
        """This channel's own keys, for its collector's settings model."""
        return dict(self.model_extra or {})


class StaffEntry(Strict):
    username: str
    name: str = ""
    role: Literal["admin", "teknis", "supervisor"]
    bidang: str | None = None
    email: str | None = None
    telegram_chat_id: str | None = None
    os_user: str | None = None  # identity: os — the OS account of this person (default: the username)
    may_act_as: list[str] = Field(default_factory=list)  # identity: os — whom this account may act for (--as)

    @model_validator(mode="after")
    def _teknis_has_bidang(self) -> StaffEntry:
        if self.role == "teknis" and self.bidang not in BIDANG_CODES:
            raise ValueError(f"a teknis user needs bidang: one of {', '.join(BIDANG_CODES)}")
        return self


class LoggingSettings(Strict):
    file: str | None = None
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: int = 5_000_000
    backups: int = 5


class TelegramTarget(Strict):
    base_url: str = "https://api.telegram.org"
    bot_token_env: str
    chat_id: str


class EmailTarget(Strict):
    smtp_host: str
    smtp_port: int = 465
    smtp_security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password_env: str | None = None
    from_address: str
    to: list[str] = []
    timeout_seconds: float = 20


class NotificationSettings(Strict):
    telegram: TelegramTarget | None = None
    email: EmailTarget | None = None
    kinds: list[Literal[NOTIFICATION_KINDS]] = list(NOTIFICATION_KINDS)  # type: ignore[valid-type]
    bidang_direct: bool = True  # escalations go to the teknis staff of the bidang, not the group


class RecapSettings(Strict):
    output_dir: str = "rekap"  # where the daily job writes (relative to the config file)
    daily_format: Literal["csv", "xlsx", "pdf", "json"] = "xlsx"
    city: str = "Brebes"  # the place in the sign-off line
    letterhead_authority: str = "PEMERINTAH KABUPATEN BREBES"
    letterhead_office: str = ""  # default: office.name
    letterhead_contact: str = ""  # telephone, e-mail, website: the letterhead's last line
    logo: str | None = None  # PNG/JPEG for the letterhead's left side; relative to the config file
    report_number: str = ""  # the report's *Nomor*; {year} {month} {month_roman} are filled in


# Best bidang accuracy in cross-validation on the training data: 0.30 gives 95.2 % with 2 % of
# messages left for review; 0.45 gives 93.2 % with 6 %, 0.6 gives 87.7 % with 13 %.
DEFAULT_REVIEW_THRESHOLD = 0.30


class RoutingSettings(Strict):
    """`routing:` — the office's routing choices (ticketing/routing/options.py explains each)."""

    enabled: bool = True
    rules_file: str | None = None
    model: bool = True  # false: the keyword rules alone
    model_file: str | None = None  # written by `aduan classify train`; null = the shipped model
    review_threshold: float = Field(default=DEFAULT_REVIEW_THRESHOLD, ge=0, le=1)
    not_ours_bidang: str | None = None
    not_ours_template: str = "bukan-kewenangan"
    queue_bidang: str = "SEKRETARIAT"
    ikd_bidang: str = "DAFDUK"
    ikd_errors_bidang: str = "PIAK"
    online_errors_bidang: str = "PIAK"

    @field_validator("not_ours_bidang", "ikd_bidang", "ikd_errors_bidang", "online_errors_bidang")
    @classmethod
    def _bidang(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in BIDANG_CODES:
            raise ValueError(f"unknown bidang {value!r}; use one of {', '.join(BIDANG_CODES)}")
        return value.upper()

    @field_validator("queue_bidang")
    @classmethod
    def _queue(cls, value: str) -> str:
        if value.upper() not in ("SEKRETARIAT", "PDIP"):
            raise ValueError("queue complaints go to SEKRETARIAT or PDIP (domain.md §4)")
        return value.upper()

    def bidang_overrides(self) -> dict[str, str | None]:
        """Category -> bidang where the office's choice replaces the rules file's."""
        return {"bukan-kewenangan": self.not_ours_bidang, "antrean": self.queue_bidang, "ikd": self.ikd_bidang}

    def technical_overrides(self) -> dict[str, str]:
        return {"ikd": self.ikd_errors_bidang, "layanan-online": self.online_errors_bidang}


class PrivacySettings(Strict):
    log_key_env: str | None = None  # a fixed key makes NIK#... tokens joinable across runs


class WebhookSettings(Strict):
    """Limits of `aduan webhook serve` and of the stored-delivery queue behind it."""

    max_body_bytes: int = Field(default=1_000_000, ge=1024)  # Meta's bodies are small; counted while reading
    read_timeout_seconds: float = Field(default=10.0, gt=0)  # a client silent this long mid-body is dropped
    max_attempts: int = Field(default=8, ge=1)  # a delivery failing this often is dead-lettered
    retry_base_seconds: float = Field(default=30.0, gt=0)  # first retry delay, doubled per attempt
    retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)  # the backoff never waits longer


class BackupSettings(Strict):
    dir: str = "backups"  # where `aduan db backup` writes (relative to the config file)
    keep: int = Field(default=14, ge=1)  # copies kept; older ones are removed after a verified backup
    max_age_hours: float = Field(default=36, gt=0)  # `aduan health` warns when the newest copy is older


class HealthSettings(Strict):
    stale_after_minutes: int = Field(default=60, ge=1)  # a channel with no success for longer is down
    webhook_backlog_minutes: int = Field(default=10, ge=1)  # stored webhook bodies unprocessed for longer
