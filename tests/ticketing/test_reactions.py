"""A reaction (🙏 on our answer, 👍 out of the blue) is an event on the message it refers to:
shown in the thread, never opening or reopening a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.fakes import whatsapp as wa
from ticketing.app import App
from ticketing.config import Settings
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Event, Message, Ticket
from ticketing.webhooks.queue import process_pending, store_delivery
from ticketing.workflow.views import ticket_detail

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _post(app: App, payload: dict) -> None:
    with write_session(app.engine) as session:
        store_delivery(session, "wa-test", wa.body(payload), NOW)
    assert process_pending(app).errors == []


def _reaction(wamid: str, sender: str, on: str, emoji: str, at: datetime) -> dict:
    return {"from": sender, "id": wamid, "timestamp": str(int(at.timestamp())), "type": "reaction",
            "reaction": {"message_id": on, "emoji": emoji}}


def test_reactions_never_open_or_reopen(db_url):
    with wa.WhatsAppCloudFake() as cloud:
        settings = Settings.model_validate({"database": {"url": db_url},
                                            "channels": [wa.channel_config(cloud.base_url)]})
        app = App(settings, environ=wa.ENV, now=NOW)
        asked = NOW - timedelta(hours=3)
        message, contact = wa.text_message("wamid.Q1", "6281234500002", "Min akta kelahiran sy kapan jadi?",
                                           int(asked.timestamp()))
        _post(app, wa.envelope([message], [contact]))
        echo = {"from": wa.OFFICE_NUMBER, "to": "6281234500002", "id": "wamid.A1",
                "timestamp": str(int((NOW - timedelta(hours=2)).timestamp())), "type": "text",
                "text": {"body": "Akta sudah jadi."}}
        payload = wa.envelope()
        payload["entry"][0]["changes"][0].update(field="smb_message_echoes")
        payload["entry"][0]["changes"][0]["value"]["message_echoes"] = [echo]
        _post(app, payload)
        with read_session(app.engine) as session:
            (ticket,) = session.exec(select(Ticket)).all()
            assert ticket.status == "answered"
            due_before = ticket.due_at
        _post(app, wa.envelope([_reaction("wamid.R1", "6281234500002", "wamid.A1", "🙏", NOW - timedelta(hours=1))],
                               [contact]))
        _post(app, wa.envelope([_reaction("wamid.R2", "6281299900009", "wamid.OLD", "👍", NOW)],
                               [{"profile": {"name": "Orang Lain"}, "wa_id": "6281299900009"}]))
        with read_session(app.engine) as session:
            tickets = session.exec(select(Ticket)).all()
            assert len(tickets) == 1  # the 👍 with no open ticket opened nothing
            ticket = tickets[0]
            assert ticket.status == "answered" and ticket.due_at == due_before  # the 🙏 reopened nothing
            reacted = session.exec(select(Event).where(Event.action == "reacted")).all()
            assert [(e.ticket_id, e.from_status, e.to_status) for e in reacted] == [(ticket.id, "answered",
                                                                                   "answered")]
            assert '"message": "wamid.A1"' in reacted[0].detail
            stored = session.exec(select(Message).where(Message.external_id == "wamid.R1")).one()
            # the thread shows what kind of message it is, as every placeholder does (issue 16)
            assert stored.in_reply_to == "wamid.A1" and stored.text == "[reaksi] 🙏"
            view = ticket_detail(session, ticket, NOW, app.warn_before)
        shown = [m for m in view["messages"] if "reaction" in m["flags"]]
        assert [m["text"] for m in shown] == ["[reaksi] 🙏"]
        app.engine.dispose()
