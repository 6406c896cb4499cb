"""`aduan db upgrade` and `aduan demo`."""

from __future__ import annotations

import typer

from commands.context import app_of, console

db_app = typer.Typer(help="Basis data: migrasi skema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the newest version (Alembic migrations)."""
    from ticketing.store.db import current_revision, make_engine, upgrade

    app = app_of(ctx)
    engine = make_engine(app.settings.database.url, app.settings.database.busy_timeout_ms)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    typer.echo(f"schema: {before or '(kosong)'} -> {after}")


def demo(
    ctx: typer.Context,
    database: str = typer.Option("aduan-demo.db", "--db", help="SQLite file for the demo (recreated)."),
) -> None:
    """Seluruh alur pada data contoh: tanpa Redis, tanpa kredensial."""
    from commands.demo_run import run_demo

    if not run_demo(app_of(ctx), database, console()):
        raise typer.Exit(1)  # a demo channel failed: its line above says why


config_app = typer.Typer(help="Konfigurasi: periksa config.yaml.", no_args_is_help=True)


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Periksa setiap bagian config.yaml, termasuk kunci tiap kanal; keluar 2 bila ada yang salah."""
    from ticketing.contract.registry import validate_channel
    from ticketing.errors import ConfigError

    app = app_of(ctx)  # the top-level sections are checked when the file is read
    problems = []
    for channel in app.settings.channels:
        try:
            validate_channel(channel)
        except ConfigError as exc:
            problems.append(str(exc))
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(f"ok: {app.settings.source}: {len(app.settings.channels)} kanal, {len(app.settings.staff)} staf")
