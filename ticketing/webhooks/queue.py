"""Meta webhooks: verify, store durably, then ingest from the stored copy.

The receiver writes each accepted body to `webhook_delivery` before answering 200, so a crash
or a slow database never loses a delivery; ingest runs afterwards from that table and marks
each row processed in the same transaction as the messages it produced. Meta's retries are
harmless: the same wamid/mid is stored once (ingest dedupes on `(channel, external_id)`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.contract.text import valid_text
from ticketing.faults import crash_point
from ticketing.privacy.redact import redact
from ticketing.store.models import Message, WebhookDelivery

log = logging.getLogger("aduan.webhook")

STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3}  # statuses arrive out of order: never go backwards
PROCESS_BATCH = 50


def store_delivery(session: Session, source: str, body: bytes, now: datetime, text: str | None = None) -> int:
    """Keep the body (as the text `body.decode_body` made of it); the caller commits before answering
    Meta. One Core INSERT: this is the receiver's hot path, and the ORM's unit of work would double
    its cost."""
    from ticketing.webhooks.body import decode_body

    statement = sa.insert(WebhookDelivery).values(
        source=source, body_sha256=hashlib.sha256(body).hexdigest(),
        payload=valid_text(text if text is not None else decode_body(body)), received_at=now, attempts=0,
    ).returning(WebhookDelivery.id)
    return session.execute(statement).scalar_one()


@dataclass
class ProcessResult:
    deliveries: int = 0
    new_messages: int = 0
    statuses: int = 0
    quarantined: int = 0
    attempted: int = 0  # rows taken from the queue this pass (processed or failed)
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def apply_statuses(session: Session, channel: str, statuses: list, now: datetime) -> int:
    """Record sent/delivered/read/failed on our outbound messages; never move backwards."""
    applied = 0
    for status in statuses:
        message = session.exec(select(Message).where(Message.channel == channel,
                                                     Message.external_id == status.external_id)).first()
        if message is None:
            continue
        if status.status == "failed":
            message.delivery_state, message.delivery_error = "failed", status.reason
        elif STATUS_ORDER.get(status.status, 0) <= STATUS_ORDER.get(message.provider_status or "", 0):
            continue
        first_report = message.provider_status is None and status.status in ("sent", "delivered")
        message.provider_status, message.provider_status_at = status.status, status.at
        if first_report:  # the channel's own time for our answer is the one that counts
            from ticketing.workflow.delivery import apply_status_time

            session.add(message)
            session.flush()
            apply_status_time(session, message.id, status.at)
        session.add(message)
        if status.status == "failed":  # accepted earlier, undelivered now: the ticket is not answered
            from ticketing.workflow.delivery import apply_delivery_outcome

            session.flush()
            apply_delivery_outcome(session, message.id, "failed", status.at, reason=status.reason)
        applied += 1
    return applied


def _save_media(collector, parsed, base_dir: Path) -> dict[str, list]:
    """Download media outside any transaction, streamed into the attachment store; a failed
    download is recorded on the message, never fatal."""
    from ticketing.contract import Attachment
    from ticketing.store.attachments import store_stream

    limit = getattr(collector.settings, "max_media_bytes", None)
    found: dict[str, list] = {}
    for media in parsed.media:
        try:
            data, mime = collector.download_media(media.media_id)
            stored = store_stream(base_dir, [data] if isinstance(data, bytes) else data, limit)
        except Exception as exc:  # recorded on the message; the text (caption) is still stored
            found.setdefault(media.external_id, []).append(Attachment(media.filename, media.mime_type, 0,
                                                                     skipped_reason=redact(exc)[:200]))
            continue
        found.setdefault(media.external_id, []).append(Attachment(media.filename, mime or media.mime_type,
                                                                 stored.size, stored.sha256, stored.path))
    return found


def process_pending(app, limit: int = PROCESS_BATCH, write_lock=None) -> ProcessResult:
    """Ingest the stored deliveries that are due, oldest first; no row can hold back another.

    Each row is parsed on its own: one that raises is marked with its error, its attempt count
    and the time of its next try (exponential backoff), and dead-lettered after
    `webhook.max_attempts`; the others go on. The parsed rows go in one write transaction
    (fewer lock hand-overs, so the receiver's own writes wait less); if that fails, each row is
    ingested alone so a poisoned row fails by itself.
    """
    from ticketing.store.db import read_session

    result = ProcessResult()
    now = app.now()
    with read_session(app.engine) as session:
        pending = list(session.exec(select(WebhookDelivery.id).where(due(now))
                                    .order_by(WebhookDelivery.id).limit(limit)))
    result.attempted = len(pending)
    if not pending:
        return result
    lock = write_lock or contextlib.nullcontext()
    parsed_rows = _parse(app, pending, result)
    if not parsed_rows:
        return result
    try:
        _process(app, parsed_rows, result, lock)
        return result
    except Exception as exc:
        log.warning("webhook batch of %d failed (%s); retrying one by one", len(parsed_rows), _describe(exc))
    for row in parsed_rows:
        try:
            _process(app, [row], result, lock)
        except Exception as exc:
            _fail(app, row[0], exc, result)
    return result


def due(now: datetime):
    """Rows waiting for ingest whose backoff has run out; dead letters wait for `aduan webhook retry`."""
    return sa.and_(WebhookDelivery.processed_at.is_(None), WebhookDelivery.dead_at.is_(None),
                   sa.or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now))


def backoff(app, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2x base, 4x base ... capped."""
    limits = app.settings.webhook
    return timedelta(seconds=min(limits.retry_base_seconds * 2 ** max(attempts - 1, 0), limits.retry_max_seconds))


def _describe(exc: BaseException) -> str:
    return valid_text(redact(f"{type(exc).__name__}: {exc}"))[:300]


def _fail(app, delivery_id: int, exc: BaseException, result: ProcessResult) -> None:
    """Record one row's failure: its error, one more attempt, and when to try again (or dead-letter it)."""
    from ticketing.store.db import run_write

    text = _describe(exc)
    now = app.now()
    result.errors.append(f"delivery {delivery_id}: {text}")
    log.error("webhook delivery %s failed: %s", delivery_id, text)

    def work(session: Session) -> bool:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None or row.processed_at is not None:
            return False
        row.attempts, row.error = (row.attempts or 0) + 1, text
        dead = row.attempts >= app.settings.webhook.max_attempts
        row.dead_at, row.next_attempt_at = (now, None) if dead else (None, now + backoff(app, row.attempts))
        session.add(row)
        return dead

    if run_write(app.engine, work):
        result.dead += 1
        log.error("webhook delivery %s dead-lettered after %d attempts; `aduan webhook retry %s` requeues it",
                  delivery_id, app.settings.webhook.max_attempts, delivery_id)
    result.failed += 1


def parser_for(app, source: str):
    """The collector that understands `source`'s payloads (a configured channel name)."""
    from ticketing.contract.registry import build_collector

    return build_collector(app.settings.channel(source), app.environ, clock=app.now,
                           locale=app.settings.office.locale)


def _parse(app, delivery_ids: list[int], result: ProcessResult) -> list[tuple[int, str, object, object, str]]:
    """Parse each delivery with its channel's collector and fetch its media, outside any transaction.

    A row whose body or parser raises is recorded as failed and left out; the others go on."""
    from ticketing.store.db import read_session

    with read_session(app.engine) as session:
        rows = list(session.exec(select(WebhookDelivery).where(WebhookDelivery.id.in_(delivery_ids))
                                 .order_by(WebhookDelivery.id)))
    collectors: dict[str, object] = {}
    parsed_rows = []
    for row in rows:
        try:
            if row.source not in collectors:
                collectors[row.source] = parser_for(app, row.source)
            collector = collectors[row.source]
            # removeprefix: rows stored before bodies were decoded on receipt may keep a BOM
            parsed = collector.parse_webhook(json.loads(row.payload.removeprefix("\ufeff")))
            base_dir = Path(getattr(collector.settings, "attachments_dir", "attachments"))
            attachments = _save_media(collector, parsed, base_dir) if parsed.media else {}
            for message in parsed.messages:
                message.attachments = [*message.attachments, *attachments.get(message.external_id, [])]
        except Exception as exc:  # noqa: BLE001 - any failure of one row is that row's, recorded on it
            _fail(app, row.id, exc, result)
            continue
        for reason in parsed.skipped:
            log.info("webhook delivery %s: skipped %s", row.id, reason)
        parsed_rows.append((row.id, row.source, collector, parsed, row.body_sha256))
    return parsed_rows


def _process(app, parsed_rows: list, result: ProcessResult, lock) -> None:
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import run_write

    now = app.now()
    policy = app.ingest_policy()

    def work(session: Session) -> ProcessResult:
        done = ProcessResult()
        by_source: dict[str, tuple[object, list, list, list]] = {}
        # Meta resends a body it is not sure we got: messages dedupe by id and statuses never go
        # backwards, but quarantine rows would double, so a body already processed adds none.
        seen = set(session.execute(sa.select(WebhookDelivery.source, WebhookDelivery.body_sha256).where(
            WebhookDelivery.processed_at.is_not(None),
            WebhookDelivery.body_sha256.in_({row[4] for row in parsed_rows}))).all())
        for delivery_id, source, collector, parsed, digest in parsed_rows:
            claimed = session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                                       WebhookDelivery.processed_at.is_(None))
                                      .values(processed_at=now, attempts=WebhookDelivery.attempts + 1,
                                              next_attempt_at=None, error=None)).rowcount
            if not claimed:
                continue  # another processor got here first
            _collector, messages, rejects, statuses = by_source.setdefault(source, (collector, [], [], []))
            messages.extend(parsed.messages)
            if (source, digest) not in seen:
                rejects.extend(parsed.quarantined)
            seen.add((source, digest))
            statuses.extend(parsed.statuses)
            done.deliveries += 1
            if parsed.quarantined and not parsed.messages and not parsed.statuses:
                session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                                .values(error="; ".join(q.reason for q in parsed.quarantined)[:500]))
        # One ingest per channel for the whole batch: its lookups and inserts are set-based.
        for source, (collector, messages, rejects, statuses) in by_source.items():
            ingested = ingest_batch(session, source, [m for m in messages if not m.is_edit], now=now,
                                    policy=policy, channel_type=collector.type_name, quarantined=rejects)
            edits = [m for m in messages if m.is_edit]
            if edits:  # after the originals: an edit batched with its message must find it stored
                ingest_batch(session, source, edits, now=now, policy=policy, channel_type=collector.type_name)
            done.new_messages += ingested.new_messages
            done.quarantined += ingested.quarantined
            done.statuses += apply_statuses(session, source, statuses, now)
        crash_point("webhook_before_commit")
        return done

    with lock:
        done = run_write(app.engine, work)
    for name in ("deliveries", "new_messages", "statuses", "quarantined"):
        setattr(result, name, getattr(result, name) + getattr(done, name))
