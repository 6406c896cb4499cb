"""A reply the office wrote in the channel's own app answers the ticket at its own time.

Each fake serves the office's reply the way the channel returns it (X DM stream, Messenger and
Instagram conversations, a Page comment reply, a WhatsApp Business app echo); the collector
reads it as our own message and ingest answers the open ticket with an event naming the app.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.fakes import whatsapp as wa
from tests.fakes.graph_api import FacebookFake, InstagramFake
from tests.fakes.x_api import OFFICE_ID, XFake
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import collect
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Event, Message, Ticket
from ticketing.webhooks.queue import process_pending, store_delivery

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _app(db_url: str, channel: dict, env: dict, **switch) -> App:
    settings = Settings.model_validate({"database": {"url": db_url}, "channels": [{**channel, **switch}]})
    return App(settings, environ=env, now=NOW)


def _collect(app: App) -> None:
    runs = collect(app)
    assert [r.error for r in runs] == [None]


def _only_ticket(app: App) -> tuple[Ticket, Message, list[Event]]:
    with read_session(app.engine) as session:
        (ticket,) = session.exec(select(Ticket)).all()
        out = session.exec(select(Message).where(Message.direction == "out").order_by(Message.sent_at)).all()
        events = session.exec(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id)).all()
    return ticket, out[-1] if out else None, list(events)


def _assert_answered_in_app(app: App, channel_type: str) -> Ticket:
    ticket, office, events = _only_ticket(app)
    assert office is not None
    assert ticket.status == "answered" and ticket.answered_at == office.sent_at
    assert ticket.first_response_at == office.sent_at and ticket.sla_state == "met"
    answer = [e for e in events if e.to_status == "answered"]
    assert len(answer) == 1 and answer[0].actor == f"aplikasi:{channel_type}" and answer[0].at == office.sent_at
    assert "aplikasi kanal" in answer[0].detail
    return ticket


def test_x_dm_answered_in_the_x_app(db_url):
    with XFake(clock=lambda: NOW - timedelta(hours=2)) as fake:
        app = _app(db_url, fake.channel_config(), fake.env())
        citizen = fake.add_user("warga_dm", "Warga DM")
        conversation = f"{OFFICE_ID}-{citizen}"
        fake.add_dm(citizen, "Min, KK sy blm dicetak", conversation)
        _collect(app)
        assert _only_ticket(app)[0].status == "new"
        fake.clock = lambda: NOW - timedelta(hours=1)
        fake.add_dm(OFFICE_ID, "Baik, KK Anda sudah bisa diambil di kecamatan.", conversation)
        _collect(app)
        _assert_answered_in_app(app, "x")
        app.engine.dispose()


def test_messenger_reply_in_the_page_inbox_and_a_later_citizen_message_reopens(db_url):
    with FacebookFake(start=NOW - timedelta(hours=3)) as fake:
        app = _app(db_url, fake.channel_config(), fake.env())
        fake.add_dm("Min, KK saya hilang, bagaimana cara cetak ulang?")
        _collect(app)
        conversation = next(iter(fake.conversations))
        fake.add_dm("Silakan datang ke loket dengan surat kehilangan.", conversation=conversation, own=True)
        _collect(app)
        _assert_answered_in_app(app, "facebook")
        fake.add_dm("Suratnya dari kepolisian ya min?", conversation=conversation)
        _collect(app)
        ticket, _office, events = _only_ticket(app)
        assert ticket.status == "new" and events[-1].action == "reopened"
        app.engine.dispose()


def test_facebook_comment_reply_answers_the_comment_ticket(db_url):
    with FacebookFake(start=NOW - timedelta(hours=3)) as fake:
        app = _app(db_url, fake.channel_config(), fake.env())
        post = fake.add_post("Jadwal layanan KTP-el minggu ini")
        comment = fake.add_comment(post, "Min, blangko KTP di kecamatan habis ya?")
        _collect(app)
        fake.add_comment(post, "Blangko sudah tersedia lagi sejak Senin.", parent=comment, by_page=True)
        _collect(app)
        _assert_answered_in_app(app, "facebook")
        app.engine.dispose()


def test_instagram_dm_answered_in_the_instagram_app(db_url):
    with InstagramFake(start=NOW - timedelta(hours=3)) as fake:
        app = _app(db_url, fake.channel_config(), fake.env())
        fake.add_dm("Min, cara aktivasi IKD gimana ya?")
        _collect(app)
        conversation = next(iter(fake.conversations))
        fake.add_dm("Aktivasi IKD dilakukan di kantor dengan memindai QR.", conversation=conversation, own=True)
        _collect(app)
        _assert_answered_in_app(app, "instagram")
        app.engine.dispose()


def test_instagram_comment_reply_and_the_switch_that_turns_it_off(db_url):
    with InstagramFake(start=NOW - timedelta(hours=3)) as fake:
        app = _app(db_url, fake.channel_config(), fake.env(), native_replies_answer=False)
        media = fake.add_media("Info layanan akta kelahiran")
        comment = fake.add_comment(media, "Min syarat akta kelahiran apa aja?")
        _collect(app)
        fake.add_comment(media, "Cukup surat keterangan lahir dan KK.", parent=comment, own=True)
        _collect(app)
        ticket, office, events = _only_ticket(app)
        assert office is not None and office.ticket_id == ticket.id  # stored on the thread, but not an answer
        assert ticket.status == "new" and ticket.answered_at is None
        assert not [e for e in events if e.to_status == "answered"]
        app.engine.dispose()


def _wa_post(app: App, payload: dict) -> None:
    with write_session(app.engine) as session:
        store_delivery(session, "wa-test", wa.body(payload), NOW)
    result = process_pending(app)
    assert result.errors == []


def test_whatsapp_business_app_echo_answers_the_chat(db_url):
    with wa.WhatsAppCloudFake() as cloud:
        app = _app(db_url, wa.channel_config(cloud.base_url), wa.ENV)
        asked = int((NOW - timedelta(hours=2)).timestamp())
        message, contact = wa.text_message("wamid.CIT1", "6281234500001", "Min KIA anak saya kapan jadi?", asked)
        _wa_post(app, wa.envelope([message], [contact]))
        answered = NOW - timedelta(hours=1)
        echo = {"from": wa.OFFICE_NUMBER, "to": "6281234500001", "id": "wamid.ECHO1",
                "timestamp": str(int(answered.timestamp())), "type": "text",
                "text": {"body": "KIA sudah jadi, silakan ambil di loket 3."}}
        payload = wa.envelope()
        change = payload["entry"][0]["changes"][0]
        change["field"] = "smb_message_echoes"
        change["value"]["message_echoes"] = [echo]
        _wa_post(app, payload)
        ticket = _assert_answered_in_app(app, "whatsapp")
        assert ticket.answered_at == answered
        app.engine.dispose()


@pytest.mark.parametrize("same_batch", [True])
def test_office_reply_and_citizen_follow_up_in_one_batch(db_url, same_batch):
    """Backfill: question, our app reply, the citizen's thanks, all new at once -> answered, then reopened."""
    with FacebookFake(start=NOW - timedelta(hours=3), page_size=10) as fake:
        app = _app(db_url, fake.channel_config(), fake.env())
        fake.add_dm("Min, KK saya hilang")
        conversation = next(iter(fake.conversations))
        fake.add_dm("Silakan bawa surat kehilangan.", conversation=conversation, own=True)
        fake.add_dm("Baik min, besok saya ke sana", conversation=conversation)
        _collect(app)
        ticket, _office, events = _only_ticket(app)
        moves = [(e.action, e.from_status, e.to_status) for e in events if e.from_status != e.to_status]
        assert moves == [("created", None, "new"), ("answer_delivered", "new", "answered"),
                         ("reopened", "answered", "new")]
        assert ticket.status == "new" and ticket.first_response_at is not None
        app.engine.dispose()


def test_mail_from_the_office_address_in_a_collected_thread_answers_it(engine, tmp_path):
    """The office answered from its mail client; the copy found in the mailbox (real Dovecot) counts."""
    from tests.collectors.email_helpers import make_collector, poll
    from tests.fakes.mail import Mailbox

    mailbox = Mailbox()
    mailbox.append_fixture("plain.eml")
    mailbox.append_fixture("own_mail.eml")  # "Re: ..." from pengaduan@dukcapil..., 12:00 WIB the same day
    poll(engine, make_collector(mailbox, tmp_path), NOW)
    with read_session(engine) as session:
        (ticket,) = session.exec(select(Ticket)).all()
        office = session.exec(select(Message).where(Message.direction == "out")).one()
        answer = session.exec(select(Event).where(Event.to_status == "answered")).one()
    assert office.sent_at == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert ticket.status == "answered" and ticket.answered_at == office.sent_at
    assert answer.actor == "aplikasi:email"
