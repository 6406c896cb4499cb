"""`aduan`: the command line of the complaint inbox.

Thin by design: parse, call `ticketing`, render. Command modules import their heavy
dependencies inside the command functions, so `aduan --help` starts fast.
"""

from __future__ import annotations

import sys

import typer

from commands import admin, inbox
from commands.context import State

app = typer.Typer(
    name="aduan",
    help="Kotak masuk pengaduan daring Dindukcapil: kumpulkan, jawab, teruskan, rekap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
app.command("demo")(admin.demo)
app.add_typer(admin.db_app, name="db")


EXIT_REFUSED = 1
EXIT_CONFIG = 2


def main() -> None:
    """Entry point: turn aduan's own errors into one clear line and an exit code."""
    from ticketing.errors import AduanError, ConfigError

    try:
        app(standalone_mode=True)
    except AduanError as exc:
        from ticketing.safety import safe_terminal_text

        sys.stderr.write(f"aduan: {safe_terminal_text(str(exc))}\n")
        sys.exit(EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_REFUSED)


if __name__ == "__main__":
    main()
