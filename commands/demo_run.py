"""`aduan demo`: the whole flow on bundled sample data, with no setup and no credentials.

A sandbox API server (collectors/sandbox_server.py) starts on 127.0.0.1 and speaks the
Telegram Bot API, X API v2 and Graph API over the sample messages; the real collectors read
it through the real `aduan collect` runner into a fresh SQLite file; then the inbox and one
full conversation are printed. Channel types whose collector cannot be loaded are left out.
The sample mails are stored through ingest directly (no mail server is started).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collectors.sandbox_server import SANDBOX_TOKEN, SampleData
from ticketing.contract import InboundMessage

DEMO_SECRETS = {  # placeholders only the sandbox server accepts; nothing leaves the machine
    "ADUAN_DEMO_TG_TOKEN": SANDBOX_TOKEN,
    "ADUAN_DEMO_X_BEARER": "demo-x-bearer-token",
    "ADUAN_DEMO_FB_TOKEN": "demo-facebook-page-token",
}


def demo_channels(base_url: str, office: dict[str, Any]) -> list[dict[str, Any]]:
    """The channels the demo collects from, every one pointed at the sandbox server."""
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


def sample_mails(data: SampleData) -> list[InboundMessage]:
    return [InboundMessage(
        channel="demo-email", external_id=m["id"], thread_key=m["thread"], text=m["text"], sent_at=m["at"],
        author_id=m["author_id"], author_handle=m["author_handle"], author_name=m["author_name"],
        is_private=True, subject=m.get("subject"), raw={k: v for k, v in m.items() if k != "at"},
    ) for m in data.of("email")]


def _fresh_database(database: str) -> Path:
    path = Path(database).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def run_demo(app, database: str, out) -> bool:
    """Run the demo; return False when a demo channel failed (the command then exits 1)."""
    from collectors.sandbox_server import SandboxServer
    from commands.collect import run_line
    from ticketing.app import App
    from ticketing.config import ChannelSettings
    from ticketing.intake.collect import collect
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import open_database, write_session

    path = _fresh_database(database)
    now = app.now()
    settings = app.settings.model_copy(deep=True)
    settings.database.url = f"sqlite:///{path}"
    with SandboxServer(now=now) as sandbox:
        channels = [c for c in demo_channels(sandbox.base_url, sandbox.samples.office) if loadable(c["type"])]
        settings.channels = [ChannelSettings.model_validate(c) for c in channels]
        demo_app = App(settings, {**dict(app.environ), **DEMO_SECRETS}, now=now, locale=app.locale)
        demo_app.__dict__["engine"] = open_database(settings.database.url)
        runs = collect(demo_app)
        for run in runs:
            out.print(run_line(run, demo_app.locale))
        with write_session(demo_app.engine) as session:
            mails = ingest_batch(session, "demo-email", sample_mails(sandbox.samples), now=now,
                                 policy=demo_app.ingest_policy(), channel_type="email")
        out.print(f"demo-email: {mails.new_messages} pesan contoh, {mails.new_tickets} tiket baru "
                  "(dimasukkan langsung, tanpa server surel)")
        _reply_to_blocked_chat(demo_app, sandbox, out)
        replies = len(sandbox.telegram.sent) + len(sandbox.x.sent) + len(sandbox.graph.sent)
    _show(demo_app, path, out)
    if replies:
        out.print(f"{replies} balasan terkirim ke server sandbox.")
    _report_line(demo_app, sandbox.samples, out)
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
    out.print(f"{ref}: balasan {outcome.state} ({outcome.error or '-'})", markup=False)


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


def _show(app, path: Path, out) -> None:
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
    if items:
        out.print(f"Basis data demo: {path}\nCoba: ADUAN_DATABASE_URL=sqlite:///{path} aduan show {items[0]['ref']}")
