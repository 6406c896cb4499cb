"""`aduan audit verify [--json]`: walk the hash-chained event log and name the first broken event.

Supervisor only (reading the audit trail is a supervisor's right, UU 27/2022 Pasal 31 records);
the check itself is recorded as an event, so the trail shows who verified it and when. Exit 0 when
the chain is intact, 1 when an event was edited, removed or inserted out of order.
"""

from __future__ import annotations

from typing import Any

import typer

from commands.context import JSON_OPTION, app_of, print_json
from ticketing.i18n_cli import message

audit_app = typer.Typer(help="Jejak audit: periksa rantai hash riwayat.", no_args_is_help=True)

def verify(app) -> dict[str, Any]:
    """Walk the chain; the result names the first broken event and counts what was checked."""
    from ticketing.workflow.audit import verify_database

    return verify_database(app.engine)


@audit_app.command("verify")
def verify_cmd(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Periksa rantai hash jejak audit (khusus supervisor)."""
    from ticketing.store.db import run_write
    from ticketing.workflow.audit import EventDraft, record_event
    from ticketing.workflow.roles import require

    app = app_of(ctx)
    actor = app.actor()
    require(actor, "audit")
    result = verify(app)
    run_write(app.engine, lambda s: record_event(s, EventDraft(
        None, app.now(), actor.username, "audit_verified", None, None,
        {"ok": result["ok"], "events": result["events"], "first_broken_event": result["first_broken_event"]})))
    if as_json:
        print_json(result)
    elif result["ok"]:
        typer.echo(message("audit_ok", app.locale, events=result["events"]))
    else:
        typer.echo(message("audit_broken", app.locale, problem=result["first_problem"], problems=result["problems"],
                           events=result["events"]))
    if not result["ok"]:
        raise typer.Exit(1)
