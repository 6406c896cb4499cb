"""`aduan health [--json]`: one line per problem and a non-zero exit, or one "ok" line, for monitoring.

Exit codes: 0 healthy, 1 at least one problem (cron/monitoring alerts on it), 2 configuration error.
"""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, print_json
from ticketing.i18n_cli import message

EXIT_UNHEALTHY = 1


def health(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Kesehatan sistem untuk pemantauan: kanal, worker, karantina, outbox, webhook."""
    from commands.collect import _require
    from ticketing.health import check_health
    from ticketing.i18n import format_datetime
    from ticketing.privacy.safety import safe_terminal_text as plain

    app = app_of(ctx)
    _require(app, "channels")  # staff need the role; a monitoring account that is not staff runs as system
    report = check_health(app)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        tz = app.settings.office.timezone
        last = ", ".join(f"{c['channel']} {format_datetime(_parse(c['last_success_at']), app.locale, tz)}"
                         for c in report.channels)
        typer.echo(plain(message("health_ok", app.locale, count=len(report.channels))
                         + (message("health_last", app.locale, last=last) if last else "")))
    else:
        for problem in report.problems:
            typer.echo(plain(problem.message, single_line=True))
    if not as_json:
        for warning in report.warnings:
            typer.echo(plain(message("health_warning", app.locale, text=warning.message), single_line=True),
                       err=True)
    if not report.ok:
        raise typer.Exit(EXIT_UNHEALTHY)


def _parse(value: str | None):
    from datetime import datetime

    return datetime.fromisoformat(value) if value else None
