"""The SOP's ticket statuses and the transitions between them, as data."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    NEW = "new"
    ESCALATED = "escalated"
    FOLLOWED_UP = "followed_up"
    ANSWERED = "answered"
    CLOSED = "closed"
    DISMISSED = "dismissed"


S = TicketStatus

# Which status may follow which. One function (workflow.change_status) consults this table.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.ESCALATED, S.ANSWERED, S.DISMISSED}),
    S.ESCALATED: frozenset({S.FOLLOWED_UP, S.ANSWERED, S.DISMISSED}),
    S.FOLLOWED_UP: frozenset({S.ESCALATED, S.ANSWERED, S.DISMISSED}),
    # back to escalated / followed up only when an accepted answer is later reported undelivered
    S.ANSWERED: frozenset({S.CLOSED, S.NEW, S.ESCALATED, S.FOLLOWED_UP}),
    S.CLOSED: frozenset({S.NEW}),
    S.DISMISSED: frozenset({S.NEW}),
}

OPEN_STATUSES = frozenset({S.NEW, S.ESCALATED, S.FOLLOWED_UP})
SLA_RUNNING = OPEN_STATUSES

LABELS: dict[str, dict[TicketStatus, str]] = {
    "id": {
        S.NEW: "Baru", S.ESCALATED: "Diteruskan", S.FOLLOWED_UP: "Ditindaklanjuti",
        S.ANSWERED: "Dijawab", S.CLOSED: "Selesai", S.DISMISSED: "Ditutup",
    },
    "en": {
        S.NEW: "New", S.ESCALATED: "Escalated", S.FOLLOWED_UP: "Followed up",
        S.ANSWERED: "Answered", S.CLOSED: "Closed", S.DISMISSED: "Dismissed",
    },
}

CLOSE_REASONS = ("spam", "duplikat", "terima-kasih", "bukan-kewenangan")

MESSAGE_KINDS = ("pengaduan", "pertanyaan", "saran", "apresiasi", "spam")


def label(status: str, locale: str = "id") -> str:
    try:
        return LABELS.get(locale, LABELS["id"])[TicketStatus(status)]
    except ValueError:
        return status


def can_move(current: str, target: str) -> bool:
    return TicketStatus(target) in TRANSITIONS[TicketStatus(current)]
