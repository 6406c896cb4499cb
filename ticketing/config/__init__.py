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
        from ticketing.i18n_cli import message

        raise ConfigError(message("no_channel", self.office.locale, name=name,
                                  source=self.source or "config.yaml"))

    def staff_member(self, username: str) -> StaffEntry | None:
        return next((s for s in self.staff if s.username == username), None)


def _describe_location(loc: tuple[Any, ...], data: Mapping[str, Any], locale: str = "id") -> str:
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
    return "".join(parts) or ("(tingkat atas)" if locale == "id" else "(top level)")


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


def unknown_key_hint(loc: tuple[Any, ...], model: type[BaseModel], locale: str = "en") -> str:
    """`unknown key; did you mean ...?` (or the keys allowed here) in `locale`."""
    import difflib

    from ticketing.i18n_cli import message

    keys = known_keys(loc, model)
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.6)
    if close:
        return message("config_unknown_key", locale, close=close[0])
    if keys:
        return message("config_known_keys", locale, keys=", ".join(sorted(keys)))
    return message("config_check_spelling", locale)


def problem_text(error: Mapping[str, Any]) -> str:
    """Pydantic's wording of one problem; a validator's own sentence without "Value error, "."""
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error") is not None:
        return str(error["ctx"]["error"])
    return str(error["msg"])


def format_validation_error(exc: ValidationError, data: Mapping[str, Any], source: str, locale: str = "id") -> str:
    """One line per problem: the key's path, the offending value and what is allowed."""
    from ticketing.i18n_cli import message, validation_text

    lines = [message("config_invalid", locale, path=source)]
    value_word = "nilai" if locale == "id" else "value"
    for error in exc.errors():
        where = _describe_location(tuple(error["loc"]), data, locale)
        value = error.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" ({value_word}: {value!r})"
        if error["type"] == "extra_forbidden":
            lines.append(f"  {where}: {unknown_key_hint(tuple(error['loc']), Settings, locale)}")
        else:
            lines.append(f"  {where}{shown}: {validation_text(problem_text(error), locale)}")
    return "\n".join(lines)


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value


def resolve_config_path(flag: str | None, environ: Mapping[str, str], locale: str = "id") -> tuple[Path, bool]:
    """The config file to read and whether the user named it explicitly. There is no silent
    default: without --config or ADUAN_CONFIG, ./config.yaml must exist (a cron line that lost
    its `cd` fails loudly instead of running on an empty database)."""
    from ticketing.i18n_cli import message

    if flag or environ.get("ADUAN_CONFIG"):
        path = Path(flag or environ["ADUAN_CONFIG"])
        if not path.exists():
            raise ConfigError(message("config_named_missing", locale, path=path))
        return path, True
    default = Path.cwd() / DEFAULT_CONFIG_NAME
    if not default.exists():
        raise ConfigError(message("config_missing", locale, path=default))
    return default, False


def _read_yaml(config_path: Path, locale: str) -> dict[str, Any]:
    from ticketing.i18n_cli import message

    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(message("config_unreadable", locale, path=config_path, reason=reason)) from None
    try:
        # libyaml's safe loader when present: same result, a tenth of every command's parse time
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loaded = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ConfigError(message("config_bad_yaml", locale, path=config_path, reason=exc)) from None
    if loaded is not None and not isinstance(loaded, dict):
        raise ConfigError(message("config_not_mapping", locale, path=config_path))
    return loaded or {}


def load_settings(
    path: str | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, ...], Any] | None = None,
    locale: str | None = None,
) -> Settings:
    """Read, merge and validate the configuration; raise ConfigError naming the key and the fix,
    in `locale` (else ADUAN_LOCALE, else the file's office.locale, else Indonesian)."""
    from ticketing.i18n_cli import LOCALES, locale_from

    environ = os.environ if environ is None else environ
    language = locale_from(environ, locale)
    config_path, _explicit = resolve_config_path(path, environ, language)
    source = str(config_path)
    data = _read_yaml(config_path, language)
    if not (locale or environ.get("ADUAN_LOCALE")):
        office = data.get("office")
        if isinstance(office, dict) and office.get("locale") in LOCALES:
            language = office["locale"]
    for env_name, key_path in ENV_OVERRIDES.items():
        if environ.get(env_name):
            _set_path(data, key_path, environ[env_name])
    for key_path, value in (overrides or {}).items():
        if value is not None:
            _set_path(data, key_path, value)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, data, source, language)) from None
    settings.source = source
    base_dir = config_path.parent
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
            raise ConfigError(f"channels ({channel}).{key} belum diisi: tulis nama variabel lingkungan "
                              "yang memuat rahasia ini")
        return None
    value = environ.get(str(var))
    if not value:
        if required:
            raise ConfigError(f"channels ({channel}).{key}: variabel lingkungan {var} belum diisi; "
                              f"jalankan export {var}=... sebelum aduan")
        return None
    return Secret(value, str(var))
