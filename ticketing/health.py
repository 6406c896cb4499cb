"""`aduan health`: what monitoring needs to know, judged from the database and Redis, never from
the process answering (a health check that only says "I am running" lies: zammad#4775).

A channel is healthy when its last *successful* run (polling channels) or its last received
webhook (webhook-only channels) is recent enough and its credentials work. The queue side is
healthy when, with Redis configured, a worker listens on aduan's queues and a scheduler holds
its lock. The work side is healthy when nothing waits in quarantine, no reply is stuck half-sent,
and stored webhook bodies are processed promptly. Each problem is one line; none means "ok".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ticketing.errors import ConfigError
from ticketing.i18n_cli import message
from ticketing.privacy.redact import redact

if TYPE_CHECKING:
    from ticketing.app import App
    from ticketing.config import ChannelSettings, HealthSettings

SCHEDULER_QUEUE = "sla"  # the queue whose scheduler lock proves timers will fire


@dataclass(frozen=True)
class Problem:
    code: str  # stable, for scripts: stale, never_ran, needs_reauth, no_worker, no_scheduler, ...
    subject: str  # the channel, "outbox", "quarantine", "redis", ...
    message: str  # one line for people (Bahasa Indonesia)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "subject": self.subject, "message": self.message}


@dataclass
class HealthReport:
    checked_at: datetime
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth fixing, not worth an alert: exit stays 0
    channels: list[dict[str, Any]] = field(default_factory=list)
    queues: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked_at": self.checked_at.isoformat(),
                "problems": [p.as_dict() for p in self.problems],
                "warnings": [w.as_dict() for w in self.warnings], "channels": self.channels, "queues": self.queues}


def _when(value: datetime | None, tz: str, locale: str) -> str:
    from ticketing.i18n import format_datetime

    return format_datetime(value, locale, tz)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def stale_after(channel: ChannelSettings, health: HealthSettings) -> timedelta:
    minutes = channel.stale_after_minutes or health.stale_after_minutes
    return timedelta(minutes=minutes)


def _last_webhooks(session) -> dict[str, datetime]:
    from ticketing.store.models import WebhookDelivery

    rows = session.execute(sa.select(WebhookDelivery.source, sa.func.max(WebhookDelivery.received_at))
                           .group_by(WebhookDelivery.source)).all()
    return {source: _aware(at) for source, at in rows}


def _polls(channel_type: str) -> bool:
    from ticketing.contract.registry import collector_class

    try:
        return collector_class(channel_type).polls
    except ConfigError:
        return True  # an unknown type is reported by the run itself


def check_channels(session, app: App, now: datetime, report: HealthReport) -> None:
    from ticketing.store.models import CollectorState

    tz = app.settings.office.timezone
    states = {s.channel: s for s in session.execute(sa.select(CollectorState)).scalars()}
    webhooks = _last_webhooks(session)
    if not any(c.enabled for c in app.settings.channels):  # nothing is collected: that is not "ok"
        report.problems.append(Problem("no_channel", "channels", message(
            "health_no_channel", app.locale, source=app.settings.source or "config.yaml")))
    for channel in (c for c in app.settings.channels if c.enabled):
        state = states.get(channel.name)
        limit = stale_after(channel, app.settings.health)
        webhook_only = not _polls(channel.type)  # no read API: judged by the last delivery received
        last = webhooks.get(channel.name) if webhook_only else (state.last_success_at if state else None)
        failing = bool(state and state.last_error_at and (last is None or state.last_error_at > last)
                       and not (state.next_allowed_at and state.next_allowed_at > now))
        status = "ok"
        if state is not None and state.needs_reauth:
            status = "needs_reauth"
            report.problems.append(Problem("needs_reauth", channel.name, message(
                "health_needs_reauth", app.locale, channel=channel.name, error=redact(state.last_error or "")[:160])))
        if last is None:
            status = "never_ran" if status == "ok" else status
            key = "health_never_received" if webhook_only else "health_never_ran"
            report.problems.append(Problem("never_ran", channel.name, message(key, app.locale, channel=channel.name)))
        elif now - last > limit:
            status = "stale" if status == "ok" else status
            error = message("health_last_error", app.locale, error=redact(state.last_error)[:160]) \
                if failing and state.last_error else ""
            report.problems.append(Problem("stale", channel.name, message(
                "health_stale_webhook" if webhook_only else "health_stale", app.locale, channel=channel.name,
                when=_when(last, tz, app.locale), minutes=_minutes(now - last), limit=_minutes(limit)) + error))
        elif failing:
            status = "degraded"  # the last run failed but the channel is within its staleness: not yet an alarm
        report.channels.append({
            "channel": channel.name, "type": channel.type, "status": status, "webhook_only": webhook_only,
            "last_success_at": last.isoformat() if last else None,
            "last_error": redact(state.last_error) if state and state.last_error else None,
            "last_error_at": state.last_error_at.isoformat() if state and state.last_error_at else None,
            "stale_after_minutes": _minutes(limit),
        })


def check_work(session, app: App, now: datetime, report: HealthReport) -> None:
    """Quarantine, half-sent replies and unprocessed webhook bodies."""
    from ticketing.outbound.outbox import SENDING, UNKNOWN
    from ticketing.store.models import Message, Quarantine, WebhookDelivery

    tz = app.settings.office.timezone
    quarantined, newest = session.execute(sa.select(sa.func.count(), sa.func.max(Quarantine.received_at))
                                          .where(Quarantine.resolved_at.is_(None))).one()
    if quarantined:
        report.problems.append(Problem("quarantine", "quarantine", message(
            "health_quarantine", app.locale, count=quarantined, newest=_when(_aware(newest), tz, app.locale))))
    stuck = sa.or_(Message.delivery_state == UNKNOWN,
                   sa.and_(Message.delivery_state == SENDING, Message.next_attempt_at <= now))
    rows = session.execute(sa.select(Message.delivery_state, sa.func.count()).where(
        Message.direction == "out", stuck).group_by(Message.delivery_state)).all()
    for state, number in rows:
        report.problems.append(Problem(f"outbox_{state}", "outbox", message(
            "health_outbox_stuck", app.locale, count=number, state=state)))
    from ticketing.store.models import Ticket

    waiting = dict(session.execute(sa.select(Ticket.reply_state, sa.func.count()).where(
        Ticket.reply_state.in_(("failed", "unknown")), Ticket.merged_into_id.is_(None))
        .group_by(Ticket.reply_state)).all())
    if waiting.get("failed"):
        report.problems.append(Problem("reply_failed", "outbox", message(
            "health_reply_failed", app.locale, count=waiting["failed"])))
    if waiting.get("unknown"):
        report.problems.append(Problem("reply_unknown", "outbox", message(
            "health_reply_unknown", app.locale, count=waiting["unknown"])))
    minutes = app.settings.health.webhook_backlog_minutes
    cutoff = now - timedelta(minutes=minutes)
    waiting, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(WebhookDelivery.received_at)).where(
        WebhookDelivery.processed_at.is_(None), WebhookDelivery.dead_at.is_(None),
        WebhookDelivery.received_at < cutoff)).one()
    if waiting:
        report.problems.append(Problem("webhook_backlog", "webhook", message(
            "health_webhook_backlog", app.locale, count=waiting, minutes=minutes,
            oldest=_when(_aware(oldest), tz, app.locale))))
    from ticketing.webhooks.deliveries import failure_counts

    dead, failing = failure_counts(session)
    if dead:
        report.problems.append(Problem("webhook_dead", "webhook", message(
            "health_webhook_dead", app.locale, count=dead)))
    if failing:
        report.problems.append(Problem("webhook_failing", "webhook", message(
            "health_webhook_failing", app.locale, count=failing)))


def _aware(value):
    """Aggregates (max/min) skip the column type on SQLite: read them back as aware UTC."""
    from ticketing.store.models import UTCDateTime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)


def check_queues(app: App, report: HealthReport) -> None:
    """With Redis configured: a worker on aduan's queues and a scheduler holding its lock."""
    if not app.settings.redis.url:
        report.queues = {"mode": "inline"}
        return
    from ticketing.background.jobs import QUEUES, connect, redis_errors

    try:
        from rq import Worker

        conn = connect(app.settings.redis.url)
        workers = [w for w in Worker.all(connection=conn) if set(w.queue_names()) & set(QUEUES)]
        scheduler = bool(conn.exists(f"rq:scheduler-lock:{SCHEDULER_QUEUE}"))
    except redis_errors() as exc:
        report.queues = {"mode": "redis", "reachable": False}
        report.problems.append(Problem("redis_down", "redis", message(
            "health_redis_down", app.locale, error=redact(exc)[:160])))
        return
    report.queues = {"mode": "redis", "reachable": True, "workers": sorted(w.name for w in workers),
                     "scheduler": scheduler}
    if not workers:
        report.problems.append(Problem("no_worker", "worker", message("health_no_worker", app.locale)))
    if not scheduler:
        report.problems.append(Problem("no_scheduler", "scheduler", message("health_no_scheduler", app.locale)))


def check_health(app: App, now: datetime | None = None) -> HealthReport:
    from ticketing.store.db import read_session

    now = now or app.now()
    report = HealthReport(now)
    with read_session(app.engine) as session:
        check_channels(session, app, now, report)
        check_work(session, app, now, report)
    check_queues(app, report)
    check_safeguards(app, now, report)
    return report


def check_safeguards(app: App, now: datetime, report: HealthReport) -> None:
    """Warnings about how the installation protects itself: identity mode and backups."""
    if app.settings.identity is None:
        report.warnings.append(Problem("identity_unset", "identity", message("health_identity_unset", app.locale)))
    from ticketing.store.backup import backup_folder, backups_in, sqlite_path, taken_at

    if sqlite_path(app.settings.database.url) is None:
        return  # PostgreSQL is backed up by pg_dump from the server's own schedule
    folder = backup_folder(app.settings)
    newest = backups_in(folder)[:1]
    limit = timedelta(hours=app.settings.backup.max_age_hours)
    if not newest:
        report.warnings.append(Problem("no_backup", "backup", message("health_no_backup", app.locale, folder=folder)))
        return
    if now - taken_at(newest[0]) > limit:
        report.warnings.append(Problem("backup_old", "backup", message(
            "health_backup_old", app.locale, name=newest[0].name, hours=f"{app.settings.backup.max_age_hours:g}")))
