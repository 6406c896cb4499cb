"""Notifications to staff: escalations to a bidang, SLA warnings and breaches, channels that
need re-authorisation, daily recaps.

A notification is one row in `notification` with a unique `key` (`sla-breach:42`,
`escalation:7`, `reauth:x-dindukcapil:2026-11-23`): queuing the same key twice is a no-op,
so every notice goes out once however many sweeps, timers or workers see the same fact.
Rows are queued inside the caller's transaction and sent afterwards (no network call inside
a write transaction); each route that succeeded is recorded in `via`, so a retry after a
partial failure only repeats the routes that failed. Text is masked before it is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ticketing.config import EmailTarget, NotificationSettings, TelegramTarget
from ticketing.errors import AduanError
from ticketing.privacy.redact import redact
from ticketing.privacy.safety import mask
from ticketing.store.flags import parse_flags

log = logging.getLogger("aduan.notify")

KIND_SLA_WARNING = "sla_warning"
KIND_SLA_BREACH = "sla_breach"
KIND_ESCALATION = "escalation"
KIND_REAUTH = "reauth"
KIND_RECAP = "recap"
ALL_KINDS = (KIND_SLA_WARNING, KIND_SLA_BREACH, KIND_ESCALATION, KIND_REAUTH, KIND_RECAP)

MAX_ATTEMPTS = 5  # then the row is `failed` and shows in `aduan health`
SEND_LEASE = timedelta(minutes=10)  # a row left in `sending` longer than this was orphaned by a crash
MAX_TEXT = 3500  # Telegram caps a message at 4096 characters
SEND_BATCH = 100  # rows sent per call, so one command never spends minutes on notices


@dataclass(frozen=True)
class Draft:
    key: str
    kind: str
    text: str
    ticket_id: int | None = None
    recipient: str = ""  # "" = the configured group; "bidang:CAPIL" = that bidang's teknis staff


def _table():
    from ticketing.store.models import Notification

    return Notification.__table__


def _known_keys(session, keys: list[str]) -> set[str]:
    table = _table()
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        found.update(session.execute(sa.select(table.c.key).where(table.c.key.in_(chunk))).scalars())
    return found


QUEUE_COLUMNS = ("key", "kind", "ticket_id", "recipient", "via", "text", "state", "attempts", "created_at")


def queue(session, drafts: Sequence[Draft], now: datetime) -> int:
    """Queue notices in the caller's transaction; keys already present are ignored. Returns how many are new."""
    from ticketing.store import bulk

    unique = {d.key[:250]: d for d in drafts}
    if not unique:
        return 0
    known = _known_keys(session, list(unique))
    rows = [{"key": key, "kind": d.kind, "ticket_id": d.ticket_id, "recipient": d.recipient, "via": "",
             "text": mask(d.text)[:MAX_TEXT], "state": "pending", "attempts": 0, "created_at": now}
            for key, d in unique.items() if key not in known]
    # ON CONFLICT covers a concurrent sweep that queued the same key after our lookup
    bulk.insert_rows(session, _table(), QUEUE_COLUMNS, rows, conflict=("key",))
    return len(rows)


def release_orphans(session, now: datetime) -> int:
    """Rows a crashed sender left in `sending` go back to `pending` (a notice may repeat, never vanish)."""
    t = _table()
    stmt = (sa.update(t).where(t.c.state == "sending", t.c.sent_at <= now - SEND_LEASE)
            .values(state="pending", sent_at=None))
    return session.execute(stmt).rowcount or 0


# --- routes --------------------------------------------------------------------------------


def routes_for(config: NotificationSettings, staff: Sequence[Any], recipient: str) -> list[str]:
    """Where a notice goes: `telegram:<chat>` and `email:<address>` strings."""
    found: list[str] = []
    if recipient.startswith("bidang:") and config.bidang_direct:
        bidang = recipient.split(":", 1)[1]
        for member in staff:
            if member.role == "teknis" and member.bidang == bidang:
                if member.telegram_chat_id and config.telegram:
                    found.append(f"telegram:{member.telegram_chat_id}")
                if member.email and config.email:
                    found.append(f"email:{member.email}")
    if not found:  # the group is the fallback, so an escalation to a bidang without contacts is still seen
        if config.telegram:
            found.append(f"telegram:{config.telegram.chat_id}")
        if config.email:
            found.extend(f"email:{address}" for address in config.email.to)
    return list(dict.fromkeys(found))


class RouteError(AduanError):
    """A notification route failed; `transient` says whether a later try may succeed."""

    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient


def _send_telegram(target: TelegramTarget, chat_id: str, text: str, environ, now: datetime) -> None:
    """One sendMessage to a staff chat. A repeated notice is harmless, so no exactly-once here."""
    import requests

    from ticketing.config import secret_from_env

    token = secret_from_env(target.model_dump(), "bot_token_env", "notifications.telegram", environ)
    try:
        response = requests.post(f"{target.base_url.rstrip('/')}/bot{token.get()}/sendMessage", timeout=(5.0, 15.0),
                                 json={"chat_id": chat_id, "text": text, "disable_web_page_preview": True})
    except requests.RequestException as exc:
        raise RouteError(f"telegram sendMessage: {redact(exc)}", transient=True) from None
    status = response.status_code
    if status >= 400:
        transient = status in (408, 429) or status >= 500
        raise RouteError(f"telegram sendMessage: HTTP {status}: {redact(response.text[:300])}", transient)


def _send_email(target: EmailTarget, address: str, subject: str, text: str, environ) -> None:
    import smtplib
    import ssl
    from email.message import EmailMessage

    from ticketing.config import secret_from_env

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = target.from_address, address, subject
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer it
    message.set_content(text)
    password = None
    if target.password_env:
        password = secret_from_env(target.model_dump(), "password_env", "notifications.email", environ)
    try:
        if target.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(target.smtp_host, target.smtp_port, timeout=target.timeout_seconds,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=target.timeout_seconds)
        with smtp:
            if target.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if target.username and password is not None:
                smtp.login(target.username, password.get())
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        raise RouteError(redact(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"), transient=exc.smtp_code < 500) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise RouteError(redact(f"SMTP: {exc}"), transient=True) from None


SUBJECTS = {KIND_SLA_WARNING: "Peringatan batas waktu pengaduan", KIND_SLA_BREACH: "Pengaduan melewati batas waktu",
            KIND_ESCALATION: "Pengaduan diteruskan ke bidang", KIND_REAUTH: "Kanal perlu otorisasi ulang",
            KIND_RECAP: "Rekap harian pengaduan"}


def _send_route(config: NotificationSettings, route: str, kind: str, text: str, environ, now: datetime) -> None:
    via, _, target = route.partition(":")
    if via == "telegram" and config.telegram:
        _send_telegram(config.telegram, target, text, environ, now)
    elif via == "email" and config.email:
        _send_email(config.email, target, f"[aduan] {SUBJECTS.get(kind, kind)}", text, environ)
    else:
        raise RouteError(f"route {route} is no longer configured", transient=False)


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0


def _claim(engine, now: datetime, keys: Sequence[str] | None, limit: int) -> list[dict[str, Any]]:
    from ticketing.store.db import write_session

    t = _table()
    with write_session(engine) as session:
        query = sa.select(t.c.id).where(t.c.state == "pending").order_by(t.c.id).limit(limit)
        if keys is not None:
            query = query.where(t.c.key.in_(list(keys)))
        ids = list(session.execute(query).scalars())
        if not ids:
            return []
        rows = session.execute(sa.update(t).where(t.c.id.in_(ids), t.c.state == "pending")
                               .values(state="sending", sent_at=now, attempts=t.c.attempts + 1)
                               .returning(*t.c))
        return sorted((dict(r._mapping) for r in rows), key=lambda row: row["id"])


def send_pending(app, now: datetime, keys: Sequence[str] | None = None, limit: int = SEND_BATCH) -> SendReport:
    """Send queued notices over the configured routes; safe to call from many processes."""
    config = app.settings.notifications
    report = SendReport()
    for row in _claim(app.engine, now, keys, limit):
        done = parse_flags(row["via"])
        routes = [] if row["kind"] not in config.kinds else routes_for(config, app.settings.staff, row["recipient"])
        errors: list[str] = []
        transient = False
        for route in routes:
            if route in done:
                continue
            try:
                _send_route(config, route, row["kind"], row["text"], app.environ, now)
                done.append(route)
            except RouteError as exc:
                errors.append(f"{route}: {exc}")
                transient = transient or exc.transient
        state = _final_state(routes, done, errors, transient, row["attempts"])
        setattr(report, _REPORT_FIELD[state], getattr(report, _REPORT_FIELD[state]) + 1)
        _finish(app.engine, row, state, done, errors, now)
    return report


_REPORT_FIELD = {"sent": "sent", "failed": "failed", "pending": "retry", "skipped": "skipped"}


def _final_state(routes: list[str], done: list[str], errors: list[str], transient: bool, attempts: int) -> str:
    if not routes:
        return "skipped"
    if not errors:
        return "sent"
    if transient and attempts < MAX_ATTEMPTS:
        return "pending"
    return "failed"


def _finish(engine, row: dict[str, Any], state: str, done: list[str], errors: list[str], now: datetime) -> None:
    from ticketing.store.db import write_session
    from ticketing.workflow.audit import EventDraft, record_event

    t = _table()
    with write_session(engine) as session:
        session.execute(sa.update(t).where(t.c.id == row["id"]).values(
            state=state, via=",".join(done), error=redact("; ".join(errors))[:1000] if errors else None,
            sent_at=now if state == "sent" else None))
        if state in ("sent", "failed"):
            record_event(session, EventDraft(row["ticket_id"], now, "system", "notified", None, None, {
                "kind": row["kind"], "key": row["key"], "state": state, "via": done}))
    if errors:
        log.warning("notification %s: %s", row["key"], redact("; ".join(errors)))


def notify_staff(app, key: str, kind: str, text: str, now: datetime, ticket_id: int | None = None,
                 recipient: str = "") -> bool:
    """Queue one notice and try to send it now; True if it was new. For other modules (recaps)."""
    from ticketing.store.db import write_session

    with write_session(app.engine) as session:
        fresh = queue(session, [Draft(key, kind, text, ticket_id, recipient)], now) > 0
    if fresh:
        send_pending(app, now, keys=[key])
    return fresh
