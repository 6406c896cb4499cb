"""The office calendar: which days and hours count as working time in Asia/Jakarta.

Non-working days are weekends, national holidays and (by default) cuti bersama from the
`holidays` package, plus local days from config; extra working days and removals from config
win over the package. Every function takes the instant it reasons about: no hidden clock, and
no dependence on the process's TZ (every conversion names the office zone explicitly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ticketing.config import SlaSettings

WEEKDAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

SOURCE_WEEKEND = "akhir pekan"
SOURCE_PUBLIC = "libur nasional"
SOURCE_CUTI = "cuti bersama"
SOURCE_LOCAL = "libur lokal"
SOURCE_EXTRA_WORKING = "hari kerja tambahan"
SOURCE_REMOVED = "libur dibatalkan"

WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SOURCE_LABELS_EN = {SOURCE_WEEKEND: "weekend", SOURCE_PUBLIC: "public holiday", SOURCE_CUTI: "collective leave",
                    SOURCE_LOCAL: "local holiday", SOURCE_EXTRA_WORKING: "extra working day",
                    SOURCE_REMOVED: "holiday cancelled"}

MAX_SCAN_DAYS = 3660  # a calendar with no working day in ten years is a configuration error


def weekday_name(day: date, locale: str) -> str:
    return (WEEKDAY_NAMES_EN if locale == "en" else WEEKDAY_NAMES_ID)[day.weekday()]


def source_label(source: str, locale: str) -> str:
    """A day's source (stored and in --json as the Indonesian word) in `locale`."""
    return SOURCE_LABELS_EN.get(source, source) if locale == "en" else source


@dataclass(frozen=True)
class DayOff:
    day: date
    name: str
    source: str  # one of the SOURCE_* values above


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
    if not result:
        raise ValueError("sla.hours: no working day configured")
    return result


def _indonesia_holidays(year: int, category: str):
    """The package's Indonesia calendar, loaded alone: `holidays.country_holidays` imports all of
    its ~280 country modules first, which costs a command more start-up time than SQLAlchemy."""
    import importlib.util
    import sys
    from pathlib import Path

    import holidays

    name = "holidays.countries.indonesia"
    module = sys.modules.get(name)
    if module is None:
        try:
            spec = importlib.util.spec_from_file_location(name, Path(holidays.__file__).parent / "countries" /
                                                          "indonesia.py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
        except (OSError, ImportError, AttributeError):  # a future layout of the package: the public API
            return holidays.country_holidays("ID", years=year, categories=(category,), language="id")
    return module.Indonesia(years=year, categories=(category,), language="id")


def _holiday_cache_file(year: int, with_cuti: bool):
    """Where one year's package holidays are kept between runs: keyed by the installed Indonesia
    module's size and mtime, so upgrading `holidays` (new SKB dates) starts a fresh file."""
    import importlib.util
    import os
    from pathlib import Path

    spec = importlib.util.find_spec("holidays")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        stat = (Path(next(iter(spec.submodule_search_locations))) / "countries" / "indonesia.py").stat()
    except OSError:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aduan"
    return base / f"holidays-ID-{year}-{int(with_cuti)}-{stat.st_size}-{stat.st_mtime_ns}.json"


@lru_cache(maxsize=64)
def _package_holidays(year: int, with_cuti: bool) -> dict[date, tuple[str, str]]:
    """One year's package holidays, from the cache file when there is one: importing `holidays`
    costs every command more than the rest of its date arithmetic (best effort, never required)."""
    import json

    cache = _holiday_cache_file(year, with_cuti)
    try:
        stored = json.loads(cache.read_text(encoding="utf-8")) if cache else None
        return {date.fromisoformat(day): (name, source) for day, (name, source) in stored.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    found = _computed_holidays(year, with_cuti)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({d.isoformat(): list(v) for d, v in found.items()},
                                            ensure_ascii=False), encoding="utf-8")
            temporary.replace(cache)
        except OSError:
            pass
    return found


def _computed_holidays(year: int, with_cuti: bool) -> dict[date, tuple[str, str]]:
    """Public holidays (and cuti bersama) of one year, named in Indonesian whatever the OS locale."""
    found: dict[date, tuple[str, str]] = {}
    public = _indonesia_holidays(year, "public")
    for day, name in public.items():
        found[day] = (name, SOURCE_PUBLIC)
    if with_cuti:
        government = _indonesia_holidays(year, "government")
        for day, name in government.items():
            found.setdefault(day, (name, SOURCE_CUTI))
    return found


class OfficeCalendar:
    def __init__(self, sla: SlaSettings, timezone: str = "Asia/Jakarta"):
        self.sla = sla
        self.tz = ZoneInfo(timezone)
        self.hours = _expand_hours(sla.hours)
        self._extra_working = {e.date: e.reason or e.name or "Hari kerja tambahan" for e in sla.extra_working_days}
        self._removed = {e.date: e.reason or e.name or "Libur dibatalkan" for e in sla.removed_holidays}
        self._local = {e.date: e.name or e.reason or "Libur lokal" for e in sla.local_holidays}
        self._ramadan = [(r.from_, r.to, _expand_hours({"mon-thu": r.mon_thu, "fri": r.fri}))
                         for r in sla.ramadan_hours]
        self._day_cache: dict[date, DayOff | None] = {}
        self._due_cache: dict[tuple[date, int], datetime] = {}

    # --- days -------------------------------------------------------------------------

    def day_off(self, day: date) -> DayOff | None:
        """Why `day` is not a working day, or None if it is one (cached: the rules are fixed)."""
        try:
            return self._day_cache[day]
        except KeyError:
            pass
        result = self._classify(day)
        self._day_cache[day] = result
        return result

    def _classify(self, day: date) -> DayOff | None:
        if day in self._extra_working:
            return None
        if day in self._local:
            return DayOff(day, self._local[day], SOURCE_LOCAL)
        holiday = _package_holidays(day.year, not self.sla.cuti_bersama_is_working_day).get(day)
        if holiday and day not in self._removed:
            return DayOff(day, holiday[0], holiday[1])
        if day.weekday() not in self.hours:
            return DayOff(day, WEEKDAY_NAMES_ID[day.weekday()], SOURCE_WEEKEND)
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def days_off(self, year: int, include_weekends: bool = True) -> list[DayOff]:
        day, result = date(year, 1, 1), []
        while day.year == year:
            off = self.day_off(day)
            if off is not None and (include_weekends or off.source != SOURCE_WEEKEND):
                result.append(off)
            day += timedelta(days=1)
        return result

    def overrides(self, year: int) -> list[DayOff]:
        """Config entries that make a day a working day again (extra openings, cancelled holidays)."""
        found = [DayOff(d, reason, SOURCE_EXTRA_WORKING) for d, reason in self._extra_working.items()
                 if d.year == year]
        found += [DayOff(d, reason, SOURCE_REMOVED) for d, reason in self._removed.items()
                  if d.year == year and d not in self._extra_working]
        return sorted(found, key=lambda entry: entry.day)

    def opening_hours(self, day: date) -> tuple[time, time]:
        for start, end, hours in self._ramadan:
            if start <= day <= end and day.weekday() in hours:
                return hours[day.weekday()]
        # An extra working Saturday uses Friday's hours unless configured otherwise.
        return self.hours.get(day.weekday()) or self.hours.get(4) or next(iter(self.hours.values()))

    def opening_time(self, day: date) -> datetime:
        return datetime.combine(day, self.opening_hours(day)[0], self.tz).astimezone(UTC)

    def closing_time(self, day: date) -> datetime:
        return datetime.combine(day, self.opening_hours(day)[1], self.tz).astimezone(UTC)

    def next_working_day(self, day: date) -> date:
        for _ in range(MAX_SCAN_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {MAX_SCAN_DAYS} days after {day}: check sla.hours and holidays")

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    # --- the due-date rule (domain.md section 3) ---------------------------------------

    def effective_start(self, received_at: datetime) -> date:
        """The receipt day if received on a working day before closing, else the next working day.

        A message that arrives before opening is first seen that same morning, so that day is
        the start; one after closing, on a weekend or on a holiday starts the next working day.
        """
        local = received_at.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.opening_hours(day)[1]:
            return day
        return self.next_working_day(day)

    def due_at(self, received_at: datetime, working_days: int | None = None) -> datetime:
        """Closing time of the Nth working day after the effective start (start = day 0)."""
        count = working_days if working_days is not None else self.sla.working_days
        start = self.effective_start(received_at)
        steps = max(count - 1 if self.sla.receipt_day_counts else count, 0)
        key = (start, steps)
        due = self._due_cache.get(key)
        if due is None:  # many messages share a start day: recompute and backfills reuse the answer
            day = start
            for _ in range(steps):
                day = self.next_working_day(day)
            due = self._due_cache[key] = self.closing_time(day)
        return due

    def skipped_days(self, received_at: datetime, due: datetime) -> list[DayOff]:
        """The non-working days between receipt and due, with their names."""
        day = self.local_date(received_at)
        last = self.local_date(due)
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
        last = self.local_date(end)
        count = 0
        while day < last:
            day = self.next_working_day(day)
            if day <= last:
                count += 1
        return count

    # --- working time (recaps, pauses) ---------------------------------------------------

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office hours elapsed between two instants: what "waktu penyelesaian" means in hours.

        Only the opening hours of working days count, so a question answered on Monday morning
        after arriving on Friday evening took minutes, not a weekend.
        """
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                opening, closing = self.opening_time(day), self.closing_time(day)
                lo, hi = max(opening, start), min(closing, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant `amount` of office hours after `start` (used to extend a paused deadline)."""
        if amount <= timedelta(0):
            return start
        remaining = amount
        day = self.local_date(start)
        cursor = start
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                opening, closing = self.opening_time(day), self.closing_time(day)
                lo = max(opening, cursor)
                if lo < closing:
                    if lo + remaining <= closing:
                        return lo + remaining
                    remaining -= closing - lo
            day += timedelta(days=1)
            cursor = self.opening_time(day)
        raise ValueError("cannot add working time: no working days ahead")
