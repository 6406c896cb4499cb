"""Find collector classes through the `aduan.collectors` entry-point group.

Built-in channels are declared in pyproject.toml exactly like a third-party plugin would be,
so both load the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ticketing.clock import Clock
from ticketing.config import ChannelSettings, unknown_key_hint
from ticketing.contract.collector import Collector
from ticketing.errors import ConfigError, InvalidSection

GROUP = "aduan.collectors"


@lru_cache(maxsize=1)
def available() -> dict[str, object]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=GROUP)}


def collector_class(type_name: str) -> type[Collector]:
    entry = available().get(type_name)
    if entry is None:
        known = ", ".join(sorted(available())) or "tidak ada (sudahkah aduan dipasang dengan pip install -e .?)"
        raise ConfigError(f"jenis kanal {type_name!r} tidak dikenal; jenis yang terpasang: {known}")
    try:
        return entry.load()
    except ImportError as exc:
        raise ConfigError(f"jenis kanal {type_name!r} tidak bisa dimuat: {exc}. Pasang paket yang "
                          f"dibutuhkannya di lingkungan aduan (pip install -e . di folder aduan)") from None


def validate_channel(channel: ChannelSettings, locale: str = "id") -> None:
    """Check a channel's own keys against its collector's settings model, without building it."""
    cls = collector_class(channel.type)
    if cls.settings_model is not None:
        _settings(cls, channel, locale)


def _settings(cls: type[Collector], channel: ChannelSettings, locale: str = "id") -> Any:
    from pydantic import ValidationError

    from ticketing.config import problem_text
    from ticketing.i18n_cli import message, validation_text

    try:
        return cls.settings_model.model_validate(channel.section())
    except ValidationError as exc:
        problems = "; ".join(
            f"channels ({channel.name}).{'.'.join(str(p) for p in e['loc'])}: "
            + (unknown_key_hint(tuple(e['loc']), cls.settings_model, locale)
               if e["type"] == "extra_forbidden" else validation_text(problem_text(e), locale))
            for e in exc.errors()
        )
        raise InvalidSection(message("config_channel_invalid", locale, problems=problems)) from None


def build_collector(channel: ChannelSettings, environ: Mapping[str, str] | None = None,
                    clock: Clock | None = None, locale: str | None = None) -> Collector:
    """Validate the channel's own section with its collector's settings model and construct it;
    `locale` is the office's UI language (placeholders of messages without text)."""
    cls = collector_class(channel.type)
    settings = _settings(cls, channel, locale or "id") if cls.settings_model is not None else channel.section()
    collector = cls(channel.name, settings, environ, clock=clock)
    if locale:
        collector.locale = locale
    return collector
