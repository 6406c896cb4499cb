"""Configuration: read once at the edge, validated into typed settings.

Precedence is flag > environment > file > default. Secrets never live in the file: a key
ending in `_env` names the environment variable that holds the value, and `Secret` masks it
in every repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from ticketing.config.sections import (  # noqa: F401  (re-exported: the settings types)
    BIDANG_CODES,
    BackupSettings,
    ChannelSettings,
    DatabaseSettings,
    DatedEntry,
    EmailTarget,
    HealthSettings,
    IngestSettings,
    LoggingSettings,
    NotificationSettings,
    OfficeSettings,
    PrivacySettings,
    RamadanHours,
    RecapSettings,
    RedisSettings,
    RoutingSettings,
    SlaSettings,
    StaffEntry,
    Strict,
    TelegramTarget,
    WebhookSettings,
)
from ticketing.errors import ConfigError

DEFAULT_CONFIG_NAME = "config.yaml"
ENV_OVERRIDES = {
    "ADUAN_DATABASE_URL": ("database", "url"),
    "ADUAN_REDIS_URL": ("redis", "url"),
    "ADUAN_LOCALE": ("office", "locale"),
    "ADUAN_LOG_FILE": ("logging", "file"),
}


class Secret:
    """A secret value that never shows itself in repr, str or an f-string."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        from ticketing.privacy.redact import register_secret

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


class Settings(Strict):
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    channels: list[ChannelSettings] = Field(default_factory=list)
    staff: list[StaffEntry] = Field(default_factory=list)
    templates: dict[str, str] = Field(default_factory=dict)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    recap: RecapSettings = Field(default_factory=RecapSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    # os: the acting user is the OS account (proven); declared: --as / ADUAN_USER / login name (trusted).
    # None (key absent): declared, and `aduan health` warns.
    identity: Literal["os", "declared"] | None = None

    source: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _redirect_template_exists(self) -> Settings:
        from ticketing.workflow.templates import all_templates

        name = self.routing.not_ours_template
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


def known_keys(loc: tuple[Any, ...], model: type[BaseModel]) -> list[str]:
    """The keys the model allows beside the last key of `loc` (list indexes and dict keys skipped)."""
    node: Any = model
    for item in loc[:-1]:
        if isinstance(item, int) or not (isinstance(node, type) and issubclass(node, BaseModel)):
            continue
        field = node.model_fields.get(str(item))
        if field is None:
            return []
        node = _model_in(field.annotation)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return []
    return [info.alias or name for name, info in node.model_fields.items() if not info.exclude]


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside `Model`, `Model | None` or `list[Model]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def unknown_key_hint(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    import difflib

    keys = known_keys(loc, model)
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if keys:
        return "known keys here: " + ", ".join(sorted(keys))
    return "check its spelling against config.yaml"


def format_validation_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """One line per problem: the key's path, the offending value and what is allowed."""
    lines = [f"invalid configuration in {source}:"]
    for error in exc.errors():
        where = _describe_location(tuple(error["loc"]), data)
        value = error.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (value: {value!r})"
        if error["type"] == "extra_forbidden":
            lines.append(f"  {where}: unknown key; {unknown_key_hint(tuple(error['loc']), Settings)}")
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
    if settings.recap.logo:
        settings.recap.logo = str((base_dir / settings.recap.logo).resolve())
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
