"""Filter values checked before a query runs: an unknown `--channel`, `--bidang`, `--kind` or
`--category` is a usage error (exit 2) listing the choices, never an empty inbox with exit 0.

A channel is named by its name in config.yaml or by its type (`x` means every X channel), and
channels that only exist in the database (removed from the config since) still count.
"""

from __future__ import annotations

from typing import Any

import typer


def _bad(option: str, value: str, choices: list[str], locale: str) -> typer.BadParameter:
    from ticketing.i18n_cli import message

    return typer.BadParameter(message("bad_choice", locale, value=value, choices=", ".join(choices) or "-"),
                              param_hint=f"'{option}'")


def _distinct(session, column) -> list[str]:
    import sqlalchemy as sa

    return [v for (v,) in session.execute(sa.select(column).distinct()) if v]


def channel_names(app, session, value: str | None) -> list[str] | None:
    """The channel names `value` stands for (a name, or a type), or a usage error."""
    from ticketing.store.models import Ticket

    if not value:
        return None
    by_type: dict[str, list[str]] = {}
    names = [c.name for c in app.settings.channels]
    for channel in app.settings.channels:
        by_type.setdefault(channel.type, []).append(channel.name)
    import sqlalchemy as sa

    for name, kind in session.execute(sa.select(Ticket.channel, Ticket.channel_type).distinct()):
        if name not in names:
            names.append(name)
        if kind and name not in by_type.setdefault(kind, []):
            by_type[kind].append(name)
    if value in names:
        return [value]
    if value in by_type:
        return by_type[value]
    raise _bad("--channel", value, sorted(names) + sorted(t for t in by_type if t not in names), app.locale)


def configured_channels(app, value: str) -> list[str]:
    """The configured channels `value` names (a name, or a type), or a usage error listing both."""
    names = [c.name for c in app.settings.channels]
    if value in names:
        return [value]
    of_type = [c.name for c in app.settings.channels if c.type == value]
    if of_type:
        return of_type
    types = sorted({c.type for c in app.settings.channels} - set(names))
    raise _bad("--channel", value, names + types, app.locale)


def bidang_code(app, value: str | None, option: str = "--bidang") -> str | None:
    from ticketing.config import BIDANG_CODES

    if not value:
        return None
    if value.upper() not in BIDANG_CODES:
        raise _bad(option, value, list(BIDANG_CODES), app.locale)
    return value.upper()


def classification(app, session, option: str, value: str | None) -> str | None:
    """A kind or category the rules know (or one stored on a ticket), or a usage error."""
    from ticketing.store.models import Ticket
    from ticketing.workflow.statuses import MESSAGE_KINDS

    if not value:
        return None
    kinds = option == "--kind"
    known: list[str] = list(MESSAGE_KINDS) if kinds else []
    classifier = app.classifier()
    if classifier is not None:
        rules = classifier.rules.kinds if kinds else classifier.rules.categories
        known += [r.name for r in rules if r.name not in known]
    known += [v for v in _distinct(session, Ticket.kind if kinds else Ticket.category) if v not in known]
    if value not in known:
        raise _bad(option, value, known, app.locale)
    return value


def checked(app, session, **given: Any) -> dict[str, Any]:
    """The inbox filters with every named value checked (keys: channel, bidang, kind, category)."""
    return {
        "channel": channel_names(app, session, given.get("channel")),
        "bidang": bidang_code(app, given.get("bidang")),
        "kind": classification(app, session, "--kind", given.get("kind")),
        "category": classification(app, session, "--category", given.get("category")),
    }
