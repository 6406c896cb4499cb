"""`aduan collect`, `aduan channels status` and `aduan channels check`: the operator's commands.

`collect` is a cron citizen: one line per channel, nothing at all with --quiet unless a
channel failed, exit 0 only when every channel did its job (a rate limit, a held lock or a
spent budget is not a failure: the next run continues).
"""

from __future__ import annotations

from typing import Any

import typer

from commands.context import JSON_OPTION, app_of, console, print_json

channels_app = typer.Typer(help="Kesehatan kanal: status terakhir, cek kredensial.", no_args_is_help=True)

EXIT_FAILED = 1

TEXT = {
    "id": {
        "summary": "{new} pesan baru, {tickets} tiket baru, {dup} duplikat, {quar} karantina, {err} gagal",
        "rate_limited": "dibatasi kanal (rate limit); lanjut setelah {at}",
        "waiting": "dilewati: masih dibatasi sampai {at}",
        "locked": "dilewati: sedang dijalankan oleh proses lain",
        "budget_spent": "dilewati: anggaran baca bulanan habis ({used}/{limit})",
        "budget_stop": "berhenti: anggaran baca bulanan habis ({used}/{limit})",
        "auth_expired": "PERLU OTORISASI ULANG: {error}",
        "failed": "GAGAL: {error}",
        "edits": "{edits} suntingan",
        "no_channels": "Tidak ada kanal aktif di konfigurasi (enabled: true).",
        "never": "belum pernah", "yes": "ya", "no": "tidak",
        "check_ok": "OK", "check_failed": "GAGAL",
        "heads": ("Kanal", "Jenis", "Aktif", "Sukses terakhir", "Kesalahan terakhir", "Pesan hari ini", "Kursor",
                  "Otorisasi ulang", "Anggaran baca", "Boleh lagi"),
        "title": "Status Kanal",
    },
    "en": {
        "summary": "{new} new messages, {tickets} new tickets, {dup} duplicates, {quar} quarantined, {err} errors",
        "rate_limited": "rate limited by the channel; resumes after {at}",
        "waiting": "skipped: still rate limited until {at}",
        "locked": "skipped: another process is collecting this channel",
        "budget_spent": "skipped: monthly read budget spent ({used}/{limit})",
        "budget_stop": "stopped: monthly read budget spent ({used}/{limit})",
        "auth_expired": "NEEDS RE-AUTHORISATION: {error}",
        "failed": "FAILED: {error}",
        "edits": "{edits} edits",
        "no_channels": "No enabled channel in the configuration (enabled: true).",
        "never": "never", "yes": "yes", "no": "no",
        "check_ok": "OK", "check_failed": "FAILED",
        "heads": ("Channel", "Type", "Enabled", "Last success", "Last error", "Messages today", "Cursor",
                  "Needs re-auth", "Read budget", "Allowed again"),
        "title": "Channel Status",
    },
}


def _text(locale: str) -> dict:
    return TEXT.get(locale, TEXT["id"])


def _brief(value: Any) -> str:
    if isinstance(value, list | tuple | dict):
        return str(len(value))  # a list of ids or a map of threads: how many
    return str(value).lower() if isinstance(value, bool) else str(value)


def cursor_text(cursor: Any) -> str:
    """A channel's cursor as `name value` pairs (lists and maps by their size), not JSON."""
    if cursor is None:
        return "-"
    if not isinstance(cursor, dict):
        return _brief(cursor)
    parts = []
    for key, value in cursor.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {_brief(v)}" for k, v in value.items() if v not in (None, "", [], {}))
        parts.append(f"{key} {_brief(value)}")
    return " · ".join(parts) or "-"


def _when(value, locale: str) -> str:
    from ticketing.i18n import format_datetime

    return format_datetime(value, locale) if value is not None else "-"


def run_line(run, locale: str) -> str:
    """One summary line for a channel's run, in the user's language."""
    from ticketing.intake import collect as runner
    from ticketing.privacy.safety import safe_terminal_text

    words = _text(locale)
    r = run.result
    line = f"{run.channel}: " + words["summary"].format(new=r.new_messages, tickets=r.new_tickets,
                                                        dup=r.duplicates, quar=r.quarantined,
                                                        err=1 if run.failed else 0)
    if r.edits:  # an edit is not a new message, but staff should see that one came in
        line += ", " + words["edits"].format(edits=r.edits)
    budget = run.budget
    extra = {
        runner.RATE_LIMITED: lambda: words["rate_limited"].format(at=_when(run.retry_at, locale)),
        runner.WAITING: lambda: words["waiting"].format(at=_when(run.retry_at, locale)),
        runner.LOCKED: lambda: words["locked"],
        runner.BUDGET_SPENT: lambda: words["budget_spent"].format(used=budget.used, limit=budget.limit),
        runner.AUTH_EXPIRED: lambda: words["auth_expired"].format(error=run.error),
        runner.FAILED: lambda: words["failed"].format(error=run.error),
    }.get(run.outcome)
    if extra is not None:
        line += f" — {extra()}"
    elif run.note == "budget" and budget is not None:
        line += f" — {words['budget_stop'].format(used=budget.used, limit=budget.limit)}"
    return safe_terminal_text(line)


def _parse_since(value: str | None, app):
    if not value:
        return None
    from datetime import datetime, time

    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("tulis tanggal sebagai YYYY-MM-DD", param_hint="--since") from None
    return datetime.combine(day, time(), app.calendar.tz)


def _require(app, action: str) -> None:
    """Staff need the role for it; an OS account that is not staff (cron's) runs as the system."""
    from ticketing.workflow.roles import require

    username = app.username()
    if username is not None and app.settings.staff_member(username) is not None:
        require(app.actor(), action)


def collect(
    ctx: typer.Context,
    channel: str = typer.Option(None, "--channel", help="Hanya kanal ini (nama di config, atau jenisnya)."),
    since: str = typer.Option(None, "--since", help="Backfill: read again from the start of what the channel "
                              "still offers, keeping messages sent on or after this date (YYYY-MM-DD)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless a channel failed (cron)."),
) -> None:
    """Ambil pesan baru dari semua kanal aktif (untuk cron)."""
    from commands.context import after_write
    from ticketing.intake.collect import collect as run_collect

    app = app_of(ctx)
    _require(app, "collect")
    since_at = _parse_since(since, app)
    out, err = console(), console(stderr=True)
    if channel is None and not any(c.enabled for c in app.settings.channels):
        if not quiet:
            out.print(_text(app.locale)["no_channels"])
        return
    from commands.filters import configured_channels

    names: list[str | None] = list(configured_channels(app, channel)) if channel is not None else [None]
    progress = _progress(err) if since_at is not None and err.is_terminal and not quiet else None
    runs = []
    for name in names:  # `--channel x`: every channel of type x, each in its own run
        if progress is not None:
            with progress[0]:
                runs += run_collect(app, name, since_at, progress[1])
        else:
            runs += run_collect(app, name, since_at)
    for run in runs:  # one line per channel, however long and whatever the width (cron greps them)
        if run.failed:
            (err if quiet else out).print(run_line(run, app.locale), soft_wrap=True)
        elif not quiet:
            out.print(run_line(run, app.locale), soft_wrap=True)
    after_write(app)
    if any(run.failed for run in runs):
        raise typer.Exit(EXIT_FAILED)


def _progress(err):
    """A Rich progress display for a backfill on a terminal; cron never sees it."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True)
    tasks: dict[str, int] = {}

    def update(run) -> None:
        if run.channel not in tasks:
            tasks[run.channel] = bar.add_task(run.channel)
        bar.update(tasks[run.channel], description=f"{run.channel}: {run.result.new_messages} pesan, "
                   f"{run.batches} halaman")

    return bar, update


def status_rows(app) -> list[dict]:
    """The stable `channels status --json` rows: one per configured channel."""
    from datetime import datetime, time

    import sqlalchemy as sa

    from ticketing.intake.channel_state import all_states, budget_view, cursor_for_display
    from ticketing.store.db import read_session
    from ticketing.store.models import Message
    from ticketing.workflow.views import iso

    now = app.now()
    day_start = datetime.combine(now.astimezone(app.calendar.tz).date(), time(), app.calendar.tz)
    states = all_states(app.engine)
    with read_session(app.engine) as session:
        today = dict(session.execute(
            sa.select(Message.channel, sa.func.count()).where(Message.created_at >= day_start,
                                                              Message.external_id.is_not(None),
                                                              Message.created_by.is_(None))  # not staff replies
            .group_by(Message.channel)).all())
    rows = []
    for channel in app.settings.channels:
        state = states.get(channel.name)
        budget = budget_view(state, channel.section().get("monthly_read_budget"), now)
        rows.append({
            "channel": channel.name, "type": channel.type, "enabled": channel.enabled,
            "last_success_at": iso(state.last_success_at) if state else None,
            "last_run_at": iso(state.last_run_at) if state else None,
            "last_error": state.last_error if state else None,
            "last_error_at": iso(state.last_error_at) if state else None,
            "messages_today": int(today.get(channel.name, 0)),
            "cursor": cursor_for_display(state.cursor) if state else None,
            "needs_reauth": bool(state.needs_reauth) if state else False,
            "budget_used": budget.used if budget else None, "budget_limit": budget.limit if budget else None,
            "budget_month": budget.month if budget else None,
            "next_allowed_at": iso(state.next_allowed_at) if state else None,
            "locked_by": state.lock_owner if state and state.lock_expires_at and state.lock_expires_at > now else None,
        })
    return rows


@channels_app.command("status")
def channels_status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Kesehatan tiap kanal: sukses/kegagalan terakhir, pesan hari ini, kursor, otorisasi, anggaran."""
    app = app_of(ctx)
    _require(app, "channels")
    rows = status_rows(app)
    if as_json:
        print_json(rows)
        return
    console().print(status_table(rows, app.locale))


def status_table(rows: list[dict], locale: str):
    from datetime import datetime
    from functools import partial

    from rich.table import Table
    from rich.text import Text

    from commands.render import plain
    from ticketing.i18n_cli import error_text

    words = _text(locale)
    table = Table(title=words["title"])
    error_of = partial(error_text, locale=locale)
    for head in words["heads"]:
        table.add_column(head, overflow="fold")

    def when(value: str | None) -> str:
        return _when(datetime.fromisoformat(value), locale) if value else words["never"]

    for row in rows:
        budget = f"{row['budget_used']}/{row['budget_limit']}" if row["budget_limit"] else "-"
        error = f"{when(row['last_error_at'])}: {error_of(row['last_error'])}" if row["last_error"] else "-"
        table.add_row(
            plain(row["channel"]), plain(row["type"]), Text(words["yes"] if row["enabled"] else words["no"]),
            Text(when(row["last_success_at"])), plain(error, max_chars=120),
            Text(str(row["messages_today"])),
            plain(cursor_text(row["cursor"]), max_chars=60),
            Text(words["yes"], style="bold red") if row["needs_reauth"] else Text(words["no"]),
            Text(budget), Text(when(row["next_allowed_at"]) if row["next_allowed_at"] else "-"),
        )
    return table


@channels_app.command("check")
def channels_check(
    ctx: typer.Context,
    channel: str = typer.Option(None, "--channel", help="Hanya kanal ini (nama di config, atau jenisnya)."),
) -> None:
    """Cek kredensial dan jangkauan tiap kanal aktif (memanggil API kanal)."""
    from ticketing.intake.collect import check_channels
    from ticketing.privacy.safety import safe_terminal_text

    app = app_of(ctx)
    _require(app, "channels")
    words = _text(app.locale)
    out = console()
    from commands.filters import configured_channels

    failed = False
    names: list[str | None] = list(configured_channels(app, channel)) if channel is not None else [None]
    for name, ok, detail in (result for one in names for result in check_channels(app, one)):
        failed = failed or not ok
        out.print(safe_terminal_text(f"{name}: {words['check_ok'] if ok else words['check_failed']} — {detail}"))
    if failed:
        raise typer.Exit(EXIT_FAILED)
