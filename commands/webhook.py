"""`aduan webhook serve` and `aduan webhook process`."""

from __future__ import annotations

import typer

from commands.context import app_of

webhook_app = typer.Typer(help="Webhook Meta (WhatsApp, Messenger, Instagram).", no_args_is_help=True)


@webhook_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Listen address (put HTTPS in front: a reverse proxy)."),
    port: int = typer.Option(8080, "--port"),
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
    from ticketing.webhooks.queue import process_pending

    app = app_of(ctx)
    total = 0
    while True:
        result = process_pending(app)
        total += result.deliveries
        for error in result.errors:
            typer.echo(f"gagal: {error}", err=True)
        if result.deliveries == 0 or result.errors:
            break
    typer.echo(f"{total} webhook diproses")
    if result.errors:
        raise typer.Exit(1)
