"""Recap figures on a month built by hand (tests/ticketing/recap_data.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.ticketing.recap_data import DAILY_NOV_3, EXPECTED, NIK, build_month, utc
from ticketing.app import App
from ticketing.config import RamadanHours, Settings, SlaSettings
from ticketing.reports.export import Section, mask_handle, parse_notes, scrub, write_csv
from ticketing.reports.recap import daily_job, daily_recap, mark_recapped, monthly_recap
from ticketing.reports.recap_sql import LocalClock, answer_time_distribution, month_period
from ticketing.reports.xlsx import write_xlsx
from ticketing.sla.calendar import OfficeCalendar
from ticketing.store.models import Event, Notification, Ticket

AFTER_NOVEMBER = utc("2026-12-05 03:00")


@pytest.fixture
def calendar() -> OfficeCalendar:
    return OfficeCalendar(SlaSettings())


@pytest.fixture
def month(engine, calendar) -> dict[str, int]:
    with Session(engine) as session:
        return build_month(session, calendar)


def _counts(items: list[dict]) -> dict:
    return {item["code"]: item["count"] for item in items}


def test_monthly_figures_match_the_hand_count(engine, calendar, month):
    with Session(engine) as session:
        report = monthly_recap(session, calendar, 2026, 11, AFTER_NOVEMBER)
    assert report["total"] == EXPECTED["total"]
    assert _counts(report["by_status"]) == EXPECTED["by_status"]
    assert {i["code"]: i["percent"] for i in report["by_status"]} == EXPECTED["by_status_percent"]
    for key in ("by_channel", "by_kind", "by_category", "by_bidang"):
        assert _counts(report[key]) == EXPECTED[key], key
    for key in ("answered", "answered_on_time", "answered_late", "answered_on_time_percent",
                "answered_within_working_days", "answered_within_working_days_percent", "overdue_open",
                "closed_without_answer", "answer_working_days", "backlog"):
        assert report[key] == EXPECTED[key], key
    assert {d["date"]: d["total"] for d in report["daily"] if d["total"]} == EXPECTED["daily"]
    assert len(report["daily"]) == 30 and report["as_of"] == "2026-11-30T17:00:00+00:00"
    capil = next(b for b in report["by_bidang"] if b["code"] == "CAPIL")
    assert (capil["met"], capil["late"], capil["overdue"]) == (0, 1, 1)
    assert report["top_topics"][0] == {"category": "ktp-el", "kind": "pengaduan", "count": 2, "percent": 20.0}
    assert report["daily"][0]["by_channel"] == {"whatsapp": 1}  # 31 Oct 18:00 UTC is 1 Nov in Brebes


def test_month_boundaries_are_asia_jakarta_days(engine, calendar, month):
    with Session(engine) as session:
        october = monthly_recap(session, calendar, 2026, 10, AFTER_NOVEMBER)
        december = monthly_recap(session, calendar, 2026, 12, utc("2027-01-10 03:00"))
    # T02 (31 Oct 23:00 WIB) and T03 are October's; T01 (1 Nov 01:00 WIB) is not.
    assert october["total"] == 2
    assert october["backlog"]["closing"] == 2  # both still open at 31 Oct 24:00 WIB
    # T09 was received 30 Nov 17:30 UTC = 1 Dec 00:30 WIB.
    assert december["total"] == 1 and december["daily"][0]["total"] == 1
    assert december["backlog"]["opening"] == EXPECTED["backlog"]["closing"]


def test_running_month_is_read_as_of_now(engine, calendar, month):
    with Session(engine) as session:
        report = monthly_recap(session, calendar, 2026, 11, utc("2026-11-20 03:00"))
    assert report["as_of"] == "2026-11-20T03:00:00+00:00"
    assert report["total"] == 8  # nothing received after the cut-off counts yet
    # T12 (due Thu 19 Nov) was answered on the 24th: at the cut-off it is open and overdue.
    assert report["overdue_open"] == 3 and report["answered"] == 5  # T01, T04, T05, T06, T11


def test_daily_recap_rows_summary_and_masking(engine, calendar, month):
    with Session(engine) as session:
        report = daily_recap(session, calendar, date(2026, 11, 3), AFTER_NOVEMBER)
    assert [r["ref"] for r in report["rows"]] == DAILY_NOV_3["refs"]
    assert report["summary"] == DAILY_NOV_3["summary"]
    rows = {r["ref"]: r for r in report["rows"]}
    assert (rows["T04"]["working_days"], rows["T04"]["working_hours"]) == (0, 3.0)
    assert (rows["T01"]["working_days"], rows["T01"]["timing"]) == (1, "met")
    hostile = rows["T14"]
    assert hostile["account"] == "@wa***ayu" and hostile["forwarded_on_day"]
    assert "3329********0001" in hostile["summary"] and NIK not in hostile["summary"]
    assert "0812" not in hostile["summary"] and "example.com" not in hostile["summary"]
    assert "\x1b" not in hostile["summary"] and hostile["summary"].endswith("HYPERLINK(\"x\")")  # whole, not cut
    assert "0812" not in rows["T01"]["answer"] and "[no. HP]" in rows["T01"]["answer"]


def test_mark_records_recapped_at_and_one_event_per_ticket(engine, calendar, month):
    now = utc("2026-11-03 09:30")
    with Session(engine) as session:
        ids = [r["id"] for r in daily_recap(session, calendar, date(2026, 11, 3), now)["rows"]]
        assert mark_recapped(session, ids, "admin1", now, date(2026, 11, 3)) == 4
        session.commit()
    with Session(engine) as session:
        stamped = session.execute(sa.select(Ticket.ref).where(Ticket.recapped_at.is_not(None))).scalars().all()
        events = session.execute(sa.select(Event.ticket_id).where(Event.action == "recapped")).scalars().all()
    assert sorted(stamped) == sorted(DAILY_NOV_3["refs"])
    assert sorted(events) == sorted(ids)


def test_grouped_working_days_equal_the_calendar_per_ticket(engine):
    """The answer-time distribution groups tickets by (day, closing bucket, answer day); it must
    equal calling the calendar for each ticket, including Ramadan's earlier closing times."""
    sla = SlaSettings(ramadan_hours=[RamadanHours.model_validate(
        {"from": "2026-02-18", "to": "2026-03-19", "mon-thu": "08:00-15:00", "fri": "08:00-15:30"})])
    calendar = OfficeCalendar(sla)
    rng = random.Random(11)
    expected: dict[int, int] = {}
    period = month_period(2026, 3, calendar)
    with Session(engine) as session:
        for n in range(300):
            received = period.start + timedelta(minutes=rng.randrange(31 * 24 * 60))
            answered = received + timedelta(minutes=rng.randrange(12 * 24 * 60))
            session.add(Ticket(ref=f"R{n}", channel="x-a", channel_type="x", thread_key=f"r{n}",
                               status="answered", received_at=received, answered_at=answered,
                               due_at=calendar.due_at(received)))
            days = calendar.working_days_between(received, answered)
            expected[days] = expected.get(days, 0) + 1
        session.commit()
        clock = LocalClock(engine.dialect.name, calendar, period.start)
        grouped = answer_time_distribution(session, period, utc("2026-05-01 00:00"), clock, calendar)
    assert dict(grouped) == expected


def test_mask_handle_and_scrub():
    assert mask_handle("@wargaayu") == "@wa***ayu"
    assert mask_handle("budi.santoso@example.com") == "bu***oso@***"
    assert mask_handle("+62 812-3456-7890") == "***890"
    assert mask_handle("Siti") == "S***i"
    assert mask_handle("") == "-"
    text = scrub(f"NIK {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]}, wa +6281234567890, mail a.b@c.id\n\x1b[2J")
    assert "3329********0001" in text and "812345" not in text and "a.b@c.id" not in text
    assert "\n" not in text and "\x1b" not in text


def test_spreadsheet_cells_never_become_formulas(tmp_path):
    import csv

    import openpyxl

    section = Section("t", "Uji", ["Teks", "Jumlah"], ["text", "int"], [["=HYPERLINK(\"http://x\")", 1],
                                                                       ["@SUM(A1)", 2], ["-", 3]])
    write_csv(section, tmp_path / "a.csv", "id", sep=",")
    write_xlsx([section], section, tmp_path / "a.xlsx", "id", "Judul", "Sub")
    rows = list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["Teks", "Jumlah"]
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[2][0] == "'@SUM(A1)" and rows[3][0] == "-"
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx")["Uji"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")


def test_parse_notes():
    notes = parse_notes("Kendala:\n- jaringan putus\n2. blangko habis\n\n# Rekomendasi\n* tambah petugas\n")
    assert notes == {"kendala": ["jaringan putus", "blangko habis"], "rekomendasi": ["tambah petugas"]}
    with pytest.raises(ValueError, match="baris 1"):
        parse_notes("tanpa judul\n")


def test_daily_job_writes_once_per_day_at_closing_time(engine, db_url, month, tmp_path):
    settings = Settings.model_validate({"database": {"url": db_url},
                                        "recap": {"output_dir": str(tmp_path / "rekap"), "daily_format": "csv"}})
    before_closing = App(settings, environ={}, now=utc("2026-11-03 08:00"))  # Tue 15:00 WIB
    assert daily_job(before_closing, before_closing.now()) is None
    saturday = App(settings, environ={}, now=utc("2026-11-07 10:00"))
    assert daily_job(saturday, saturday.now()) is None
    closing = App(settings, environ={}, now=utc("2026-11-03 09:05"))  # 16:05 WIB
    closing.__dict__["engine"] = engine
    path = daily_job(closing, closing.now())
    assert path == tmp_path / "rekap" / "rekap-harian-2026-11-03.csv" and path.exists()
    assert "@wa***ayu" in path.read_text(encoding="utf-8-sig")
    assert daily_job(closing, utc("2026-11-03 10:00")) is None  # a second worker, later the same day
    with Session(engine) as session:
        keys = session.execute(sa.select(Notification.key)).scalars().all()
        exported = session.execute(sa.select(Event).where(Event.action == "exported")).scalars().all()
    assert keys == ["recap-daily:2026-11-03"]
    assert len(exported) == 1 and exported[0].ticket_id is None and exported[0].actor == "system"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_daily_job_can_write_the_pdf(engine, db_url, month, tmp_path):
    settings = Settings.model_validate({"database": {"url": db_url},
                                        "recap": {"output_dir": str(tmp_path / "rekap"), "daily_format": "pdf"}})
    closing = App(settings, environ={}, now=utc("2026-11-03 09:05"))
    closing.__dict__["engine"] = engine
    path = daily_job(closing, closing.now())
    assert path == tmp_path / "rekap" / "rekap-harian-2026-11-03.pdf" and path.read_bytes().startswith(b"%PDF-")
