"""The SQL the recaps stand on: office-local periods and portable expressions for a ticket's
state at a cut-off, the monthly GROUP BY, the backlog counts and the answer-time distribution.

Status and timeliness are read *as of the cut-off* from the tickets' timestamps (answered_at,
closed_at, due_at, escalations), so a finished month's report does not change when one of its
tickets is answered later. Every query filters on received_at (indexed) and groups in the
database; Python only sees grouped rows.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.store.models import Escalation, Ticket
from ticketing.workflow.statuses import OPEN_STATUSES

if TYPE_CHECKING:
    from ticketing.sla.calendar import OfficeCalendar

OPEN_CODES = tuple(sorted(s.value for s in OPEN_STATUSES))


@dataclass(frozen=True)
class Period:
    """A span of whole office-local days, held as UTC instants [start, end)."""

    label: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(count)]


def _local_midnight(day: date, calendar: OfficeCalendar) -> datetime:
    return datetime.combine(day, time(), calendar.tz).astimezone(UTC)


def day_period(day: date, calendar: OfficeCalendar) -> Period:
    return Period(day.isoformat(), day, day, _local_midnight(day, calendar),
                  _local_midnight(day + timedelta(days=1), calendar))


def month_period(year: int, month: int, calendar: OfficeCalendar) -> Period:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(f"{year:04d}-{month:02d}", first, following - timedelta(days=1),
                  _local_midnight(first, calendar), _local_midnight(following, calendar))


def parse_month(text: str) -> tuple[int, int]:
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(f"bulan {text!r} tidak valid: gunakan YYYY-MM, mis. 2026-11") from None
    return parsed.year, parsed.month


# --- SQL expressions, portable between SQLite (UTC text) and PostgreSQL (timestamptz) ----------

class LocalClock:
    """SQL for a timestamp's office-local date and time of day."""

    def __init__(self, dialect: str, calendar: OfficeCalendar, at: datetime):
        self.dialect = dialect
        self.zone = calendar.tz.key
        # SQLite has no time zones: shift by the zone's offset. Indonesian zones keep no DST, so one
        # offset covers any period; a DST zone would shift the boundary hour on its change days.
        self.modifier = f"{int(calendar.tz.utcoffset(at.replace(tzinfo=None)).total_seconds()):+d} seconds"

    def date(self, column):
        if self.dialect == "sqlite":
            return sa.func.date(column, self.modifier)
        return sa.func.to_char(sa.func.timezone(self.zone, column), "YYYY-MM-DD")

    def time(self, column):
        if self.dialect == "sqlite":
            return sa.func.time(column, self.modifier)
        return sa.func.to_char(sa.func.timezone(self.zone, column), "HH24:MI:SS")


def answered_by(cutoff: datetime):
    """Answered before the cut-off and not reopened before it (a reopen leaves answered_at set,
    and a citizen's reopening message moves last_message_at past the answer)."""
    t = Ticket.__table__.c
    return sa.and_(t.answered_at < cutoff,
                   sa.or_(t.status.notin_(OPEN_CODES), t.last_message_at >= cutoff))


def closed_by(cutoff: datetime):
    t = Ticket.__table__.c
    return sa.and_(t.closed_at < cutoff, t.status.notin_(OPEN_CODES))


def finished_flag(cutoff: datetime):
    """1 when the ticket was answered or closed at the cut-off, else 0 (never NULL)."""
    return sa.case((sa.or_(answered_by(cutoff), closed_by(cutoff)), 1), else_=0)


def timing_case(cutoff: datetime):
    """met / late once answered; overdue / running while open; none for closed without answer."""
    t = Ticket.__table__.c
    return sa.case(
        (answered_by(cutoff), sa.case((sa.or_(t.due_at.is_(None), t.answered_at <= t.due_at), "met"),
                                      else_="late")),
        (closed_by(cutoff), "none"),
        (t.due_at < cutoff, "overdue"),
        else_="running",
    )


def status_class_case(cutoff: datetime):
    """done / in_progress (a bidang was consulted) / pending. The escalation probe only runs for
    tickets still open at the cut-off: CASE stops at the first true branch."""
    t = Ticket.__table__.c
    consulted = sa.exists().where(Escalation.__table__.c.ticket_id == t.id,
                                  Escalation.__table__.c.escalated_at < cutoff)
    return sa.case((finished_flag(cutoff) == 1, "done"), (consulted, "in_progress"), else_="pending")


def _positions(count: int) -> list:
    """GROUP BY 1, 2, ...: repeating an expression with bound values would not match on PostgreSQL."""
    return [sa.literal_column(str(i)) for i in range(1, count + 1)]


def channel_key():
    t = Ticket.__table__.c
    return sa.func.coalesce(sa.func.nullif(t.channel_type, ""), t.channel)


def cube_query(period: Period, cutoff: datetime, clock: LocalClock):
    """The one GROUP BY the monthly report stands on (bench/recap.py times it bare)."""
    t = Ticket.__table__.c
    keys = [clock.date(t.received_at).label("day"), channel_key().label("channel"), t.kind, t.category,
            t.bidang, status_class_case(cutoff).label("status_class"), timing_case(cutoff).label("timing")]
    return (sa.select(*keys, sa.func.count().label("n"))
            .where(t.received_at >= period.start, t.received_at < min(period.end, cutoff),
                   t.merged_into_id.is_(None))
            .group_by(*_positions(len(keys))))


def backlog_candidates(opening: datetime):
    """Tickets open now or finished after `opening`: the only ones that can be open at or after it.

    A UNION of three index lookups (status, answered_at, closed_at) instead of an OR, which
    planners tend to answer with a scan of every ticket ever received; years of history then
    cost nothing."""
    t = Ticket.__table__.c
    return sa.union(sa.select(t.id).where(t.status.in_(OPEN_CODES)), sa.select(t.id).where(t.answered_at >= opening),
                    sa.select(t.id).where(t.closed_at >= opening))


def backlog_counts(session: Session, opening: datetime, cutoff: datetime) -> dict[str, int]:
    """Open at the month's start (carried in) and at the cut-off (carried into next month)."""
    t = Ticket.__table__.c
    still_open = finished_flag(cutoff) == 0
    query = sa.select(
        sa.func.sum(sa.case((sa.and_(t.received_at < opening, finished_flag(opening) == 0), 1), else_=0)),
        sa.func.sum(sa.case((still_open, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(still_open, t.due_at < cutoff), 1), else_=0)),
    ).where(t.id.in_(backlog_candidates(opening)), t.received_at < cutoff, t.merged_into_id.is_(None))
    carried_in, carried_out, overdue = session.execute(query).one()
    return {"opening": int(carried_in or 0), "closing": int(carried_out or 0), "closing_overdue": int(overdue or 0)}


# --- working time to answer ---------------------------------------------------------------------

def answer_time_distribution(session: Session, period: Period, cutoff: datetime, clock: LocalClock,
                             calendar: OfficeCalendar) -> Counter[int]:
    """Working days from receipt to answer, per answered ticket, as {days: tickets}.

    The calendar's rule depends only on the receipt day, whether the receipt was after that
    day's closing time, and the answer day. SQL groups the month's answered tickets by exactly
    those three keys (the time of day becomes "how many of the period's distinct closing times
    it is past"), so Python evaluates the calendar once per group: a few hundred calls for any
    number of tickets.
    """
    closings = sorted({calendar.opening_hours(day)[1] for day in period.days()})
    t = Ticket.__table__.c
    local_time = clock.time(t.received_at)
    bucket = sa.case(*[(local_time >= c.strftime("%H:%M:%S"), i + 1) for i, c in reversed(list(enumerate(closings)))],
                     else_=0)
    query = (sa.select(clock.date(t.received_at), bucket, clock.date(t.answered_at), sa.func.count())
             .where(t.received_at >= period.start, t.received_at < min(period.end, cutoff),
                    t.merged_into_id.is_(None),
                    answered_by(cutoff))
             .group_by(*_positions(3)))
    result: Counter[int] = Counter()
    for received_day, past, answered_day, count in session.execute(query):
        received_local = datetime.combine(date.fromisoformat(str(received_day)),
                                          closings[past - 1] if past else time(), calendar.tz)
        answered_local = datetime.combine(date.fromisoformat(str(answered_day)), time(12), calendar.tz)
        result[calendar.working_days_between(received_local, answered_local)] += count
    return result


def median_of(distribution: Counter[int]) -> float | None:
    if not distribution:
        return None
    values = sorted(distribution.items())
    total = sum(distribution.values())
    # statistics.median on the expanded list, without expanding it
    def nth(index: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if index < seen:
                return value
        return values[-1][0]
    if total % 2:
        return float(nth(total // 2))
    return statistics.fmean((nth(total // 2 - 1), nth(total // 2)))
