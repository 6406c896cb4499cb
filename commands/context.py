"""Shared plumbing of the command modules: the App from the Typer context, output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer


class State:
    def __init__(self, config: str | None, user: str | None, lang: str | None):
        self.config, self.user, self.lang = config, user, lang
        self._app = None

    @property
    def app(self):
        if self._app is None:
            from ticketing.app import App

            self._app = App.load(self.config, user=self.user, locale=self.lang)
            _setup_logging(self._app)
            current_state[0] = self
        return self._app


# The State of the running command, so `cli.main` can audit a refusal that escaped the command.
current_state: list[State | None] = [None]


def _setup_logging(app) -> None:
    """Every command logs through the redacting handlers (file from `logging:`, warnings on stderr)."""
    from ticketing.logging_setup import configure_logging

    configure_logging(app.settings, app.environ)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State(None, None, None)
    return root.obj


def app_of(ctx: typer.Context):
    return state(ctx).app


PIPE_WIDTH = 10_000  # piped with no COLUMNS: a line is as long as its content (cron greps one line per item)


def console(stderr: bool = False):
    """Rich on the terminal's width; piped (cron, `| grep`) with no COLUMNS, lines never wrap at 80."""
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    piped = not (hasattr(stream, "isatty") and stream.isatty()) and not os.environ.get("COLUMNS")
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False, soft_wrap=False,
                   width=PIPE_WIDTH if piped else None)


def print_json(data: Any) -> None:
    """Readable UTF-8 JSON; escapes, C1 and bidi controls from citizens' text stay \\u-escaped."""
    from ticketing.privacy.safety import json_terminal_safe

    sys.stdout.write(json_terminal_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")


JSON_OPTION = typer.Option(False, "--json", help="Keluaran JSON yang stabil, untuk skrip.")


def after_write(app) -> None:
    """Work that follows a change in inline mode (no Redis): deliver queued replies, run the SLA
    sweep. With Redis configured the worker does it instead."""
    from ticketing.background.inline import run_inline_work

    run_inline_work(app)
