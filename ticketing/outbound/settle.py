"""The admin's side of the outbox: list what needs checking, then settle it.

A row is `unknown` when its send may have reached the channel (a read timeout, a connection
dropped after the request left, an acceptance without an id, a worker killed mid-call). Only a
person can tell, by looking at the channel; `HOW_TO_CHECK` says where. They then either confirm
it was delivered (`confirm_sent`, optionally with the channel's id) or queue it again
(`resend`: a multi-part reply then sends only the parts not yet accepted). Both are audited
and guarded: each UPDATE names the state it was read in, so two admins settling the same row
at once, or a row that moved meanwhile, change nothing and get a clear refusal.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ticketing.errors import InvalidTransition, NotFound
from ticketing.outbound.outbox import FAILED, PENDING, SENT, UNKNOWN, _event, _settle_ticket, _tables, parts_done

SETTLEABLE = (UNKNOWN, FAILED)
# Where an admin looks to see whether a reply arrived, by channel type.
HOW_TO_CHECK = {
    "telegram": "buka chat warga dengan akun bot (Telegram Desktop/Web) dan cari balasan ini",
    "whatsapp": "cek WhatsApp Manager (Business Suite) atau tunggu status 'delivered' dari webhook",
    "facebook": "buka Kotak Masuk Halaman di Meta Business Suite, percakapan atau komentar warga",
    "instagram": "buka Kotak Masuk Instagram di Meta Business Suite, DM atau komentar warga",
    "x": "buka profil akun kantor di X: tab Balasan, atau percakapan DM dengan warga",
    "email": "cari di folder Terkirim/log server SMTP berdasarkan Message-ID",
}
DEFAULT_HOW_TO_CHECK = "cek langsung di kanal apakah warga sudah menerima balasan"
HOW_TO_CHECK_EN = {
    "telegram": "open the citizen's chat with the bot account (Telegram Desktop/Web) and look for this reply",
    "whatsapp": "check WhatsApp Manager (Business Suite) or wait for the 'delivered' status from the webhook",
    "facebook": "open the Page inbox in Meta Business Suite, the citizen's conversation or comment",
    "instagram": "open the Instagram inbox in Meta Business Suite, the citizen's DM or comment",
    "x": "open the office account's profile on X: the Replies tab, or the DM conversation with the citizen",
    "email": "search the Sent folder or the SMTP server's log for the Message-ID",
}
DEFAULT_HOW_TO_CHECK_EN = "check on the channel whether the citizen has received the reply"


def how_to_check(channel_type: str | None, locale: str = "id") -> str:
    if locale == "en":
        return HOW_TO_CHECK_EN.get(channel_type or "", DEFAULT_HOW_TO_CHECK_EN)
    return HOW_TO_CHECK.get(channel_type or "", DEFAULT_HOW_TO_CHECK)


def list_outbox(session, states: list[str], limit: int = 200, locale: str = "id") -> list[dict]:
    m, t = _tables()
    rows = session.execute(
        sa.select(m.c.id, m.c.ticket_id, t.c.ref, m.c.channel, t.c.channel_type, m.c.text, m.c.delivery_state,
                  m.c.delivery_attempts, m.c.delivery_error, m.c.created_at, m.c.delivered_at, m.c.next_attempt_at,
                  m.c.external_id)
        .join(t, t.c.id == m.c.ticket_id).where(m.c.direction == "out", m.c.delivery_state.in_(states))
        .order_by(m.c.id).limit(limit))
    return [dict(r._mapping)
            | {"how_to_check": how_to_check(r.channel_type, locale) if r.delivery_state == UNKNOWN else None}
            for r in rows]


def _settleable(session, message_id: int, verb: str):
    m, _t = _tables()
    row = session.execute(sa.select(m.c.id, m.c.delivery_state, m.c.ticket_id)
                          .where(m.c.id == message_id, m.c.direction == "out")).first()
    if row is None:
        raise NotFound(f"balasan {message_id} tidak ada di outbox")
    if row.delivery_state not in SETTLEABLE:
        raise InvalidTransition(f"balasan {message_id} berstatus {row.delivery_state}; hanya yang "
                                f"'{UNKNOWN}' atau '{FAILED}' yang bisa {verb}")
    return row


def _guarded(session, message_id: int, state: str, values: dict, verb: str) -> None:
    """UPDATE only if the row is still in the state it was read in; otherwise refuse."""
    m, _t = _tables()
    changed = session.execute(sa.update(m).where(m.c.id == message_id, m.c.delivery_state == state)
                              .values(**values)).rowcount
    if changed != 1:
        raise InvalidTransition(f"balasan {message_id} berubah status saat {verb}; lihat lagi `aduan outbox list`")


def resend(session, message_id: int, actor: str, now: datetime) -> None:
    """An admin checked the channel and the citizen did not get it: queue it again."""
    row = _settleable(session, message_id, "dikirim ulang")
    _guarded(session, message_id, row.delivery_state, {"delivery_state": PENDING, "next_attempt_at": None,
                                                       "delivery_error": None, "delivery_attempts": 0}, "kirim ulang")
    kept = sorted(parts_done(session, message_id))
    _event(session, message_id, now, "delivery_resend", {"previous": row.delivery_state, "parts_kept": kept}, actor)
    _settle_ticket(session, message_id, PENDING, now, actor=actor)  # the ticket shows *Mengirim* again


def confirm_sent(session, message_id: int, actor: str, now: datetime, external_id: str | None = None) -> None:
    """An admin found the reply on the channel: record it as delivered without sending again."""
    row = _settleable(session, message_id, "ditandai terkirim")
    parts = parts_done(session, message_id)
    known = external_id or parts.get(0)
    values = {"delivery_state": SENT, "delivered_at": now, "delivery_error": None, "next_attempt_at": None}
    if known:
        values["external_id"] = known
    _guarded(session, message_id, row.delivery_state, values, "ditandai terkirim")
    _event(session, message_id, now, "delivery_marked_sent",
           {"external_id": known, "previous": row.delivery_state}, actor)
    _settle_ticket(session, message_id, SENT, now, actor=actor)  # answered: the admin saw it arrive
