"""Recap sections as an XLSX workbook: a summary sheet, then one sheet per section, header rows
filled and frozen, widths fitted, A4 landscape; a citizen's `=...` stays text."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.reports.export import Section, cell_text, scrub
from ticketing.reports.words import w

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
