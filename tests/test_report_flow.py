"""The report adds up: the period's flow, hand-counted across the October/November/December
boundaries of tests/ticketing/recap_data.py, is the same in every format and reconciles.

November, by hand (WIB days; T09 arrives 00:30 WIB on 1 December, T13 is merged away):
  open at start 2   T02 (received Sat 31 Oct 23:00 WIB, answered 3 Nov), T03 (October, never answered)
  received     10   T01 T04 T05 T06 T07 T08 T10 T11 T12 T14
  answered      7   on time T02 T01 T04 T11; late T05 T06 T12 (T02 came in October)
  closed        1   T10 (spam, no answer)
  open at end   4   T03 T07 T14, and T08 (answered only on 2 December)
  2 + 10 - 8 = 4.
December as of 3 December: open at start 4, received 1 (T09), answered 1 (T08, on time),
open at end 4: 4 + 1 - 1 = 4 (the old report said "Dijawab 0" for December).
"""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session

from tests.test_cli_recap import AFTER_NOVEMBER, OFFICE, invoke
from tests.ticketing.recap_data import build_month, utc
from ticketing.config import SlaSettings
from ticketing.reports.flow import period_flow
from ticketing.reports.recap import monthly_recap
from ticketing.reports.recap_sql import month_period
from ticketing.sla.calendar import OfficeCalendar
from ticketing.store.db import open_database, read_session, write_session
from ticketing.store.models import Message, Ticket

NOVEMBER = {"opening": 2, "received": 10, "reopened": 0, "answered": 7, "answered_on_time": 4, "answered_late": 3,
            "closed_unanswered": 1, "done": 8, "closing": 4}
NOVEMBER_LINE = "Terbuka awal 2 + Masuk 10 - Dijawab/Selesai 8 = Terbuka akhir 4"
BY_CHANNEL = {  # opening, received, on time, late, closed unanswered, closing
    "whatsapp": (1, 3, 2, 1, 0, 1), "facebook": (1, 1, 0, 1, 0, 1), "instagram": (0, 2, 1, 0, 1, 0),
    "telegram": (0, 1, 0, 1, 0, 0), "x": (0, 2, 0, 0, 0, 2), "email": (0, 1, 1, 0, 0, 0),
}
BY_BIDANG = {"DAFDUK": (2, 6, 4, 1, 0, 3), "CAPIL": (0, 2, 0, 1, 0, 1), "PDIP": (0, 1, 0, 1, 0, 0),
             None: (0, 1, 0, 0, 1, 0)}


def _row(item: dict) -> tuple:
    return tuple(item[k] for k in ("opening", "received", "answered_on_time", "answered_late", "closed_unanswered",
                                   "closing"))


@pytest.fixture
def month(engine):
    with Session(engine) as session:
        build_month(session)
    return engine


def test_november_flow_matches_the_hand_count_and_reconciles(month):
    calendar = OfficeCalendar(SlaSettings())
    with read_session(month) as session:
        flow = period_flow(session, month_period(2026, 11, calendar), month_period(2026, 11, calendar).end)
    assert {k: flow[k] for k in NOVEMBER} == NOVEMBER and flow["reconciles"]
    assert {i["code"]: _row(i) for i in flow["by_channel"]} == BY_CHANNEL
    assert {i["code"]: _row(i) for i in flow["by_bidang"]} == BY_BIDANG
    for dimension in ("by_channel", "by_bidang", "by_category"):
        for item in flow[dimension]:
            assert item["opening"] + item["received"] + item["reopened"] - item["done"] == item["closing"]


def test_december_counts_what_was_answered_in_december(month):
    calendar = OfficeCalendar(SlaSettings())
    with read_session(month) as session:
        data = monthly_recap(session, calendar, 2026, 12, datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    flow = data["flow"]
    assert (flow["opening"], flow["received"], flow["answered"], flow["answered_on_time"], flow["closing"]) == (
        4, 1, 1, 1, 4)
    assert data["answered"] == 0  # of the tickets *received* in December none is answered yet: both are shown


def test_a_failed_reply_is_not_answered_in_the_report(month):
    calendar = OfficeCalendar(SlaSettings())
    received = utc("2026-11-18 03:00")
    with write_session(month) as session:
        ticket = Ticket(ref="T15", channel="tg-dindukcapil", channel_type="telegram", thread_key="thr-T15",
                        kind="pertanyaan", category="kk", bidang="DAFDUK", status="new", summary="kk",
                        received_at=received, last_message_at=received, due_at=calendar.due_at(received),
                        reply_state="failed", reply_error="warga memblokir bot")
        session.add(ticket)
        session.flush()
        session.add(Message(ticket_id=ticket.id, channel="tg-dindukcapil", direction="out", text="jawaban",
                            sent_at=received, delivery_state="failed", delivery_error="warga memblokir bot"))
    period = month_period(2026, 11, calendar)
    with read_session(month) as session:
        flow = period_flow(session, period, period.end)
    assert (flow["received"], flow["answered"], flow["closing"]) == (11, 7, 5) and flow["reconciles"]


def _export(config: Path, tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"laporan.{fmt}"
    assert invoke(config, "recap", "monthly", "--month", "2026-11", "--format", fmt, "--output", str(out),
                  *extra, user="kabid1") == 0
    return out


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    from tests.cli_helpers import make_config

    config = make_config(tmp_path, db_url, office=OFFICE, recap={"city": "Brebes"})
    engine = open_database(db_url, auto_upgrade=True)
    with Session(engine) as session:
        build_month(session)
    engine.dispose()
    return config


def test_every_format_prints_the_same_flow_and_the_reconciliation_line(config, tmp_path):
    data = json.loads(_export(config, tmp_path, "json").read_text(encoding="utf-8"))
    assert {k: data["flow"][k] for k in NOVEMBER} == NOVEMBER

    rows = list(csv.reader(_export(config, tmp_path, "csv", "--section", "flow").open(encoding="utf-8-sig"),
                           delimiter=";"))  # a CSV is one table (issue 20), `;`-separated in Indonesian
    csv_figures = {r[0]: r[1] for r in rows if len(r) >= 2}
    assert csv_figures["Masuk dalam periode"] == "10"
    assert csv_figures["Dijawab dalam periode (termasuk yang masuk sebelumnya)"] == "7"
    assert csv_figures["Terbuka di awal periode (dibawa dari sebelumnya)"] == "2"
    assert csv_figures["Terbuka di akhir periode (dibawa ke periode berikutnya)"] == "4"
    assert any(NOVEMBER_LINE in r[0] for r in rows if r)

    book = openpyxl.load_workbook(_export(config, tmp_path, "xlsx"))
    cells = [[c for c in row] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    assert any(row[0] == "Dijawab dalam periode (termasuk yang masuk sebelumnya)" and row[1] == 7 for row in cells)
    assert any(isinstance(row[0], str) and NOVEMBER_LINE in row[0] for row in cells)

    pdf = _export(config, tmp_path, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert NOVEMBER_LINE in " ".join(text.split())
    assert "Dijawab dalam periode" in text

    from typer.testing import CliRunner

    from cli import app

    env = {"ADUAN_CONFIG": str(config), "ADUAN_USER": "kabid1", "ADUAN_NOW": AFTER_NOVEMBER, "COLUMNS": "200"}
    table = CliRunner().invoke(app, ["recap", "monthly", "--month", "2026-11"], env=env, catch_exceptions=False)
    assert table.exit_code == 0
    assert NOVEMBER_LINE in " ".join(table.output.split())


def test_daily_recap_reconciles_across_the_day(config, tmp_path):
    out = tmp_path / "harian.json"
    assert invoke(config, "recap", "daily", "--date", "2026-11-03", "--format", "json", "--output", str(out)) == 0
    flow = json.loads(out.read_text(encoding="utf-8"))["flow"]
    # Open at 00:00 WIB on 3 Nov: T02, T03, T01, T05 (T04 was answered on 2 Nov) = 4; received T14 = 1;
    # answered T02 and T01 = 2; open at the day's end T03, T05, T14 = 3.
    assert (flow["opening"], flow["received"], flow["answered"], flow["closing"]) == (4, 1, 2, 3)
    assert flow["reconciles"]
