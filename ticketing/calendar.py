"""The office calendar: which days and hours count as working time in Asia/Jakarta.

Non-working days are weekends, national holidays and (by default) cuti bersama from the
`holidays` package, plus local days from config; extra working days and removals from config
win over the package. Every function takes the instant it reasons about: no hidden clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ticketing.config import SlaSettings

WEEKDAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DayOff:
    day: date
    name: str
    source: str  # "akhir pekan", "libur nasional", "cuti bersama", "libur lokal"


def _parse_span(text: str, key: str) -> tuple[time, time]:
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        raise ValueError(f"sla.hours.{key}: {text!r} is not HH:MM-HH:MM") from None
    if end <= start:
        raise ValueError(f"sla.hours.{key}: closing time {end} is not after opening time {start}")
    return start, end


def _expand_hours(hours: dict[str, str]) -> dict[int, tuple[time, time]]:
    """Turn {"mon-thu": "07:30-16:00", "fri": ...} into weekday -> (open, close)."""
    result: dict[int, tuple[time, time]] = {}
    for key, span in hours.items():
        parsed = _parse_span(span, key)
        first, _, last = key.partition("-")
        if first not in _DAY_KEYS or (last and last not in _DAY_KEYS):
            raise ValueError(f"sla.hours.{key}: use day names mon..sun, e.g. mon-thu or fri")
        start_idx = _DAY_KEYS.index(first)
        end_idx = _DAY_KEYS.index(last) if last else start_idx
        for weekday in range(start_idx, end_idx + 1):
            result[weekday] = parsed
    return result


@lru_cache(maxsize=64)
def _package_holidays(year: int, with_cuti: bool) -> dict[date, tuple[str, str]]:
    import holidays

    found: dict[date, tuple[str, str]] = {}
    public = holidays.country_holidays("ID", years=year, categories=("public",), language="id")
    for day, name in public.items():
        found[day] = (name, "libur nasional")
    if with_cuti:
        government = holidays.country_holidays("ID", years=year, categories=("government",), language="id")
        for day, name in government.items():
            found.setdefault(day, (name, "cuti bersama"))
    return found


class OfficeCalendar:
    def __init__(self, sla: SlaSettings, timezone: str = "Asia/Jakarta"):
        self.sla = sla
        self.tz = ZoneInfo(timezone)
        self.hours = _expand_hours(sla.hours)
        self._extra_working = {e.date: e.reason or e.name for e in sla.extra_working_days}
        self._removed = {e.date: e.reason or e.name for e in sla.removed_holidays}
        self._local = {e.date: e.name or e.reason or "Libur lokal" for e in sla.local_holidays}
        self._ramadan = [(r.from_, r.to, _expand_hours({"mon-thu": r.mon_thu, "fri": r.fri}))
                         for r in sla.ramadan_hours]

    # --- days -------------------------------------------------------------------------

    def day_off(self, day: date) -> DayOff | None:
        """Why `day` is not a working day, or None if it is one."""
        if day in self._extra_working:
            return None
        if day in self._local:
            return DayOff(day, self._local[day], "libur lokal")
        holiday = _package_holidays(day.year, not self.sla.cuti_bersama_is_working_day).get(day)
        if holiday and day not in self._removed:
            return DayOff(day, holiday[0], holiday[1])
        if day.weekday() not in self.hours:
            return DayOff(day, WEEKDAY_NAMES_ID[day.weekday()], "akhir pekan")
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def days_off(self, year: int) -> list[DayOff]:
        day, result = date(year, 1, 1), []
        while day.year == year:
            off = self.day_off(day)
            if off is not None:
                result.append(off)
            day += timedelta(days=1)
        return result

    def opening_hours(self, day: date) -> tuple[time, time]:
        for start, end, hours in self._ramadan:
            if start <= day <= end and day.weekday() in hours:
                return hours[day.weekday()]
        # An extra working Saturday uses Friday's hours unless configured otherwise.
        return self.hours.get(day.weekday()) or self.hours.get(4) or next(iter(self.hours.values()))

    def closing_time(self, day: date) -> datetime:
        return datetime.combine(day, self.opening_hours(day)[1], self.tz).astimezone(UTC)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    # --- the due-date rule (domain.md section 3) ---------------------------------------

    def effective_start(self, received_at: datetime) -> date:
        """The receipt day if received in working hours, else the next working day."""
        local = received_at.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            opening, closing = self.opening_hours(day)
            if local.time() < closing:
                return day
        return self.next_working_day(day)

    def due_at(self, received_at: datetime, working_days: int | None = None) -> datetime:
        """Closing time of the Nth working day after the effective start (start = day 0)."""
        count = working_days if working_days is not None else self.sla.working_days
        day = self.effective_start(received_at)
        steps = count - 1 if self.sla.receipt_day_counts else count
        for _ in range(max(steps, 0)):
            day = self.next_working_day(day)
        return self.closing_time(day)

    def skipped_days(self, received_at: datetime, due: datetime) -> list[DayOff]:
        """The non-working days between receipt and due, with their names."""
        day = received_at.astimezone(self.tz).date()
        last = due.astimezone(self.tz).date()
        result = []
        while day <= last:
            off = self.day_off(day)
            if off is not None:
                result.append(off)
            day += timedelta(days=1)
        return result

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days from the effective start to the day of `end` (0 = same day)."""
        day = self.effective_start(start)
        last = end.astimezone(self.tz).date()
        count = 0
        while day < last:
            day = self.next_working_day(day)
            if day <= last:
                count += 1
        return count
