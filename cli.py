"""`aduan`: the command line of the complaint inbox.

Thin by design: parse, call `ticketing`, render. Command modules import their heavy
dependencies inside the command functions, so `aduan --help` starts fast.
"""

from __future__ import annotations

import gc
import sys

import typer

from commands import (
    admin,
    classify_train,  # noqa: F401  (registers classify train/labels/eval)
    inbox,
    tickets,
    triage,
    webhook,
)
from commands import audit as audit_cmd
from commands import classify as classify_cmd
from commands import collect as collect_cmd
from commands import health as health_cmd
from commands import privacy as privacy_cmd
from commands import recap as recap_cmd
from commands import route as route_cmd
from commands import sla as sla_cmd
from commands import templates as templates_cmd
from commands import worker as worker_cmd
from commands.context import State

app = typer.Typer(
    name="aduan",
    help="Kotak masuk pengaduan daring Dindukcapil: kumpulkan, jawab, teruskan, rekap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich's help renderer imports more than the whole command needs
)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: str = typer.Option(None, "--config", envvar="ADUAN_CONFIG",
                               help="Configuration file (default ./config.yaml)."),
    user: str = typer.Option(None, "--as", help="Act as this staff user (default ADUAN_USER or the OS user)."),
    lang: str = typer.Option(None, "--lang", help="Language of the output: id (default) or en."),
) -> None:
    if lang not in (None, "id", "en"):
        raise typer.BadParameter("use id or en", param_hint="--lang")
    ctx.obj = State(config, user, lang)


app.command("inbox")(inbox.inbox)
app.command("show")(inbox.show)
for _name, _command in tickets.COMMANDS.items():
    app.command(_name)(_command)
app.command("templates")(templates_cmd.templates)
app.command("triage")(triage.triage)
app.command("demo")(admin.demo)
app.command("collect")(collect_cmd.collect)
app.add_typer(collect_cmd.channels_app, name="channels")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.config_app, name="config")
app.add_typer(recap_cmd.recap_app, name="recap")
app.add_typer(sla_cmd.sla_app, name="sla")
app.command("worker")(worker_cmd.worker)
app.add_typer(worker_cmd.outbox_app, name="outbox")
app.add_typer(webhook.webhook_app, name="webhook")
app.add_typer(classify_cmd.classify_app, name="classify")
app.command("route")(route_cmd.route)
app.add_typer(privacy_cmd.privacy_app, name="privacy")
app.add_typer(audit_cmd.audit_app, name="audit")
app.command("health")(health_cmd.health)


EXIT_REFUSED = 1
EXIT_CONFIG = 2


def main() -> None:
    """Entry point: turn aduan's own errors into one clear line and an exit code."""
    from ticketing.errors import AduanError, ConfigError

    try:
        app(standalone_mode=True)
    except AduanError as exc:
        from ticketing.privacy.redact import redact
        from ticketing.privacy.safety import safe_terminal_text

        _audit_escaped_refusal(exc)
        sys.stderr.write(f"aduan: {safe_terminal_text(redact(exc))}\n")  # no secret in an error line
        sys.exit(EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_REFUSED)
    finally:
        # The process ends here: spare the interpreter its final full garbage collection over every
        # SQLAlchemy and pydantic object (a sixth of a short command's time; results are committed).
        gc.freeze()


def _audit_escaped_refusal(exc: Exception) -> None:
    """A role refusal that no command audited itself is audited here, once (UU 27/2022: every
    attempt on personal data leaves a trace). Best effort: the refusal still reaches the user."""
    from ticketing.errors import PermissionDenied

    if not isinstance(exc, PermissionDenied):
        return
    from commands.context import current_state
    from ticketing.workflow.audit import refusal_recorded

    state = current_state[0]
    if state is None or refusal_recorded(str(exc)):
        return
    try:
        from ticketing.store.db import run_write
        from ticketing.workflow.audit import EventDraft, record_event

        app = state.app
        command = " ".join(a for a in sys.argv[1:] if not a.startswith("-"))[:80]
        run_write(app.engine, lambda s: record_event(s, EventDraft(
            None, app.now(), app.audit_name(), "refused", None, None,
            {"action": command, "reason": str(exc), "ticket": None})))
    except Exception as failure:
        from ticketing.privacy.redact import redact
        from ticketing.privacy.safety import safe_terminal_text

        sys.stderr.write(f"aduan: penolakan tidak tercatat di audit: {safe_terminal_text(redact(failure))}\n")


if __name__ == "__main__":
    main()
