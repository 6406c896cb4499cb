"""`aduan worker` and `aduan outbox ...` (the "verify, then resend" list)."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, after_write, app_of, console, print_json
from ticketing.i18n_cli import error_text, message

outbox_app = typer.Typer(help="Balasan keluar: daftar, kirim ulang, tandai terkirim.", no_args_is_help=True)


def worker(
    ctx: typer.Context,
    burst: bool = typer.Option(False, "--burst", help="Kerjakan antrean yang ada lalu berhenti."),
    sweep_every: float = typer.Option(60.0, "--sweep-every", min=0,
                                      help="Detik antar-sweep SLA (0 = tanpa sweep berkala)."),
    name: str = typer.Option(None, "--name", help="Nama worker (default: otomatis)."),
) -> None:
    """Worker RQ dengan penjadwal: timer SLA, pengiriman balasan, sweep berkala."""
    from ticketing.errors import ConfigError

    app = app_of(ctx)
    if not app.settings.redis.url:
        raise ConfigError("redis.url belum diisi: tanpa Redis, setiap perintah aduan sudah mengerjakan SLA dan "
                          "pengiriman sendiri (mode inline). Isi redis.url atau ADUAN_REDIS_URL untuk memakai worker")
    _setup_logging(app.settings)
    import worker as worker_module

    worker_module.run(app, burst=burst, sweep_every=sweep_every, name=name)


def _setup_logging(settings) -> None:
    """Worker logs to stderr (systemd's journal) at the configured level and, if configured, to a
    rotating file; every line redacted (ticketing.logging_setup)."""
    from ticketing.logging_setup import FILE_FORMAT, configure_logging

    configure_logging(settings, stderr_level=settings.logging.level, stderr_format=FILE_FORMAT)


STATES_HELP = "pending, sending, sent, failed, unknown (default: unknown dan failed)"


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    state: list[str] = typer.Option(None, "--state", help=STATES_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """Balasan yang perlu dicek (terputus saat dikirim) atau gagal."""
    from rich.table import Table
    from rich.text import Text

    from commands.render import plain
    from ticketing.i18n import format_datetime, word
    from ticketing.outbound.outbox import FAILED, UNKNOWN
    from ticketing.outbound.settle import list_outbox
    from ticketing.privacy.safety import mask_sensitive
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require
    from ticketing.workflow.views import iso

    app = app_of(ctx)
    require(app.actor(), "read")
    states = state or [UNKNOWN, FAILED]
    with read_session(app.engine) as session:
        rows = list_outbox(session, states, locale=app.locale)
    items = [{"id": r["id"], "ticket_id": r["ticket_id"], "ref": r["ref"], "channel": r["channel"],
              "state": r["delivery_state"], "attempts": r["delivery_attempts"], "error": r["delivery_error"],
              "text": mask_sensitive(r["text"]), "created_at": iso(r["created_at"]),
              "delivered_at": iso(r["delivered_at"]), "external_id": r["external_id"],
              "how_to_check": r["how_to_check"]} for r in rows]
    if as_json:
        print_json(items)
        return
    if not items:
        console().print(Text(message("outbox_empty", app.locale)))
        return
    table = Table(title="Outbox")
    for column in ("ID", "ref", "channel", "status", "created", "text", "remarks"):
        table.add_column(message(f"outbox_col_{column}", app.locale) if column != "ID" else column, overflow="fold")
    for item in items:
        table.add_row(str(item["id"]), plain(item["ref"]), plain(item["channel"]), word(item["state"], app.locale),
                      format_datetime(rows[items.index(item)]["created_at"], app.locale),
                      plain(item["text"], max_chars=60, single_line=True),
                      plain(error_text(item["error"] or "", app.locale), max_chars=80))
    console().print(table)
    for item in items:
        if item["how_to_check"]:
            console().print(Text(f"{item['id']} ({item['channel']}): {item['how_to_check']}"))
    console().print(Text(message("outbox_hint", app.locale)))


@outbox_app.command("resend")
def outbox_resend(ctx: typer.Context, message_id: int = typer.Argument(..., help="ID balasan (aduan outbox list).")):
    """Kirim ulang balasan yang terbukti belum diterima warga (bagian yang sudah diterima tidak diulang)."""
    from ticketing.outbound.settle import resend

    _settle(ctx, lambda session, actor, now: resend(session, message_id, actor, now),
            ("outbox_resent", message_id))


EXTERNAL_ID_OPTION = typer.Option(None, "--external-id", help="ID pesan di kanal, bila diketahui.")


@outbox_app.command("confirm-sent")
def outbox_confirm_sent(
    ctx: typer.Context,
    message_id: int = typer.Argument(..., help="ID balasan (aduan outbox list)."),
    external_id: str = EXTERNAL_ID_OPTION,
) -> None:
    """Tandai terkirim: balasan ternyata sudah sampai, jangan dikirim lagi."""
    from ticketing.outbound.settle import confirm_sent

    _settle(ctx, lambda session, actor, now: confirm_sent(session, message_id, actor, now, external_id),
            ("outbox_confirmed", message_id))


@outbox_app.command("mark-sent", hidden=True)
def outbox_mark_sent(
    ctx: typer.Context,
    message_id: int = typer.Argument(..., help="ID balasan (aduan outbox list)."),
    external_id: str = EXTERNAL_ID_OPTION,
) -> None:
    """Nama lama dari confirm-sent."""
    outbox_confirm_sent(ctx, message_id, external_id)


def _settle(ctx: typer.Context, work, done: tuple[str, int]) -> None:
    from ticketing.store.db import write_session
    from ticketing.workflow.roles import require

    app = app_of(ctx)
    actor = app.actor()
    require(actor, "reply")
    with write_session(app.engine) as session:
        work(session, actor.username, app.now())
    typer.echo(message(done[0], app.locale, id=done[1]))
    after_write(app)
