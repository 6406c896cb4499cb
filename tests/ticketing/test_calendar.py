"""The office calendar and the due-date rule (domain.md section 3), checked against dates worked
out by hand from the SKB 2026 (libur nasional and cuti bersama), not against the library."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.cli_helpers import ROOT, make_config, run_cli
from ticketing.config import DatedEntry, SlaSettings, load_settings
from ticketing.sla.calendar import SOURCE_CUTI, SOURCE_LOCAL, SOURCE_PUBLIC, SOURCE_WEEKEND, OfficeCalendar

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def sample_sla(**changes) -> SlaSettings:
    """The sample config.yaml's SLA section (with its Ramadan 2026 hours), with changes."""
    sla = load_settings(str(ROOT / "config.yaml"), environ={}).sla
    return sla.model_copy(update=changes)


def cal(**changes) -> OfficeCalendar:
    return OfficeCalendar(sample_sla(**changes))


# received (WIB) -> expected due (WIB), default policy: cuti bersama off, receipt day = day 0
DEFAULT_CASES = [
    # Idul Fitri 2026: 18 cuti, 19 Nyepi, 20 cuti, 21-22 Idul Fitri (weekend), 23-24 cuti -> Wed 25, Thu 26, Fri 27
    ("idul fitri", wib(2026, 3, 17, 10, 0), wib(2026, 3, 27, 16, 30)),
    ("plain monday", wib(2026, 11, 9, 10, 0), wib(2026, 11, 12, 16, 0)),
    ("before opening counts that day", wib(2026, 11, 9, 6, 0), wib(2026, 11, 12, 16, 0)),
    ("friday after closing", wib(2026, 11, 6, 17, 0), wib(2026, 11, 12, 16, 0)),
    ("friday at closing", wib(2026, 11, 6, 16, 30), wib(2026, 11, 12, 16, 0)),
    ("friday just before closing", wib(2026, 11, 6, 16, 29), wib(2026, 11, 11, 16, 0)),
    ("saturday", wib(2026, 11, 7, 9, 0), wib(2026, 11, 12, 16, 0)),
    ("sunday night", wib(2026, 11, 8, 23, 59), wib(2026, 11, 12, 16, 0)),
    # Christmas: 24 Dec cuti, 25 Natal, 26-27 weekend -> Mon 28, Tue 29, Wed 30
    ("christmas", wib(2026, 12, 23, 10, 0), wib(2026, 12, 30, 16, 0)),
    # year end: Thu 31 (1), Fri 1 Jan 2027 Tahun Baru, weekend, Mon 4 (2), Tue 5 Isra Mikraj 2027, Wed 6 (3)
    ("year end", wib(2026, 12, 30, 10, 0), wib(2027, 1, 6, 16, 0)),
    # eve of Kemerdekaan: Fri 14 Aug after closing -> Sat, Sun, Mon 17 Aug off -> start Tue 18 -> Fri 21
    ("holiday eve after hours", wib(2026, 8, 14, 18, 0), wib(2026, 8, 21, 16, 30)),
    ("on a holiday", wib(2026, 8, 17, 9, 0), wib(2026, 8, 21, 16, 30)),
    # Ramadan hours (config: 18 Feb - 19 Mar 2026, Mon-Thu 08:00-15:00, Fri 08:00-15:30)
    ("ramadan weekday", wib(2026, 3, 9, 10, 0), wib(2026, 3, 12, 15, 0)),
    ("after ramadan closing", wib(2026, 3, 9, 15, 30), wib(2026, 3, 13, 15, 30)),
]


@pytest.mark.parametrize(("label", "received", "expected"), DEFAULT_CASES, ids=[c[0] for c in DEFAULT_CASES])
def test_due_dates_default_policy(label, received, expected):
    due = cal().due_at(received)
    assert due == expected, f"{label}: {due.astimezone(WIB)}"
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)  # stored in UTC


def test_cuti_bersama_as_working_day_gives_monday_23_march():
    due = cal(cuti_bersama_is_working_day=True).due_at(wib(2026, 3, 17, 10, 0))
    assert due == wib(2026, 3, 23, 16, 0)  # Wed 18 (1), Fri 20 (2), Mon 23 (3); Nyepi and weekend skipped


def test_receipt_day_counts_as_day_one():
    assert cal(receipt_day_counts=True).due_at(wib(2026, 3, 17, 10, 0)) == wib(2026, 3, 26, 16, 0)
    assert cal(receipt_day_counts=True).due_at(wib(2026, 11, 7, 9, 0)) == wib(2026, 11, 11, 16, 0)


def test_local_holiday_extra_working_day_and_removal():
    local = cal(local_holidays=[DatedEntry(date=date(2026, 11, 10), name="Hari Jadi (contoh)")])
    assert local.due_at(wib(2026, 11, 9, 10, 0)) == wib(2026, 11, 13, 16, 30)
    assert local.day_off(date(2026, 11, 10)).source == SOURCE_LOCAL
    saturday = cal(extra_working_days=[DatedEntry(date=date(2026, 11, 7), reason="Pelayanan Sabtu")])
    assert saturday.due_at(wib(2026, 11, 6, 17, 0)) == wib(2026, 11, 11, 16, 0)  # start Sat 7 (Friday hours)
    removed = cal(removed_holidays=[DatedEntry(date=date(2026, 12, 24), reason="SKB perubahan")])
    assert removed.due_at(wib(2026, 12, 23, 10, 0)) == wib(2026, 12, 29, 16, 0)  # 24 (1), 28 (2), 29 (3)
    assert [o.source for o in removed.overrides(2026)] == ["libur dibatalkan"]


def test_other_working_day_counts_per_policy():
    assert cal().due_at(wib(2026, 11, 9, 10, 0), working_days=5) == wib(2026, 11, 16, 16, 0)


def test_day_names_and_sources_are_indonesian():
    calendar = cal()
    assert calendar.day_off(date(2026, 3, 19)).name == "Hari Suci Nyepi"
    assert calendar.day_off(date(2026, 3, 19)).source == SOURCE_PUBLIC
    assert calendar.day_off(date(2026, 3, 18)).source == SOURCE_CUTI
    assert calendar.day_off(date(2026, 11, 7)).source == SOURCE_WEEKEND
    assert calendar.is_working_day(date(2026, 3, 25))
    holidays_only = calendar.days_off(2026, include_weekends=False)
    assert len([d for d in holidays_only if d.source == SOURCE_CUTI]) == 8  # SKB 2026: 8 days of cuti bersama
    skipped = calendar.skipped_days(wib(2026, 3, 17, 10, 0), wib(2026, 3, 27, 16, 30))
    assert [d.day.day for d in skipped] == [18, 19, 20, 21, 22, 23, 24]


def test_working_time_and_days_between():
    calendar = cal()
    # Friday 16:00 -> Monday 08:30: 30 minutes on Friday, 60 on Monday; the weekend does not count
    assert calendar.working_time_between(wib(2026, 11, 6, 16, 0), wib(2026, 11, 9, 8, 30)) == timedelta(minutes=90)
    assert calendar.working_days_between(wib(2026, 11, 6, 10, 0), wib(2026, 11, 9, 9, 0)) == 1
    assert calendar.working_days_between(wib(2026, 3, 17, 10, 0), wib(2026, 3, 27, 12, 0)) == 3
    assert calendar.add_working_time(wib(2026, 11, 6, 16, 30), timedelta(hours=2)) == wib(2026, 11, 9, 9, 30)
    assert calendar.add_working_time(wib(2026, 11, 9, 10, 0), timedelta(0)) == wib(2026, 11, 9, 10, 0)


def test_a_config_without_working_days_fails_clearly():
    with pytest.raises(ValueError, match="sla.hours"):
        OfficeCalendar(sample_sla(hours={}))
    with pytest.raises(ValueError, match="not after"):
        OfficeCalendar(sample_sla(hours={"mon-fri": "16:00-08:00"}))


PROBE = """
import json, sys
from datetime import datetime
from ticketing.app import App
from ticketing.config import load_settings
app = App(load_settings(sys.argv[1], environ={}), environ={})
print(json.dumps([app.due_at(datetime.fromisoformat(r)).isoformat() for r in sys.argv[2:]]))
"""


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_process_time_zone_does_not_shift_deadlines(tz):
    received = [c[1].isoformat() for c in DEFAULT_CASES]
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "config.yaml"), *received], cwd=ROOT,
                          env={"TZ": tz, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = [datetime.fromisoformat(v) for v in json.loads(proc.stdout)]
    assert got == [c[2] for c in DEFAULT_CASES]


def test_cli_sla_due_agrees_with_the_calendar(tmp_path):
    config = make_config(tmp_path)
    for received in ("2026-03-17T10:00:00+07:00", "2026-03-17T03:00:00Z", "2026-03-17 10:00"):
        result = run_cli(config, "sla", "due", "--received", received, "--json", env={"TZ": "UTC"})
        assert result.code == 0, result.err
        data = result.json()
        assert datetime.fromisoformat(data["due_at"]) == wib(2026, 3, 27, 16, 30)
        assert data["due_at_local"] == "2026-03-27T16:30:00+07:00"
        assert [d["date"] for d in data["skipped"]][:3] == ["2026-03-18", "2026-03-19", "2026-03-20"]
        assert {"name", "source", "weekday"} <= set(data["skipped"][0])
    table = run_cli(config, "sla", "due", "--received", "2026-03-17T10:00+07:00")
    assert "27 Mar 2026 16.30 WIB" in table.out and "Nyepi" in table.out


def test_cli_sla_due_with_cuti_bersama_working(tmp_path):
    sla = sample_sla(cuti_bersama_is_working_day=True).model_dump(by_alias=True, mode="json")
    config = make_config(tmp_path, sla=sla)
    data = run_cli(config, "sla", "due", "--received", "2026-03-17T10:00+07:00", "--json").json()
    assert datetime.fromisoformat(data["due_at"]) == wib(2026, 3, 23, 16, 0)


def test_cli_sla_calendar_lists_names_and_sources(tmp_path):
    sla = sample_sla(local_holidays=[DatedEntry(date=date(2026, 1, 18), name="Hari Jadi Kabupaten Brebes")],
                     extra_working_days=[DatedEntry(date=date(2026, 3, 28), reason="Pelayanan Sabtu")])
    config = make_config(tmp_path, sla=sla.model_dump(by_alias=True, mode="json"))
    result = run_cli(config, "sla", "calendar", "--year", "2026", "--json")
    assert result.code == 0, result.err
    days = {d["date"]: d for d in result.json()["days"]}
    assert days["2026-03-19"]["source"] == "libur nasional" and not days["2026-03-19"]["working"]
    assert days["2026-12-24"]["source"] == "cuti bersama"
    assert days["2026-01-18"] == {"date": "2026-01-18", "weekday": "Minggu", "name": "Hari Jadi Kabupaten Brebes",
                                  "source": "libur lokal", "working": False}
    assert days["2026-03-28"]["working"] and days["2026-03-28"]["source"] == "hari kerja tambahan"
    assert "2026-11-07" not in days  # weekends only with --weekends
    with_weekends = run_cli(config, "sla", "calendar", "--year", "2026", "--weekends", "--json").json()["days"]
    assert len(with_weekends) > 100


def test_due_is_not_computed_in_utc_days():
    # 23:30 UTC on Sunday is 06:30 WIB on Monday: Monday is day 0, not the next day
    received = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert cal().due_at(received) == wib(2026, 11, 12, 16, 0)
