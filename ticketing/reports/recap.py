"""Rekap Harian and Laporan Bulanan (SOP step 5), computed by SQL aggregation.

The monthly figures come from three GROUP BY queries over the month's tickets (a "cube" of
day x channel x kind x category x bidang x status class x timeliness, the answer-time
distribution, and the backlog counts; see ticketing.reports.recap_sql); Python only rolls the small
grouped results up. Figures are as of the cut-off: month end, or now for the running month.
Days are Asia/Jakarta days, never UTC days. The daily recap loads one day's rows, which is small.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.reports.export import mask_handle, scrub
from ticketing.reports.recap_sql import (
    LocalClock,
    Period,
    answer_time_distribution,
    backlog_counts,
    channel_key,
    cube_query,
    day_period,
    median_of,
    month_period,
    parse_month,
    timing_case,
)
from ticketing.store.models import Contact, ContactHandle, Escalation, Message, Ticket

if TYPE_CHECKING:
    from ticketing.sla.calendar import OfficeCalendar

STATUS_CLASSES = ("done", "in_progress", "pending")  # selesai / dalam proses / belum ditindaklanjuti
TIMING_CODES = ("met", "late", "overdue", "running", "none")
TOP_TOPICS = 5  # how many category x kind pairs the report lists; a meeting discusses a handful
IN_CHUNK = 900  # ids per IN (...) list, under SQLite's bound-parameter limit


# --- the monthly report --------------------------------------------------------------------------

def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _breakdown(counter: Counter, total: int, order: list | None = None) -> list[dict[str, Any]]:
    keys = order if order is not None else sorted(counter, key=lambda k: (-counter[k], k is None, str(k)))
    return [{"code": key, "count": counter.get(key, 0), "percent": _percent(counter.get(key, 0), total)}
            for key in keys]


def monthly_recap(session: Session, calendar: OfficeCalendar, year: int, month: int, now: datetime,
                  sla_days: int = 3) -> dict[str, Any]:
    """Every figure of the monthly report as plain data (the JSON format is this dict)."""
    period = month_period(year, month, calendar)
    cutoff = min(period.end, now)
    clock = LocalClock(session.get_bind().dialect.name, calendar, period.start)
    cube = session.execute(cube_query(period, cutoff, clock)).all()
    names = ("day", "channel", "kind", "category", "bidang", "status", "timing")
    by: dict[str, Counter] = {name: Counter() for name in (*names, "topic")}
    daily: dict[str, Counter] = defaultdict(Counter)
    bidang_timing: dict[str, Counter] = defaultdict(Counter)
    for *keys, n in cube:  # thousands of groups at most: a loop of plain additions
        for name, key in zip(names, keys, strict=True):
            by[name][key] += n
        by["topic"][keys[3], keys[2]] += n
        daily[str(keys[0])][keys[1]] += n
        bidang_timing[keys[4]][keys[6]] += n
    total = sum(by["status"].values())
    distribution = answer_time_distribution(session, period, cutoff, clock, calendar)
    answered = by["timing"]["met"] + by["timing"]["late"]
    answered_days = sum(distribution.values())
    within = sum(n for days, n in distribution.items() if days <= sla_days)
    channels = sorted(by["channel"], key=lambda k: (-by["channel"][k], str(k)))
    from ticketing.reports.flow import period_flow

    flow = period_flow(session, period, cutoff)
    return {
        "report": "monthly", "period": period.label, "from": period.start.isoformat(),
        "to": period.end.isoformat(), "as_of": cutoff.isoformat(), "generated_at": now.isoformat(),
        "timezone": calendar.tz.key, "total": total,
        "by_status": _breakdown(by["status"], total, list(STATUS_CLASSES)),
        "by_channel": _breakdown(by["channel"], total), "by_kind": _breakdown(by["kind"], total),
        "by_category": _breakdown(by["category"], total),
        "by_bidang": [dict(item, **{code: bidang_timing[item["code"]][code] for code in TIMING_CODES})
                      for item in _breakdown(by["bidang"], total)],
        "answered": answered, "answered_on_time": by["timing"]["met"], "answered_late": by["timing"]["late"],
        "answered_on_time_percent": _percent(by["timing"]["met"], answered),
        "answered_within_working_days": within, "sla_working_days": sla_days,
        "answered_within_working_days_percent": _percent(within, answered_days),
        "overdue_open": by["timing"]["overdue"], "closed_without_answer": by["timing"]["none"],
        "answer_working_days": {
            "count": answered_days,
            "mean": round(sum(d * n for d, n in distribution.items()) / answered_days, 2) if answered_days else None,
            "median": median_of(distribution),
        },
        "backlog": {"opening": flow["opening"], "closing": flow["closing"],
                    "closing_overdue": flow["closing_overdue"]},  # the flow's own sets: one query, one truth
        "flow": flow,
        "top_topics": [{"category": category, "kind": kind, "count": n, "percent": _percent(n, total)}
                       for (category, kind), n in sorted(by["topic"].items(),
                                                         key=lambda kv: (-kv[1], str(kv[0])))[:TOP_TOPICS]],
        "channels": channels,
        "daily": [{"date": day.isoformat(), "total": sum(daily[day.isoformat()].values()),
                   "by_channel": {c: daily[day.isoformat()][c] for c in channels if daily[day.isoformat()][c]}}
                  for day in period.days()],
    }


# --- the daily recap -----------------------------------------------------------------------------

def _rows_query(start: datetime, end: datetime, as_of: datetime):
    t, e = Ticket.__table__.c, Escalation.__table__.c
    escalated = sa.select(e.ticket_id).where(e.escalated_at >= start, e.escalated_at < end)
    return (sa.select(t.id, t.ref, t.received_at, channel_key().label("channel"), t.channel.label("channel_name"),
                      t.contact_id, t.kind, t.category, t.summary, t.bidang, t.status, t.close_reason,
                      t.answered_at, t.closed_at, t.due_at, t.recapped_at, timing_case(as_of).label("timing"))
            .where(t.merged_into_id.is_(None),
                   sa.or_(sa.and_(t.received_at >= start, t.received_at < end),
                          sa.and_(t.answered_at >= start, t.answered_at < end),
                          sa.and_(t.closed_at >= start, t.closed_at < end), t.id.in_(escalated)))
            .order_by(t.received_at, t.id))


def _chunks(ids: list[int]):
    for index in range(0, len(ids), IN_CHUNK):
        yield ids[index:index + IN_CHUNK]


def _escalations(session: Session, ids: list[int], start: datetime, end: datetime) -> dict[int, tuple]:
    e = Escalation.__table__.c
    found: dict[int, tuple] = {}
    for chunk in _chunks(ids):
        query = (sa.select(e.ticket_id, sa.func.min(e.escalated_at),
                           sa.func.max(sa.case((sa.and_(e.escalated_at >= start, e.escalated_at < end), 1), else_=0)))
                 .where(e.ticket_id.in_(chunk), e.escalated_at < end).group_by(e.ticket_id))
        found.update({tid: (first, bool(today)) for tid, first, today in session.execute(query)})
    return found


def _answers(session: Session, ids: list[int], end: datetime) -> dict[int, str]:
    """The office's latest reply to the citizen, else the bidang's technical answer."""
    m = Message.__table__.c
    replies: dict[int, str] = {}
    technical: dict[int, str] = {}
    for chunk in _chunks(ids):
        query = (sa.select(m.ticket_id, m.direction, m.text)
                 .where(m.ticket_id.in_(chunk), m.sent_at < end,
                        sa.or_(m.direction == "out", m.note_type == "technical_answer"))
                 .order_by(m.ticket_id, m.sent_at, m.id))
        for tid, direction, text in session.execute(query):
            (replies if direction == "out" else technical)[tid] = text
    return {tid: replies.get(tid) or technical.get(tid) or "" for tid in set(replies) | set(technical)}


def _accounts(session: Session, contact_ids: list[int]) -> dict[tuple[int, str], str]:
    """(contact, channel) -> handle; (contact, "") -> any handle or the display name."""
    h, c = ContactHandle.__table__.c, Contact.__table__.c
    found: dict[tuple[int, str], str] = {}
    for chunk in _chunks(contact_ids):
        for cid, name in session.execute(sa.select(c.id, c.display_name).where(c.id.in_(chunk))):
            found[(cid, "")] = name or ""
        for cid, channel, handle, name in session.execute(
                sa.select(h.contact_id, h.channel, h.handle, h.display_name).where(h.contact_id.in_(chunk))
                .order_by(h.id)):
            found.setdefault((cid, channel), handle or name or "")
            if not found.get((cid, "")):
                found[(cid, "")] = handle or name or ""
    return found


def _working_time(calendar: OfficeCalendar, received: datetime, answered: datetime | None,
                  end: datetime) -> tuple[int | None, float | None]:
    """Working days from receipt to answer; hours too when answered the same working day."""
    if answered is None or answered >= end:
        return None, None
    days = calendar.working_days_between(received, answered)
    hours = round(max((answered - received).total_seconds(), 0) / 3600, 1) if days == 0 else None
    return days, hours


def _iso(value: datetime | None, end: datetime) -> str | None:
    return value.isoformat() if value is not None and value < end else None


def daily_rows(session: Session, calendar: OfficeCalendar, start: datetime, end: datetime,
               as_of: datetime) -> list[dict[str, Any]]:
    """The day's tickets (a day's worth is small enough to load) with masked texts, in full: the
    files are the record; only the terminal table shortens them."""
    tickets = session.execute(_rows_query(start, end, as_of)).mappings().all()
    ids = [r["id"] for r in tickets]
    escalations = _escalations(session, ids, start, end)
    answers = _answers(session, ids, end)
    accounts = _accounts(session, sorted({r["contact_id"] for r in tickets if r["contact_id"] is not None}))
    rows = []
    for number, r in enumerate(tickets, start=1):
        first_escalation, escalated_today = escalations.get(r["id"], (None, False))
        days, hours = _working_time(calendar, r["received_at"], r["answered_at"], end)
        account = accounts.get((r["contact_id"], r["channel_name"])) or accounts.get((r["contact_id"], ""), "")
        rows.append({
            "no": number, "id": r["id"], "ref": r["ref"], "received_at": r["received_at"].isoformat(),
            "channel": r["channel"], "channel_name": r["channel_name"], "account": mask_handle(account),
            "kind": r["kind"], "category": r["category"], "summary": scrub(r["summary"]),
            "bidang": r["bidang"], "forwarded_at": _iso(first_escalation, end), "forwarded_on_day": escalated_today,
            "answered_at": _iso(r["answered_at"], end), "closed_at": _iso(r["closed_at"], end),
            "due_at": r["due_at"].isoformat() if r["due_at"] else None, "working_days": days,
            "working_hours": hours, "timing": r["timing"], "status": r["status"],
            "close_reason": r["close_reason"], "answer": scrub(answers.get(r["id"], "")),
            "recapped_at": r["recapped_at"].isoformat() if r["recapped_at"] else None,
        })
    return rows


def daily_recap(session: Session, calendar: OfficeCalendar, day: date, now: datetime,
                sla_days: int = 3) -> dict[str, Any]:
    """One row per ticket received or handled on `day` (office-local), then the day's summary.

    Timeliness and the open/overdue counts are as of the day's end (or now, for today)."""
    from ticketing.reports.flow import period_flow

    period = day_period(day, calendar)
    as_of = min(period.end, now)
    rows = daily_rows(session, calendar, period.start, period.end, as_of)
    backlog = backlog_counts(session, period.start, as_of)

    def on_day(key: str) -> int:
        return sum(1 for r in rows if r[key] and period.start <= datetime.fromisoformat(r[key]) < period.end)

    return {
        "report": "daily", "date": day.isoformat(), "from": period.start.isoformat(), "to": period.end.isoformat(),
        "as_of": as_of.isoformat(), "generated_at": now.isoformat(), "timezone": calendar.tz.key,
        "sla_working_days": sla_days, "rows": rows, "flow": period_flow(session, period, as_of),
        "summary": {
            "received": on_day("received_at"), "forwarded": sum(1 for r in rows if r["forwarded_on_day"]),
            "answered": on_day("answered_at"), "closed": on_day("closed_at"),
            "open": backlog["closing"], "overdue": backlog["closing_overdue"],
        },
    }


def mark_recapped(session: Session, ticket_ids: list[int], actor: str, now: datetime, day: date) -> int:
    """Set recapped_at and write one `recapped` event per ticket (SOP step 5 done)."""
    from ticketing.workflow.audit import EventDraft, append_events

    if not ticket_ids:
        return 0
    t = Ticket.__table__.c
    statuses = dict(session.execute(sa.select(t.id, t.status).where(t.id.in_(ticket_ids))).all())
    session.execute(sa.update(Ticket.__table__).where(t.id.in_(ticket_ids)).values(recapped_at=now))
    append_events(session, [EventDraft(tid, now, actor, "recapped", statuses[tid], statuses[tid],
                                       {"date": day.isoformat()}) for tid in ticket_ids if tid in statuses])
    return len(statuses)


def record_export(session: Session, actor: str, now: datetime, report: str, period: str, fmt: str,
                  path: Path | None, rows: int) -> None:
    """Exports leave the database with citizens' data: each one is an audit event."""
    from ticketing.workflow.audit import EventDraft, record_event

    record_event(session, EventDraft(None, now, actor, "exported", None, None, {
        "report": report, "period": period, "format": fmt, "path": str(path) if path else "-", "rows": rows}))


def _output_dir(app) -> Path:
    """recap.output_dir, relative to the configuration file like the SQLite path."""
    configured = Path(app.settings.recap.output_dir)
    source = app.settings.source
    base = Path(source).parent if source and source != "defaults" else Path.cwd()
    return configured if configured.is_absolute() else base / configured


def _claim_day(session: Session, key: str, text: str, now: datetime) -> bool:
    """Once a day across every worker: the notification table's unique key decides."""
    try:
        from ticketing.outbound.notify import KIND_RECAP, Draft, queue
    except ImportError:  # no notifications module: record the claim only
        from ticketing.store.models import Notification
        from ticketing.store.sql import insert_ignoring

        stmt = insert_ignoring(session, Notification.__table__, ["key"])
        result = session.execute(stmt, [{"key": key, "kind": "recap", "recipient": "", "via": "", "text": text,
                                         "state": "recorded", "attempts": 0, "created_at": now}])
        return (result.rowcount or 0) > 0
    return queue(session, [Draft(key, KIND_RECAP, text)], now) > 0


def daily_job(app, now: datetime) -> Path | None:
    """At closing time of a working day, write today's recap file once and hand it to notifications.

    Called by the worker's sweep; safe to call repeatedly and from several workers. Returns the
    file written, or None when it is not time yet or another run already did it."""
    from ticketing.reports.export import default_filename, write_daily
    from ticketing.store.db import run_write

    calendar = app.calendar
    today = now.astimezone(calendar.tz).date()
    if not calendar.is_working_day(today) or now < calendar.closing_time(today):
        return None
    fmt = app.settings.recap.daily_format
    path = _output_dir(app) / default_filename("daily", today.isoformat(), fmt)
    key = f"recap-daily:{today.isoformat()}"

    def work(session: Session) -> Path | None:
        data = daily_recap(session, calendar, today, now, app.settings.sla.working_days)
        figures = data["summary"]
        text = (f"Rekap Harian {today.isoformat()}: masuk {figures['received']}, diteruskan {figures['forwarded']}, "
                f"dijawab {figures['answered']}, masih terbuka {figures['open']}, lewat batas {figures['overdue']}. "
                f"Berkas: {path}")
        if not _claim_day(session, key, text, now):
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        write_daily(data, fmt, path, app.locale, app.settings.office.short_name,
                    pdf={"office": app.settings.office, "recap_cfg": app.settings.recap, "printed_by": "aduan",
                         "now": now})
        record_export(session, "system", now, "daily", today.isoformat(), fmt, path, len(data["rows"]))
        return path

    written = run_write(app.engine, work)
    if written is not None:
        try:
            from ticketing.outbound.notify import send_pending
        except ImportError:
            return written
        send_pending(app, now, keys=[key])
    return written


__all__ = ["Period", "daily_job", "daily_recap", "monthly_recap", "mark_recapped", "parse_month", "record_export"]
