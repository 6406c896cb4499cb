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
* closing: open at the end (carried over to the next period); closing_overdue: those past due.

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
           "closed_unanswered", "done", "closing", "closing_overdue", "first_responses")
DIMENSIONS = ("channel", "bidang", "category")


def _ticket_states(period: Period, cutoff: datetime):
    """One row per ticket that can count: its keys and its states as 0/1 integers, computed once.

    MATERIALIZED keeps the planner from copying each state's expression into every figure that
    uses it (ten sums over nested CASEs per ticket otherwise)."""
    t = Ticket.__table__.c

    def flag(condition):
        return sa.case((condition, 1), else_=0)

    return (sa.select(channel_key().label("channel"), t.bidang.label("bidang"), t.category.label("category"),
                      flag(t.received_at < period.start).label("before"),
                      flag(t.received_at >= period.start).label("received"),
                      finished_flag(period.start).label("done_at_start"),
                      finished_flag(cutoff).label("done_at_end"),
                      flag(answered_by(cutoff)).label("answered"),
                      flag(sa.or_(t.due_at.is_(None), t.answered_at <= t.due_at)).label("on_time"),
                      flag(t.due_at < cutoff).label("due_by_end"),
                      flag(sa.and_(t.first_response_at >= period.start, t.first_response_at < cutoff))
                      .label("first_response"))
            .where(t.id.in_(backlog_candidates(period.start)), t.received_at < cutoff, t.merged_into_id.is_(None))
            .cte("ticket_state").prefix_with("MATERIALIZED"))


def _figures(s) -> dict[str, Any]:
    """Each figure as 0/1 arithmetic over the states (see the module docstring for the sets)."""
    opening = s.c.before * (1 - s.c.done_at_start)
    counted = opening + s.c.received  # a ticket is either carried in or received, never both
    done = counted * s.c.done_at_end
    answered = done * s.c.answered
    return {
        "opening": opening,
        "received": s.c.received,
        "reopened": s.c.before * s.c.done_at_start * (1 - s.c.done_at_end),
        "answered": answered,
        "answered_on_time": answered * s.c.on_time,
        "answered_late": answered * (1 - s.c.on_time),
        "closed_unanswered": done * (1 - s.c.answered),
        "done": done,
        "closing": 1 - s.c.done_at_end,
        "closing_overdue": (1 - s.c.done_at_end) * s.c.due_by_end,
        # reported apart from the answers: an interim reply is a first response, not an answer
        "first_responses": s.c.first_response,
    }


def flow_query(period: Period, cutoff: datetime):
    states = _ticket_states(period, cutoff)
    figures = _figures(states)
    keys = [states.c.channel, states.c.bidang, states.c.category]
    return (sa.select(*keys, *[sa.func.sum(figures[name]).label(name) for name in FIGURES])
            .group_by(*keys))


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
