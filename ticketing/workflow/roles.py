"""Who may do what: checked in the service layer, not in CLI menus."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.errors import PermissionDenied

SYSTEM = "system"

# action -> roles allowed. "teknis" is further limited to tickets escalated to its bidang.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "teknis", "supervisor", "system"}),
    "reply": frozenset({"admin", "system"}),
    "escalate": frozenset({"admin", "supervisor"}),
    "answer": frozenset({"teknis", "admin"}),
    "resolve": frozenset({"admin", "supervisor"}),
    "close": frozenset({"admin", "supervisor"}),
    "reopen": frozenset({"admin", "supervisor"}),
    "assign": frozenset({"admin", "supervisor"}),
    "note": frozenset({"admin", "teknis", "supervisor"}),
    "tag": frozenset({"admin", "supervisor"}),
    "merge": frozenset({"admin", "supervisor"}),
    "classify": frozenset({"admin", "supervisor"}),
    "reveal": frozenset({"supervisor"}),
    "recap": frozenset({"admin", "supervisor"}),
    "export": frozenset({"supervisor"}),
    "audit": frozenset({"supervisor"}),
    "privacy": frozenset({"supervisor"}),
    "backup": frozenset({"supervisor", "admin", "system"}),
    "collect": frozenset({"admin", "supervisor", "system"}),
    "channels": frozenset({"admin", "supervisor", "system"}),
    "quarantine": frozenset({"admin", "supervisor"}),  # raw citizens' payloads of every channel, no bidang's
}

ROLE_LABELS = {"admin": "admin", "teknis": "teknis (Pejabat Bidang Teknis)", "supervisor": "supervisor"}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    bidang: str | None = None
    name: str = ""


SYSTEM_ACTOR = Actor(SYSTEM, "system")


def require(actor: Actor, action: str) -> None:
    allowed = PERMISSIONS.get(action, frozenset())
    if actor.role not in allowed:
        needed = " atau ".join(sorted(ROLE_LABELS.get(r, r) for r in allowed if r != "system"))
        raise PermissionDenied(
            f"{actor.username} ({actor.role}) tidak boleh '{action}': perlu peran {needed}"
        )
