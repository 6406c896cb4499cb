"""Personal data rules (UU 27/2022 PDP, Perpres 76/2013): NIK in public posts, public replies,
the log pseudonym key, and purging message bodies after the retention period.

A citizen who posts a NIK or KK number in a public comment gets the ticket flag `public_nik`, so the
admin answers with the "move to DM" template first; a public reply that would itself repeat a NIK
is refused. Purging after the retention period is in `ticketing.privacy.purge`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ticketing.errors import Refused
from ticketing.privacy.safety import contains_nik, set_log_key
from ticketing.store.flags import has_flag

if TYPE_CHECKING:
    from sqlmodel import Session

    from ticketing.config import Settings
    from ticketing.contract import InboundMessage
    from ticketing.store.models import Ticket

PUBLIC_NIK_FLAG = "public_nik"
PURGED_FLAG = "purged"
MOVE_TO_DM_TEMPLATE = "pindah-ke-dm"  # ticketing.workflow.templates: "demi keamanan data pribadi ... kirim DM"
PURGED_TEXT = "[isi dihapus: lewat masa retensi data]"


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
