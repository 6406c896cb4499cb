"""`aduan inbox` and `aduan show`: the admin's read commands."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, console, print_json


def inbox(
    ctx: typer.Context,
    status: list[str] = typer.Option(None, "--status", help="new, escalated, followed_up, answered, closed, "
                                     "dismissed, or all (default: the open ones)"),
    channel: str = typer.Option(None, "--channel", help="Only this channel (its name in config)."),
    bidang: str = typer.Option(None, "--bidang", help="DAFDUK, CAPIL, PIAK, PDIP, SEKRETARIAT."),
    kind: str = typer.Option(None, "--kind"),
    category: str = typer.Option(None, "--category"),
    mine: bool = typer.Option(False, "--mine", help="Only tickets assigned to me."),
    overdue: bool = typer.Option(False, "--overdue", help="Only tickets past their due time."),
    since: str = typer.Option(None, "--since", help="Received on or after this date (YYYY-MM-DD)."),
    search: str = typer.Option(None, "--search", help="Text to look for in the messages."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    ids: bool = typer.Option(False, "--ids", help="Print ticket ids only, one per line (for xargs)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Kotak masuk terpadu, paling mendesak di atas."""
    from datetime import datetime, time

    from ticketing.db import read_session
    from ticketing.roles import require
    from ticketing.statuses import TicketStatus
    from ticketing.views import InboxFilter, channels_needing_reauth, status_counts
    from ticketing.views import inbox as inbox_view

    app = app_of(ctx)
    actor = app.actor()
    require(actor, "read")
    if actor.role == "teknis":
        bidang = actor.bidang  # an officer sees the tickets of their own bidang
    now = app.now()
    statuses = None
    if status:
        statuses = [s.value for s in TicketStatus] if "all" in status else [TicketStatus(s).value for s in status]
    since_at = None
    if since:
        since_at = datetime.combine(datetime.strptime(since, "%Y-%m-%d").date(), time(), app.calendar.tz)
    filters = InboxFilter(statuses=statuses, channel=channel, bidang=bidang, kind=kind, category=category,
                          assignee=app.username() if mine else None, overdue=overdue, since=since_at,
                          search=search, limit=limit)
    with read_session(app.engine) as session:
        items = inbox_view(session, filters, now, app.warn_before, app.locale)
        if as_json or ids:
            if ids:
                typer.echo("\n".join(str(item["id"]) for item in items))
            else:
                print_json(items)
            return
        counts = status_counts(session)
        reauth = channels_needing_reauth(session)
    from commands.render import inbox_table

    console().print(inbox_table(items, now, app.locale, counts, reauth))


def show(
    ctx: typer.Context,
    ticket_id: str = typer.Argument(..., help="Ticket id or reference (ADU-2026-000123)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Satu tiket: seluruh percakapan, riwayat, SLA."""
    from ticketing.db import read_session
    from ticketing.views import ticket_detail
    from ticketing.workflow import check_access, get_ticket

    app = app_of(ctx)
    actor = app.actor()
    now = app.now()
    with read_session(app.engine) as session:
        ticket = get_ticket(session, ticket_id)
        check_access(ticket, actor, "read", session)
        data = ticket_detail(session, ticket, now, app.warn_before, app.locale)
    if as_json:
        print_json(data)
        return
    from commands.render import ticket_view

    console().print(ticket_view(data, now, app.locale))
