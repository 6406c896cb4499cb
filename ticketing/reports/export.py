"""Recaps as text tables, CSV and XLSX, with the privacy rules every recap format shares.

Recap data (ticketing.reports.recap) is turned here into `Section`s of typed cells; the terminal table,
CSV, XLSX and PDF all render the same sections, so the formats cannot disagree. Citizens' text
is masked (NIK/KK, phone numbers, e-mail addresses), made single-line and control-free before it
reaches any format; spreadsheet cells never become formulas.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.privacy.safety import EMAIL_PATTERN, OMIT, mask, safe_terminal_text
from ticketing.reports.words import channel_label, kind_label, label_of, timing_label, w
from ticketing.workflow.statuses import label as status_label

FORMULA_START = ("=", "+", "@", "\t", "\r")  # what Excel and LibreOffice evaluate in a CSV cell


# --- privacy --------------------------------------------------------------------------------------

def scrub(text: str | None, max_chars: int | None = None) -> str:
    """Citizens' text fit for a recap: NIK/KK masked, no phone numbers or e-mails, one safe line."""
    value = mask(text, style=OMIT)  # recaps keep no address or number at all, not even masked
    return safe_terminal_text(value, max_chars, single_line=True)


def _mask_word(word: str) -> str:
    if len(word) <= 3:
        return word[:1] + "***"
    if len(word) <= 6:
        return word[:1] + "***" + word[-1:]
    return word[:2] + "***" + word[-3:]


def mask_handle(handle: str | None) -> str:
    """`@wargaayu` -> `@wa***ayu`; e-mail and phone handles keep no address or number."""
    value = safe_terminal_text((handle or "").strip(), single_line=True)
    if not value:
        return "-"
    if EMAIL_PATTERN.fullmatch(value):
        return _mask_word(value.split("@", 1)[0]) + "@***"
    digits = re.sub(r"[\s.+()-]", "", value)
    if digits.isdigit() and len(digits) >= 6:
        return "***" + digits[-3:]
    at = "@" if value.startswith("@") else ""
    return at + _mask_word(value.lstrip("@").replace(" ", ""))


# --- typed sections -------------------------------------------------------------------------------

@dataclass
class Section:
    """A titled table. `kinds` per column: text, int, pct, num, dt (ISO instant)."""

    key: str
    title: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def fmt_number(value: float | None, locale: str, digits: int = 1) -> str:
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if locale == "id" else text


def fmt_dt(value: str | None, locale: str, tz: str = "Asia/Jakarta") -> str:
    """`28/11/2026 14.30` (dot between hours and minutes in Indonesian), office time."""
    if not value:
        return "-"
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(tz))
    return local.strftime("%d/%m/%Y %H.%M" if locale == "id" else "%d/%m/%Y %H:%M")


def cell_text(value: Any, kind: str, locale: str, tz: str = "Asia/Jakarta") -> str:
    if kind == "pct":
        return "-" if value is None else fmt_number(value, locale) + "%"
    if kind == "num":
        return str(value) if isinstance(value, int) else fmt_number(value, locale)
    if kind == "dt":
        return fmt_dt(value, locale, tz)
    return "-" if value is None or value == "" else str(value)


def _working_time(row: dict[str, Any], locale: str) -> str:
    if row["working_days"] is None:
        return "-"
    text = f"{row['working_days']} {w('wd_short', locale)}"
    if row["working_hours"] is not None:
        text += f" ({fmt_number(row['working_hours'], locale)} {w('hours', locale)})"
    return text


def _remarks(row: dict[str, Any], locale: str, tz: str) -> str:
    if row["status"] == "dismissed":
        return f"{w('dismissed_because', locale)}: {row['close_reason'] or '-'}"
    if row["timing"] == "overdue":
        return f"{w('past_due', locale)} {fmt_dt(row['due_at'], locale, tz)}"
    if row["status"] == "escalated":
        return f"{w('waiting_bidang', locale)} {row['bidang'] or '-'}"
    if row["status"] == "followed_up":
        return w('bidang_answered', locale)
    return ""


DAILY_COLUMNS = (("no", "int"), ("ref", "text"), ("received_at", "dt"), ("channel", "text"), ("account", "text"),
                 ("kind", "text"), ("category", "text"), ("summary", "text"), ("bidang", "text"),
                 ("forwarded_at", "dt"), ("answered_at", "dt"), ("closed_at", "dt"), ("working_time", "text"),
                 ("timing", "text"), ("status", "text"), ("answer", "text"), ("remarks", "text"))


def daily_section(recap: dict[str, Any], locale: str) -> Section:
    tz = recap["timezone"]
    section = Section("daily", w("daily_title", locale), [w(f"col_{k}", locale) for k, _ in DAILY_COLUMNS],
                      [kind for _, kind in DAILY_COLUMNS])
    for row in recap["rows"]:
        section.rows.append([
            row["no"], row["ref"], row["received_at"], channel_label(row["channel"]), row["account"],
            kind_label(row["kind"], locale), label_of("category", row["category"], locale), row["summary"],
            row["bidang"] or "-", row["forwarded_at"], row["answered_at"], row["closed_at"],
            _working_time(row, locale), timing_label(row["timing"], locale), status_label(row["status"], locale),
            row["answer"], _remarks(row, locale, tz),
        ])
    return section


def daily_summary(recap: dict[str, Any], locale: str) -> Section:
    section = Section("summary", w("summary", locale), [w("item", locale), w("count", locale)], ["text", "int"])
    for key in ("received", "forwarded", "answered", "closed", "open", "overdue"):
        section.rows.append([w(f"daily_{key}", locale), recap["summary"][key]])
    return section


def _breakdown(key: str, items: list[dict[str, Any]], title_key: str, locale: str,
               name=lambda code, locale: str(code)) -> Section:
    section = Section(key, w(title_key, locale), [w(title_key + "_col", locale), w("count", locale), "%"],
                      ["text", "int", "pct"])
    section.rows = [[name(i["code"], locale), i["count"], i["percent"]] for i in items]
    return section


def monthly_summary(recap: dict[str, Any], locale: str) -> Section:
    section = Section("summary", w("summary", locale), [w("item", locale), w("count", locale), "%"],
                      ["text", "num", "pct"])
    status = {item["code"]: item for item in recap["by_status"]}
    times, backlog = recap["answer_working_days"], recap["backlog"]
    sla = recap["sla_working_days"]
    section.rows = [
        [w("total_received", locale), recap["total"], None],
        *[[w(f"class_{code}", locale), status[code]["count"], status[code]["percent"]] for code in status],
        [w("answered", locale), recap["answered"], None],
        [w("answered_on_time", locale), recap["answered_on_time"], recap["answered_on_time_percent"]],
        [w("answered_within", locale).format(n=sla), recap["answered_within_working_days"],
         recap["answered_within_working_days_percent"]],
        [w("answered_late", locale), recap["answered_late"], None],
        [w("overdue_open", locale), recap["overdue_open"], None],
        [w("mean_days", locale), times["mean"], None],
        [w("median_days", locale), times["median"], None],
        [w("backlog_opening", locale), backlog["opening"], None],
        [w("backlog_closing", locale), backlog["closing"], None],
        [w("backlog_closing_overdue", locale), backlog["closing_overdue"], None],
    ]
    return section


def monthly_sections(recap: dict[str, Any], locale: str, notes: dict[str, list[str]] | None = None) -> list[Section]:
    """Every table of the monthly report, in reading order."""
    def status_name(code: str, loc: str) -> str:
        return w(f"class_{code}", loc)

    bidang = Section("by_bidang", w("by_bidang", locale),
                     [w("by_bidang_col", locale), w("count", locale), "%", w("met", locale), w("late", locale),
                      w("overdue", locale)], ["text", "int", "pct", "int", "int", "int"])
    bidang.rows = [[label_of("bidang", i["code"], locale), i["count"], i["percent"], i["met"], i["late"],
                    i["overdue"]] for i in recap["by_bidang"]]
    topics = Section("top_topics", w("top_topics", locale),
                     ["No", w("by_category_col", locale), w("by_kind_col", locale), w("count", locale), "%"],
                     ["int", "text", "text", "int", "pct"])
    topics.rows = [[n, label_of("category", t["category"], locale), kind_label(t["kind"], locale), t["count"],
                    t["percent"]] for n, t in enumerate(recap["top_topics"], start=1)]
    channels = recap["channels"]
    daily = Section("daily_counts", w("daily_counts", locale),
                    [w("date", locale), *[channel_label(c) for c in channels], w("total", locale)],
                    ["text", *["int"] * len(channels), "int"])
    daily.rows = [[d["date"][8:10] + "/" + d["date"][5:7], *[d["by_channel"].get(c, 0) for c in channels],
                   d["total"]] for d in recap["daily"]]
    sections = [
        monthly_summary(recap, locale),
        _breakdown("by_status", recap["by_status"], "by_status", locale, status_name),
        _breakdown("by_channel", recap["by_channel"], "by_channel", locale, lambda c, _: channel_label(c)),
        _breakdown("by_kind", recap["by_kind"], "by_kind", locale, kind_label),
        _breakdown("by_category", recap["by_category"], "by_category", locale,
                   lambda c, loc: label_of("category", c, loc)),
        bidang, topics, daily,
    ]
    for key in ("kendala", "rekomendasi"):
        items = (notes or {}).get(key) or []
        note = Section(key, w(key, locale), ["No", w(key, locale)], ["int", "text"])
        note.rows = [[n, scrub(text)] for n, text in enumerate(items, start=1)] or [[None, w("none_noted", locale)]]
        sections.append(note)
    return sections


# --- notes file -----------------------------------------------------------------------------------

NOTE_HEADINGS = {"kendala": "kendala", "hambatan": "kendala", "obstacles": "kendala",
                 "rekomendasi": "rekomendasi", "saran": "rekomendasi", "saran tindak lanjut": "rekomendasi",
                 "rekomendasi/saran tindak lanjut": "rekomendasi", "recommendations": "rekomendasi"}


def parse_notes(text: str) -> dict[str, list[str]]:
    """`Kendala:` / `Rekomendasi:` headings (or `# Kendala`), one item per line below each."""
    notes: dict[str, list[str]] = {"kendala": [], "rekomendasi": []}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        heading = stripped.lstrip("#").strip().rstrip(":").strip().lower()
        if heading in NOTE_HEADINGS:
            current = NOTE_HEADINGS[heading]
            continue
        if current is None:
            raise ValueError(f"baris {number}: tulis dulu judul 'Kendala:' atau 'Rekomendasi:' sebelum butirnya")
        notes[current].append(re.sub(r"^(?:[-*\u2022]|\d+[.)])\s*", "", stripped))
    return notes


# --- files ----------------------------------------------------------------------------------------

EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "pdf": "pdf", "json": "json", "table": "txt"}


def default_filename(report: str, period: str, fmt: str) -> str:
    """`rekap-harian-2026-11-28.xlsx`, `laporan-bulanan-2026-11.pdf`."""
    stem = "rekap-harian" if report == "daily" else "laporan-bulanan"
    return f"{stem}-{period}.{EXTENSIONS[fmt]}"


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) or (text.startswith("-") and len(text) > 1) else text


def write_csv(sections: list[Section], path: Path, locale: str, tz: str = "Asia/Jakarta") -> None:
    """Sections one after another, each with its title row; UTF-8 with BOM so Excel reads it."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for index, section in enumerate(sections):
            if index:
                writer.writerow([])
            if len(sections) > 1:
                writer.writerow([section.title])
            writer.writerow(section.headers)
            for row in section.rows:
                writer.writerow([_csv_safe(cell_text(v, k, locale, tz)) for v, k in zip(row, section.kinds,
                                                                                         strict=True)])


XLSX_HEADER_FILL = "1F4E79"  # dark blue with white bold text: readable printed in grey too
XLSX_MAX_WIDTH = 60  # characters; long summaries wrap instead of making a metre-wide column


def _xlsx_value(value: Any, kind: str, locale: str, tz: str) -> Any:
    if value is None:
        return None if kind in ("int", "num", "pct") else "-"
    if kind == "dt":
        return datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    if kind in ("int", "num", "pct"):
        return value
    return str(value)


def _fill_sheet(sheet, section: Section, locale: str, tz: str, first_row: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    formats = {"dt": "dd/mm/yyyy hh:mm", "pct": '0.0"%"', "num": "0.0#", "int": "0"}
    widths = [len(h) for h in section.headers]
    for col, header in enumerate(section.headers, start=1):
        cell = sheet.cell(first_row, col, header)
        cell.data_type = "s"
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=XLSX_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for r, row in enumerate(section.rows, start=first_row + 1):
        for c, (value, kind) in enumerate(zip(row, section.kinds, strict=True), start=1):
            cell = sheet.cell(r, c, _xlsx_value(value, kind, locale, tz))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a citizen's "=..." stays text, never a formula
            if kind in formats:
                cell.number_format = formats[kind]
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c - 1] = max(widths[c - 1], len(cell_text(value, kind, locale, tz)))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), XLSX_MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(first_row + 1, 1).coordinate
    if section.rows:
        sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(section.headers))}{first_row + len(section.rows)}"


def write_xlsx(sheets: list[Section], summary: Section, path: Path, locale: str, title: str,
               subtitle: str, tz: str = "Asia/Jakarta") -> None:
    """A summary sheet first (title, period, figures), then one sheet per section with a bold
    filled header row that stays frozen, column widths fitted to the content, A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    front = book.active
    front.title = w("sheet_summary", locale)[:31]
    front["A1"], front["A2"] = scrub(title), scrub(subtitle)
    front["A1"].font, front["A2"].font = Font(bold=True, size=14), Font(italic=True)
    _fill_sheet(front, summary, locale, tz, first_row=4)
    for section in sheets:
        sheet = book.create_sheet(re.sub(r"[\\/*?:\[\]]", "-", section.title)[:31])
        _fill_sheet(sheet, section, locale, tz)
        sheet.oddHeader.center.text = scrub(f"{title} - {subtitle}")
    for sheet in book.worksheets:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.save(path)


# --- whole reports --------------------------------------------------------------------------------

def daily_titles(recap: dict[str, Any], locale: str, office_short: str) -> tuple[str, str]:
    from datetime import date

    from ticketing.i18n import format_date_long

    day = format_date_long(date.fromisoformat(recap["date"]), locale)
    return f"{w('daily_title', locale)} - {office_short}", f"{w('date', locale)}: {day}"


def monthly_titles(recap: dict[str, Any], locale: str, office_short: str) -> tuple[str, str]:
    from ticketing.i18n import MONTHS_LONG

    year, month = (int(x) for x in recap["period"].split("-"))
    name = MONTHS_LONG.get(locale, MONTHS_LONG["id"])[month - 1]
    return f"{w('monthly_title', locale)} - {office_short}", f"{w('period', locale)}: {name} {year}"


def write_json(data: dict[str, Any], path: Path) -> None:
    import json

    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_daily(recap: dict[str, Any], fmt: str, path: Path, locale: str, office_short: str) -> None:
    """The daily recap as csv, xlsx or json at `path`."""
    table, summary = daily_section(recap, locale), daily_summary(recap, locale)
    tz = recap["timezone"]
    if fmt == "csv":
        write_csv([table, summary], path, locale, tz)
    elif fmt == "xlsx":
        write_xlsx([table], summary, path, locale, *daily_titles(recap, locale, office_short), tz=tz)
    elif fmt == "json":
        write_json(recap, path)
    else:
        raise ValueError(f"format {fmt!r} tidak tersedia untuk rekap harian: pilih table, csv, xlsx atau json")


def write_monthly(recap: dict[str, Any], fmt: str, path: Path, locale: str, notes: dict[str, list[str]],
                  office, recap_cfg: dict[str, Any], printed_by: str, now: datetime) -> None:
    """The monthly report as csv, xlsx, pdf or json at `path`."""
    sections = monthly_sections(recap, locale, notes)
    tz = recap["timezone"]
    if fmt == "csv":
        write_csv(sections, path, locale, tz)
    elif fmt == "xlsx":
        write_xlsx(sections[1:], sections[0], path, locale, *monthly_titles(recap, locale, office.short_name), tz=tz)
    elif fmt == "pdf":
        from ticketing.reports.pdf import write_monthly_pdf

        write_monthly_pdf(recap, sections, path, locale, office, recap_cfg, printed_by, now)
    elif fmt == "json":
        write_json(dict(recap, notes=notes), path)
    else:
        raise ValueError(f"format {fmt!r} tidak tersedia untuk laporan bulanan: pilih table, csv, xlsx, pdf atau json")
