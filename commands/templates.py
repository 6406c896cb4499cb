"""`aduan templates`: the canned replies, their placeholders, and a filled-in preview."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, console, print_json


def templates(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="Satu templat saja."),
    ticket: str = typer.Option(None, "--ticket", help="Pratinjau templat NAME terisi untuk tiket ini."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Daftar templat balasan (bawaan + config), atau pratinjau satu templat untuk sebuah tiket."""
    from ticketing.errors import AduanError
    from ticketing.workflow.templates import (
        DEFAULT_TEMPLATES,
        PLACEHOLDERS,
        all_templates,
        check_template,
        require_template,
    )

    app = app_of(ctx)
    known = all_templates(app.settings.templates)
    if ticket and not name:
        raise typer.BadParameter("sebutkan NAME templat untuk pratinjau", param_hint="--ticket")
    if name and name not in known:
        require_template(name, known)
    if ticket:
        _preview(app, name, ticket, known, as_json)
        return
    chosen = {name: known[name]} if name else known
    problems = {}
    for key, text in chosen.items():
        try:
            check_template(key, text)
        except AduanError as exc:
            problems[key] = str(exc)
    if as_json:
        print_json([{"name": key, "text": text, "builtin": key in DEFAULT_TEMPLATES and
                     key not in app.settings.templates, "error": problems.get(key)}
                    for key, text in sorted(chosen.items())])
    else:
        from commands.render import plain, templates_table

        builtin = {k for k in DEFAULT_TEMPLATES if k not in app.settings.templates}
        out = console()
        out.print(templates_table(chosen, builtin, PLACEHOLDERS, app.locale))
        for problem in problems.values():
            out.print(plain(problem, style="bold red"))
    if problems:
        raise typer.Exit(1)


def _preview(app, name: str, ticket_id: str, known: dict[str, str], as_json: bool) -> None:
    from commands.tickets import guarded, template_context
    from ticketing.store.db import read_session
    from ticketing.workflow.templates import render_template
    from ticketing.workflow.transitions import check_access, get_ticket

    def body() -> tuple[str, str]:
        actor = app.actor()
        with read_session(app.engine) as session:
            ticket = get_ticket(session, ticket_id)
            check_access(ticket, actor, "read", session)
            return ticket.ref, render_template(name, known, template_context(app, session, ticket))

    ref, text = guarded(app, "read", ticket_id, as_json, body)
    if as_json:
        print_json({"name": name, "ticket": ref, "text": text})
        return

    from commands.render import panel, plain
    from ticketing.i18n import word

    console().print(panel(plain(text), title=plain(f"{word('preview', app.locale)}: {name} · {ref}"),
                          title_align="left"))
