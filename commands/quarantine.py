"""`aduan quarantine [list|show|resolve]`: the items collectors and ingest could not read, for an admin.

The office's standard: one bad item is quarantined with its reason and shown to an admin, who
re-enters the complaint by hand or judges it junk, then marks it handled (`resolve`), which takes it
out of `aduan health`. Admins and supervisors only: the payloads are raw citizens' messages of every
channel, not a bidang's tickets. A payload is hostile text: every string passes `safe_terminal_text`
into a Rich `Text`, and NIK/KK numbers, phone numbers and e-mail addresses are masked unless a
supervisor asks for `--reveal`, which is authorised and audited exactly like `aduan show --reveal`.
"""

from __future__ import annotations

from typing import Any

import typer

from commands.context import JSON_OPTION, app_of, console, print_json

quarantine_app = typer.Typer(
    help="Karantina: item yang tidak bisa dibaca kanal. Tanpa subperintah: daftar yang belum ditangani.",
    invoke_without_command=True, no_args_is_help=False)

ACTION = "quarantine"  # ticketing.workflow.roles: admin and supervisor
ALL_OPTION = typer.Option(False, "--all", help="Sertakan yang sudah ditangani (oleh siapa, kapan, catatannya).")
CHANNEL_OPTION = typer.Option(None, "--channel", help="Hanya kanal ini (nama di config, atau jenisnya).")
LIMIT_OPTION = typer.Option(50, "--limit", min=1, max=10000, help="Tampilkan paling banyak sekian item.")
ITEM_ARG = typer.Argument(..., help="Nomor item karantina (kolom pertama `aduan quarantine list`).")


@quarantine_app.callback()
def quarantine_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:  # `aduan quarantine` is `aduan quarantine list`
        list_items(ctx, include_resolved=False, channel=None, limit=50, as_json=False)


@quarantine_app.command("list")
def list_items(
    ctx: typer.Context,
    include_resolved: bool = ALL_OPTION,
    channel: str = CHANNEL_OPTION,
    limit: int = LIMIT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Daftar item karantina yang belum ditangani, terbaru di atas."""
    from commands.tickets import guarded

    app = app_of(ctx)
    guarded(app, ACTION, None, as_json, lambda: _list(app, include_resolved, channel, limit, as_json))


def _list(app, include_resolved: bool, channel: str | None, limit: int, as_json: bool) -> None:
    from ticketing.i18n_cli import message
    from ticketing.intake.quarantine import item_view, list_quarantined
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require

    require(app.actor(), ACTION)
    with read_session(app.engine) as session:
        channels = _channels(app, session, channel)
        items = [item_view(row) for row in list_quarantined(session, include_resolved=include_resolved,
                                                            channels=channels, limit=limit)]
    if as_json:
        print_json(items)
        return
    if not items:
        typer.echo(message("quarantine_empty_all" if include_resolved and not channels else "quarantine_empty",
                           app.locale))
        return
    out = console()
    out.print(quarantine_table(items, app.locale, app.settings.office.timezone, include_resolved))
    if any(item["resolved_at"] is None for item in items):
        typer.echo(message("quarantine_hint", app.locale))


def _channels(app, session, value: str | None) -> list[str] | None:
    """A channel's name or type (as `aduan inbox --channel`), or a channel only the quarantine knows."""
    from commands.filters import channel_names
    from ticketing.intake.quarantine import quarantine_channels

    if value and value in quarantine_channels(session):
        return [value]
    return channel_names(app, session, value)  # an unknown name is a usage error listing the choices


def _when(value: str | None, locale: str, tz: str) -> str:
    from datetime import datetime

    from ticketing.i18n import format_datetime

    return format_datetime(datetime.fromisoformat(value) if value else None, locale, tz)


def _handled(item: dict[str, Any], locale: str, tz: str) -> str:
    from ticketing.i18n_cli import message

    if item["resolved_at"] is None:
        return message("quarantine_open", locale)
    return message("quarantine_handled_by", locale, user=item["resolved_by"] or "-",
                   when=_when(item["resolved_at"], locale, tz))


def quarantine_table(items: list[dict[str, Any]], locale: str, tz: str, include_resolved: bool = False):
    """The list as a Rich table (built here, printed by the caller); every value is inert `Text`."""
    from rich.table import Table

    from commands.render import plain
    from ticketing.i18n_cli import message

    columns = ["id", "channel", "received", "external_id", "reason"] + (["handled", "note"] if include_resolved else [])
    table = Table()
    for key in columns:
        table.add_column(message(f"quarantine_col_{key}", locale), no_wrap=key in ("id", "received"),
                         overflow="fold")
    for item in items:
        cells = [plain(item["id"]), plain(item["channel"], max_chars=40, single_line=True),
                 plain(_when(item["received_at"], locale, tz)),
                 plain(item["external_id"] or "-", max_chars=80, single_line=True),
                 plain(item["reason"], max_chars=300, single_line=True)]
        if include_resolved:
            cells += [plain(_handled(item, locale, tz), single_line=True),
                      plain(item["resolution_note"] or "-", max_chars=300, single_line=True)]
        table.add_row(*cells)
    return table


@quarantine_app.command("show")
def show(
    ctx: typer.Context,
    item_id: int = ITEM_ARG,
    reveal: bool = typer.Option(False, "--reveal", help="Tampilkan isi tanpa sensor (supervisor; diaudit)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Satu item karantina: alasan dan isi mentahnya (NIK/KK, nomor HP, email disensor)."""
    from commands.tickets import guarded

    app = app_of(ctx)
    data = guarded(app, "reveal" if reveal else ACTION, None, as_json, lambda: item_data(app, item_id, reveal))
    if as_json:
        print_json(data)
        return
    console().print(item_detail(data, app.locale, app.settings.office.timezone))


def _get(session, item_id: int, locale: str):
    from ticketing.errors import NotFound
    from ticketing.intake.quarantine import UnknownQuarantineItems, get_quarantined

    try:
        return get_quarantined(session, item_id)
    except UnknownQuarantineItems as exc:
        raise NotFound(str(UnknownQuarantineItems(exc.ids, locale))) from None


def item_data(app, item_id: int, reveal: bool = False) -> dict[str, Any]:
    """The item as the acting user may see it; an unmasked view is audited first (as `aduan show`)."""
    from ticketing.intake.quarantine import item_view
    from ticketing.store.db import read_session, run_write
    from ticketing.workflow.audit import EventDraft, record_event
    from ticketing.workflow.roles import require

    actor = app.actor()
    require(actor, ACTION)
    now = app.now()
    with read_session(app.engine) as session:
        item = _get(session, item_id, app.locale)
        if not reveal:
            return item_view(item, with_payload=True)
        require(actor, "reveal")
    run_write(app.engine, lambda s: record_event(s, EventDraft(
        None, now, actor.username, "revealed", None, None, {"what": "quarantine_payload", "quarantine_id": item_id})))
    with read_session(app.engine) as session:
        data = item_view(_get(session, item_id, app.locale), reveal=True, with_payload=True)
    data["revealed_by"] = actor.username
    return data


def _payload_text(data: dict[str, Any], locale: str) -> str:
    import json

    from ticketing.i18n_cli import message

    if data["payload"] is None:
        return message("quarantine_no_payload", locale)
    if data["payload_format"] == "json":
        return json.dumps(data["payload"], ensure_ascii=False, indent=2, sort_keys=True)
    return str(data["payload"])


def item_detail(data: dict[str, Any], locale: str, tz: str):
    """One item: its fields, then the payload pretty-printed, all inert `Text` (built, not printed)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from commands.render import panel, plain
    from ticketing.i18n_cli import message

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key, value in (("id", data["id"]), ("channel", data["channel"]),
                       ("received", _when(data["received_at"], locale, tz)),
                       ("external_id", data["external_id"] or "-"), ("reason", data["reason"]),
                       ("handled", _handled(data, locale, tz))):
        head.add_row(message(f"quarantine_col_{key}", locale), plain(value))
    if data["resolution_note"]:
        head.add_row(message("quarantine_col_note", locale), plain(data["resolution_note"]))
    parts: list[Any] = [head, panel(plain(_payload_text(data, locale)), title=message(
        "quarantine_col_payload", locale), title_align="left", border_style="yellow")]
    if data.get("revealed_by"):
        parts.insert(0, Text(message("quarantine_revealed", locale, user=plain(data["revealed_by"]).plain),
                             style="bold yellow"))
    return Group(*parts)


@quarantine_app.command("resolve")
def resolve(
    ctx: typer.Context,
    item_ids: list[int] = typer.Argument(..., help="Nomor item karantina; boleh lebih dari satu."),
    note: str = typer.Option(..., "--note", help='Apa yang dilakukan, mis. "dimasukkan ulang sebagai '
                             'ADU-2026-000123" atau "sampah".'),
    as_json: bool = JSON_OPTION,
) -> None:
    """Tandai item karantina sudah ditangani (dimasukkan ulang dengan tangan, atau sampah); admin atau supervisor."""
    from commands.tickets import guarded
    from ticketing.i18n_cli import message

    app = app_of(ctx)
    if not note.strip():
        raise typer.BadParameter(message("quarantine_note_empty", app.locale), param_hint="'--note'")
    result = guarded(app, ACTION, None, as_json, lambda: _resolve(app, item_ids, note.strip()))
    if as_json:
        print_json({"ok": True, "action": "quarantine_resolve", "resolved": result.resolved,
                    "already_resolved": [{key: item[key] for key in ("id", "resolved_at", "resolved_by")}
                                         for item in result.already]})
        return
    from ticketing.privacy.safety import safe_terminal_text

    tz = app.settings.office.timezone
    for item_id in result.resolved:
        typer.echo(message("quarantine_resolved", app.locale, id=item_id))
    for item in result.already:
        typer.echo(safe_terminal_text(message("quarantine_already", app.locale, id=item["id"],
                                              user=item["resolved_by"] or "-",
                                              when=_when(item["resolved_at"], app.locale, tz)), single_line=True))


def _resolve(app, item_ids: list[int], note: str):
    """All in one write transaction: an unknown id changes nothing and is named."""
    from ticketing.errors import NotFound
    from ticketing.intake.quarantine import UnknownQuarantineItems, resolve_quarantined
    from ticketing.store.db import run_write
    from ticketing.workflow.roles import require

    actor = app.actor()
    require(actor, ACTION)
    now = app.now()
    try:
        return run_write(app.engine, lambda session: resolve_quarantined(session, item_ids, actor.username, note,
                                                                         now))
    except UnknownQuarantineItems as exc:
        raise NotFound(str(UnknownQuarantineItems(exc.ids, app.locale))) from None
