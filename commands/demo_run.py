"""The demo: bundled sample messages through the real ingest path into a fresh SQLite file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from collectors.base import InboundMessage
from ticketing.timeutil import parse_instant


def sample_messages() -> dict[str, list[InboundMessage]]:
    """The bundled messages, grouped by channel name (`demo-<type>`)."""
    data = json.loads(resources.files("collectors").joinpath("data/sample_messages.json").read_text("utf-8"))
    grouped: dict[str, list[InboundMessage]] = {}
    for item in data["messages"]:
        channel = f"demo-{item['channel_type']}"
        grouped.setdefault(channel, []).append(InboundMessage(
            channel=channel, external_id=item["external_id"], thread_key=item["thread_key"],
            text=item["text"], sent_at=parse_instant(item["sent_at"]), author_id=item["author_id"],
            author_handle=item["author_handle"], author_name=item["author_name"],
            is_private=item["is_private"], in_reply_to=item.get("in_reply_to"), subject=item.get("subject"),
            raw=item,
        ))
    return grouped


def run_demo(app, database: str, out) -> None:
    from ticketing.app import App
    from ticketing.db import open_database, read_session, write_session
    from ticketing.ingest import ingest_batch
    from ticketing.views import InboxFilter, inbox, status_counts

    path = Path(database).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = app.settings.model_copy(deep=True)
    settings.database.url = f"sqlite:///{path}"
    demo_app = App(settings, app.environ, locale=app.locale)
    engine = open_database(settings.database.url)
    demo_app.__dict__["engine"] = engine
    now = demo_app.now()
    policy = demo_app.ingest_policy()
    for channel, messages in sample_messages().items():
        with write_session(engine) as session:
            result = ingest_batch(session, channel, messages, now=now, policy=policy,
                                  channel_type=channel.removeprefix("demo-"))
        out.print(f"{channel}: {result.new_messages} pesan baru, {result.new_tickets} tiket baru")
    from commands.render import inbox_table

    with read_session(engine) as session:
        items = inbox(session, InboxFilter(), now, demo_app.warn_before, demo_app.locale)
        out.print(inbox_table(items, now, demo_app.locale, status_counts(session), []))
    out.print(f"Basis data demo: {path}  (coba: aduan --config config.yaml show {items[0]['id']} "
              f"dengan ADUAN_DATABASE_URL=sqlite:///{path})" if items else "")
