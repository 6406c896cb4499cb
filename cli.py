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
from commands import merge as merge_cmd
from commands import privacy as privacy_cmd
from commands import quarantine as quarantine_cmd
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
        raise typer.BadParameter("id / en", param_hint="--lang")
    ctx.obj = State(config, user, lang)


app.command("inbox")(inbox.inbox)
app.command("show")(inbox.show)
for _name, _command in tickets.COMMANDS.items():
    app.command(_name)(_command)
app.command("merge")(merge_cmd.merge)
app.command("templates")(templates_cmd.templates)
app.command("triage")(triage.triage)
app.command("demo")(admin.demo)
app.command("init")(admin.init)
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
app.add_typer(quarantine_cmd.quarantine_app, name="quarantine")


def main() -> None:
    """Entry point: run the command line, exit with the code of the one table (commands/entry.py)."""
    from commands.entry import run

    try:
        code = run(app)
    finally:
        # The process ends here: spare the interpreter its final full garbage collection over every
        # SQLAlchemy and pydantic object (a sixth of a short command's time; results are committed).
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
