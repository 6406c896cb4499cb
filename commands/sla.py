"""`aduan sla ...`: due dates, the office calendar, tickets at risk, sweeps, recompute, pauses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import typer

from commands.context import JSON_OPTION, after_write, app_of, console, print_json
from ticketing.i18n_cli import message

sla_app = typer.Typer(help="Batas waktu (SLA) dan kalender kerja kantor.", no_args_is_help=True)


def parse_received(text: str, tz) -> datetime:
    """ISO-8601 with an offset; without one the time is read as office time (WIB), a bare date as 00:00."""
    from ticketing.clock import parse_instant

    value = text.strip()
    try:
        return parse_instant(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("pakai format 2026-03-17T10:00+07:00 atau 2026-03-17 10:00 (WIB)",
                                 param_hint="--received") from None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _day_json(off) -> dict[str, Any]:
    from ticketing.sla.calendar import WEEKDAY_NAMES_ID

    return {"date": off.day.isoformat(), "weekday": WEEKDAY_NAMES_ID[off.day.weekday()], "name": off.name,
            "source": off.source}


def _days_table(title: str, days: list[dict[str, Any]], locale: str):
    """Days off (and extra working days, in green) with their weekday and source in `locale`."""
    from rich.table import Table

    from commands.render import plain
    from ticketing.sla.calendar import SOURCE_WEEKEND, source_label, weekday_name

    table = Table(title=title)
    for key in ("sla_col_date", "sla_col_weekday", "sla_col_name", "sla_col_source"):
        table.add_column(message(key, locale))
    for day in days:
        weekday = weekday_name(date.fromisoformat(day["date"]), locale)
        name = weekday if day["source"] == SOURCE_WEEKEND else plain(day["name"])
        table.add_row(day["date"], weekday, name, source_label(day["source"], locale),
                      style="green" if day.get("working") else "")
    return table


def due_report(app, received: datetime, kind: str | None = None, category: str | None = None) -> dict[str, Any]:
    from ticketing.i18n import format_datetime
    from ticketing.intake.ingest import Classification

    calendar = app.calendar
    found = Classification(kind, category, None) if kind or category else None
    days = app.working_days_for(found)
    due = app.due_at(received, found)
    return {
        "received_at": received.isoformat(), "effective_start": calendar.effective_start(received).isoformat(),
        "working_days": days, "receipt_day_counts": app.settings.sla.receipt_day_counts,
        "cuti_bersama_is_working_day": app.settings.sla.cuti_bersama_is_working_day,
        "due_at": due.isoformat(), "due_at_local": due.astimezone(calendar.tz).isoformat(),
        "due_label": format_datetime(due, app.locale, app.settings.office.timezone),
        "skipped": [_day_json(off) for off in calendar.skipped_days(received, due)],
    }


@sla_app.command("due")
def due(
    ctx: typer.Context,
    received: str = typer.Option(..., "--received", help="Waktu diterima: 2026-03-17T10:00+07:00 (tanpa zona: WIB)."),
    kind: str = typer.Option(None, "--kind", help="Jenis pesan, bila batas waktunya diatur per jenis."),
    category: str = typer.Option(None, "--category", help="Kategori, bila diatur per kategori."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Kapan batas waktu pesan yang diterima pada waktu tertentu?"""
    from rich.text import Text

    from ticketing.i18n import format_datetime
    from ticketing.workflow.roles import require

    app = app_of(ctx)
    require(app.actor(), "read")
    data = due_report(app, parse_received(received, app.calendar.tz), kind, category)
    if as_json:
        print_json(data)
        return
    received_at = datetime.fromisoformat(data["received_at"])
    out, locale = console(), app.locale
    out.print(Text(message("sla_due_received", locale, when=format_datetime(received_at, locale))))
    out.print(Text(message("sla_due_start", locale, day=data["effective_start"],
                           number=1 if data["receipt_day_counts"] else 0)))
    out.print(Text(message("sla_due_at", locale, when=data["due_label"], days=data["working_days"]), style="bold"))
    if data["skipped"]:
        out.print(_days_table(message("sla_due_skipped", locale), data["skipped"], locale))


@sla_app.command("calendar")
def calendar_cmd(
    ctx: typer.Context,
    year: int = typer.Option(None, "--year", help="Tahun (default: tahun ini)."),
    weekends: bool = typer.Option(False, "--weekends", help="Sertakan Sabtu dan Minggu."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Hari libur, cuti bersama dan hari kerja tambahan dalam setahun."""

    from ticketing.workflow.roles import require

    app = app_of(ctx)
    require(app.actor(), "read")
    calendar = app.calendar
    year = year or calendar.local_date(app.now()).year
    days = [_day_json(off) | {"working": False} for off in calendar.days_off(year, include_weekends=weekends)]
    days += [_day_json(entry) | {"working": True} for entry in calendar.overrides(year)]
    days.sort(key=lambda d: d["date"])
    if as_json:
        print_json({"year": year, "days": days})
        return
    console().print(_days_table(message("sla_calendar_title", app.locale, year=year), days, app.locale))


@sla_app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Tiket yang mendekati atau melewati batas waktu."""
    from commands.render import inbox_table
    from ticketing.sla.tracking import at_risk
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require
    from ticketing.workflow.views import _contacts, ticket_summary

    app = app_of(ctx)
    actor = app.actor()
    require(actor, "read")
    now = app.now()
    with read_session(app.engine) as session:
        tickets = at_risk(session, now, app.warn_before)
        if actor.role == "teknis":
            tickets = [t for t in tickets if t.bidang == actor.bidang]
        contacts = _contacts(session, tickets)
        items = [ticket_summary(t, contacts.get(t.contact_id, ""), now, app.warn_before, app.locale,
                                calendar=app.calendar) for t in tickets]
    if as_json:
        print_json(items)
        return
    console().print(inbox_table(items, now, app.locale))


@sla_app.command("sweep")
def sweep_cmd(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Sekali jalan: tandai peringatan/pelanggaran, kirim notifikasi, kirim balasan tertunda."""
    from ticketing.background.jobs import app_redis, sweep_cycle
    from ticketing.workflow.roles import require

    app = app_of(ctx)
    require(app.actor(), "collect")
    redis_url = app.settings.redis.url
    report = sweep_cycle(app, app.now(), app_redis(app) if redis_url else None, inline=not redis_url)
    if as_json:
        print_json(report.as_dict())
        return
    s = report.sweep
    typer.echo(message("sla_sweep_done", app.locale, warned=s["warned"], breached=s["breached"],
                       notices=report.notices_sent, replies=report.deliveries or "-", unknown=s["outbox_unknown"])
               + (f", redis: {report.redis_error}" if report.redis_error else ""))


@sla_app.command("recompute")
def recompute_cmd(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Hitung ulang batas waktu tiket terbuka setelah kebijakan atau kalender berubah."""
    from ticketing.sla.deadlines import recompute
    from ticketing.workflow.roles import require

    app = app_of(ctx)
    require(app.actor(), "collect")
    out = console(stderr=True)
    if out.is_terminal and not as_json:
        from rich.progress import Progress

        with Progress(console=out, transient=True) as progress:
            task = progress.add_task(message("sla_recomputing", app.locale), total=None)
            report = recompute(app, app.now(), lambda done, total: progress.update(task, completed=done, total=total))
    else:
        report = recompute(app, app.now())
    _reschedule(app, report.changed_ids or [])
    if as_json:
        print_json({"examined": report.examined, "changed": report.changed})
    else:
        typer.echo(message("sla_recomputed", app.locale, examined=report.examined, changed=report.changed))
    after_write(app)


def _reschedule(app, ids: list[int]) -> None:
    """Move the timers of changed tickets now (the same job ids replace the old schedule)."""
    if not ids or not app.settings.redis.url:
        return
    from ticketing.background import jobs
    from ticketing.sla import tracking as sla
    from ticketing.store.db import read_session

    now = app.now()
    with read_session(app.engine) as session:
        timers = [t for t in sla.timers_due_within(session, now, jobs.TIMER_HORIZON, app.warn_before)
                  if t.ticket_id in set(ids)]
    try:
        conn = jobs.connect(app.settings.redis.url)
        for timer in timers:
            jobs.schedule_timer(conn, timer.ticket_id, timer.kind, timer.at)
    except jobs.redis_errors():
        pass  # the worker's sweep reconciles timers from the database


def _pause_or_resume(ctx: typer.Context, ticket_id: str, action: str) -> None:
    from ticketing.i18n import format_datetime
    from ticketing.sla.deadlines import pause, resume
    from ticketing.store.db import write_session
    from ticketing.workflow.transitions import get_ticket

    app = app_of(ctx)
    actor, now = app.actor(), app.now()
    with write_session(app.engine) as session:
        ticket = get_ticket(session, ticket_id)
        if action == "pause":
            pause(session, app, ticket, actor, now)
            message = f"{ticket.ref}: jam SLA dijeda (menunggu data pelapor)"
        else:
            waited = resume(session, app, ticket, actor, now)
            minutes = int(waited.total_seconds() // 60)
            message = (f"{ticket.ref}: jam SLA berjalan lagi; jeda {minutes} menit jam kerja, "
                       f"batas waktu baru {format_datetime(ticket.due_at, app.locale)}")
    typer.echo(message)
    after_write(app)


@sla_app.command("wait")
def wait(ctx: typer.Context, ticket_id: str = typer.Argument(..., help="Nomor atau referensi tiket.")) -> None:
    """Jeda jam SLA selama menunggu data pelapor (bila sla.pause_while_waiting aktif)."""
    _pause_or_resume(ctx, ticket_id, "pause")


@sla_app.command("resume")
def resume_cmd(ctx: typer.Context, ticket_id: str = typer.Argument(..., help="Nomor atau referensi tiket.")) -> None:
    """Jalankan lagi jam SLA; batas waktu mundur sebanyak jam kerja selama jeda."""
    _pause_or_resume(ctx, ticket_id, "resume")


