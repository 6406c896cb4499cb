"""`aduan demo`: the whole flow on bundled sample data, with no setup and no credentials.

A sandbox API server (collectors/sandbox_server.py) starts on 127.0.0.1 and speaks the
Telegram Bot API, X API v2 and Graph API over the sample messages; the sandbox channels (the
real collectors pointed at it, collectors/sandbox.py; mail from the sample inbox) are read
through the real `aduan collect` runner into a fresh SQLite file; then the inbox and one full
conversation are printed, and commands to try next that work when pasted. Channel types whose
collector cannot be loaded are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collectors.sandbox_server import SANDBOX_TOKEN
from ticketing.i18n import word
from ticketing.i18n_cli import error_text, message

DEMO_SECRETS = {  # placeholders only the sandbox server accepts; nothing leaves the machine
    "ADUAN_DEMO_TG_TOKEN": SANDBOX_TOKEN,
    "ADUAN_DEMO_X_BEARER": "demo-x-bearer-token",
    "ADUAN_DEMO_FB_TOKEN": "demo-facebook-page-token",
}


def demo_channels(base_url: str, office: dict[str, Any]) -> list[dict[str, Any]]:
    """The production channel types configured against a given sandbox server (with DEMO_SECRETS):
    what the sandbox channel types do inside, spelled out for tests of each collector."""
    return [
        {"name": "demo-telegram", "type": "telegram", "base_url": base_url, "bot_token_env": "ADUAN_DEMO_TG_TOKEN"},
        {"name": "demo-x", "type": "x", "base_url": base_url, "user_id": office["x_user_id"],
         "username": office["x_username"], "bearer_token_env": "ADUAN_DEMO_X_BEARER", "bearer_is_user_token": True},
        {"name": "demo-facebook", "type": "facebook", "base_url": base_url, "graph_version": "v23.0",
         "page_id": office["facebook_page_id"], "page_token_env": "ADUAN_DEMO_FB_TOKEN"},
    ]


def loadable(channel_type: str) -> bool:
    from ticketing.contract.registry import collector_class
    from ticketing.errors import ConfigError

    try:
        collector_class(channel_type)
    except ConfigError:
        return False
    return True


# The demo's own channels: the real collectors against the process's sandbox server, so the
# demo database can be answered later with the demo's configuration (replies stay on this machine).
SANDBOX_CHANNELS = (("demo-telegram", "sandbox", "telegram"), ("demo-x", "sandbox-x", "x"),
                    ("demo-facebook", "sandbox-facebook", "facebook"), ("demo-email", "sandbox-email", "sandbox"))


def _fresh_database(database: str) -> Path:
    path = Path(database).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def write_demo_config(base_source: str | None, database: Path, channels: list[dict[str, Any]]) -> Path:
    """`aduan-demo.yaml` beside the demo database: the base configuration (staff, templates, SLA)
    with the demo database and the sandbox channels, so every printed next step works from any
    folder with `--config`."""
    import yaml

    data: dict[str, Any] = {}
    if base_source and Path(base_source).exists():
        data = yaml.safe_load(Path(base_source).read_text(encoding="utf-8")) or {}
    data["database"] = {**(data.get("database") or {}), "url": f"sqlite:///{database}"}
    data["redis"] = {"url": None}  # the demo runs inline: replies are delivered by the command itself
    # the demo is a sandbox on one machine: its next steps act as the demo staff (`--as admin1`)
    # whatever OS account pastes them; a real install keeps `identity: os` (README, Identity)
    data["identity"] = "declared"
    data["channels"] = channels
    path = database.with_suffix(".yaml")
    header = ("# Written by `aduan demo`: the demo database and its sandbox channels (nothing leaves\n"
              "# this machine). Recreated by every `aduan demo`; your own config.yaml is not touched.\n")
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_demo(app, database: str, out) -> bool:
    """Run the demo; return False when a demo channel failed (the command then exits 1)."""
    from collectors.sandbox import sandbox_server
    from commands.collect import run_line
    from ticketing.app import App
    from ticketing.config import ChannelSettings
    from ticketing.intake.collect import collect
    from ticketing.store.db import open_database

    path = _fresh_database(database)
    now = app.now()
    sandbox = sandbox_server(lambda: now)
    channels = [{"name": name, "type": kind, "enabled": True} for name, kind, real in SANDBOX_CHANNELS
                if loadable(real) and loadable(kind)]
    config_path = write_demo_config(app.settings.source, path, channels)
    settings = app.settings.model_copy(deep=True)
    settings.database.url = f"sqlite:///{path}"
    settings.redis.url = None
    settings.channels = [ChannelSettings.model_validate(c) for c in channels]
    settings.source = str(config_path)
    demo_app = App(settings, app.environ, now=now, locale=app.locale)
    demo_app.__dict__["engine"] = open_database(settings.database.url)
    before = len(sandbox.telegram.sent) + len(sandbox.x.sent) + len(sandbox.graph.sent) + len(sandbox.mails_sent)
    runs = collect(demo_app)
    for run in runs:
        out.print(run_line(run, demo_app.locale))
    _reply_to_blocked_chat(demo_app, sandbox, out)
    replies = len(sandbox.telegram.sent) + len(sandbox.x.sent) + len(sandbox.graph.sent) + len(sandbox.mails_sent) \
        - before
    items = _show(demo_app, path, out)
    if replies:
        out.print(message("demo_replies_sent", demo_app.locale, count=replies))
    _report_line(demo_app, sandbox.samples, out)
    _next_steps(demo_app, items, config_path, out)
    return not any(run.failed for run in runs)


def _reply_to_blocked_chat(app, sandbox, out) -> None:
    """One reply the channel refuses (the citizen blocked the bot): the ticket stays open, *Gagal kirim*."""
    import sqlalchemy as sa

    from ticketing.outbound import outbox
    from ticketing.store.db import write_session
    from ticketing.store.models import Ticket
    from ticketing.workflow import transitions as workflow
    from ticketing.workflow.roles import Actor

    chats = [str(chat) for chat in sorted(sandbox.telegram.blocked)]
    with write_session(app.engine) as session:
        ticket = session.execute(sa.select(Ticket).where(Ticket.channel == "demo-telegram",
                                                         Ticket.thread_key.in_(chats))).scalars().first()
        if ticket is None or ticket.status != "new":
            return
        message_id = workflow.reply(session, ticket, "Selamat siang. KTP-el pengganti bisa diurus di kecamatan "
                                    "dengan membawa KK dan surat keterangan kehilangan.",
                                    Actor("demo", "admin", name="Admin Demo"), app.now()).id
        ref = ticket.ref
    outcome = outbox.deliver(app, message_id)
    out.print(message("demo_reply_outcome", app.locale, ref=ref, state=word(outcome.state, app.locale),
                      error=error_text(outcome.error or "-", app.locale)), markup=False)


def _report_line(app, samples, out) -> None:
    """The sample months' reports as a supervisor reads them: the flow and its reconciliation line."""
    from ticketing.reports.flow_view import reconciliation_line
    from ticketing.reports.recap import monthly_recap
    from ticketing.reports.words import w
    from ticketing.store.db import read_session

    first = app.calendar.local_date(min(m["at"] for m in samples.messages))
    last = app.calendar.local_date(samples.anchor)
    months = sorted({(first.year, first.month), (last.year, last.month)})
    locale = app.locale
    for year, month in months:
        with read_session(app.engine) as session:
            flow = monthly_recap(session, app.calendar, year, month, app.now(), app.settings.sla.working_days)["flow"]
        out.print(f"{w('monthly_title', locale)} {year:04d}-{month:02d}: {reconciliation_line(flow, locale)}; "
                  f"{w('flow_answered', locale)} {flow['answered']} ({w('met', locale)} {flow['answered_on_time']}, "
                  f"{w('late', locale)} {flow['answered_late']})", markup=False)


def aduan_command() -> str:
    """How to call this very aduan from any shell: the script's full path (a fresh shell has no
    activated virtual environment, so a bare `aduan` is not on PATH)."""
    import shutil
    import sys

    script = Path(sys.argv[0])
    if script.name == "aduan" and script.exists():
        return str(script.absolute())
    beside = Path(sys.executable).parent / "aduan"
    if beside.exists():
        return str(beside)
    return shutil.which("aduan") or "aduan"


def _next_steps(app, items: list[dict[str, Any]], config_path: Path, out) -> None:
    """Commands that work when pasted as they are: full path, the demo's config, the demo user."""
    import shlex

    from ticketing.i18n_cli import message

    if not items:
        return
    base = f"{shlex.quote(aduan_command())} --config {shlex.quote(str(config_path))} --as admin1"
    answerable = {c.name for c in app.settings.channels}
    items = [i for i in items if i.get("reply_state") not in ("failed", "unknown")]  # not the blocked chat
    if not items:
        return
    target = next((i for i in items if i["channel"] == "demo-telegram"),
                  next((i for i in items if i["channel"] in answerable), items[0]))
    text = "Terima kasih, laporan Anda sedang kami proses." if app.locale == "id" else \
        "Thank you, we are processing your report."
    out.print(message("demo_config", app.locale, path=config_path))
    out.print(message("demo_try", app.locale))
    for line in (f"{base} inbox", f"{base} show {target['ref']}",
                 f"{base} reply {target['ref']} -m {shlex.quote(text)}"):
        out.print(f"  {line}", soft_wrap=True)


def _show(app, path: Path, out) -> list[dict[str, Any]]:
    """The inbox, then the longest conversation in full: tickets with their threads."""
    import sqlalchemy as sa

    from commands.render import inbox_table, ticket_view
    from ticketing.store.db import read_session
    from ticketing.store.models import Ticket
    from ticketing.workflow.views import InboxFilter, failed_reply_count, inbox, status_counts, ticket_detail

    now = app.now()
    with read_session(app.engine) as session:
        items = inbox(session, InboxFilter(limit=100), now, app.warn_before, app.locale, app.calendar)
        out.print(inbox_table(items, now, app.locale, status_counts(session), [],
                              failed=failed_reply_count(session)))
        longest = session.execute(sa.select(Ticket).order_by(Ticket.message_count.desc(), Ticket.id)).scalars().first()
        if longest is not None:
            out.print(ticket_view(ticket_detail(session, longest, now, app.warn_before, app.locale,
                                                calendar=app.calendar), now, app.locale))
    out.print(message("demo_database", app.locale, path=path))
    return items
