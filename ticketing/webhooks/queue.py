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
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ticketing.faults import crash_point
from ticketing.privacy.redact import redact
from ticketing.store.models import Message, WebhookDelivery

log = logging.getLogger("aduan.webhook")

STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3}  # statuses arrive out of order: never go backwards
PROCESS_BATCH = 50




def store_delivery(session: Session, source: str, body: bytes, now: datetime) -> int:
    """Keep the raw body; the caller commits before answering Meta. One Core INSERT: this is the
    receiver's hot path, and the ORM's unit of work would double its cost."""
    statement = sa.insert(WebhookDelivery).values(
        source=source, body_sha256=hashlib.sha256(body).hexdigest(),
        payload=body.decode("utf-8", errors="replace"), received_at=now, attempts=0,
    ).returning(WebhookDelivery.id)
    return session.execute(statement).scalar_one()


@dataclass
class ProcessResult:
    deliveries: int = 0
    new_messages: int = 0
    statuses: int = 0
    quarantined: int = 0
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
        message.provider_status, message.provider_status_at = status.status, status.at
        session.add(message)
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
    """Ingest stored deliveries not yet processed, oldest first.

    A batch goes in one write transaction (fewer lock hand-overs, so the receiver's own writes
    wait less); if the batch fails, each delivery is retried alone so one poisoned body cannot
    hold back the others.
    """
    from ticketing.store.db import read_session

    result = ProcessResult()
    with read_session(app.engine) as session:
        pending = list(session.exec(select(WebhookDelivery.id).where(WebhookDelivery.processed_at.is_(None))
                                    .order_by(WebhookDelivery.id).limit(limit)))
    if not pending:
        return result
    lock = write_lock or contextlib.nullcontext()
    try:
        _process(app, pending, result, lock)
        return result
    except Exception as exc:
        log.warning("webhook batch of %d failed (%s); retrying one by one", len(pending), redact(exc)[:200])
    result = ProcessResult()
    for delivery_id in pending:
        try:
            _process(app, [delivery_id], result, lock)
        except Exception as exc:
            text = redact(exc)[:300]
            result.errors.append(f"delivery {delivery_id}: {text}")
            log.error("webhook delivery %s failed: %s", delivery_id, text)
            _record_error(app, delivery_id, text)
    return result


def _record_error(app, delivery_id: int, text: str) -> None:
    from ticketing.store.db import run_write

    def work(session: Session) -> None:
        session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                        .values(error=text, attempts=WebhookDelivery.attempts + 1))

    run_write(app.engine, work)


def parser_for(app, source: str):
    """The collector that understands `source`'s payloads (a configured channel name)."""
    from ticketing.contract.registry import build_collector

    return build_collector(app.settings.channel(source), app.environ)


def _parse(app, delivery_ids: list[int]) -> list[tuple[int, str, object, object]]:
    """Parse each delivery with its channel's collector and fetch its media, outside any transaction."""
    from ticketing.store.db import read_session

    with read_session(app.engine) as session:
        rows = list(session.exec(select(WebhookDelivery).where(WebhookDelivery.id.in_(delivery_ids))
                                 .order_by(WebhookDelivery.id)))
    collectors: dict[str, object] = {}
    parsed_rows = []
    for row in rows:
        if row.source not in collectors:
            collectors[row.source] = parser_for(app, row.source)
        collector = collectors[row.source]
        parsed = collector.parse_webhook(json.loads(row.payload))
        base_dir = Path(getattr(collector.settings, "attachments_dir", "attachments"))
        attachments = _save_media(collector, parsed, base_dir) if parsed.media else {}
        for message in parsed.messages:
            message.attachments = attachments.get(message.external_id, [])
        parsed_rows.append((row.id, row.source, collector, parsed))
    return parsed_rows


def _process(app, delivery_ids: list[int], result: ProcessResult, lock) -> None:
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import run_write

    parsed_rows = _parse(app, delivery_ids)
    now = app.now()
    policy = app.ingest_policy()

    def work(session: Session) -> ProcessResult:
        done = ProcessResult()
        by_source: dict[str, tuple[object, list, list, list]] = {}
        for delivery_id, source, collector, parsed in parsed_rows:
            claimed = session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                                       WebhookDelivery.processed_at.is_(None))
                                      .values(processed_at=now, attempts=WebhookDelivery.attempts + 1)).rowcount
            if not claimed:
                continue  # another processor got here first
            _collector, messages, rejects, statuses = by_source.setdefault(source, (collector, [], [], []))
            messages.extend(parsed.messages)
            rejects.extend(parsed.quarantined)
            statuses.extend(parsed.statuses)
            done.deliveries += 1
            if parsed.quarantined and not parsed.messages and not parsed.statuses:
                session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                                .values(error="; ".join(q.reason for q in parsed.quarantined)[:500]))
        # One ingest per channel for the whole batch: its lookups and inserts are set-based.
        for source, (collector, messages, rejects, statuses) in by_source.items():
            ingested = ingest_batch(session, source, messages, now=now, policy=policy,
                                    channel_type=collector.type_name, quarantined=rejects)
            done.new_messages += ingested.new_messages
            done.quarantined += ingested.quarantined
            done.statuses += apply_statuses(session, source, statuses, now)
        crash_point("webhook_before_commit")
        return done

    with lock:
        done = run_write(app.engine, work)
    for name in ("deliveries", "new_messages", "statuses", "quarantined"):
        setattr(result, name, getattr(result, name) + getattr(done, name))
