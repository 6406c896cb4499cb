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
        self.out.file.flush()  # the prompt has no newline: on a terminal it would wait in the buffer
        if self.tty:
            try:
                char = typer.getchar()  # Ctrl-C arrives as KeyboardInterrupt: the run exits 130
            except EOFError:
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
        self.out.file.flush()
        try:
            line = input() if self.tty else self.stream.readline()
        except EOFError:
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


def _numbered(options: list[str], labels: dict[str, str] | None = None) -> str:
    return "  ".join(f"{i}) {o}" + (f" ({labels[o]})" if labels and o in labels else "")
                     for i, o in enumerate(options, 1))


# The confirmation after a template preview: send, edit in the editor, cancel (per language).
CONFIRM_KEYS = {"id": {"k": "send", "u": "edit", "b": "cancel"}, "en": {"s": "send", "e": "edit", "c": "cancel"}}


def triage(
    ctx: typer.Context,
    channel: str = typer.Option(None, "--channel", help="Hanya kanal ini."),
    bidang: str = typer.Option(None, "--bidang", help="Hanya bidang ini."),
    overdue: bool = typer.Option(False, "--overdue", help="Hanya yang lewat batas waktu."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Paling banyak sekian tiket dalam satu sesi."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Triase antrean satu per satu: balas dgn templat, teruskan, tutup, lewati, editor, keluar."""
    from commands.tickets import guarded
    from ticketing.store.db import read_session
    from ticketing.workflow.views import InboxFilter, inbox

    app = app_of(ctx)
    out = console(stderr=as_json)  # with --json, stdout carries only the final summary

    def queue() -> list[dict[str, Any]]:
        from commands.filters import bidang_code, channel_names

        actor = app.actor()
        with read_session(app.engine) as session:
            filters = InboxFilter(channel=channel_names(app, session, channel), bidang=bidang_code(app, bidang),
                                  overdue=overdue, limit=limit,
                                  escalated_to=actor.bidang if actor.role == "teknis" else None)
            return inbox(session, filters, app.now(), app.warn_before, app.locale)

    items = guarded(app, "read", None, as_json, queue)
    session_log = Session(ctx, app, out, KeyReader(sys.stdin, out))
    session_log.run([item["id"] for item in items])
    if as_json:
        print_json({"reviewed": session_log.reviewed, "actions": session_log.actions,
                    "counts": dict(Counter(a["action"] for a in session_log.actions if a["ok"])),
                    "interrupted": session_log.interrupted})
    if session_log.interrupted:
        from commands.entry import EXIT_INTERRUPTED

        raise typer.Exit(EXIT_INTERRUPTED)


class Session:
    """One triage run: shows each ticket, reads keys, performs actions, keeps a log."""

    def __init__(self, ctx: typer.Context, app, out, keys: KeyReader):
        self.ctx, self.app, self.out, self.keys = ctx, app, out, keys
        self.locale = app.locale
        self.actions: list[dict[str, Any]] = []
        self.reviewed = 0
        self.interrupted = False

    def run(self, queue: list[int]) -> None:
        from ticketing.i18n import word
        from ticketing.i18n_cli import message

        if not queue:
            self.out.print(word("triage_empty", self.locale))
            return
        try:
            for position, ticket_id in enumerate(queue, 1):
                if not self.visit(ticket_id, position, len(queue)):
                    break
        except KeyboardInterrupt:  # Ctrl-C: say what was done, then exit 130 like every command
            self.out.print("")
            self.out.print(f"{message('triage_interrupted', self.locale)} ({self.reviewed}): {self.summary()}")
            self.interrupted = True
            return
        self.out.print(f"{word('triage_done', self.locale)} ({self.reviewed}): {self.summary()}")

    def summary(self) -> str:
        from ticketing.i18n import word

        counts = Counter(a["action"] for a in self.actions if a["ok"])
        return ", ".join(f"{word('done_' + k, self.locale) if k != 'skip' else word('skipped', self.locale)}"
                         f": {n}" for k, n in sorted(counts.items())) or "-"

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
            from ticketing.i18n_cli import error_text

            self.out.print(plain(error_text(str(exc), self.locale), style="red"))
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
            from ticketing.i18n_cli import error_text

            self.out.print(plain(error_text(str(exc), self.locale), style="bold red"))
            self.actions.append({"ticket": data["ref"], "action": action, "ok": False, "error": str(exc)})
            return False
        if done is None:  # cancelled at a prompt
            return False
        self.actions.append({"ticket": data["ref"], "action": done["action"], "ok": done.get("ok", True),
                             "status": done["ticket"]["status"]})
        return True

    def choose(self, prompt: str, options: list[str], labels: dict[str, str] | None = None) -> str | None:
        """Show the numbered options and ask until one is named; an empty answer cancels. An
        unknown answer is said to be unknown, with the choices (never a silent re-prompt)."""
        from commands.render import plain
        from ticketing.i18n_cli import message

        self.out.print(plain(_numbered(options, labels)))
        while True:
            answer = self.keys.answer(prompt)
            if not answer:
                return None
            picked = _pick(answer, options)
            if picked is not None:
                return picked
            self.out.print(plain(message("triage_unknown_choice", self.locale, value=answer,
                                         choices=", ".join(options)), style="yellow"))

    def _perform(self, action: str, ref: str) -> dict[str, Any] | None:
        from commands import tickets
        from commands.replying import send_reply
        from ticketing.config import BIDANG_CODES
        from ticketing.i18n import word
        from ticketing.workflow.statuses import CLOSE_REASONS
        from ticketing.workflow.templates import BIDANG_NAMES, all_templates

        locale, ctx = self.locale, self.ctx
        if action in ("reply", "interim"):  # interim: an acknowledgement that keeps status and clock
            names = sorted(all_templates(self.app.settings.templates))
            name = self.choose(word("choose_template", locale), names)
            return self.confirm_template(ref, name, interim=action == "interim") if name else None
        if action == "edit":
            text = tickets.guarded(self.app, "reply", ref, False, lambda: tickets.compose_in_editor(self.app, ref))
            return send_reply(ctx, ref, False, text=text, out=self.out)
        if action == "escalate":
            from ticketing.i18n_cli import message

            code = self.choose(word("choose_bidang", locale), list(BIDANG_CODES), BIDANG_NAMES)
            if code is None:
                return None
            note = self.keys.answer(message("triage_escalation_note", locale)) or ""
            return tickets.perform(ctx, "escalate", ref, False, tickets.escalate_work(code, note), out=self.out)
        reason = self.choose(word("choose_reason", locale), list(CLOSE_REASONS))
        return tickets.perform(ctx, "close", ref, False, tickets.close_work(reason), out=self.out) \
            if reason else None

    def confirm_template(self, ref: str, name: str, interim: bool = False) -> dict[str, Any] | None:
        """The template filled in for this ticket, then send, edit or cancel: one key never sends
        a reply the admin has not read."""
        from commands import tickets
        from commands.render import plain
        from commands.replying import send_reply
        from ticketing.i18n import word
        from ticketing.i18n_cli import message

        text = tickets.guarded(self.app, "reply", ref, False, lambda: filled_template(self.app, ref, name))
        self.out.print(plain(f"--- {word('preview', self.locale)}: {name} ---"))
        self.out.print(plain(text))
        self.out.print(plain("---"))
        keys = CONFIRM_KEYS.get(self.locale, CONFIRM_KEYS["id"])
        while True:
            key = self.keys.key(message("triage_send_edit_cancel", self.locale))
            choice = "cancel" if key is None else keys.get(key)
            if choice == "send":
                return send_reply(self.ctx, ref, False, text=text, out=self.out, interim=interim)
            if choice == "edit":
                initial = f"{text}\n# {ref}: {name}. {message('editor_hint', self.locale)}\n"
                edited = tickets.guarded(self.app, "reply", ref, False,
                                         lambda initial=initial: tickets.edit_text(initial, self.app.environ))
                return send_reply(self.ctx, ref, False, text=edited, out=self.out, interim=interim)
            if choice == "cancel":
                self.out.print(plain(message("triage_cancelled", self.locale)))
                return None
            self.out.print(plain(f"{word('unknown_key', self.locale)}: {key}", style="yellow"))


def filled_template(app, ref: str, name: str) -> str:
    """The reply `name` would send on this ticket (the same rendering `reply --template` does)."""
    from commands.tickets import template_context
    from ticketing.store.db import read_session
    from ticketing.workflow.templates import all_templates, render_template
    from ticketing.workflow.transitions import check_access, get_ticket

    actor = app.actor()
    with read_session(app.engine) as session:
        ticket = get_ticket(session, ref)
        check_access(ticket, actor, "reply", session)
        return render_template(name, all_templates(app.settings.templates), template_context(app, session, ticket))
