"""The printable Rekap Harian: A4 landscape, the office letterhead, the day's table, the summary.

It shares the monthly report's letterhead, table style and page numbering (ticketing.reports.pdf);
the 17 recap columns get fixed widths that fit a landscape page, in a smaller type.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ticketing.i18n import format_datetime
from ticketing.reports.export import Section, daily_titles
from ticketing.reports.pdf import _styles, letterhead, numbered_canvas, pdf_text, section_table
from ticketing.reports.words import w

# points per column, in DAILY_COLUMNS order; the reference column fits ADU-2026-000004 on one line
DAILY_WIDTHS = (14, 62, 44, 40, 44, 42, 40, 84, 38, 44, 44, 44, 36, 36, 40, 72, 48)
CELL_SIZE = 6.5


def write_daily_pdf(recap: dict[str, Any], table: Section, summary: Section, path: Path, locale: str, *,
                    office, recap_cfg, printed_by: str, now: datetime) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = dict(_styles())
    styles["cell"] = ParagraphStyle("small-cell", parent=styles["cell"], fontSize=CELL_SIZE, leading=7.8)
    title, subtitle = daily_titles(recap, locale, office.short_name)
    story = [*letterhead(office, recap_cfg, styles), Paragraph(pdf_text(title.upper()), styles["title"]),
             Paragraph(pdf_text(subtitle), styles["sub"]), Spacer(1, 8)]
    if table.rows:
        rows = section_table(table, styles, locale, list(DAILY_WIDTHS), font_size=CELL_SIZE)
        rows.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
        story.append(rows)
    else:
        story.append(Paragraph(pdf_text(w("no_rows", locale)), styles["body"]))
    story += [Spacer(1, 10), KeepTogether([Paragraph(pdf_text(summary.title), styles["head"]),
                                           section_table(summary, styles, locale, [260, 60])])]
    footer = f"{title} - {subtitle} | {w('printed_by', locale)} {printed_by}, {format_datetime(now, locale)}"
    size = landscape(A4)

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(1.2 * cm, 0.9 * cm, footer.encode("cp1252", "replace").decode("cp1252"))
        canvas.restoreState()

    document = SimpleDocTemplate(str(path), pagesize=size, leftMargin=1.2 * cm, rightMargin=1.2 * cm,
                                 topMargin=1.2 * cm, bottomMargin=1.5 * cm, title=f"{title} {subtitle}",
                                 author=office.name, creator="aduan")
    document.build(story, onFirstPage=on_page, onLaterPages=on_page,
                   canvasmaker=numbered_canvas(w("page_of", locale), size[0] - 1.2 * cm, 0.9 * cm))
