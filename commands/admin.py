"""`aduan init`, `aduan db ...` (upgrade, backup, restore, grants), `aduan config check` and `aduan demo`."""

from __future__ import annotations

from pathlib import Path

import typer

from commands.context import app_of, console, state
from ticketing.i18n_cli import message

db_app = typer.Typer(help="Basis data: migrasi skema, salinan cadangan, pemulihan, hak akses.", no_args_is_help=True)

# The commented sample configuration shipped with the checkout (`pip install -e .`).
SAMPLE_FIRST_ADMIN = '- {username: admin1, name: "Admin Pengaduan", role: admin}'
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
    typer.echo(message("db_upgraded", app.locale, before=before or message("db_empty", app.locale), after=after))


def init(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("config.yaml"), help="Berkas konfigurasi yang dibuat."),
    database: str = typer.Option(None, "--db", help="Berkas SQLite (bawaan: aduan.db di samping konfigurasi)."),
) -> None:
    """Buat config.yaml berkomentar dan basis data kosong yang sudah dimigrasi."""
    from ticketing.errors import ConfigError, Refused
    from ticketing.i18n_cli import locale_from
    from ticketing.store.db import current_revision, make_engine, upgrade

    locale = locale_from(__import__("os").environ, state(ctx).lang)
    target = path.absolute()
    if target.exists():
        raise Refused(message("init_exists", locale, path=target))
    if not SAMPLE_CONFIG.exists():
        raise ConfigError(message("init_no_sample", locale, path=SAMPLE_CONFIG))
    db_path = Path(database).absolute() if database else target.parent / "aduan.db"
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    if SAMPLE_DATABASE_LINE not in text:
        raise ConfigError(message("init_no_sample", locale, path=SAMPLE_CONFIG))
    text = text.replace(SAMPLE_DATABASE_LINE, f'url: "sqlite:///{db_path}"', 1)
    if state(ctx).lang:
        text = text.replace("  locale: id ", f"  locale: {state(ctx).lang} ", 1)
    # identity: os proves who acts; the person running `init` becomes admin1 so they are not locked out
    from ticketing.workflow.identity import os_account

    text = text.replace(SAMPLE_FIRST_ADMIN, SAMPLE_FIRST_ADMIN[:-1] + f", os_user: {os_account()}}}", 1)
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


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    path: str = typer.Argument(None, help="Folder salinan (bawaan: backup.dir di config.yaml)."),
    keep: int = typer.Option(None, "--keep", min=1, help="Jumlah salinan yang disimpan (bawaan: backup.keep)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Diam kecuali gagal (untuk cron)."),
) -> None:
    """Salin basis data yang sedang dipakai secara konsisten, periksa salinannya, rotasi salinan lama."""
    from commands.collect import _require
    from ticketing.store import backup

    app = app_of(ctx)
    _require(app, "backup")  # cron's account, when it is no staff, runs as the system
    folder = backup.backup_folder(app.settings, path)
    url = app.settings.database.url
    database = backup.sqlite_path(url)
    if database is None:
        target = backup.pg_backup(url, folder, app.now())
        if not quiet:
            typer.echo(message("db_backup_pg", app.locale, path=target))
        return
    app.engine  # the embedded database is created and migrated on first use, as by any command  # noqa: B018
    result = backup.backup_sqlite(database, folder, app.now(), keep or app.settings.backup.keep)
    if quiet:
        return
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    typer.echo(message("db_backup_done", app.locale, path=result.path))
    typer.echo(message("db_backup_checked", app.locale, events=result.audit_events, counts=counts))
    for old in result.removed:
        typer.echo(message("db_backup_rotated", app.locale, path=old))


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Salinan yang dipulihkan (aduan-*.db, atau aduan-*.dump di PostgreSQL)."),
    force: bool = typer.Option(False, "--force", help="Timpa basis data yang sudah berisi tiket."),
) -> None:
    """Pulihkan basis data dari salinan (hentikan collector dan worker dahulu)."""
    from pathlib import Path

    from commands.collect import _require
    from ticketing.store import backup

    app = app_of(ctx)
    _require(app, "backup")
    url = app.settings.database.url
    database = backup.sqlite_path(url)
    if database is None:
        backup.pg_restore(Path(path), url)
        typer.echo(message("db_restored_pg", app.locale, path=path))
        return
    result = backup.restore_sqlite(Path(path), database, force)
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    typer.echo(message("db_restored", app.locale, database=database, path=path, counts=counts))


@db_app.command("grants")
def db_grants(
    ctx: typer.Context,
    apply: bool = typer.Option(False, "--apply", help="Jalankan perintah SQL-nya (sebagai pemilik basis data)."),
    prefix: str = typer.Option("aduan_", "--prefix",
                               help="Awalan nama peran: AWALANcollector, AWALANworker, AWALANcli."),
) -> None:
    """Peran PostgreSQL dengan hak minimum; tabel audit hanya bisa ditambah, tidak diubah atau dihapus."""
    import sqlalchemy as sa

    from ticketing.store.backup import sqlite_path
    from ticketing.store.grants import grant_statements

    app = app_of(ctx)
    if sqlite_path(app.settings.database.url) is not None:
        typer.echo(message("db_grants_sqlite", app.locale))
        return
    with app.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    statements = grant_statements(tables, prefix)
    if not apply:
        for statement in statements:
            typer.echo(statement + ";")
        return
    with app.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    typer.echo(message("db_grants_done", app.locale, count=len(statements)))


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
            validate_channel(channel, app.locale)
        except ConfigError as exc:
            problems.append(str(exc))
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(message("config_ok", app.locale, source=app.settings.source, channels=len(app.settings.channels),
                       staff=len(app.settings.staff)))
