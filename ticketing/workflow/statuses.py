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

MESSAGE_KINDS = ("pengaduan", "pertanyaan", "saran", "apresiasi", "spam")  # what --kind accepts without rules

# What `--status` accepts besides the codes: the labels (either language) and the commands that lead
# to a status. `closed` is every finished ticket, `Selesai` (resolve) and `Ditutup` (close) alike,
# as `gh issue list --state closed` lists completed and not-planned issues: so `--status closed`
# finds what `aduan close` closed; `selesai` / `ditutup` pick one of the two.
STATUS_WORDS: dict[str, tuple[TicketStatus, ...]] = {
    "reopen": (S.NEW,), "escalate": (S.ESCALATED,), "answer": (S.FOLLOWED_UP,), "followed-up": (S.FOLLOWED_UP,),
    "reply": (S.ANSWERED,), "resolve": (S.CLOSED,), "resolved": (S.CLOSED,), "close": (S.DISMISSED,),
    "dismiss": (S.DISMISSED,), "closed": (S.CLOSED, S.DISMISSED),
    "open": tuple(sorted(OPEN_STATUSES)), "terbuka": tuple(sorted(OPEN_STATUSES)),
    "all": tuple(S), "semua": tuple(S),
}


def status_choices() -> list[str]:
    """Every word `--status` takes, for its help and its refusal."""
    words = [s.value for s in S] + [lab.lower() for labels in LABELS.values() for lab in labels.values()]
    return list(dict.fromkeys([*words, *STATUS_WORDS]))


def parse_statuses(values: list[str]) -> list[str]:
    """Codes, labels (`Selesai`, `followed up`) and command words to status codes; ValueError names
    the words that are none of these."""
    by_label = {lab.casefold(): (code,) for labels in LABELS.values() for code, lab in labels.items()}
    found: list[str] = []
    unknown = []
    for value in values:
        key = value.strip().casefold().replace("_", " ")
        codes = (STATUS_WORDS.get(key) or STATUS_WORDS.get(key.replace(" ", "-")) or by_label.get(key)
                 or tuple(s for s in S if s.value == key.replace(" ", "_")))
        if not codes:
            unknown.append(value)
        found += [c.value for c in codes if c.value not in found]
    if unknown:
        raise ValueError(", ".join(unknown))
    return found


def label(status: str, locale: str = "id") -> str:
    try:
        return LABELS.get(locale, LABELS["id"])[TicketStatus(status)]
    except ValueError:
        return status

NEEDS_REVIEW_FLAG = "perlu-ditinjau"  # ticket flag: routing was not confident enough to suggest a bidang
