"""How `aduan` runs one command line: global options before or after the subcommand, help and
usage errors in the chosen language, and one exit-code table for every command:

    0    done
    1    refused or failed (a role refusal, an invalid transition, a channel that failed)
    2    usage or configuration (unknown option or value, missing or invalid config.yaml)
    130  interrupted (Ctrl-C)

Click itself exits 1 on Ctrl-C and prints English; both are taken over here.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from typer import _click as click  # Typer bundles its own Click: its classes, not the click package's
from typer.exceptions import Abort, Exit

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The root options every subcommand accepts too: (flag, State attribute).
GLOBAL_OPTIONS = (("--config", "config"), ("--as", "user"), ("--lang", "lang"))


def _set_global(attribute: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is None:
            return
        if attribute == "lang" and value not in ("id", "en"):
            raise click.BadParameter("id / en", ctx=ctx, param=param)
        from commands.context import state

        setattr(state(ctx), attribute, value)  # type: ignore[arg-type]

    return callback


def add_global_options(group: click.Command) -> None:
    """Give every subcommand the root's --config/--as/--lang, so `aduan inbox --as admin1` works
    like `aduan --as admin1 inbox` (Click itself only knows options where they are declared)."""
    root = {p.name: p for p in group.params}
    for command in _descendants(group):
        present = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for flag, attribute in GLOBAL_OPTIONS:
            if flag in present:
                continue
            option = copy.copy(root[attribute])  # same flag, type and help; only records the value
            option.name, option.expose_value, option.envvar = attribute + "_global", False, None
            option.callback = _set_global(attribute)
            command.params.append(option)


def _descendants(group: click.Command):
    for command in getattr(group, "commands", {}).values():
        yield command
        yield from _descendants(command)


def locale_of(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language of help and usage errors, known before Click parses anything: --lang
    anywhere on the line, else ADUAN_LOCALE, else office.locale of the config file, else id."""
    from ticketing.i18n_cli import LOCALES

    chosen = None
    for index, token in enumerate(argv):
        if token == "--":
            break
        if token == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif token.startswith("--lang="):
            chosen = token.split("=", 1)[1]
    if chosen in LOCALES:
        return chosen
    if environ.get("ADUAN_LOCALE") in LOCALES:
        return environ["ADUAN_LOCALE"]
    return _config_locale(argv, environ) or "id"


def _config_locale(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    path = environ.get("ADUAN_CONFIG") or "config.yaml"
    for index, token in enumerate(argv[:-1]):
        if token == "--config":
            path = argv[index + 1]
    try:
        import yaml

        with open(path, encoding="utf-8") as file:
            for line in file:  # only office.locale is wanted: no full parse for a help screen
                stripped = line.split("#", 1)[0].strip()
                if stripped.startswith("locale:") and line.startswith((" ", "\t")):
                    value = yaml.safe_load(stripped.split(":", 1)[1])
                    return value if value in ("id", "en") else None
    except Exception:  # unreadable or broken: the command itself reports it, in the default language
        return None
    return None


_OUR_METAVARS: set[str] = set()  # placeholders set by localize_help, replaced when it runs again


def localize_help(command: click.Command, locale: str) -> None:
    """Every command's and option's help in `locale` (ticketing/i18n_help.py pairs the texts)."""
    from ticketing.i18n_help import metavar, translate

    stack = [command]
    while stack:
        current = stack.pop()
        current.help = translate(current.help, locale)
        current.short_help = translate(current.short_help, locale)
        for param in current.params:
            if getattr(param, "help", None):
                param.help = translate(param.help, locale)
            if not getattr(param, "is_flag", False) and param.metavar in (None, *_OUR_METAVARS):
                param.metavar = metavar(param.name, locale)
                _OUR_METAVARS.add(param.metavar)
        stack.extend(getattr(current, "commands", {}).values())


def run(typer_app, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Parse and run one command line; return its exit code from the table above."""
    import typer.main

    from ticketing.errors import AduanError, ConfigError
    from ticketing.i18n_cli import message

    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    locale = locale_of(argv, environ)
    _speak(locale)
    command = typer.main.get_command(typer_app)
    add_global_options(command)
    localize_help(command, locale)
    try:
        with command.make_context("aduan", argv) as ctx:
            command.invoke(ctx)
        return EXIT_OK
    except Exit as exc:
        return exc.exit_code
    except click.exceptions.UsageError as exc:
        _show(exc, locale)
        return EXIT_USAGE
    except click.exceptions.ClickException as exc:
        _show(exc, locale)
        return EXIT_FAILED
    except (Abort, KeyboardInterrupt, EOFError):
        sys.stderr.write(f"\naduan: {message('interrupted', _chosen(locale))}\n")
        return EXIT_INTERRUPTED
    except AduanError as exc:
        from ticketing.privacy.redact import redact
        from ticketing.privacy.safety import safe_terminal_text

        _audit_escaped_refusal(exc)
        from ticketing.i18n_cli import error_text

        text = error_text(str(exc), _chosen(locale))
        sys.stderr.write(f"aduan: {safe_terminal_text(redact(text))}\n")  # no secret in an error line
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED
    except BrokenPipeError:
        sys.stdout = click.utils.PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment,attr-defined]
        return EXIT_FAILED


_ORIGINAL: dict[str, Callable] = {}


def _speak(locale: str) -> None:
    """Help screens and usage lines rendered by Click, in `locale` (Click itself writes English)."""
    from ticketing.i18n_cli import click_text

    if not _ORIGINAL:
        _ORIGINAL.update(get_help=click.Context.get_help, get_usage=click.Context.get_usage)
    get_help, get_usage = _ORIGINAL["get_help"], _ORIGINAL["get_usage"]
    click.Context.get_help = lambda self: click_text(get_help(self), locale)  # type: ignore[method-assign]
    click.Context.get_usage = lambda self: click_text(get_usage(self), locale)  # type: ignore[method-assign]


def _show(exc, locale: str) -> None:
    """Click's error display (usage, hint, `Error: ...`) on stderr, in `locale`."""
    import io

    from ticketing.i18n_cli import click_text, error_text

    if isinstance(getattr(exc, "message", None), str):
        exc.message = error_text(exc.message, _chosen(locale))  # ours are raised in Indonesian
    buffer = io.StringIO()
    exc.show(file=buffer)
    sys.stderr.write(click_text(buffer.getvalue(), locale))


def _chosen(locale: str) -> str:
    """The language in effect: the loaded configuration's, when a command got that far."""
    from commands.context import current_state

    state = current_state[0]
    if state is not None and state._app is not None:
        return state._app.locale
    return locale


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
