"""The flow figures (ticketing.reports.flow) as recap sections, with the reconciliation line
printed in every format (table, CSV, XLSX, PDF) from the same rows."""

from __future__ import annotations

from typing import Any

from ticketing.reports.export import Section
from ticketing.reports.words import channel_label, label_of, w

SUMMARY_ROWS = ("opening", "received", "reopened", "answered", "answered_on_time", "answered_late",
                "closed_unanswered", "closing", "first_responses")
BY_COLUMNS = ("opening", "received", "reopened", "answered_on_time", "answered_late", "closed_unanswered",
              "closing")


def reconciliation_line(flow: dict[str, Any], locale: str) -> str:
    """"Terbuka awal 2 + Masuk 10 - Dijawab/Selesai 9 = Terbuka akhir 3" (reopened only when there are)."""
    parts = [f"{w('line_opening', locale)} {flow['opening']}", f"+ {w('line_received', locale)} {flow['received']}"]
    if flow["reopened"]:
        parts.append(f"+ {w('line_reopened', locale)} {flow['reopened']}")
    # an ASCII minus: the PDF's base fonts have no U+2212
    parts += [f"- {w('line_done', locale)} {flow['done']}", f"= {w('line_closing', locale)} {flow['closing']}"]
    return " ".join(parts)


def flow_summary(flow: dict[str, Any], locale: str) -> Section:
    section = Section("flow", w("flow", locale), [w("item", locale), w("count", locale)], ["text", "int"])
    section.rows = [[w(f"flow_{key}", locale), flow[key]] for key in SUMMARY_ROWS]
    section.rows.append([f"{w('reconciliation', locale)}: {reconciliation_line(flow, locale)}", None])
    return section


def _name(dimension: str, code: Any, locale: str) -> str:
    if dimension == "channel":
        return channel_label(code, locale)
    return label_of(dimension, code, locale)


def flow_by(flow: dict[str, Any], locale: str) -> Section:
    short = {"opening": "line_opening", "received": "line_received", "reopened": "line_reopened",
             "answered_on_time": "met", "answered_late": "late", "closed_unanswered": "line_closed",
             "closing": "line_closing"}
    headers = [w("flow_dimension", locale), w("flow_value", locale), *[w(short[c], locale) for c in BY_COLUMNS]]
    section = Section("flow_by", w("flow_by", locale), headers, ["text", "text", *["int"] * len(BY_COLUMNS)])
    for dimension in ("channel", "bidang", "category"):
        for item in flow[f"by_{dimension}"]:
            section.rows.append([w(f"dim_{dimension}", locale), _name(dimension, item["code"], locale),
                                 *[item[c] for c in BY_COLUMNS]])
    return section


def flow_sections(recap: dict[str, Any], locale: str) -> list[Section]:
    return [flow_summary(recap["flow"], locale), flow_by(recap["flow"], locale)]
