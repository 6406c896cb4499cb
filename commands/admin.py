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
