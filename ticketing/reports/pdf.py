"""The printable Laporan Bulanan: A4, the office letterhead, the tables, two charts, sign-off.

Built with reportlab's platypus and its own vector charts (no plotting stack, no display
server). The standard PDF fonts cover Windows-1252 only, so every string is reduced to that
repertoire, and every string is XML-escaped before it becomes a Paragraph (whose markup would
otherwise be interpreted).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from ticketing.config import RecapSettings
from ticketing.i18n import MONTHS_LONG, format_date_long, format_datetime
from ticketing.reports.export import Section, cell_text
from ticketing.reports.words import channel_label, label_of, w

SERIES_COLOURS = ("#1F4E79", "#2E8B57", "#C0504D", "#F2A900", "#7F6084", "#4BACC6", "#8C8C8C", "#9BBB59")
TIMING_COLOURS = {"met": "#2E8B57", "late": "#F2A900", "overdue": "#C0504D"}
HEADER_FILL = "#DCE6F1"


def pdf_plain(value: Any) -> str:
    """For canvas strings and plain table cells: characters outside Windows-1252 replaced."""
    text = "" if value is None else str(value)
    return text.encode("cp1252", "replace").decode("cp1252")


def pdf_text(value: Any) -> str:
    """For a Paragraph, whose markup would otherwise be interpreted: escaped as well."""
    return escape(pdf_plain(value))


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=9, leading=11.5),
        "small": ParagraphStyle("small", parent=base["Normal"], fontName="Helvetica", fontSize=7.5, leading=9),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontName="Helvetica", fontSize=8.5, leading=10),
        "head": ParagraphStyle("head", parent=base["Normal"], fontName="Helvetica-Bold", fontSize=10.5,
                               leading=13, spaceBefore=8, spaceAfter=4),
        "kop1": ParagraphStyle("kop1", fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER),
        "kop2": ParagraphStyle("kop2", fontName="Helvetica-Bold", fontSize=15, leading=18, alignment=TA_CENTER),
        "kop3": ParagraphStyle("kop3", fontName="Helvetica", fontSize=9, leading=11, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=12, leading=15, alignment=TA_CENTER),
        "sub": ParagraphStyle("sub", fontName="Helvetica", fontSize=9.5, leading=12, alignment=TA_CENTER),
    }


LOGO_SIZE = 2.1  # cm: the regional emblem beside the letterhead's three lines


def letterhead(office, recap_cfg: RecapSettings, styles) -> list:
    """Kop surat: the regional government, the office name, its address and contact line, the
    logo on the left when configured, a double rule."""
    from reportlab.lib.units import cm
    from reportlab.platypus import HRFlowable, Image, Paragraph, Spacer, Table, TableStyle

    lines = [Paragraph(pdf_text(recap_cfg.letterhead_authority), styles["kop1"]),
             Paragraph(pdf_text((recap_cfg.letterhead_office or office.name).upper()), styles["kop2"])]
    for line in (office.address, recap_cfg.letterhead_contact):
        if line:
            lines.append(Paragraph(pdf_text(line), styles["kop3"]))
    parts: list = lines
    logo = logo_path(recap_cfg)
    if logo is not None:
        image = Image(str(logo), width=LOGO_SIZE * cm, height=LOGO_SIZE * cm, kind="proportional")
        head = Table([[image, lines, ""]], colWidths=[LOGO_SIZE * cm + 4, None, LOGO_SIZE * cm + 4])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        parts = [head]
    parts += [Spacer(1, 3), HRFlowable(width="100%", thickness=2.2, color="black", spaceAfter=1.2),
              HRFlowable(width="100%", thickness=0.6, color="black", spaceAfter=8)]
    return parts


def logo_path(recap_cfg: RecapSettings) -> Path | None:
    """The configured logo when it is a readable file (a missing one is reported, not fatal)."""
    if not recap_cfg.logo:
        return None
    path = Path(recap_cfg.logo)
    return path if path.is_file() else None


ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def report_number(recap_cfg: RecapSettings, period: str) -> str:
    """`400.14/123/XI/2026` from `report_number: "400.14/123/{month_roman}/{year}"`."""
    if not recap_cfg.report_number:
        return ""
    year, month = (int(x) for x in period.split("-"))
    try:
        return recap_cfg.report_number.format(year=year, month=f"{month:02d}", month_roman=ROMAN_MONTHS[month - 1])
    except (KeyError, IndexError, ValueError):
        return recap_cfg.report_number  # a brace the template did not mean: printed as written


SIGN_OFF_KEYS = (("office", "head_name"), ("office", "head_nip"), ("office", "complaint_admin_name"),
                 ("office", "complaint_admin_nip"), ("recap", "report_number"), ("recap", "letterhead_contact"))


def missing_sign_off(office, recap_cfg: RecapSettings) -> list[str]:
    """The config keys a signable report still lacks (`office.head_name`, ...; a logo that is set but
    not found). The report is written anyway: the command warns on stderr."""
    sections = {"office": office, "recap": recap_cfg}
    missing = [f"{section}.{key}" for section, key in SIGN_OFF_KEYS if not getattr(sections[section], key)]
    if recap_cfg.logo and logo_path(recap_cfg) is None:
        missing.append(f"recap.logo ({recap_cfg.logo})")
    return missing


FLOW_BY_WIDTHS = [55, 95, 45, 45, 50, 45, 45, 55, 45]  # by, value, then the flow's seven figures
CELL_PADDING = 6  # reportlab's default left + right padding of a table cell, in points
HEADER_SIZE, HEADER_MIN_SIZE = 8.5, 6.5


def header_size(headers: list[str], widths: list[float] | None) -> float:
    """The largest header font (at most 8.5 pt) at which every word of every header fits its
    column, so a heading wraps between words (`Terbuka / awal`), never inside one (`Terbuk / a`)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = HEADER_SIZE
    for header, width in zip(headers, widths or [], strict=False):
        if not width:
            continue
        room = width - 2 * CELL_PADDING
        for word in header.split():
            while size > HEADER_MIN_SIZE and stringWidth(word, "Helvetica-Bold", size) > room:
                size -= 0.5
    return size


def section_table(section: Section, styles, locale: str, widths: list[float] | None = None,
                  font_size: float = 8.5):
    """A bordered table with a tinted header row that repeats on each page."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    size = min(header_size(section.headers, widths), styles["cell"].fontSize)
    heading = ParagraphStyle("head-cell", parent=styles["cell"], fontName="Helvetica-Bold", fontSize=size,
                             leading=size + 1.5, splitLongWords=0)
    head = [Paragraph(pdf_text(h), heading) for h in section.headers]
    # text and dates wrap inside their cell (a date over its time); identifiers and numbers never do
    body = [[Paragraph(pdf_text(cell_text(v, k, locale)), styles["cell"]) if k in ("text", "dt")
             else pdf_plain(cell_text(v, k, locale)) for v, k in zip(row, section.kinds, strict=True)]
            for row in section.rows]
    empty = not body
    if empty:  # a header over nothing reads as a table that failed to print
        body = [[Paragraph(f"<i>{pdf_text(w('no_data', locale))}</i>", styles["cell"])] + [""] * (len(head) - 1)]
    table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    numeric = [i for i, k in enumerate(section.kinds) if k not in ("text", "ref", "dt")]
    style = [*([("SPAN", (0, 1), (-1, 1))] if empty else []),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7F7F7F")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
             ("FONT", (0, 1), (-1, -1), "Helvetica", font_size), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
    table.setStyle(TableStyle(style))
    return table


def _legend(pairs: list[tuple[str, str]], x: float, y: float):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.lib import colors

    legend = Legend()
    legend.x, legend.y, legend.alignment = x, y, "right"
    legend.fontName, legend.fontSize = "Helvetica", 7.5
    legend.columnMaximum, legend.dx, legend.dy, legend.deltax = 1, 8, 8, 62
    legend.colorNamePairs = [(colors.HexColor(c), pdf_plain(n)) for c, n in pairs]
    return legend


def no_data(title: str, locale: str, width: float, height: float = 60):
    """A chart's title over *tidak ada data*: axes around nothing read as a broken chart."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, pdf_plain(title), fontName="Helvetica-Bold", fontSize=9))
    drawing.add(Rect(0, 4, width, height - 24, strokeColor=colors.HexColor("#BFBFBF"), fillColor=None))
    drawing.add(String(width / 2, (height - 20) / 2, pdf_plain(w("no_data", locale)), fontName="Helvetica-Oblique",
                       fontSize=9, textAnchor="middle", fillColor=colors.HexColor("#595959")))
    return drawing


def daily_chart(recap: dict[str, Any], locale: str, width: float = 480, height: float = 170):
    """Stacked bars: complaints per day, one colour per channel."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    if not any(d["total"] for d in recap["daily"]):
        return no_data(w("chart_daily", locale), locale, width)

    channels = recap["channels"] or ["-"]
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 42, width - 40, height - 72
    chart.data = [[d["by_channel"].get(c, 0) for d in recap["daily"]] for c in channels]
    chart.categoryAxis.categoryNames = [d["date"][8:10].lstrip("0") for d in recap["daily"]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    top = max((d["total"] for d in recap["daily"]), default=0)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, max(top, 4)
    chart.valueAxis.valueStep = max(1, round(max(top, 4) / 4))
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, colors.HexColor("#D9D9D9")
    chart.barSpacing, chart.groupSpacing = 0, 3
    for index in range(len(channels)):
        chart.bars[index].fillColor = colors.HexColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 12, pdf_plain(w("chart_daily", locale)),
                       fontName="Helvetica-Bold", fontSize=9))
    drawing.add(_legend([(SERIES_COLOURS[i % len(SERIES_COLOURS)], channel_label(c, locale))
                         for i, c in enumerate(channels)], 40, 14))
    return drawing


def bidang_chart(recap: dict[str, Any], locale: str, width: float = 480, height: float = 150):
    """Grouped bars per bidang: answered on time, answered late, past due and unanswered."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    rows = [b for b in recap["by_bidang"] if b["met"] + b["late"] + b["overdue"]]
    if not rows:
        return no_data(w("chart_bidang", locale), locale, width)
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 42, width - 40, height - 72
    chart.data = [[b[code] for b in rows] for code in TIMING_COLOURS]
    chart.categoryAxis.categoryNames = [pdf_plain(label_of("bidang", b["code"], locale)) for b in rows]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 8
    top = max((max(b["met"], b["late"], b["overdue"]) for b in rows), default=0)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, max(top, 4)
    chart.valueAxis.valueStep = max(1, round(max(top, 4) / 4))
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, colors.HexColor("#D9D9D9")
    chart.barLabelFormat, chart.barLabels.fontSize, chart.barLabels.nudge = "%d", 7, 6
    for index, colour in enumerate(TIMING_COLOURS.values()):
        chart.bars[index].fillColor, chart.bars[index].strokeColor = colors.HexColor(colour), None
    drawing.add(chart)
    drawing.add(String(0, height - 12, pdf_plain(w("chart_bidang", locale)),
                       fontName="Helvetica-Bold", fontSize=9))
    drawing.add(_legend([(c, w(code, locale)) for code, c in TIMING_COLOURS.items()], 40, 14))
    return drawing


def daily_strip(recap: dict[str, Any], locale: str, per_row: int = 16):
    """The chart's numbers: day of month over count, two bands of up to 16 days."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    days = recap["daily"]
    data: list[list[str]] = []
    for start in range(0, len(days), per_row):
        band = days[start:start + per_row]
        data.append([w("date", locale)] + [d["date"][8:10].lstrip("0") for d in band])
        data.append([w("count", locale)] + [str(d["total"]) for d in band])
    width = max(len(row) for row in data)
    data = [row + [""] * (width - len(row)) for row in data]
    table = Table(data, colWidths=[52] + [26] * (width - 1), hAlign="LEFT")
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 7.5), ("ALIGN", (1, 0), (-1, -1), "CENTER"),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#A6A6A6")),
             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor(HEADER_FILL)) for r in range(0, len(data), 2)]
    table.setStyle(TableStyle(style))
    return table


def _pairs(left, right, gap: float = 14):
    """Two tables side by side (they are short; this keeps the report to a few pages)."""
    from reportlab.platypus import Table, TableStyle

    table = Table([[left, right]], colWidths=[None, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, -1), gap)]))
    return table


def sign_off(office, recap_cfg: RecapSettings, locale: str, signed_on: datetime, styles):
    """Mengetahui, Kepala Dinas (left) and the complaint administrator (right), names and NIP."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    def block(lines: list[str], name: str, nip: str) -> list:
        shown = f"<u><b>{pdf_text(name)}</b></u>" if name else "(" + "." * 40 + ")"
        return [*[Paragraph(pdf_text(line), styles["body"]) for line in lines], Paragraph("<br/><br/><br/>",
                styles["body"]), Paragraph(shown, styles["body"]),
                Paragraph(pdf_text(f"{w('nip', locale)} {nip}" if nip else f"{w('nip', locale)} -"), styles["body"])]

    place = recap_cfg.city
    left = block([w("acknowledged", locale), office.head_title], office.head_name, office.head_nip)
    right = block([f"{place}, {format_date_long(signed_on.astimezone(_zone(office)).date(), locale)}",
                   w("prepared_by", locale)], office.complaint_admin_name, office.complaint_admin_nip)
    table = Table([[left, right]], colWidths=[260, 220], hAlign="CENTER")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def _zone(office):
    return ZoneInfo(office.timezone)


def as_of_text(recap: dict[str, Any], locale: str) -> str:
    """The cut-off in words: the last day of a finished period, or the instant for a running one."""
    as_of = datetime.fromisoformat(recap["as_of"])
    if recap["as_of"] == recap["to"]:
        last = (as_of - timedelta(seconds=1)).astimezone(ZoneInfo(recap["timezone"])).date()
        return f"{format_date_long(last, locale)} ({w('end_of_period', locale)})"
    return format_datetime(as_of, locale, recap["timezone"])


def write_monthly_pdf(recap: dict[str, Any], sections: list[Section], path: Path, locale: str, office,
                      recap_cfg: RecapSettings, printed_by: str, now: datetime) -> None:
    """Render the monthly report to `path`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    by_key = {s.key: s for s in sections}
    year, month = (int(x) for x in recap["period"].split("-"))
    period_name = f"{MONTHS_LONG.get(locale, MONTHS_LONG['id'])[month - 1]} {year}"
    title = w("monthly_title", locale)
    number = report_number(recap_cfg, recap["period"])
    story = [*letterhead(office, recap_cfg, styles), Paragraph(pdf_text(title.upper()), styles["title"]),
             *([Paragraph(pdf_text(f"{w('number', locale)}: {number}"), styles["sub"])] if number else []),
             Paragraph(pdf_text(f"{w('period', locale)}: {period_name}"), styles["sub"]),
             Paragraph(pdf_text(w("meeting", locale)), styles["sub"]), Spacer(1, 8)]

    def heading(letter: str, text: str) -> Paragraph:
        return Paragraph(pdf_text(f"{letter}. {text}"), styles["head"])

    story += [heading("A", w("summary", locale)), section_table(by_key["summary"], styles, locale, [300, 70, 60]),
              Paragraph(pdf_text(f"{w('as_of', locale)}: {as_of_text(recap, locale)}"), styles["small"]),
              KeepTogether([Paragraph(pdf_text(w("flow", locale)), styles["head"]),
                            section_table(by_key["flow"], styles, locale, [370, 60])]),
              section_table(by_key["flow_by"], styles, locale, FLOW_BY_WIDTHS)]
    story += [heading("B", w("by_status", locale) + " / " + w("by_kind", locale)),
              _pairs(section_table(by_key["by_status"], styles, locale, [120, 50, 45]),
                     section_table(by_key["by_kind"], styles, locale, [120, 50, 45])),
              heading("C", w("by_channel", locale) + " / " + w("by_category", locale)),
              _pairs(section_table(by_key["by_channel"], styles, locale, [120, 50, 45]),
                     section_table(by_key["by_category"], styles, locale, [120, 50, 45])),
              KeepTogether([heading("D", w("by_bidang", locale)),
                            section_table(by_key["by_bidang"], styles, locale, [110, 50, 45, 70, 70, 105]),
                            Spacer(1, 6), bidang_chart(recap, locale)]),
              KeepTogether([heading("E", w("daily_counts", locale)), daily_chart(recap, locale),
                            daily_strip(recap, locale)]),
              KeepTogether([heading("F", w("top_topics", locale)),
                            section_table(by_key["top_topics"], styles, locale, [30, 150, 110, 60, 50])])]
    # The two closing sections and the signatures stay on one page: a sign-off alone (or under a
    # lone heading) on the last page invites doubt about what was signed.
    story += [KeepTogether([
        heading("G", w("kendala", locale)), section_table(by_key["kendala"], styles, locale, [30, 450]),
        heading("H", w("rekomendasi", locale)), section_table(by_key["rekomendasi"], styles, locale, [30, 450]),
        Spacer(1, 16), sign_off(office, recap_cfg, locale, now, styles)])]

    footer = f"{title} - {period_name} | {w('printed_by', locale)} {printed_by}, {format_datetime(now, locale)}"

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(2 * cm, 1.2 * cm, pdf_plain(footer))
        canvas.restoreState()

    document = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.5 * cm,
                                 bottomMargin=2 * cm, title=f"{title} {period_name}", author=office.name,
                                 subject=w("meeting", locale), creator="aduan")
    document.build(story, onFirstPage=on_page, onLaterPages=on_page,
                   canvasmaker=numbered_canvas(w("page_of", locale), A4[0] - 2 * cm, 1.2 * cm))


def numbered_canvas(template: str, right: float, bottom: float):
    """A canvas that holds every page until the end, then stamps *Halaman N dari M* on each: the
    total is only known once the story is laid out."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, page in enumerate(self._held, start=1):
                self.__dict__.update(page)
                self.setFont("Helvetica", 7.5)
                self.drawRightString(right, bottom, template.format(n=number, total=total))
                super().showPage()
            super().save()

    return NumberedCanvas
