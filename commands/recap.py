"""`aduan recap daily` and `aduan recap monthly`: SOP step 5, for admins and supervisors.

Builders return Rich renderables (tests check them); the commands compute the recap in a read
transaction, write the chosen format, then audit the export (and `--mark`) in one write.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from commands.context import app_of, console, print_json
from ticketing.i18n_cli import message

recap_app = typer.Typer(help="Rekap harian dan laporan bulanan (SOP langkah 5).", no_args_is_help=True)

DAILY_FORMATS = ("table", "csv", "xlsx", "pdf", "json")
MONTHLY_FORMATS = ("table", "csv", "xlsx", "pdf", "json")
FILE_FORMATS = ("csv", "xlsx", "pdf")  # written to a file (default name in the current folder) or `-o -`
TABLE_TEXT = 80  # characters of a summary / answer in the terminal table; the files keep the whole text
STDOUT = "-"  # `-o -`: standard output, as curl, tar and gh take it


def _check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    value = fmt.lower()
    if value not in allowed:
        raise typer.BadParameter(f"{fmt!r}: pilih salah satu dari {', '.join(allowed)}", param_hint="--format")
    return value


def section_view(section, locale: str, tz: str, max_text: int | None = None):
    """One recap section as a Rich table; every cell goes in as plain Text, never markup."""
    from rich import box
    from rich.table import Table

    from commands.render import plain
    from ticketing.reports.export import cell_text

    # a light grid; the 17 daily columns also lose their padding to fit a 160-column terminal
    padding = (0, 0) if len(section.headers) > 8 else (0, 1)
    table = Table(title=section.title, title_justify="left", box=box.SIMPLE_HEAD, padding=padding, show_lines=False)
    for header, kind in zip(section.headers, section.kinds, strict=True):
        # a date wraps at its space (date over time); numbers never wrap
        # a reference stays whole (ADU-2026-000004 never breaks); numbers never wrap either
        table.add_column(header, justify="left" if kind in ("text", "dt", "ref") else "right", overflow="fold",
                         no_wrap=kind in ("int", "num", "pct", "ref"), min_width=10 if kind == "dt" else None)
    for row in section.rows:
        table.add_row(*[plain(cell_text(v, k, locale, tz), max_chars=max_text if k == "text" else None)
                        for v, k in zip(row, section.kinds, strict=True)])
    return table


def daily_view(data: dict[str, Any], locale: str, office_short: str):
    from rich.console import Group
    from rich.text import Text

    from ticketing.reports.export import daily_section, daily_summary, daily_titles
    from ticketing.reports.words import w

    title, subtitle = daily_titles(data, locale, office_short)
    parts: list[Any] = [Text(title, style="bold"), Text(subtitle)]
    if data["rows"]:
        parts.append(section_view(daily_section(data, locale), locale, data["timezone"], TABLE_TEXT))
    else:
        parts.append(Text(w("no_rows", locale)))
    parts.append(section_view(daily_summary(data, locale), locale, data["timezone"]))
    from ticketing.reports.flow_view import flow_sections

    parts += [section_view(s, locale, data["timezone"]) for s in flow_sections(data, locale)]
    return Group(*parts)


def monthly_view(data: dict[str, Any], locale: str, notes: dict[str, list[str]], office_short: str):
    from rich.console import Group
    from rich.text import Text

    from ticketing.reports.export import monthly_sections, monthly_titles

    title, subtitle = monthly_titles(data, locale, office_short)
    tables = [section_view(s, locale, data["timezone"]) for s in monthly_sections(data, locale, notes)]
    return Group(Text(title, style="bold"), Text(subtitle), *tables)


def _print_or_save(renderable, output: str | None) -> Path | None:
    if output is None or output == STDOUT:
        console().print(renderable)
        return None
    from rich.console import Console

    path = Path(output)
    with path.open("w", encoding="utf-8") as handle:
        Console(file=handle, width=200, markup=False, highlight=False, emoji=False, color_system=None,
                soft_wrap=False).print(renderable)
    return path


def _target(output: str | None, report: str, period: str, fmt: str) -> Path:
    from ticketing.reports.export import default_filename

    name = default_filename(report, period, fmt)
    if output is None:
        return Path.cwd() / name
    path = Path(output)
    return path / name if path.is_dir() else path


def _write(output: str | None, report: str, period: str, fmt: str, write) -> Path | None:
    """`write(path)` to the chosen file, or with `-o -` to a scratch file copied to standard output
    (bytes as they are: a PDF or XLSX piped on, a CSV with its BOM). Returns the file, None for stdout."""
    if output != STDOUT:
        path = _target(output, report, period, fmt)
        write(path)
        return path
    import tempfile

    from ticketing.reports.export import default_filename

    with tempfile.TemporaryDirectory(prefix="aduan-") as scratch:
        path = Path(scratch) / default_filename(report, period, fmt)
        write(path)
        sys.stdout.flush()
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.buffer.flush()
    return None


def _check_sep(sep: str | None) -> str | None:
    if sep is not None and (len(sep) != 1 or sep in "\"\r\n"):
        raise typer.BadParameter(f"{sep!r}: satu karakter, mis. ';' atau ','", param_hint="--sep")
    return sep


SEP_HELP = "Pemisah kolom CSV (bawaan ';' untuk bahasa id, ',' untuk en)."


def _audit(app, actor, report: str, period: str, fmt: str, path: Path | None, rows: int,
           mark_ids: list[int] | None = None, day=None) -> int:
    from ticketing.reports.recap import mark_recapped, record_export
    from ticketing.store.db import run_write

    def work(session) -> int:
        record_export(session, actor.username, app.now(), report, period, fmt, path, rows)
        return mark_recapped(session, mark_ids, actor.username, app.now(), day) if mark_ids else 0

    return run_write(app.engine, work)


def _warn_unsigned(office, recap_cfg, locale: str) -> None:
    """The PDF is written anyway; stderr says which config keys its sign-off block still lacks."""
    from ticketing.privacy.safety import safe_terminal_text
    from ticketing.reports.pdf import missing_sign_off

    missing = missing_sign_off(office, recap_cfg)
    if missing:
        text = (f"peringatan: laporan belum siap ditandatangani, isi di config: {', '.join(missing)}"
                if locale == "id" else f"warning: the report is not ready to sign; set in config: {', '.join(missing)}")
        sys.stderr.write(f"aduan: {safe_terminal_text(text)}\n")


def _saved(path: Path, locale: str) -> None:
    from commands.render import plain

    console(stderr=True).print(plain(message("saved", locale, path=path)))


@recap_app.command("daily")
def daily(
    ctx: typer.Context,
    day: str = typer.Option(None, "--date", help="Tanggal (YYYY-MM-DD, waktu kantor); bawaan hari ini."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx, pdf atau json."),
    output: str = typer.Option(None, "--output", "-o", help="Berkas tujuan (bawaan rekap-harian-TANGGAL.EXT); "
                               "- untuk keluaran standar."),
    mark: bool = typer.Option(False, "--mark", help="Tandai tiket sudah direkap (recapped_at + riwayat)."),
    sep: str = typer.Option(None, "--sep", help=SEP_HELP),
    summary: bool = typer.Option(False, "--summary", help="CSV: tabel ringkasan, bukan baris tiket."),
) -> None:
    """Rekap harian: satu baris per tiket yang masuk atau ditangani pada tanggal itu, lalu ringkasan."""
    from datetime import date

    from ticketing.reports.export import write_daily, write_json
    from ticketing.reports.recap import daily_recap
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require

    fmt = _check_format(fmt, DAILY_FORMATS)
    sep = _check_sep(sep)
    app = app_of(ctx)
    actor = app.actor()
    require(actor, "recap")
    now = app.now()
    try:
        the_day = date.fromisoformat(day) if day else now.astimezone(app.calendar.tz).date()
    except ValueError:
        raise typer.BadParameter(f"{day!r} bukan tanggal YYYY-MM-DD", param_hint="--date") from None
    with read_session(app.engine) as session:
        data = daily_recap(session, app.calendar, the_day, now, app.settings.sla.working_days)
    path: Path | None = None
    office_short = app.settings.office.short_name
    if fmt == "table":
        path = _print_or_save(daily_view(data, app.locale, office_short), output)
    elif fmt == "json" and output in (None, STDOUT):
        print_json(data)
    else:
        pdf = {"office": app.settings.office, "recap_cfg": app.settings.recap, "printed_by": actor.name
               or actor.username, "now": now}
        path = _write(output, "daily", the_day.isoformat(), fmt, lambda target: write_json(data, target)
                      if fmt == "json" else write_daily(data, fmt, target, app.locale, office_short, sep=sep,
                                                        summary=summary, pdf=pdf))
    audited = fmt != "table" or path is not None
    ids = [row["id"] for row in data["rows"]] if mark else None
    if audited or mark:
        marked = _audit(app, actor, "daily", the_day.isoformat(), fmt, path, len(data["rows"]), ids, the_day)
        if mark:
            console(stderr=True).print(message("recap_marked", app.locale, count=marked))
    if path is not None:
        _saved(path, app.locale)


def _notes(notes_file: str | None, kendala: list[str] | None, rekomendasi: list[str] | None) -> dict[str, list[str]]:
    from ticketing.errors import Refused
    from ticketing.reports.export import parse_notes

    notes: dict[str, list[str]] = {"kendala": [], "rekomendasi": []}
    if notes_file:
        try:
            text = Path(notes_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise Refused(f"berkas catatan {notes_file} tidak bisa dibaca: {exc.strerror}") from None
        try:
            notes = parse_notes(text)
        except ValueError as exc:
            raise typer.BadParameter(f"{notes_file}: {exc}", param_hint="--notes") from None
    notes["kendala"] += [k for k in kendala or [] if k.strip()]
    notes["rekomendasi"] += [r for r in rekomendasi or [] if r.strip()]
    return notes


def _default_month(app) -> tuple[int, int]:
    """Last month: the report is made for the meeting early in the following month."""
    today = app.now().astimezone(app.calendar.tz).date()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


@recap_app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: str = typer.Option(None, "--month", help="Bulan YYYY-MM; bawaan bulan lalu."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx, pdf atau json."),
    output: str = typer.Option(None, "--output", "-o", help="Berkas tujuan (bawaan laporan-bulanan-BULAN.EXT); "
                               "- untuk keluaran standar."),
    sep: str = typer.Option(None, "--sep", help=SEP_HELP),
    section: str = typer.Option("summary", "--section", help="CSV: satu tabel laporan; summary, flow, flow_by, "
                                "by_status, by_channel, by_kind, by_category, by_bidang, top_topics, daily_counts, "
                                "kendala, "
                                "rekomendasi."),
    notes_file: str = typer.Option(None, "--notes", help="Berkas teks berisi 'Kendala:' dan 'Rekomendasi:'."),
    kendala: list[str] = typer.Option(None, "--kendala", help="Satu butir kendala (boleh berulang)."),
    rekomendasi: list[str] = typer.Option(None, "--rekomendasi", help="Satu butir rekomendasi (boleh berulang)."),
) -> None:
    """Laporan bulanan: jumlah, status, kanal, jenis, kategori, bidang, ketepatan waktu, tunggakan."""
    from ticketing.reports.export import MONTHLY_SECTION_KEYS, write_json, write_monthly
    from ticketing.reports.recap import monthly_recap, parse_month
    from ticketing.store.db import read_session
    from ticketing.workflow.roles import require

    fmt = _check_format(fmt, MONTHLY_FORMATS)
    sep = _check_sep(sep)
    if section not in MONTHLY_SECTION_KEYS:
        raise typer.BadParameter(f"{section!r}: pilih {', '.join(MONTHLY_SECTION_KEYS)}", param_hint="--section")
    app = app_of(ctx)
    actor = app.actor()
    require(actor, "recap")
    try:
        year, number = parse_month(month) if month else _default_month(app)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None
    notes = _notes(notes_file, kendala, rekomendasi)
    now = app.now()
    with read_session(app.engine) as session:
        data = monthly_recap(session, app.calendar, year, number, now, app.settings.sla.working_days)
    period, office = data["period"], app.settings.office
    path: Path | None = None
    if fmt == "table":
        path = _print_or_save(monthly_view(data, app.locale, notes, office.short_name), output)
    elif fmt == "json" and output in (None, STDOUT):
        print_json(dict(data, notes=notes))
    else:
        if fmt == "pdf":
            _warn_unsigned(office, app.settings.recap, app.locale)
        path = _write(output, "monthly", period, fmt, lambda target: write_json(dict(data, notes=notes), target)
                      if fmt == "json" else write_monthly(data, fmt, target, app.locale, notes, office,
                                                          app.settings.recap, actor.name or actor.username, now,
                                                          sep=sep, section=section))
    if fmt != "table" or path is not None:
        _audit(app, actor, "monthly", period, fmt, path, data["total"])  # `-o -` too: the data left
    if path is not None:
        _saved(path, app.locale)
