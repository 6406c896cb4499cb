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


def _when(value: datetime | None, tz: str) -> str:
    from ticketing.i18n import format_datetime

    return format_datetime(value, "id", tz)


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
        from ticketing.i18n_cli import message

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
            report.problems.append(Problem("needs_reauth", channel.name, (
                f"{channel.name}: perlu otorisasi ulang (token ditolak): {redact(state.last_error or '')[:160]}")))
        if last is None:
            status = "never_ran" if status == "ok" else status
            what = "belum pernah menerima webhook" if webhook_only else "belum pernah berhasil diambil"
            report.problems.append(Problem("never_ran", channel.name, f"{channel.name}: {what}"))
        elif now - last > limit:
            status = "stale" if status == "ok" else status
            what = "webhook terakhir diterima" if webhook_only else "terakhir berhasil"
            error = f"; galat terakhir: {redact(state.last_error)[:160]}" if failing and state.last_error else ""
            report.problems.append(Problem("stale", channel.name, (
                f"{channel.name}: {what} {_when(last, tz)} ({_minutes(now - last)} menit lalu, batas "
                f"{_minutes(limit)} menit){error}")))
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
        report.problems.append(Problem("quarantine", "quarantine", (
            f"karantina: {quarantined} item belum ditangani (terbaru {_when(_aware(newest), tz)})")))
    stuck = sa.or_(Message.delivery_state == UNKNOWN,
                   sa.and_(Message.delivery_state == SENDING, Message.next_attempt_at <= now))
    rows = session.execute(sa.select(Message.delivery_state, sa.func.count()).where(
        Message.direction == "out", stuck).group_by(Message.delivery_state)).all()
    for state, number in rows:
        report.problems.append(Problem(f"outbox_{state}", "outbox", (
            f"outbox: {number} balasan berstatus '{state}' (terputus saat dikirim): cek di kanal, lalu "
            "aduan outbox confirm-sent ID atau aduan outbox resend ID")))
    from ticketing.store.models import Ticket

    waiting = dict(session.execute(sa.select(Ticket.reply_state, sa.func.count()).where(
        Ticket.reply_state.in_(("failed", "unknown")), Ticket.merged_into_id.is_(None))
        .group_by(Ticket.reply_state)).all())
    if waiting.get("failed"):
        report.problems.append(Problem("reply_failed", "outbox", (
            f"balasan: {waiting['failed']} tiket Gagal kirim (warga belum menerima jawaban, batas waktu tetap "
            "berjalan): lihat aduan inbox, perbaiki lalu aduan outbox resend ID")))
    if waiting.get("unknown"):
        report.problems.append(Problem("reply_unknown", "outbox", (
            f"balasan: {waiting['unknown']} tiket Belum pasti terkirim: cek di kanal, lalu "
            "aduan outbox confirm-sent ID atau aduan outbox resend ID")))
    minutes = app.settings.health.webhook_backlog_minutes
    cutoff = now - timedelta(minutes=minutes)
    waiting, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(WebhookDelivery.received_at)).where(
        WebhookDelivery.processed_at.is_(None), WebhookDelivery.dead_at.is_(None),
        WebhookDelivery.received_at < cutoff)).one()
    if waiting:
        report.problems.append(Problem("webhook_backlog", "webhook", (
            f"webhook: {waiting} kiriman belum diproses lebih dari {minutes} menit (tertua "
            f"{_when(_aware(oldest), tz)})")))
    from ticketing.webhooks.deliveries import failure_counts

    dead, failing = failure_counts(session)
    if dead:
        report.problems.append(Problem("webhook_dead", "webhook", (
            f"webhook: {dead} kiriman gagal terus dan dihentikan (dead letter): lihat aduan webhook deliveries "
            "--failed, lalu aduan webhook retry ID")))
    if failing:
        report.problems.append(Problem("webhook_failing", "webhook", (
            f"webhook: {failing} kiriman gagal diproses dan akan dicoba lagi (aduan webhook deliveries --failed)")))


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
        report.problems.append(Problem("redis_down", "redis", f"redis: tidak bisa dihubungi: {redact(exc)[:160]}"))
        return
    report.queues = {"mode": "redis", "reachable": True, "workers": sorted(w.name for w in workers),
                     "scheduler": scheduler}
    if not workers:
        report.problems.append(Problem("no_worker", "worker", (
            "worker: tidak ada `aduan worker` yang berjalan (balasan dan timer SLA tidak dikerjakan)")))
    if not scheduler:
        report.problems.append(Problem("no_scheduler", "scheduler", (
            "scheduler: tidak ada penjadwal RQ yang aktif (timer SLA tidak berbunyi; jalankan aduan worker)")))


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
        report.warnings.append(Problem("identity_unset", "identity", (
            "identitas: kunci `identity` tidak ada di config.yaml; pengguna diambil dari --as/ADUAN_USER tanpa "
            "bukti. Tulis `identity: os` (lihat README) atau `identity: declared`")))
    from ticketing.store.backup import backup_folder, backups_in, sqlite_path, taken_at

    if sqlite_path(app.settings.database.url) is None:
        return  # PostgreSQL is backed up by pg_dump from the server's own schedule
    folder = backup_folder(app.settings)
    newest = backups_in(folder)[:1]
    limit = timedelta(hours=app.settings.backup.max_age_hours)
    if not newest:
        report.warnings.append(Problem("no_backup", "backup", (
            f"cadangan: belum ada cadangan di {folder}; jadwalkan `aduan db backup` (lihat README)")))
        return
    if now - taken_at(newest[0]) > limit:
        report.warnings.append(Problem("backup_old", "backup", (
            f"cadangan: cadangan terbaru ({newest[0].name}) berumur lebih dari "
            f"{app.settings.backup.max_age_hours:g} jam")))
