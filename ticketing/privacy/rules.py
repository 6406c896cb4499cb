"""Personal data rules (UU 27/2022 PDP, Perpres 76/2013): NIK in public posts, public replies,
the log pseudonym key, and purging message bodies after the retention period.

A citizen who posts a NIK or KK number in a public comment gets the ticket flag `public_nik`, so the
admin answers with the "move to DM" template first; a public reply that would itself repeat a NIK
is refused. Purging keeps the ticket rows (the recap figures: dates, kind, category, bidang,
status) and removes what identifies or describes the citizen: message bodies, raw payloads,
earlier revisions, attachment files and the ticket summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ticketing.errors import Refused
from ticketing.privacy.safety import contains_nik, set_log_key
from ticketing.store.flags import has_flag

if TYPE_CHECKING:
    from sqlmodel import Session

    from ticketing.config import Settings
    from ticketing.contract import InboundMessage
    from ticketing.store.models import Ticket
    from ticketing.workflow.roles import Actor

PUBLIC_NIK_FLAG = "public_nik"
PURGED_FLAG = "purged"
MOVE_TO_DM_TEMPLATE = "pindah-ke-dm"  # ticketing.workflow.templates: "demi keamanan data pribadi ... kirim DM"
PURGED_TEXT = "[isi dihapus: lewat masa retensi data]"
PURGEABLE_STATUSES = ("closed", "dismissed")
PURGE_CHUNK = 500  # tickets per UPDATE batch: bounded statements on large backlogs


def public_reply_guard(ticket: Ticket, text: str) -> None:
    """Refuse a reply on a public thread that contains a NIK/KK number (workflow.reply's guard)."""
    if ticket.is_public and contains_nik(text):
        raise Refused(
            f"tiket {ticket.ref} adalah unggahan publik dan balasan memuat NIK/No. KK; hapus nomornya "
            f"atau pakai templat {MOVE_TO_DM_TEMPLATE} dan lanjutkan lewat pesan langsung (DM)"
        )


def reply_advice(ticket: Ticket) -> str | None:
    """The template to send before any public reply, when the citizen posted a NIK publicly."""
    if ticket.is_public and has_flag(ticket.flags, PUBLIC_NIK_FLAG):
        return MOVE_TO_DM_TEMPLATE
    return None


def public_nik_tickets(messages: Iterable[InboundMessage], assignment: Mapping[str, int]) -> set[int]:
    """Tickets that just received a citizen's public message containing a NIK/KK number."""
    return {
        assignment[m.external_id] for m in messages
        if m.direction == "in" and not m.is_private and m.external_id in assignment and contains_nik(m.text)
    }


def flag_public_nik(session: Session, ticket_ids: set[int]) -> None:
    """Add `public_nik` to the tickets' flags once (a set-based UPDATE: ingest runs in bulk)."""
    if not ticket_ids:
        return
    import sqlalchemy as sa

    from ticketing.store.models import Ticket

    flags = Ticket.__table__.c.flags
    session.execute(
        sa.update(Ticket)
        .where(Ticket.id.in_(sorted(ticket_ids)))
        .where(sa.not_(("," + flags + ",").contains(f",{PUBLIC_NIK_FLAG},")))
        .values(flags=sa.case((flags == "", PUBLIC_NIK_FLAG), else_=flags + f",{PUBLIC_NIK_FLAG}"))
        .execution_options(synchronize_session=False)
    )


def install_log_key(settings: Settings, environ: Mapping[str, str] | None = None) -> bool:
    """Use `privacy.log_key_env` as the key of the `NIK#<hmac8>` log pseudonyms, if it is set."""
    from ticketing.config import secret_from_env

    secret = secret_from_env(settings.privacy.model_dump(), "log_key_env", "privacy", environ, required=False)
    if secret is None:
        return False
    set_log_key(secret.get())
    return True


@dataclass
class PurgeResult:
    older_than_days: int
    cutoff: datetime
    dry_run: bool
    tickets: int = 0
    messages: int = 0
    revisions: int = 0
    attachments: int = 0
    webhook_payloads: int = 0
    files: list[str] = field(default_factory=list)  # attachment files to delete after the commit

    def as_dict(self) -> dict[str, Any]:
        return {"older_than_days": self.older_than_days, "cutoff": self.cutoff.isoformat(),
                "dry_run": self.dry_run, "tickets": self.tickets, "messages": self.messages,
                "revisions": self.revisions, "attachments": self.attachments,
                "webhook_payloads": self.webhook_payloads}


def _purgeable_ids(session: Session, cutoff: datetime) -> list[int]:
    import sqlalchemy as sa

    from ticketing.store.models import Ticket

    closed = sa.func.coalesce(Ticket.closed_at, Ticket.last_message_at, Ticket.received_at)
    query = (sa.select(Ticket.id)
             .where(Ticket.status.in_(PURGEABLE_STATUSES), closed < cutoff,
                    sa.not_(("," + Ticket.__table__.c.flags + ",").contains(f",{PURGED_FLAG},")))
             .order_by(Ticket.id))
    return list(session.execute(query).scalars())


def purge(session: Session, actor: Actor, now: datetime, older_than_days: int, dry_run: bool = False) -> PurgeResult:
    """Remove bodies and raw payloads of tickets closed or dismissed more than `older_than_days` ago.

    Supervisor only; one audit event per purged ticket and one summary event. The caller commits,
    then deletes `result.files` (attachment files cannot be rolled back)."""
    from ticketing.workflow.roles import require

    require(actor, "privacy")
    if older_than_days < 1:
        raise Refused("--older-than harus minimal 1 hari")
    cutoff = now - timedelta(days=older_than_days)
    result = PurgeResult(older_than_days, cutoff, dry_run)
    ids = _purgeable_ids(session, cutoff)
    for start in range(0, len(ids), PURGE_CHUNK):
        _purge_chunk(session, ids[start:start + PURGE_CHUNK], actor, now, result)
    result.tickets = len(ids)
    _purge_webhook_payloads(session, cutoff, result)
    if not dry_run:
        from ticketing.workflow.audit import EventDraft, record_event

        record_event(session, EventDraft(None, now, actor.username, "privacy_purge", None, None, result.as_dict()))
    return result


def _purge_chunk(session: Session, ids: list[int], actor: Actor, now: datetime, result: PurgeResult) -> None:
    import sqlalchemy as sa

    from ticketing.store.models import AttachmentRecord, Message, MessageRevision, Ticket
    from ticketing.workflow.audit import EventDraft, append_events

    def quiet(statement):
        return statement.execution_options(synchronize_session=False)

    messages = sa.select(Message.id).where(Message.ticket_id.in_(ids)).scalar_subquery()
    per_ticket = dict(session.execute(sa.select(Message.ticket_id, sa.func.count()).where(
        Message.ticket_id.in_(ids)).group_by(Message.ticket_id)).all())
    result.messages += sum(per_ticket.values())
    result.revisions += session.execute(sa.select(sa.func.count()).where(
        MessageRevision.message_id.in_(messages))).scalar_one()
    files = session.execute(sa.select(AttachmentRecord.path).where(AttachmentRecord.message_id.in_(messages))).all()
    result.attachments += len(files)
    if result.dry_run:
        return
    result.files.extend(path for (path,) in files if path)
    statuses = dict(session.execute(sa.select(Ticket.id, Ticket.status).where(Ticket.id.in_(ids))).all())
    session.execute(quiet(sa.update(MessageRevision).where(MessageRevision.message_id.in_(messages))
                          .values(previous_text=PURGED_TEXT, raw=None)))
    session.execute(quiet(sa.update(AttachmentRecord).where(AttachmentRecord.message_id.in_(messages))
                          .values(path=None)))
    session.execute(quiet(sa.update(Message).where(Message.ticket_id.in_(ids))
                          .values(text=PURGED_TEXT, raw=None, subject=None)))
    flags = Ticket.__table__.c.flags
    session.execute(quiet(sa.update(Ticket).where(Ticket.id.in_(ids)).values(
        summary="", flags=sa.case((flags == "", PURGED_FLAG), else_=flags + f",{PURGED_FLAG}"))))
    append_events(session, [
        EventDraft(ticket_id, now, actor.username, "purged", statuses.get(ticket_id), statuses.get(ticket_id),
                   {"messages": per_ticket.get(ticket_id, 0), "older_than_days": result.older_than_days})
        for ticket_id in ids
    ])


def _purge_webhook_payloads(session: Session, cutoff: datetime, result: PurgeResult) -> None:
    """Processed webhook bodies hold the same messages; after the retention period keep only their hash."""
    import sqlalchemy as sa

    from ticketing.store.models import WebhookDelivery

    old = sa.and_(WebhookDelivery.processed_at.is_not(None), WebhookDelivery.processed_at < cutoff,
                  WebhookDelivery.payload != "")
    result.webhook_payloads = session.execute(sa.select(sa.func.count()).where(old)).scalar_one()
    if not result.dry_run and result.webhook_payloads:
        session.execute(sa.update(WebhookDelivery).where(old).values(payload="")
                        .execution_options(synchronize_session=False))

