"""`aduan webhook serve|process|deliveries|retry`: the receiver and its stored-delivery queue."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, console, print_json
from ticketing.i18n_cli import message

webhook_app = typer.Typer(help="Webhook Meta (WhatsApp, Messenger, Instagram).", no_args_is_help=True)


@webhook_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Listen address (put HTTPS in front: a reverse proxy)."),
    port: int = typer.Option(8080, "--port", help="Port dengar."),
) -> None:
    """Terima webhook bertanda tangan dari Meta; simpan dulu, lalu proses."""
    import uvicorn

    from ticketing.webhooks.receiver import create_app

    app = app_of(ctx)
    app.engine  # open and migrate the database before the first request  # noqa: B018
    uvicorn.run(create_app(app), host=host, port=port, log_level="warning", access_log=False)


@webhook_app.command("process")
def process(ctx: typer.Context) -> None:
    """Proses webhook yang tersimpan tetapi belum diolah (pemulihan setelah gangguan)."""
    from ticketing.privacy.safety import safe_terminal_text
    from ticketing.webhooks.queue import process_pending

    app = app_of(ctx)
    total, failed, dead = 0, 0, 0
    while True:  # failed rows wait for their backoff, so every pass takes new rows or none
        result = process_pending(app)
        total, failed, dead = total + result.deliveries, failed + result.failed, dead + result.dead
        for error in result.errors:
            typer.echo(message("webhook_failed_line", app.locale, error=safe_terminal_text(error, 300, True)), err=True)
        if result.attempted == 0:
            break
    tail = message("webhook_processed_failed", app.locale, count=failed) if failed else ""
    tail += message("webhook_processed_dead", app.locale, count=dead) if dead else ""
    typer.echo(message("webhook_processed", app.locale, total=total) + tail)
    if failed:
        raise typer.Exit(1)


@webhook_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    failed: bool = typer.Option(False, "--failed", help="Hanya kiriman yang gagal atau dihentikan (dead letter)."),
    limit: int = typer.Option(50, "--limit", min=1, help="Tampilkan paling banyak sekian kiriman."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Daftar kiriman webhook tersimpan: status, percobaan, kesalahan terakhir."""
    from rich.table import Table
    from rich.text import Text

    from ticketing.i18n import format_short
    from ticketing.privacy.safety import safe_terminal_text
    from ticketing.store.db import read_session
    from ticketing.webhooks.deliveries import list_deliveries

    app = app_of(ctx)
    with read_session(app.engine) as session:
        rows = list_deliveries(session, failed_only=failed, limit=limit)
    if as_json:
        print_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo(message("webhook_none_failed" if failed else "webhook_none", app.locale))
        return
    table = Table("ID", *(message(f"webhook_col_{c}", app.locale)
                          for c in ("channel", "received", "status", "attempts", "retry", "error")))
    tz = app.settings.office.timezone
    for row in rows:
        table.add_row(str(row.id), Text(safe_terminal_text(row.source, 40, True)),
                      format_short(row.received_at, app.locale, tz), message(f"webhook_state_{row.state}", app.locale),
                      str(row.attempts),
                      format_short(row.next_attempt_at, app.locale, tz) if row.next_attempt_at else "-",
                      Text(safe_terminal_text(row.error or "", 120, True)))
    console().print(table)


RETRY_ID = typer.Argument(..., metavar="ID", help="Nomor kiriman (kolom pertama `aduan webhook deliveries`).")


@webhook_app.command("retry")
def retry(ctx: typer.Context, delivery_id: int = RETRY_ID) -> None:
    """Antrekan ulang kiriman webhook yang gagal atau dihentikan; diproses pada putaran berikutnya."""
    from ticketing.store.db import run_write
    from ticketing.webhooks.deliveries import requeue

    app = app_of(ctx)
    if not run_write(app.engine, lambda session: requeue(session, delivery_id)):
        typer.echo(message("webhook_already_done", app.locale, id=delivery_id))
        return
    typer.echo(message("webhook_requeued", app.locale, id=delivery_id))
