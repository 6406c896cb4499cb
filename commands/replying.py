"""`aduan reply`'s core: queue the reply, deliver it inline where no worker runs, and report
whether it reached the citizen. A plain reply on an escalated ticket whose bidang has not
answered asks at a terminal (final or interim?) and is refused with the reason elsewhere."""

from __future__ import annotations

import sys
from typing import Any

import typer

from commands.context import app_of


def _ask_reply_kind(exc: Exception, as_json: bool) -> str | None:
    """A plain reply on an escalated ticket: at a terminal, ask; otherwise refuse with the reason."""
    if as_json or not sys.stdin.isatty():
        return None
    from commands.context import console

    console().print(str(exc), markup=False)
    choice = typer.prompt("Kirim sebagai [f]inal, [i]nterim, atau [b]atal?", default="b").strip().lower()
    return {"f": "final", "i": "interim"}.get(choice[:1])


def send_reply(ctx: typer.Context, ticket_id: str, as_json: bool, *, text: str | None = None,
               template: str | None = None, use_answer: bool = False, out=None, interim: bool = False,
               final: bool = False) -> dict[str, Any]:
    """Queue the reply, deliver it inline where there is no worker, and say whether it arrived:
    `ok` is false (and `reply` exits non-zero) when the channel refused it or its fate is unknown."""
    from ticketing.errors import AduanError, ReplyKindNeeded
    from ticketing.store.db import read_session
    from ticketing.workflow.transitions import get_ticket, reply_kind_check

    if not (interim or final):
        with read_session(app_of(ctx).engine) as session:
            try:
                reply_kind_check(get_ticket(session, ticket_id), interim, final)
            except ReplyKindNeeded as exc:
                kind = _ask_reply_kind(exc, as_json)
                interim, final = kind == "interim", kind == "final"
            except AduanError:
                pass  # reported by the reply itself, with its audit
    return _send_reply(ctx, ticket_id, as_json, text=text, template=template, use_answer=use_answer, out=out,
                       interim=interim, final=final)


def _send_reply(ctx: typer.Context, ticket_id: str, as_json: bool, *, text: str | None, template: str | None,
                use_answer: bool, out, interim: bool, final: bool) -> dict[str, Any]:
    from commands.tickets import perform, template_context
    from ticketing.errors import Refused
    from ticketing.workflow import transitions as workflow

    app = app_of(ctx)

    def work(session, ticket, actor, now):
        body = text
        if template:
            from ticketing.workflow.templates import all_templates, render_template

            body = render_template(template, all_templates(app.settings.templates),
                                   template_context(app, session, ticket))
        elif use_answer:
            body = workflow.latest_technical_answer(session, ticket)
            if not body:
                raise Refused(f"tiket {ticket.ref} belum punya jawaban bidang; minta dulu dengan "
                                 "`aduan escalate` dan tunggu `aduan answer`")
        sent = workflow.reply(session, ticket, body or "", actor, now,  # default guard: no NIK in public
                              interim=interim, final=final)
        return {"message_id": sent.id, "template": template, "used_answer": use_answer, "interim": interim}

    return perform(ctx, "reply", ticket_id, as_json, work, out=out)
