"""The ticket history as people read it: event and status labels instead of codes, and an event's
detail as short `name value` phrases instead of the JSON the audit log stores (`--json` keeps both).
"""

from __future__ import annotations

import json
from typing import Any

from ticketing.i18n import DETAIL_LABELS, DETAIL_VALUES_EN, event_label
from ticketing.i18n_cli import error_text
from ticketing.workflow.statuses import label

DETAIL_SEPARATOR = " · "
SENTENCE_KEYS = frozenset({"error", "reason"})  # details holding a refusal's sentence, not a code or a name
ACTORS = {"id": {"system": "sistem"}, "en": {}}  # the worker and the collectors act as "system"


def status_move(event: dict[str, Any], locale: str = "id") -> str:
    """`Dijawab → Selesai`; a ticket's first status alone (`Baru`); nothing when it did not change."""
    before, after = event.get("from_status"), event.get("to_status")
    if before == after or after is None:
        return ""
    if before is None:
        return label(after, locale)
    return f"{label(before, locale)} → {label(after, locale)}"


def _value(value: Any, locale: str) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_name(k, locale)} {_value(v, locale)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, locale) for v in value)
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if locale == "id" else ("yes" if value else "no")
    if isinstance(value, str) and locale == "en":  # the audit log keeps the office's (Indonesian) words
        return DETAIL_VALUES_EN.get(value, value)
    return "-" if value is None or value == "" else str(value)


def _name(key: str, locale: str) -> str:
    return DETAIL_LABELS.get(locale, DETAIL_LABELS["id"]).get(key) or key.replace("_", " ")


def detail_text(detail: Any, locale: str = "id") -> str:
    """`alasan spam · ke tiket ADU-2026-000003`; a detail that is not a JSON object is shown as it is."""
    if detail is None or detail == "":
        return ""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return detail
    if not isinstance(detail, dict):
        return _value(detail, locale)
    parts = []
    for key, value in detail.items():
        if value is None or value == "" or value == []:
            continue
        name = _name(key, locale)
        joiner = "" if name.endswith("#") else " "
        shown = error_text(value, locale) if key in SENTENCE_KEYS and isinstance(value, str) else _value(value, locale)
        parts.append(f"{name}{joiner}{shown}")
    return DETAIL_SEPARATOR.join(parts)


def history_rows(events: list[dict[str, Any]], locale: str = "id") -> list[tuple[str, str, str, str]]:
    """(actor, event label, status move, detail) for each event, oldest first."""
    actors = ACTORS.get(locale, {})
    return [(actors.get(e["actor"], e["actor"]), event_label(e["action"], locale), status_move(e, locale),
             detail_text(e.get("detail"), locale)) for e in events]
