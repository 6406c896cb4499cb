"""The period's flow of tickets, which reconciles: open at start + received (+ reopened)
- answered/closed = open at end.

A ticket's state at an instant is read from its timestamps the way the rest of the recap reads
it (`recap_sql.finished_flag`): open when received before the instant and neither answered nor
closed by then. Each figure is a set defined from those states, so the line holds by
construction for every channel, bidang and category:

* opening: received before the period, open at its start;
* received: received in the period;
* reopened: finished at the start, open again at the end (a citizen wrote again);
* done: among opening + received, finished by the end: answered (on time / late, whatever day
  the ticket came in) or closed without an answer (spam, duplicates, thanks);
* closing: open at the end (carried over to the next period).

Beside the line: first responses in the period (interim replies included), which never count
as answers.

A reply that never reached the citizen leaves `answered_at` unset (workflow.delivery), so such
tickets stay open here too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ticketing.reports.recap_sql import Period, answered_by, backlog_candidates, channel_key, finished_flag
from ticketing.store.models import Ticket

FIGURES = ("opening", "received", "reopened", "answered", "answered_on_time", "answered_late",
           "closed_unanswered", "done", "closing", "first_responses")
DIMENSIONS = ("channel", "bidang", "category")


def _flags(period: Period, cutoff: datetime) -> dict[str, Any]:
    t = Ticket.__table__.c
    before = t.received_at < period.start
    open_at_start = sa.and_(before, finished_flag(period.start) == 0)
    received = sa.and_(t.received_at >= period.start, t.received_at < cutoff)
    finished_at_end = finished_flag(cutoff) == 1
    counted = sa.or_(open_at_start, received)
    # CASE turns SQL's NULL (no answered_at) into a plain 0, so NOT never meets a NULL
    was_answered = sa.case((answered_by(cutoff), 1), else_=0) == 1
    answered = sa.and_(counted, finished_at_end, was_answered)
    on_time = sa.case((sa.or_(t.due_at.is_(None), t.answered_at <= t.due_at), 1), else_=0) == 1
    return {
        "opening": open_at_start,
        "received": received,
        "reopened": sa.and_(before, finished_flag(period.start) == 1, finished_flag(cutoff) == 0),
        "answered": answered,
        "answered_on_time": sa.and_(answered, on_time),
        "answered_late": sa.and_(answered, sa.not_(on_time)),
        "closed_unanswered": sa.and_(counted, finished_at_end, sa.not_(was_answered)),
        "done": sa.and_(counted, finished_at_end),
        "closing": sa.and_(t.received_at < cutoff, finished_flag(cutoff) == 0),
        # reported apart from the answers: an interim reply is a first response, not an answer
        "first_responses": sa.and_(t.first_response_at >= period.start, t.first_response_at < cutoff),
    }


def flow_query(period: Period, cutoff: datetime):
    t = Ticket.__table__.c
    flags = _flags(period, cutoff)
    sums = [sa.func.sum(sa.case((flags[name], 1), else_=0)).label(name) for name in FIGURES]
    keys = [channel_key().label("channel"), t.bidang.label("bidang"), t.category.label("category")]
    return (sa.select(*keys, *sums)
            .where(t.id.in_(backlog_candidates(period.start)), t.received_at < cutoff, t.merged_into_id.is_(None))
            .group_by(*[sa.literal_column(str(i)) for i in range(1, len(keys) + 1)]))


def _empty() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def reconciles(figures: dict[str, int]) -> bool:
    return figures["opening"] + figures["received"] + figures["reopened"] - figures["done"] == figures["closing"]


def period_flow(session: Session, period: Period, cutoff: datetime) -> dict[str, Any]:
    """Totals and the same figures per channel, bidang and category (each row reconciles)."""
    totals = _empty()
    by: dict[str, dict[Any, dict[str, int]]] = {name: {} for name in DIMENSIONS}
    for row in session.execute(flow_query(period, cutoff)).mappings():
        values = {name: int(row[name] or 0) for name in FIGURES}
        for name in FIGURES:
            totals[name] += values[name]
        for dimension in DIMENSIONS:
            bucket = by[dimension].setdefault(row[dimension], _empty())
            for name in FIGURES:
                bucket[name] += values[name]
    result: dict[str, Any] = {**totals, "reconciles": reconciles(totals)}
    for dimension in DIMENSIONS:
        items = sorted(by[dimension].items(), key=lambda kv: (-(kv[1]["received"] + kv[1]["opening"]),
                                                              kv[0] is None, str(kv[0])))
        result[f"by_{dimension}"] = [{"code": code, **figures} for code, figures in items]
    return result
