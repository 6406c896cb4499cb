"""`aduan inbox` and `aduan show`: the admin's read commands."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, console, print_json


def _statuses(values: list[str] | None, locale: str = "id") -> list[str] | None:
    from ticketing.workflow.statuses import parse_statuses, status_choices

    if not values:
        return None
    try:
        return parse_statuses(values)
    except ValueError as exc:
        from ticketing.i18n_cli import message

        raise typer.BadParameter(message("bad_choice", locale, value=str(exc), choices=", ".join(status_choices())),
                                 param_hint="'--status'") from None


def _since(value: str | None, tz):
    from datetime import datetime, time

    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), tz)
    except ValueError:
        raise typer.BadParameter("tulis tanggal sebagai YYYY-MM-DD", param_hint="--since") from None


def inbox(
    ctx: typer.Context,
    status: list[str] = typer.Option(None, "--status", help="Kode atau label: new/baru, escalated/diteruskan, "
                                     "followed_up/ditindaklanjuti, answered/dijawab, closed (selesai dan "
                                     "ditutup), selesai/resolved, ditutup/dismissed, open, all (bawaan: open). "
                                     "Boleh berulang."),
    channel: str = typer.Option(None, "--channel", help="Hanya kanal ini (nama di config, atau jenisnya)."),
    bidang: str = typer.Option(None, "--bidang", help="DAFDUK, CAPIL, PIAK, PDIP, SEKRETARIAT."),
    kind: str = typer.Option(None, "--kind", help="Hanya jenis ini: pengaduan, pertanyaan, saran, apresiasi, spam."),
    category: str = typer.Option(None, "--category", help="Hanya kategori layanan ini (mis. kk, ktp-el)."),
    mine: bool = typer.Option(False, "--mine", help="Only tickets assigned to me."),
    overdue: bool = typer.Option(False, "--overdue", help="Only tickets past their due time."),
    since: str = typer.Option(None, "--since", help="Received on or after this date (YYYY-MM-DD)."),
    search: str = typer.Option(None, "--search", help="Text to look for in the messages (verbatim)."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="Tampilkan paling banyak sekian tiket."),
    ids: bool = typer.Option(False, "--ids", help="Print ticket ids only, one per line (for xargs)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Kotak masuk terpadu, paling mendesak di atas."""
    from commands.tickets import guarded

    app = app_of(ctx)
    statuses = _statuses(status, app.locale)
    since_at = _since(since, app.calendar.tz)
    guarded(app, "read", None, as_json, lambda: _list(app, statuses, channel, bidang, kind, category, mine,
                                                      overdue, since_at, search, limit, ids, as_json))


def _list(app, statuses, channel, bidang, kind, category, mine, overdue, since_at, search, limit, ids,
          as_json) -> None:
    from commands.filters import checked
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require
    from ticketing.workflow.views import (
        InboxFilter,
        channels_needing_reauth,
        failed_reply_count,
        overdue_count,
        status_counts,
    )
    from ticketing.workflow.views import inbox as inbox_view

    actor = app.actor()
    require(actor, "read")
    now = app.now()
    with read_session(app.engine) as session:
        named = checked(app, session, channel=channel, bidang=bidang, kind=kind, category=category)
        filters = InboxFilter(statuses=statuses, **named, assignee=actor.username if mine else None,
                              overdue=overdue, since=since_at, search=search, limit=limit,
                              escalated_to=actor.bidang if actor.role == "teknis" else None)
        items = inbox_view(session, filters, now, app.warn_before, app.locale, app.calendar)
        if ids:
            for item in items:  # nothing at all when nothing matched: `| xargs` then runs nothing
                typer.echo(str(item["id"]))
            return
        if as_json:
            print_json(items)
            return
        counts = status_counts(session, filters.escalated_to)
        reauth = channels_needing_reauth(session)
        late = overdue_count(session, now, filters.escalated_to)
        failed = failed_reply_count(session)
    from commands.render import inbox_table

    out = console()
    out.print(inbox_table(items, now, app.locale, counts, reauth, late, out.width, failed))


def show(
    ctx: typer.Context,
    ticket_id: str = typer.Argument(..., help="Ticket id or reference (ADU-2026-000123)."),
    reveal: bool = typer.Option(False, "--reveal", help="Tampilkan NIK/KK tanpa sensor (supervisor; diaudit)."),
    no_pager: bool = typer.Option(False, "--no-pager", help="Jangan pakai pager meski keluaran panjang."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Satu tiket: seluruh percakapan, riwayat, SLA."""
    from commands.tickets import guarded

    app = app_of(ctx)
    data = guarded(app, "reveal" if reveal else "read", ticket_id, as_json,
                   lambda: ticket_data(app, ticket_id, reveal))
    if data.get("category") == "bukan-kewenangan" and data.get("status") in ("new", "escalated"):
        data["suggested_template"] = app.settings.routing.not_ours_template  # redirect, then close
    if as_json:
        print_json(data)
        return
    from commands.render import ticket_view

    page(console(), ticket_view(data, app.now(), app.locale), enabled=not no_pager)


def page(out, renderable, enabled: bool = True) -> None:
    """Like git: through $PAGER (else `less`, with LESS=FRX) when it is longer than a terminal's
    height; printed as it is when short, piped, or with --no-pager."""
    import os

    if enabled and out.is_terminal and os.environ.get("TERM") != "dumb":
        lines = out.render_lines(renderable, out.options, pad=False, new_lines=False)
        if len(lines) > out.height:
            os.environ.setdefault("LESS", "FRX")  # quit if one screen, keep colours, leave no clear screen
            with out.pager(styles=True):
                out.print(renderable)
            return
    out.print(renderable)


def ticket_data(app, ticket_id: str, reveal: bool = False) -> dict:
    """The ticket as the acting user may see it; an unmasked view is audited first."""
    from ticketing.store.db import read_session, run_write
    from ticketing.workflow.audit import EventDraft, record_event
    from ticketing.workflow.roles import require
    from ticketing.workflow.transitions import check_access, get_ticket
    from ticketing.workflow.views import ticket_detail

    actor = app.actor()
    now = app.now()
    with read_session(app.engine) as session:
        ticket = get_ticket(session, ticket_id)
        check_access(ticket, actor, "read", session)
        if not reveal:
            return ticket_detail(session, ticket, now, app.warn_before, app.locale, False, app.calendar)
        require(actor, "reveal")
    run_write(app.engine, lambda s: record_event(s, EventDraft(
        ticket.id, now, actor.username, "revealed", ticket.status, ticket.status, {"what": "nik_kk"})))
    with read_session(app.engine) as session:
        ticket = get_ticket(session, ticket_id)
        data = ticket_detail(session, ticket, now, app.warn_before, app.locale, True, app.calendar)
    data["revealed_by"] = actor.username
    return data
