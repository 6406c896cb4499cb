"""A month of tickets with figures worked out by hand (November 2026, Asia/Jakarta).

Shared by tests/ticketing/test_recap.py and tests/test_cli_recap.py. Every ticket's role in the
expected figures is written next to it; EXPECTED holds the monthly numbers, DAILY_NOV_3 the
daily recap of Tuesday 3 November 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from ticketing.config import SlaSettings
from ticketing.sla.calendar import OfficeCalendar
from ticketing.store.models import Contact, ContactHandle, Escalation, Message, Ticket


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CHANNELS = {"whatsapp": "wa-dindukcapil", "instagram": "ig-dindukcapil", "facebook": "fb-dindukcapil",
            "x": "x-dindukcapil", "telegram": "tg-dindukcapil", "email": "email-pengaduan"}

NIK = "3329014101900001"
HOSTILE_SUMMARY = (f"min akta kematian alm bapak NIK {NIK} blm jadi, hubungi 0812-3456-7890 atau "
                   "budi.santoso@example.com \x1b[31m[bold]=HYPERLINK(\"x\")")

# key: (channel type, received UTC, kind, category, bidang, status, answered, closed, escalated, extra)
TICKETS = {
    # October, open at 1 Nov 00:00 WIB (Sat 23:00 WIB) -> opening backlog; answered on 3 Nov.
    "T02": ("whatsapp", "2026-10-31 16:00", "pertanyaan", "kk", "DAFDUK", "answered", "2026-11-03 03:00", None,
            None, {}),
    # October, escalated and never answered -> opening and closing backlog, overdue.
    "T03": ("facebook", "2026-10-20 03:00", "pengaduan", "ktp-el", "DAFDUK", "escalated", None, None,
            "2026-10-21 03:00", {}),
    # 31 Oct 18:00 UTC = Sun 1 Nov 01:00 WIB -> November. Start Mon 2 Nov, answered Tue -> 1 HK, on time.
    "T01": ("whatsapp", "2026-10-31 18:00", "pengaduan", "ktp-el", "DAFDUK", "answered", "2026-11-03 02:00", None,
            None, {"reply": "Sudah bisa diambil, info 0812 3456 7890"}),
    # Mon 2 Nov 10:00 WIB, answered 13:00 the same day (0 HK, 3 hours), closed 3 Nov.
    "T04": ("instagram", "2026-11-02 03:00", "pertanyaan", "kk", "DAFDUK", "closed", "2026-11-02 06:00",
            "2026-11-03 01:00", None, {}),
    # Mon 2 Nov 17:00 WIB (after closing): start Tue, due Fri 6 Nov 16:30; answered Fri 17:00 -> late, 3 HK.
    "T05": ("telegram", "2026-11-02 10:00", "pertanyaan", "ktp-el", "DAFDUK", "answered", "2026-11-06 10:00",
            None, None, {}),
    # Thu 5 Nov, escalated to CAPIL, answered Thu 12 Nov -> late, 5 HK.
    "T06": ("facebook", "2026-11-05 03:00", "pengaduan", "akta-kelahiran", "CAPIL", "answered",
            "2026-11-12 03:00", None, "2026-11-05 04:00", {}),
    # Tue 10 Nov, never answered -> overdue at month end, pending (never escalated).
    "T07": ("x", "2026-11-10 03:00", "pengaduan", "ktp-el", "DAFDUK", "new", None, None, None, {}),
    # Mon 16 Nov e-mail, answered Tue -> 1 HK, on time; the handle is an e-mail address.
    "T11": ("email", "2026-11-16 03:00", "pertanyaan", "ikd", "DAFDUK", "answered", "2026-11-17 03:00", None,
            None, {"handle": "budi.santoso@example.com"}),
    # Mon 16 Nov, due Thu 19; answered Tue 24 -> late, 6 HK.
    "T12": ("whatsapp", "2026-11-16 04:00", "saran", "layanan-online", "PDIP", "answered", "2026-11-24 04:00",
            None, None, {"handle": "6281234567890"}),
    # A duplicate merged into T11: excluded from every figure.
    "T13": ("email", "2026-11-16 05:00", "pertanyaan", "ikd", "DAFDUK", "dismissed", None, "2026-11-16 06:00",
            None, {"merged": "T11", "reason": "duplikat"}),
    # Fri 27 Nov, escalated; answered Wed 2 Dec, after the month: in progress and running at month end.
    "T08": ("whatsapp", "2026-11-27 03:00", "pertanyaan", "kia", "DAFDUK", "answered", "2026-12-02 02:00", None,
            "2026-11-27 04:00", {}),
    # Mon 30 Nov 23:00 WIB spam, dismissed 23:30 WIB -> done, closed without answer.
    "T10": ("instagram", "2026-11-30 16:00", "spam", None, None, "dismissed", None, "2026-11-30 16:30", None,
            {"reason": "spam"}),
    # 30 Nov 17:30 UTC = Tue 1 Dec 00:30 WIB -> December, not in November.
    "T09": ("x", "2026-11-30 17:30", "pertanyaan", "kk", "DAFDUK", "new", None, None, None, {}),
    # Tue 3 Nov, escalated the same day; hostile text; never answered -> in progress, overdue at month end.
    "T14": ("x", "2026-11-03 04:00", "pengaduan", "akta-kematian", "CAPIL", "escalated", None, None,
            "2026-11-03 05:00", {"handle": "@wargaayu", "summary": HOSTILE_SUMMARY}),
}

EXPECTED = {
    "total": 10,
    "by_status": {"done": 7, "in_progress": 2, "pending": 1},
    "by_status_percent": {"done": 70.0, "in_progress": 20.0, "pending": 10.0},
    "by_channel": {"whatsapp": 3, "x": 2, "instagram": 2, "facebook": 1, "telegram": 1, "email": 1},
    "by_kind": {"pengaduan": 4, "pertanyaan": 4, "saran": 1, "spam": 1},
    "by_category": {"ktp-el": 3, "kk": 1, "akta-kelahiran": 1, "akta-kematian": 1, "kia": 1, "ikd": 1,
                    "layanan-online": 1, None: 1},
    "by_bidang": {"DAFDUK": 6, "CAPIL": 2, "PDIP": 1, None: 1},
    "answered": 6, "answered_on_time": 3, "answered_late": 3, "answered_on_time_percent": 50.0,
    "answered_within_working_days": 4, "answered_within_working_days_percent": 66.7,
    "overdue_open": 2, "closed_without_answer": 1,
    "answer_working_days": {"count": 6, "mean": 2.67, "median": 2.0},  # 0, 1, 1, 3, 5, 6
    "backlog": {"opening": 2, "closing": 4, "closing_overdue": 3},
    "daily": {"2026-11-01": 1, "2026-11-02": 2, "2026-11-03": 1, "2026-11-05": 1, "2026-11-10": 1,
              "2026-11-16": 2, "2026-11-27": 1, "2026-11-30": 1},
}

DAILY_NOV_3 = {
    "refs": ["T02", "T01", "T04", "T14"],  # by time of receipt
    "summary": {"received": 1, "forwarded": 1, "answered": 2, "closed": 1, "open": 3, "overdue": 1},
}


def build_month(session: Session, calendar: OfficeCalendar | None = None) -> dict[str, int]:
    """Insert TICKETS (plus contacts, escalations and replies); returns ref -> ticket id."""
    calendar = calendar or OfficeCalendar(SlaSettings())
    ids: dict[str, int] = {}
    for ref, (ctype, received, kind, category, bidang, status, answered, closed, escalated, extra) in TICKETS.items():
        received_at = utc(received)
        channel = CHANNELS[ctype]
        contact = Contact(display_name=f"Warga {ref}", created_at=received_at)
        session.add(contact)
        session.flush()
        session.add(ContactHandle(contact_id=contact.id, channel=channel, external_user_id=f"u-{ref}",
                                  handle=extra.get("handle", f"@warga{ref.lower()}"), display_name=f"Warga {ref}"))
        ticket = Ticket(
            ref=ref, channel=channel, channel_type=ctype, thread_key=f"thr-{ref}", contact_id=contact.id,
            kind=kind, category=category, bidang=bidang, status=status, close_reason=extra.get("reason"),
            summary=extra.get("summary", f"pesan {ref} tentang {category or 'lain-lain'}"), message_count=1,
            received_at=received_at, last_message_at=received_at,
            answered_at=utc(answered) if answered else None, first_response_at=utc(answered) if answered else None,
            closed_at=utc(closed) if closed else None, due_at=calendar.due_at(received_at),
            merged_into_id=ids[extra["merged"]] if "merged" in extra else None,
        )
        session.add(ticket)
        session.flush()
        ids[ref] = ticket.id
        session.add(Message(ticket_id=ticket.id, channel=channel, external_id=f"in-{ref}", thread_key=f"thr-{ref}",
                            direction="in", author_handle=extra.get("handle", ""), text=ticket.summary,
                            sent_at=received_at))
        if escalated:
            session.add(Escalation(ticket_id=ticket.id, bidang=bidang, escalated_by="admin1",
                                   escalated_at=utc(escalated), note="mohon dibantu"))
        if answered:
            session.add(Message(ticket_id=ticket.id, channel=channel, direction="out", author_handle="admin1",
                                text=extra.get("reply", f"jawaban untuk {ref}"), sent_at=utc(answered),
                                delivery_state="sent"))
    session.commit()
    return ids
