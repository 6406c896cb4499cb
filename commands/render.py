"""Rich renderables for tickets. Builders return objects; printing is the caller's job.

Every string that came from a citizen goes through `safe_terminal_text` and into `Text`
(never a markup string), so escape sequences and `[markup]` arrive as visible characters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ticketing.i18n import format_datetime, word
from ticketing.safety import safe_terminal_text

SLA_STYLES = {"ok": "green", "warning": "yellow", "breached": "bold red", "met": "green", "late": "red"}
STATUS_STYLES = {"new": "bold cyan", "escalated": "magenta", "followed_up": "blue", "answered": "green",
                 "closed": "dim", "dismissed": "dim"}


def plain(text: Any, style: str = "", max_chars: int | None = None, single_line: bool = False) -> Text:
    return Text(safe_terminal_text(str(text) if text is not None else "", max_chars, single_line), style=style)


def _dt(value: str | None, locale: str) -> str:
    return format_datetime(datetime.fromisoformat(value), locale) if value else "-"


def remaining(item: dict[str, Any], now: datetime, locale: str) -> Text:
    state = item["sla_state"]
    if not item.get("due_at") or state in ("met", "late"):
        return Text(word(state, locale), style=SLA_STYLES.get(state, ""))
    delta = datetime.fromisoformat(item["due_at"]) - now
    hours = int(abs(delta.total_seconds()) // 3600)
    days, rest = divmod(hours, 24)
    span = f"{days}h {rest}j" if locale == "id" else f"{days}d {rest}h"
    text = f"-{span}" if delta.total_seconds() < 0 else span
    return Text(f"{text} ({word(state, locale)})", style=SLA_STYLES.get(state, ""))


def inbox_table(items: list[dict[str, Any]], now: datetime, locale: str = "id",
                counts: dict[str, int] | None = None, reauth: list[str] | None = None) -> Group:
    from ticketing.statuses import label

    header = Text()
    if counts:
        header.append("  ".join(f"{label(code, locale)}: {n}" for code, n in counts.items()))
    for channel in reauth or []:
        header.append(f"\n⚠ {safe_terminal_text(channel)}: {word('needs_reauth', locale)}", style="bold red")
    table = Table(title=word("inbox", locale), show_lines=False, expand=False)
    for key in ("ref", "channel", "status", "bidang", "contact", "summary", "received", "remaining"):
        table.add_column(word(key, locale), overflow="fold")
    for item in items:
        table.add_row(
            plain(item["ref"]), plain(item["channel"]),
            Text(item["status_label"], style=STATUS_STYLES.get(item["status"], "")),
            plain(item["bidang"] or "-"), plain(item["contact"], max_chars=24, single_line=True),
            plain(item["summary"], max_chars=60, single_line=True), Text(_dt(item["received_at"], locale)),
            remaining(item, now, locale),
        )
    if not items:
        return Group(header, Text(word("no_tickets", locale)))
    return Group(header, table)


def _who(message: dict[str, Any], locale: str) -> str:
    if message["direction"] == "in":
        return word("citizen", locale)
    if message["direction"] == "out":
        return word("office", locale)
    return word("technical_answer" if message.get("note_type") == "technical_answer" else "note", locale)


def ticket_view(data: dict[str, Any], now: datetime, locale: str = "id") -> Group:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key, value in (
        ("ref", plain(data["ref"])), ("status", Text(data["status_label"])),
        ("channel", plain(data["channel"])), ("contact", plain(data["contact"])),
        ("kind", plain(data["kind"] or "-")), ("category", plain(data["category"] or "-")),
        ("bidang", plain(data["bidang"] or "-")), ("assignee", plain(data["assignee"] or "-")),
        ("received", Text(_dt(data["received_at"], locale))), ("due", Text(_dt(data["due_at"], locale))),
        ("remaining", remaining(data, now, locale)),
    ):
        head.add_row(word(key, locale), value)
    parts: list[Any] = [head]
    for message in data["messages"]:
        title = Text(f"{_who(message, locale)} · ")
        title.append(safe_terminal_text(message["author"], 40, single_line=True))
        title.append(f" · {_dt(message['sent_at'], locale)}")
        if message.get("delivery_state"):
            title.append(f" · {word('delivery', locale)}: {word(message['delivery_state'], locale)}")
        style = {"in": "cyan", "out": "green"}.get(message["direction"], "yellow")
        parts.append(Panel(plain(message["text"], max_chars=4000), title=title, title_align="left",
                           border_style=style))
    if data["escalations"]:
        table = Table(title=word("escalations", locale))
        for key in ("bidang", "time", "actor", "note"):
            table.add_column(word(key, locale))
        for e in data["escalations"]:
            table.add_row(plain(e["bidang"]), Text(_dt(e["escalated_at"], locale)), plain(e["escalated_by"]),
                          plain(e["note"], max_chars=80))
        parts.append(table)
    events = Table(title=word("events", locale))
    for key in ("time", "actor", "action", "status"):
        events.add_column(word(key, locale))
    for e in data["events"]:
        moved = f"{e['from_status'] or ''} → {e['to_status']}" if e["from_status"] != e["to_status"] else ""
        events.add_row(Text(_dt(e["at"], locale)), plain(e["actor"]), plain(e["action"]), plain(moved))
    parts.append(events)
    if data["other_tickets"]:
        others = ", ".join(f"{o['ref']} ({o['status_label']})" for o in data["other_tickets"])
        parts.append(Text(f"{word('other_tickets', locale)}: {others}"))
    return Group(*parts)
