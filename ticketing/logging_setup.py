"""Logging for every aduan command: a rotating file from `logging:` in the config, warnings on
stderr, and every line scrubbed by `ticketing.privacy.redact.redact` before it is written.

Tokens reach log lines by many roads: `requests` puts the full URL (Graph `access_token=`,
Telegram `/bot<id>:<token>/`) into its exception text, urllib3 logs request lines at DEBUG and
retried URLs at WARNING, RQ logs a failed job's whole traceback. The redaction sits on the
handlers, so records from any library that propagate to the root logger are scrubbed too, and it
runs on the *formatted* line, traceback included. HTTP client loggers stay at WARNING even when
aduan's own level is DEBUG: their DEBUG lines are request URLs, which is where tokens live.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ticketing.privacy.redact import redact, register_secret

if TYPE_CHECKING:
    from ticketing.config import Settings

HTTP_LOGGERS = ("urllib3", "requests", "httpx", "httpcore", "requests_oauthlib", "oauthlib")
FILE_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
STDERR_FORMAT = "%(message)s"  # what Python prints for an unconfigured warning: short, for people and cron
_MARK = "_aduan_handler"  # handlers we installed, so a second setup replaces instead of duplicating


class RedactingFilter(logging.Filter):
    """Render the record's message once, scrubbed; drop the raw arguments and exception object."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception as exc:  # a broken format string must not lose the line
            message = f"{record.msg!r} (unformattable: {type(exc).__name__})"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = redact(text), None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """Scrub the finished line as well: formats and handlers added later cannot re-add a secret."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is logged (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _mark(handler: logging.Handler, fmt: str) -> logging.Handler:
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(fmt))
    setattr(handler, _MARK, True)
    return handler


def _secret_names(node: Any) -> Iterable[str]:
    """Every environment variable named by a `*_env` key anywhere in a config section."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if str(key).endswith("_env") and isinstance(value, str) and value:
                yield value
            else:
                yield from _secret_names(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _secret_names(item)


def register_configured_secrets(settings: Settings, environ: Mapping[str, str] | None = None) -> int:
    """Register the value of every configured secret with the redactor, before any channel is built.

    A collector registers its own secrets when it reads them; this covers log lines written before
    that, and secrets of channels that are not run in this command."""
    environ = os.environ if environ is None else environ
    sections: list[Any] = [c.model_dump() for c in settings.channels]
    sections += [s.model_dump() for s in (settings.privacy, settings.notifications, settings.webhook, settings.recap)]
    found = 0
    for name in set(_secret_names(sections)):
        value = environ.get(name)
        if value:
            register_secret(value)
            found += 1
    return found


def log_path(settings: Settings) -> Path:
    """The log file; a relative path is relative to the config file, so cron's cwd does not matter."""
    from ticketing.errors import ConfigError

    path = Path(str(settings.logging.file)).expanduser()
    if not path.is_absolute() and settings.source and settings.source != "defaults":
        path = Path(settings.source).resolve().parent / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ConfigError(f"logging.file {path} tidak bisa ditulis ({exc.strerror}); perbaiki path atau hak "
                          "aksesnya, atau isi logging.file: null") from None
    return path


def configure_logging(settings: Settings, environ: Mapping[str, str] | None = None, *,
                      stderr_level: str | int = logging.WARNING, stderr_format: str = STDERR_FORMAT,
                      stream: TextIO | None = None) -> None:
    """Install aduan's handlers on the root logger (idempotent: a second call replaces them)."""
    register_configured_secrets(settings, environ)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    level = logging.getLevelName(settings.logging.level)
    if isinstance(stderr_level, str):
        stderr_level = logging.getLevelName(stderr_level)
    stderr_handler = _mark(logging.StreamHandler(stream) if stream else _CurrentStderr(), stderr_format)
    stderr_handler.setLevel(stderr_level)
    root.addHandler(stderr_handler)
    levels = [stderr_handler.level]
    if settings.logging.file:
        file_handler = RotatingFileHandler(log_path(settings), maxBytes=settings.logging.max_bytes,
                                           backupCount=settings.logging.backups, encoding="utf-8", delay=True)
        file_handler.setLevel(level)
        root.addHandler(_mark(file_handler, FILE_FORMAT))
        levels.append(level)
    root.setLevel(min(levels))
    for name in HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
