"""What the worker does, independent of how it is run: the sweep cycle, timer jobs, deliveries,
and the RQ plumbing (queues, deterministic job ids, JSON serializer) around them.

Job arguments are ids only and the JSON serializer is used, so nothing executable lives in
Redis. Every job is safe to run twice: the database claims decide, not the queue. Enqueue
failures (Redis down) are logged and swallowed: the work waits in the database and the next
sweep after Redis returns schedules it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ticketing.privacy.redact import redact

log = logging.getLogger("aduan.jobs")

QUEUE_SLA, QUEUE_OUTBOX, QUEUE_DEFAULT = "sla", "outbox", "default"
QUEUES = (QUEUE_SLA, QUEUE_OUTBOX, QUEUE_DEFAULT)
TIMER_HORIZON = timedelta(hours=24)  # timers further out are scheduled by a later sweep
JOB_TIMEOUT = 120  # seconds; below outbox.SEND_LEASE so a slow send is never taken for a dead one
RESULT_TTL = 0  # finished jobs leave Redis at once; the database keeps the history
SWEEP_JOB_ID = "aduan-sweep"
INLINE_DELIVERY_LIMIT = 50  # replies one CLI command delivers before handing back the prompt
_ACTIVE = ("queued", "scheduled", "started", "deferred")


def connect(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def queue(conn, name: str):
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(name, connection=conn, serializer=JSONSerializer)


def _active(conn, job_id: str) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    try:
        status = Job.fetch(job_id, connection=conn, serializer=JSONSerializer).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status is not None and str(getattr(status, "value", status)) in _ACTIVE


def schedule_timer(conn, ticket_id: int, kind: str, at: datetime) -> str:
    """Schedule (or move) a ticket's timer; the same job id replaces the earlier schedule."""
    job_id = f"sla-{kind}-{ticket_id}"
    queue(conn, QUEUE_SLA).enqueue_at(at, "worker.check_sla", ticket_id, kind, job_id=job_id,
                                      job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL)
    return job_id


def enqueue_delivery(conn, message_id: int, at: datetime | None = None) -> str:
    """Deliver now (once per message while queued) or at a retry time.

    A retry is scheduled from inside the running `deliver` job, so it takes an id of its own
    (RQ deletes the running job's key when it finishes); the outbox claim keeps sends single.
    """
    job_id = f"deliver-{message_id}"
    q = queue(conn, QUEUE_OUTBOX)
    if at is not None:
        job_id = f"{job_id}-at-{int(at.timestamp())}"
        q.enqueue_at(at, "worker.deliver", message_id, job_id=job_id, job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL)
    elif not _active(conn, job_id):
        q.enqueue("worker.deliver", message_id, job_id=job_id, job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL)
    return job_id


def enqueue_sweep(conn) -> bool:
    if _active(conn, SWEEP_JOB_ID):
        return False
    queue(conn, QUEUE_SLA).enqueue("worker.sweep", job_id=SWEEP_JOB_ID, job_timeout=JOB_TIMEOUT * 5,
                                   result_ttl=RESULT_TTL)
    return True


def reconcile_timers(conn, timers) -> int:
    """Schedule the timers Redis lacks (deleted, flushed, never enqueued) or holds at the wrong time."""
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    q = queue(conn, QUEUE_SLA)
    scheduled = dict(conn.zrange(ScheduledJobRegistry(queue=q).key, 0, -1, withscores=True))
    scheduled = {(k.decode() if isinstance(k, bytes) else k): score for k, score in scheduled.items()}
    waiting = set(q.get_job_ids()) | set(StartedJobRegistry(queue=q).get_job_ids())
    added = 0
    for timer in timers:
        score = scheduled.get(timer.job_id)
        if timer.job_id in waiting or (score is not None and abs(score - timer.at.timestamp()) < 1.5):
            continue
        schedule_timer(conn, timer.ticket_id, timer.kind, timer.at)
        added += 1
    return added


def app_redis(app):
    return connect(app.settings.redis.url) if app.settings.redis.url else None


# --- the cycle -------------------------------------------------------------------------------


@dataclass
class CycleReport:
    sweep: dict[str, int] = field(default_factory=dict)
    notices_sent: int = 0
    timers_added: int = 0
    deliveries: dict[str, int] = field(default_factory=dict)
    redis_error: str | None = None
    recap: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"sweep": self.sweep, "notices_sent": self.notices_sent, "timers_added": self.timers_added,
                "deliveries": self.deliveries, "redis_error": self.redis_error, "recap": self.recap}


def sweep_cycle(app, now: datetime, conn=None, inline: bool = False) -> CycleReport:
    """One reconciliation: SLA states and notices, orphaned sends, timers, pending replies, recap.

    `inline` (no Redis) delivers replies in this process; otherwise they are enqueued.
    """
    from ticketing.outbound import notify, outbox
    from ticketing.sla import tracking as sla
    from ticketing.store.db import read_session, run_write

    report = CycleReport()
    result = sla.SweepResult(more=True)
    while result.more:
        result.add(run_write(app.engine, lambda session: sla.sweep(session, now, app.warn_before, sla.SWEEP_BATCH)))
    report.sweep = result.summary()
    report.notices_sent = notify.send_pending(app, now).sent
    with read_session(app.engine) as session:
        pending = outbox.due_for_delivery(session, now, INLINE_DELIVERY_LIMIT if inline else 1000)
        timers = [] if inline else sla.timers_due_within(session, now, TIMER_HORIZON, app.warn_before)
    if inline:
        for message_id in pending:
            state = outbox.deliver(app, message_id).state
            report.deliveries[state] = report.deliveries.get(state, 0) + 1
    elif conn is not None:
        try:
            report.timers_added = reconcile_timers(conn, timers)
            for message_id in pending:
                enqueue_delivery(conn, message_id)
            report.deliveries["enqueued"] = len(pending)
        except redis_errors() as exc:
            report.redis_error = redact(exc)
            log.warning("redis unavailable, work stays in the database: %s", report.redis_error)
    report.recap = run_daily_recap(app, now)
    return report


_recap_done: set[str] = set()


def run_daily_recap(app, now: datetime) -> str | None:
    """At closing time on a working day, hand over to the recap module once per process and day
    (the recap module keeps its own once-a-day guard across processes)."""
    calendar = app.calendar
    today = calendar.local_date(now)
    if not calendar.is_working_day(today) or now < calendar.closing_time(today) or today.isoformat() in _recap_done:
        return None
    try:
        from ticketing.reports import recap
    except ImportError:
        return None
    daily_job = getattr(recap, "daily_job", None)
    if daily_job is None:
        return None
    _recap_done.add(today.isoformat())
    try:
        daily_job(app, now)
    except Exception as exc:  # a recap problem must not stop SLA work
        log.error("daily recap failed: %s", redact(exc))
        return f"failed: {redact(exc)}"
    return today.isoformat()


def run_check_sla(app, ticket_id: int, kind: str) -> str:
    """A timer fired: claim the notice and send it.

    If the deadline moved later ("early"), nothing is claimed; the timer is not rescheduled from
    inside its own job (RQ deletes this job's key when it returns), the next sweep finds it
    missing and schedules it at the new time.
    """
    from ticketing.faults import crash_point
    from ticketing.outbound import notify
    from ticketing.sla import tracking as sla
    from ticketing.store.db import run_write

    now = app.now()
    crash_point("sla_before_claim")
    outcome, _due = run_write(app.engine, lambda s: sla.claim_timer(s, ticket_id, kind, now, app.warn_before))
    crash_point("sla_after_claim")  # the claim is committed, the notice not sent: the sweep sends it, once
    if outcome == "claimed":
        notify.send_pending(app, now, keys=[sla.notice_key(kind, ticket_id)])
    return outcome


def run_deliver(app, message_id: int, conn=None) -> str:
    from ticketing.outbound import outbox

    outcome = outbox.deliver(app, message_id)
    if outcome.state == outbox.PENDING and outcome.retry_at is not None and conn is not None:
        try:
            enqueue_delivery(conn, message_id, at=outcome.retry_at)
        except redis_errors() as exc:  # the sweep will enqueue it when it is due
            log.warning("cannot schedule retry of reply %s: %s", message_id, redact(exc))
    return outcome.state


def kick(app) -> bool:
    """After a CLI write with Redis configured: ask the worker to sweep and deliver soon.

    Returns False when Redis is unreachable; nothing is lost, the work is in the database.
    """
    from ticketing.outbound import outbox
    from ticketing.store.db import read_session

    try:
        conn = connect(app.settings.redis.url)
        with read_session(app.engine) as session:
            pending = outbox.due_for_delivery(session, app.now(), 200)
        for message_id in pending:
            enqueue_delivery(conn, message_id)
        enqueue_sweep(conn)
        return True
    except redis_errors() as exc:
        log.warning("redis unavailable; the worker will catch up from the database: %s", redact(exc))
        return False
