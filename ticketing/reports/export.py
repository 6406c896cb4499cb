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
    """A titled table. `kinds` per column: text, ref (an identifier: never wrapped), int, pct, num,
    dt (ISO instant)."""

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


DAILY_COLUMNS = (("no", "int"), ("ref", "ref"), ("received_at", "dt"), ("channel", "text"), ("account", "text"),
                 ("kind", "text"), ("category", "text"), ("summary", "text"), ("bidang", "text"),
                 ("forwarded_at", "dt"), ("answered_at", "dt"), ("closed_at", "dt"), ("working_time", "text"),
                 ("timing", "text"), ("status", "text"), ("answer", "text"), ("remarks", "text"))


def daily_section(recap: dict[str, Any], locale: str) -> Section:
    tz = recap["timezone"]
    section = Section("daily", w("daily_title", locale), [w(f"col_{k}", locale) for k, _ in DAILY_COLUMNS],
                      [kind for _, kind in DAILY_COLUMNS])
    for row in recap["rows"]:
        section.rows.append([
            row["no"], row["ref"], row["received_at"], channel_label(row["channel"], locale), row["account"],
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
                    [w("date", locale), *[channel_label(c, locale) for c in channels], w("total", locale)],
                    ["text", *["int"] * len(channels), "int"])
    daily.rows = [[d["date"][8:10] + "/" + d["date"][5:7], *[d["by_channel"].get(c, 0) for c in channels],
                   d["total"]] for d in recap["daily"]]
    from ticketing.reports.flow_view import flow_sections

    sections = [
        monthly_summary(recap, locale), *flow_sections(recap, locale),
        _breakdown("by_status", recap["by_status"], "by_status", locale, status_name),
        _breakdown("by_channel", recap["by_channel"], "by_channel", locale, lambda c, _: channel_label(c, locale)),
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


def csv_separator(locale: str, sep: str | None = None) -> str:
    """`;` for Indonesian (Excel there reads `,` as the decimal comma), `,` for English."""
    return sep or (";" if locale == "id" else ",")


def write_csv(section: Section, path: Path, locale: str, tz: str = "Asia/Jakarta", sep: str | None = None) -> None:
    """One table, its header row first, so any CSV reader takes it; UTF-8 with BOM so Excel reads it."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=csv_separator(locale, sep))
        writer.writerow(section.headers)
        for row in section.rows:
            writer.writerow([_csv_safe(cell_text(v, k, locale, tz)) for v, k in zip(row, section.kinds, strict=True)])


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


def write_daily(recap: dict[str, Any], fmt: str, path: Path, locale: str, office_short: str, *,
                sep: str | None = None, summary: bool = False, pdf: dict[str, Any] | None = None) -> None:
    """The daily recap as csv (the rows, or with `summary` the summary table), xlsx, pdf or json at
    `path`; `pdf` carries what the letterhead needs (office, recap settings, printed_by, now)."""
    from ticketing.reports.flow_view import flow_sections

    table, figures = daily_section(recap, locale), daily_summary(recap, locale)
    flow = flow_sections(recap, locale)
    tz = recap["timezone"]
    if fmt == "csv":
        write_csv(figures if summary else table, path, locale, tz, sep)
    elif fmt == "xlsx":
        from ticketing.reports.xlsx import write_xlsx

        write_xlsx([table, *flow], figures, path, locale, *daily_titles(recap, locale, office_short), tz=tz)
    elif fmt == "pdf" and pdf is not None:
        from ticketing.reports.pdf_daily import write_daily_pdf

        write_daily_pdf(recap, table, figures, path, locale, **pdf)
    elif fmt == "json":
        write_json(recap, path)
    else:
        raise ValueError(f"format {fmt!r} tidak tersedia untuk rekap harian: pilih table, csv, xlsx, pdf atau json")


def write_monthly(recap: dict[str, Any], fmt: str, path: Path, locale: str, notes: dict[str, list[str]],
                  office, recap_cfg: dict[str, Any], printed_by: str, now: datetime, *, sep: str | None = None,
                  section: str = "summary") -> None:
    """The monthly report as csv (one section, the summary by default), xlsx, pdf or json at `path`."""
    sections = monthly_sections(recap, locale, notes)
    tz = recap["timezone"]
    if fmt == "csv":
        by_key = {s.key: s for s in sections}
        if section not in by_key:
            raise ValueError(f"bagian {section!r} tidak ada: pilih {', '.join(by_key)}")
        write_csv(by_key[section], path, locale, tz, sep)
    elif fmt == "xlsx":
        from ticketing.reports.xlsx import write_xlsx

        write_xlsx(sections[1:], sections[0], path, locale, *monthly_titles(recap, locale, office.short_name), tz=tz)
    elif fmt == "pdf":
        from ticketing.reports.pdf import write_monthly_pdf

        write_monthly_pdf(recap, sections, path, locale, office, recap_cfg, printed_by, now)
    elif fmt == "json":
        write_json(dict(recap, notes=notes), path)
    else:
        raise ValueError(f"format {fmt!r} tidak tersedia untuk laporan bulanan: pilih table, csv, xlsx, pdf atau json")


MONTHLY_SECTION_KEYS = ("summary", "flow", "flow_by", "by_status", "by_channel", "by_kind", "by_category", "by_bidang",
                        "top_topics", "daily_counts", "kendala", "rekomendasi")
