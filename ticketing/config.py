"""Configuration: read once at the edge, validated into typed settings.

Precedence is flag > environment > file > default. Secrets never live in the file: a key
ending in `_env` names the environment variable that holds the value, and `Secret` masks it
in every repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ticketing.errors import ConfigError

DEFAULT_CONFIG_NAME = "config.yaml"
ENV_OVERRIDES = {
    "ADUAN_DATABASE_URL": ("database", "url"),
    "ADUAN_REDIS_URL": ("redis", "url"),
    "ADUAN_LOCALE": ("office", "locale"),
    "ADUAN_LOG_FILE": ("logging", "file"),
}
BIDANG_CODES = ("DAFDUK", "CAPIL", "PIAK", "PDIP", "SEKRETARIAT")


class Secret:
    """A secret value that never shows itself in repr, str or an f-string."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        from ticketing.redact import register_secret

        self._value = value
        self.source = source
        register_secret(value)

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(from ${self.source}, ****)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficeSettings(_Strict):
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


class DatabaseSettings(_Strict):
    url: str = "sqlite:///aduan.db"
    busy_timeout_ms: int = Field(default=15000, ge=100)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value


class RedisSettings(_Strict):
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://HOST:PORT/DB, rediss://... or unix://PATH, or null for inline mode")
        return value or None


class DatedEntry(_Strict):
    date: date
    name: str = ""
    reason: str = ""


class RamadanHours(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: date = Field(alias="from")
    to: date
    mon_thu: str = Field(alias="mon-thu")
    fri: str


class SlaSettings(_Strict):
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


class IngestSettings(_Strict):
    reopen_window_days: int = Field(default=7, ge=0, le=365)
    bulk_chunk_size: int = Field(default=5000, ge=1, le=100000)


class ChannelSettings(BaseModel):
    """The common keys of a channel; the collector validates the rest of its own section."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    type: str
    enabled: bool = True
    stale_after_minutes: int | None = Field(default=None, ge=1)  # `aduan health`: no success for longer = alert

    def section(self) -> dict[str, Any]:
        """This channel's own keys, for its collector's settings model."""
        return dict(self.model_extra or {})


class StaffEntry(_Strict):
    username: str
    name: str = ""
    role: Literal["admin", "teknis", "supervisor"]
    bidang: str | None = None
    email: str | None = None
    telegram_chat_id: str | None = None

    @model_validator(mode="after")
    def _teknis_has_bidang(self) -> StaffEntry:
        if self.role == "teknis" and self.bidang not in BIDANG_CODES:
            raise ValueError(f"a teknis user needs bidang: one of {', '.join(BIDANG_CODES)}")
        return self


class LoggingSettings(_Strict):
    file: str | None = None
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: int = 5_000_000
    backups: int = 5


class Settings(_Strict):
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    channels: list[ChannelSettings] = Field(default_factory=list)
    staff: list[StaffEntry] = Field(default_factory=list)
    templates: dict[str, str] = Field(default_factory=dict)
    notifications: dict[str, Any] = Field(default_factory=dict)
    recap: dict[str, Any] = Field(default_factory=dict)
    routing: dict[str, Any] = Field(default_factory=dict, validate_default=True)  # filled by RoutingOptions
    privacy: dict[str, Any] = Field(default_factory=dict)
    webhook: dict[str, Any] = Field(default_factory=dict)
    health: dict[str, Any] = Field(default_factory=dict)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    source: str | None = Field(default=None, exclude=True)

    @field_validator("routing", mode="before")
    @classmethod
    def _routing(cls, value: Any) -> dict[str, Any]:
        from ticketing.routing.options import validate_routing  # imported here: routing imports this module

        return validate_routing(value if isinstance(value, dict) else {})

    @model_validator(mode="after")
    def _redirect_template_exists(self) -> Settings:
        from ticketing.templates import all_templates

        name = self.routing.get("not_ours_template")
        known = all_templates(self.templates)
        if name not in known:
            raise ValueError(f"routing.not_ours_template {name!r} is not a template; known: {', '.join(sorted(known))}")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        seen: set[str] = set()
        for channel in self.channels:
            if channel.name in seen:
                raise ValueError(f"channel name {channel.name!r} is used twice; names must be unique")
            seen.add(channel.name)
        users = [s.username for s in self.staff]
        if len(users) != len(set(users)):
            raise ValueError("a staff username is listed twice")
        return self

    def channel(self, name: str) -> ChannelSettings:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise ConfigError(f"no channel named {name!r} in {self.source or 'the configuration'}")

    def staff_member(self, username: str) -> StaffEntry | None:
        return next((s for s in self.staff if s.username == username), None)


def _describe_location(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name") or node[item].get("username")
                if name:
                    label = f"[{item}] ({name})"
            parts.append(label)
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def format_validation_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """One line per problem: the key's path, the offending value and what is allowed."""
    lines = [f"invalid configuration in {source}:"]
    for error in exc.errors():
        where = _describe_location(tuple(error["loc"]), data)
        value = error.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (value: {value!r})"
        if error["type"] == "extra_forbidden":
            lines.append(f"  {where}: unknown key; check its spelling against config.yaml")
        else:
            lines.append(f"  {where}{shown}: {error['msg']}")
    return "\n".join(lines)


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value


def resolve_config_path(flag: str | None, environ: Mapping[str, str]) -> tuple[Path | None, bool]:
    """The config file to read and whether the user named it explicitly."""
    if flag:
        return Path(flag), True
    if environ.get("ADUAN_CONFIG"):
        return Path(environ["ADUAN_CONFIG"]), True
    default = Path.cwd() / DEFAULT_CONFIG_NAME
    return (default if default.exists() else None), False


def load_settings(
    path: str | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, ...], Any] | None = None,
) -> Settings:
    """Read, merge and validate the configuration; raise ConfigError naming the key and the fix."""
    environ = os.environ if environ is None else environ
    config_path, explicit = resolve_config_path(path, environ)
    data: dict[str, Any] = {}
    source = "defaults"
    if config_path is not None:
        if not config_path.exists():
            raise ConfigError(
                f"config file {config_path} not found; pass --config PATH, set ADUAN_CONFIG, "
                "or copy config.yaml from the aduan checkout"
            )
        source = str(config_path)
        try:
            # libyaml's safe loader when present: same result, a tenth of every command's parse time
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            loaded = yaml.load(config_path.read_text(encoding="utf-8"), Loader=loader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source} is not valid YAML: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{source} must be a mapping of sections (office, database, ...)")
        data = loaded or {}
    for env_name, key_path in ENV_OVERRIDES.items():
        if environ.get(env_name):
            _set_path(data, key_path, environ[env_name])
    for key_path, value in (overrides or {}).items():
        if value is not None:
            _set_path(data, key_path, value)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, data, source)) from None
    settings.source = source
    base_dir = config_path.parent if config_path is not None else Path.cwd()
    settings.database.url = _anchor_sqlite_path(settings.database.url, base_dir)
    return settings


def _anchor_sqlite_path(url: str, base_dir: Path) -> str:
    """Relative SQLite paths are relative to the config file, so cron's cwd does not matter."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    rest = url[len(prefix):]
    if rest in ("", ":memory:") or rest.startswith(":memory:"):
        return url
    return prefix + str((base_dir / rest).resolve())


def secret_from_env(section: Mapping[str, Any], key: str, channel: str,
                    environ: Mapping[str, str] | None = None, required: bool = True) -> Secret | None:
    """Read the secret whose variable name is stored under `key` (which ends in `_env`)."""
    environ = os.environ if environ is None else environ
    var = section.get(key)
    if not var:
        if required:
            raise ConfigError(f"channels ({channel}).{key} is missing: name the environment variable "
                              "that holds this secret")
        return None
    value = environ.get(str(var))
    if not value:
        if required:
            raise ConfigError(f"channels ({channel}).{key}: environment variable {var} is not set; "
                              f"export {var}=... before running aduan")
        return None
    return Secret(value, str(var))
