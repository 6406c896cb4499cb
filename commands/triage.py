"""`aduan triage`: walk the queue one ticket at a time with single-key actions.

On a terminal a key acts at once (no Enter); from a pipe each line is one key or one answer,
so a session can be scripted and tested. The queue is fixed when triage starts, and each
ticket is read again before it is shown: one another admin handled meanwhile is skipped.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any, TextIO

import typer

from commands.context import JSON_OPTION, app_of, console, print_json

KEYS = {"r": "reply", "i": "interim", "e": "edit", "t": "escalate", "x": "close", "s": "skip", "n": "skip",
        "q": "quit"}


class KeyReader:
    """Single keys and short answers, from a terminal or from piped lines."""

    def __init__(self, stream: TextIO, out):
        self.stream, self.out = stream, out
        self.tty = stream.isatty()

    def key(self, prompt: str) -> str | None:
        """One lower-cased key; None at end of input."""
        self.out.print(prompt, end=" ")
        if self.tty:
            try:
                char = typer.getchar()
            except (KeyboardInterrupt, EOFError):
                return None
            self.out.print(char if char.isprintable() else "")
            return char.lower()
        while True:
            line = self.stream.readline()
            if not line:
                return None
            if line.strip():
                self.out.print(line.strip()[:1])
                return line.strip()[0].lower()

    def answer(self, prompt: str) -> str | None:
        self.out.print(f"{prompt}:", end=" ")
        try:
            line = input() if self.tty else self.stream.readline()
        except (KeyboardInterrupt, EOFError):
            return None
        if not self.tty:
            self.out.print(line.strip())
        return line.strip() if line else None


def _pick(answer: str | None, options: list[str]) -> str | None:
    """An option by its number (1-based) or its name, case-insensitively."""
    if not answer:
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    by_name = {o.lower(): o for o in options}
    return by_name.get(answer.lower())


def _numbered(options: list[str]) -> str:
    return "  ".join(f"{i}) {o}" for i, o in enumerate(options, 1))


def triage(
    ctx: typer.Context,
    channel: str = typer.Option(None, "--channel", help="Hanya kanal ini."),
    bidang: str = typer.Option(None, "--bidang", help="Hanya bidang ini."),
    overdue: bool = typer.Option(False, "--overdue", help="Hanya yang lewat batas waktu."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Triase antrean satu per satu: balas dgn templat, teruskan, tutup, lewati, editor, keluar."""
    from commands.tickets import guarded
    from ticketing.store.db import read_session
    from ticketing.workflow.views import InboxFilter, inbox

    app = app_of(ctx)
    out = console(stderr=as_json)  # with --json, stdout carries only the final summary

    def queue() -> list[dict[str, Any]]:
        actor = app.actor()
        filters = InboxFilter(channel=channel, bidang=bidang, overdue=overdue, limit=limit,
                              escalated_to=actor.bidang if actor.role == "teknis" else None)
        with read_session(app.engine) as session:
            return inbox(session, filters, app.now(), app.warn_before, app.locale)

    items = guarded(app, "read", None, as_json, queue)
    session_log = Session(ctx, app, out, KeyReader(sys.stdin, out))
    session_log.run([item["id"] for item in items])
    if as_json:
        print_json({"reviewed": session_log.reviewed, "actions": session_log.actions,
                    "counts": dict(Counter(a["action"] for a in session_log.actions if a["ok"]))})


class Session:
    """One triage run: shows each ticket, reads keys, performs actions, keeps a log."""

    def __init__(self, ctx: typer.Context, app, out, keys: KeyReader):
        self.ctx, self.app, self.out, self.keys = ctx, app, out, keys
        self.locale = app.locale
        self.actions: list[dict[str, Any]] = []
        self.reviewed = 0

    def run(self, queue: list[int]) -> None:
        from ticketing.i18n import word

        if not queue:
            self.out.print(word("triage_empty", self.locale))
            return
        for position, ticket_id in enumerate(queue, 1):
            if not self.visit(ticket_id, position, len(queue)):
                break
        counts = Counter(a["action"] for a in self.actions if a["ok"])
        summary = ", ".join(f"{word('done_' + k, self.locale) if k != 'skip' else word('skipped', self.locale)}"
                            f": {n}" for k, n in sorted(counts.items())) or "-"
        self.out.print(f"{word('triage_done', self.locale)} ({self.reviewed}): {summary}")

    def visit(self, ticket_id: int, position: int, total: int) -> bool:
        """Show one ticket and act on keys until it is handled or skipped; False means quit."""
        from commands.inbox import ticket_data
        from commands.render import plain, triage_card
        from ticketing.errors import AduanError
        from ticketing.i18n import word
        from ticketing.workflow.statuses import OPEN_STATUSES

        try:
            data = ticket_data(self.app, str(ticket_id))
        except AduanError as exc:
            self.out.print(plain(str(exc), style="red"))
            return True
        if data["status"] not in OPEN_STATUSES:
            self.out.print(plain(f"{data['ref']}: {word('triage_gone', self.locale)}"))
            return True
        self.reviewed += 1
        self.out.print(triage_card(data, self.app.now(), self.locale, position, total))
        while True:
            key = self.keys.key(word("triage_keys", self.locale))
            action = "quit" if key is None else KEYS.get(key)
            if action == "quit":
                return False
            if action == "skip":
                self.actions.append({"ticket": data["ref"], "action": "skip", "ok": True})
                return True
            if action is None:
                self.out.print(plain(f"{word('unknown_key', self.locale)}: {key}", style="yellow"))
                continue
            if self.act(action, data):
                return True

    def act(self, action: str, data: dict[str, Any]) -> bool:
        """Perform one action; True when the ticket is done, False to ask for another key."""
        from commands.render import plain
        from ticketing.errors import AduanError

        try:
            done = self._perform(action, data["ref"])
        except AduanError as exc:
            self.out.print(plain(str(exc), style="bold red"))
            self.actions.append({"ticket": data["ref"], "action": action, "ok": False, "error": str(exc)})
            return False
        if done is None:  # cancelled at a prompt
            return False
        self.actions.append({"ticket": data["ref"], "action": done["action"], "ok": done.get("ok", True),
                             "status": done["ticket"]["status"]})
        return True

    def _perform(self, action: str, ref: str) -> dict[str, Any] | None:
        from commands import tickets
        from ticketing.config import BIDANG_CODES
        from ticketing.i18n import word
        from ticketing.workflow.statuses import CLOSE_REASONS
        from ticketing.workflow.templates import all_templates

        locale, ctx = self.locale, self.ctx
        if action in ("reply", "interim"):  # interim: an acknowledgement that keeps status and clock
            names = sorted(all_templates(self.app.settings.templates))
            self.out.print(_numbered(names))
            name = _pick(self.keys.answer(word("choose_template", locale)), names)
            return tickets.send_reply(ctx, ref, False, template=name, out=self.out,
                                      interim=action == "interim") if name else None
        if action == "edit":
            text = tickets.guarded(self.app, "reply", ref, False, lambda: tickets.compose_in_editor(self.app, ref))
            return tickets.send_reply(ctx, ref, False, text=text, out=self.out)
        if action == "escalate":
            self.out.print(_numbered(list(BIDANG_CODES)))
            code = _pick(self.keys.answer(word("choose_bidang", locale)), list(BIDANG_CODES))
            return tickets.perform(ctx, "escalate", ref, False, tickets.escalate_work(code), out=self.out) \
                if code else None
        self.out.print(_numbered(list(CLOSE_REASONS)))
        reason = _pick(self.keys.answer(word("choose_reason", locale)), list(CLOSE_REASONS))
        return tickets.perform(ctx, "close", ref, False, tickets.close_work(reason), out=self.out) \
            if reason else None
