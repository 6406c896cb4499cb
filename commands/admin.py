"""`aduan init`, `aduan db upgrade` and `aduan demo`."""

from __future__ import annotations

from pathlib import Path

import typer

from commands.context import app_of, console, state

db_app = typer.Typer(help="Basis data: migrasi skema.", no_args_is_help=True)

# The commented sample configuration shipped with the checkout (`pip install -e .`).
SAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"
SAMPLE_DATABASE_LINE = 'url: "sqlite:///aduan.db"'


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bawa skema basis data ke versi terbaru (migrasi Alembic)."""
    from ticketing.store.db import current_revision, make_engine, upgrade

    app = app_of(ctx)
    engine = make_engine(app.settings.database.url, app.settings.database.busy_timeout_ms)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    typer.echo(f"schema: {before or '(kosong)'} -> {after}")


def init(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("config.yaml"), help="Berkas konfigurasi yang dibuat."),
    database: str = typer.Option(None, "--db", help="Berkas SQLite (bawaan: aduan.db di samping konfigurasi)."),
) -> None:
    """Buat config.yaml berkomentar dan basis data kosong yang sudah dimigrasi."""
    from ticketing.errors import AduanError, ConfigError
    from ticketing.i18n_cli import locale_from, message
    from ticketing.store.db import current_revision, make_engine, upgrade

    locale = locale_from(__import__("os").environ, state(ctx).lang)
    target = path.absolute()
    if target.exists():
        raise AduanError(message("init_exists", locale, path=target))
    if not SAMPLE_CONFIG.exists():
        raise ConfigError(message("init_no_sample", locale, path=SAMPLE_CONFIG))
    db_path = Path(database).absolute() if database else target.parent / "aduan.db"
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    if SAMPLE_DATABASE_LINE not in text:
        raise ConfigError(message("init_no_sample", locale, path=SAMPLE_CONFIG))
    text = text.replace(SAMPLE_DATABASE_LINE, f'url: "sqlite:///{db_path}"', 1)
    if state(ctx).lang:
        text = text.replace("  locale: id ", f"  locale: {state(ctx).lang} ", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as file:  # never overwrite, even in a race
        file.write(text)
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    typer.echo(message("init_done", locale, path=target, db=db_path, revision=current_revision(engine)))


def demo(
    ctx: typer.Context,
    database: str = typer.Option("aduan-demo.db", "--db", help="Berkas SQLite untuk demo (dibuat ulang)."),
) -> None:
    """Seluruh alur pada data contoh: tanpa Redis, tanpa kredensial."""
    import os

    from commands.demo_run import run_demo

    chosen = state(ctx)
    if not (chosen.config or os.environ.get("ADUAN_CONFIG") or Path("config.yaml").exists()):
        chosen.config = str(SAMPLE_CONFIG)  # a fresh folder: the shipped sample, nothing is written to it
    if not run_demo(app_of(ctx), database, console()):
        raise typer.Exit(1)  # a demo channel failed: its line above says why
