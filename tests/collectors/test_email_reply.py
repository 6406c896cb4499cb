"""Replies through SMTP (aiosmtpd) and the citizen's answers back through IMAP (Dovecot) onto the same ticket."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from collectors.mail_parse import parse_message
from tests.collectors.email_helpers import make_collector, poll
from tests.conftest import count
from tests.fakes.mail import OFFICE_ADDRESS, PASSWORD, Mailbox, SmtpSink, citizen_mail, fixture
from ticketing.app import App
from ticketing.config import Settings
from ticketing.contract import AuthExpired, OutboundMessage, SendRefused, TransientError
from ticketing.outbound.outbox import deliver
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Message, Ticket
from ticketing.workflow.roles import Actor
from ticketing.workflow.transitions import reply

ADMIN = Actor("admin1", "admin", name="Admin Pengaduan")


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


def collector_for(mailbox: Mailbox, smtp: SmtpSink, tmp_path, **overrides):
    settings = {"smtp_port": smtp.port, "smtp_auth": True, "smtp_username": smtp.username, **overrides}
    return make_collector(mailbox, tmp_path, **settings)


def _app(engine, db_url: str, collector, now) -> App:
    settings = Settings.model_validate({"database": {"url": db_url}, "staff": [{"username": "admin1", "role": "admin"}],
                                        "channels": [{"name": collector.name, "type": "email", "enabled": False}]})
    app = App(settings, environ={}, now=now)
    app.__dict__["engine"] = engine
    return app


def answer(engine, db_url: str, collector, now, text: str = "KTP-el Ibu sudah dicetak.") -> Message:
    """The admin answers the newest ticket and the outbox delivers it through the email collector."""
    with write_session(engine) as session:
        ticket = session.exec(select(Ticket).order_by(Ticket.id.desc())).first()
        message = reply(session, ticket, text, ADMIN, now)
        message_id = message.id
    outcome = deliver(_app(engine, db_url, collector, now), message_id, collector_factory=lambda _channel: collector)
    assert outcome.state == "sent", outcome.error
    with read_session(engine) as session:
        return session.get(Message, message_id)


def test_reply_threads_and_the_citizens_answers_land_on_the_same_ticket(engine, db_url, now, mailbox, smtp,
                                                                       tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path, folders=["INBOX", "Terkirim"])
    mailbox.create("Terkirim")
    mailbox.append_fixture("plain.eml")
    poll(engine, collector, now)
    sent = answer(engine, db_url, collector, now)
    [mail] = smtp.mails
    msg = mail.message
    ticket_ref = f"ADU-2026-{sent.ticket_id:06d}"
    assert mail.login == "pengaduan" and mail.recipients == ["siti.rahma@contoh.co.id"]
    assert str(msg["Subject"]) == f"Re: [{ticket_ref}] KTP-el belum jadi sudah 2 bulan"
    assert msg["In-Reply-To"] == "<CAKtp-001.siti@mail.contoh.co.id>"
    assert msg["References"] == "<CAKtp-001.siti@mail.contoh.co.id>"
    assert msg["Auto-Submitted"] == "no" and OFFICE_ADDRESS in str(msg["From"])
    assert str(msg["Message-ID"]).strip("<>") == sent.external_id and sent.delivery_state == "sent"
    assert msg.get_content().strip() == "KTP-el Ibu sudah dicetak."

    mailbox.append(mail.data, folder="Terkirim")  # our own copy, seen again through IMAP
    again = poll(engine, collector, now)
    assert (again.new_messages, again.duplicates) == (0, 1)

    root = "CAKtp-001.siti@mail.contoh.co.id"
    full_chain = f"In-Reply-To: <{sent.external_id}>\r\nReferences: <{root}> <{sent.external_id}>\r\n"
    only_parent = f"In-Reply-To: <{sent.external_id}>\r\n"
    mailbox.append(citizen_mail(1, sender="siti.rahma@contoh.co.id", subject=f"Re: {msg['Subject']}",
                                body="Terima kasih, besok saya ambil.", extra_headers=full_chain))
    mailbox.append(citizen_mail(2, sender="siti.rahma@contoh.co.id", subject="Re: KTP",
                                body="Jam berapa bisa diambil?", extra_headers=only_parent))
    mailbox.append(citizen_mail(3, sender="siti.rahma@contoh.co.id", subject=f"Tambahan [{ticket_ref}]",
                                body="Saya lupa, KK juga rusak."))
    mailbox.append(citizen_mail(4, sender="orang.lain@contoh.id", subject=f"Ikut [{ticket_ref}]",
                                body="Pesan orang lain."))
    result = poll(engine, collector, now)
    assert (result.new_messages, result.new_tickets, result.reopened) == (4, 1, 1)
    with read_session(engine) as session:
        ticket = session.get(Ticket, sent.ticket_id)
        on_ticket = session.exec(select(Message.author_id).where(Message.ticket_id == ticket.id,
                                                                 Message.direction == "in")).all()
        stranger = session.exec(select(Message).where(Message.author_id == "orang.lain@contoh.id")).one()
    assert ticket.status == "new" and ticket.message_count == 4  # the citizen's mails; replies are not counted
    assert on_ticket == ["siti.rahma@contoh.co.id"] * 4
    assert stranger.ticket_id != ticket.id


def test_a_reply_to_a_mail_without_any_address_is_refused_with_that_reason(engine, db_url, now, mailbox, smtp,
                                                                           tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path)
    mailbox.append_fixture("no_sender.eml")
    assert poll(engine, collector, now).new_tickets == 1
    with write_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        message_id = reply(session, ticket, "Jawaban kami.", ADMIN, now).id
    outcome = deliver(_app(engine, db_url, collector, now), message_id, collector_factory=lambda _c: collector)
    assert outcome.state == "failed" and "tanpa alamat balasan" in outcome.error
    assert smtp.mails == []


def test_references_are_the_parents_references_then_its_message_id(engine, db_url, now, mailbox, smtp, tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path)
    chain = "In-Reply-To: <c@lama.id>\r\nReferences: <a@lama.id>\r\n <b@lama.id> <c@lama.id>\r\n"
    mailbox.append(citizen_mail(1, message_id="d@warga.id", extra_headers=chain))
    poll(engine, collector, now)
    answer(engine, db_url, collector, now)
    msg = smtp.mails[0].message
    assert msg["In-Reply-To"] == "<d@warga.id>"
    assert msg["References"] == "<a@lama.id> <b@lama.id> <c@lama.id> <d@warga.id>"  # RFC 5322 3.6.4


def test_a_no_reply_sender_with_a_persons_reply_to_opens_a_ticket_answered_there(engine, db_url, now, mailbox,
                                                                                 smtp, tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path)
    form = "Reply-To: \"Budi Santoso\" <budi.santoso@contoh.id>\r\n"
    mailbox.append(citizen_mail(1, sender="noreply@formulir.contoh.id", extra_headers=form))
    robot = "Reply-To: noreply@portal.contoh.id\r\n"  # no person behind it: stays automatic
    mailbox.append(citizen_mail(2, sender="noreply@portal.contoh.id", extra_headers=robot))
    result = poll(engine, collector, now)
    assert (result.new_messages, result.new_tickets) == (2, 1)
    with read_session(engine) as session:
        person = session.exec(select(Message).where(Message.ticket_id.is_not(None))).one()
    assert (person.author_id, person.author_name) == ("budi.santoso@contoh.id", "Budi Santoso")
    assert json.loads(person.raw)["address_source"] == "Reply-To"
    answer(engine, db_url, collector, now)
    assert smtp.mails[0].recipients == ["budi.santoso@contoh.id"]


def test_subject_gets_one_re_and_the_ticket_reference(mailbox, smtp, tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path)
    outbound = OutboundMessage(channel=collector.name, thread_key="root@contoh.id", text="Jawaban",
                               in_reply_to="last@contoh.id", recipient_id="warga@contoh.id",
                               subject="Re: RE: Bls: [ADU-2026-000007] Balas: Re: KTP hilang",
                               ticket_ref="ADU-2026-000007")
    result = collector.send(outbound)
    msg = smtp.mails[0].message
    assert str(msg["Subject"]) == "Re: [ADU-2026-000007] KTP hilang"
    assert msg["References"] == "<root@contoh.id> <last@contoh.id>" and msg["In-Reply-To"] == "<last@contoh.id>"
    assert result.external_id == str(msg["Message-ID"]).strip("<>")
    assert result.external_id.endswith("@dukcapil.brebeskab.go.id") and "ADU-2026-000007" in result.external_id


def test_a_crafted_subject_and_name_never_add_a_header(mailbox, smtp, tmp_path):
    parsed = parse_message(fixture("encoded_subject.eml"))
    collector = collector_for(mailbox, smtp, tmp_path)
    collector.send(OutboundMessage(channel=collector.name, thread_key=parsed.thread_root, text="Data diperbaiki.",
                                   in_reply_to=parsed.message_id, recipient_id=parsed.from_address,
                                   subject=parsed.subject, ticket_ref="ADU-2026-000002"))
    [mail] = smtp.mails
    header_block = mail.data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    names = [line.split(b":", 1)[0].lower() for line in header_block.split(b"\r\n")]
    assert b"bcc" not in names and names.count(b"subject") == 1
    assert mail.recipients == ["bambang@contoh.id"]
    assert b"\x1b" not in mail.data
    assert str(mail.message["Subject"]).startswith("Re: [ADU-2026-000002] Data NIK salah Bcc: korban@contoh.id")


def test_references_stay_bounded_in_long_threads(mailbox, smtp, tmp_path):
    collector = collector_for(mailbox, smtp, tmp_path)
    earlier = ["root@contoh.id", *(f"m{i}@contoh.id" for i in range(30))]  # the parent's References
    collector.send(OutboundMessage(channel=collector.name, thread_key="root@contoh.id", text="x",
                                   in_reply_to="last@contoh.id", recipient_id="warga@contoh.id",
                                   context={"references": earlier}))
    refs = re.findall(r"<([^>]+)>", smtp.mails[0].message["References"])
    assert len(refs) == 11 and refs[0] == "root@contoh.id" and refs[-1] == "last@contoh.id"


@pytest.mark.parametrize("recipient", [OFFICE_ADDRESS, "MAILER-DAEMON@contoh.id", "noreply@contoh.id", "", "a b@c"])
def test_loops_and_bad_addresses_are_refused_before_sending(mailbox, smtp, tmp_path, recipient):
    collector = collector_for(mailbox, smtp, tmp_path)
    with pytest.raises(SendRefused):
        collector.send(OutboundMessage(channel=collector.name, thread_key="t@contoh.id", text="x",
                                       recipient_id=recipient))
    assert smtp.mails == []


def test_smtp_answers_are_classified(mailbox, smtp, tmp_path):
    from tests.servers import free_port

    collector = collector_for(mailbox, smtp, tmp_path)

    def send(to: str, target=collector):
        target.send(OutboundMessage(channel=collector.name, thread_key="t@contoh.id", text="x", recipient_id=to))

    with pytest.raises(SendRefused):
        send("tolak.ini@contoh.id")
    with pytest.raises(TransientError):
        send("nanti.saja@contoh.id")
    wrong = collector_for(mailbox, smtp, tmp_path, smtp_username="bukan-pengaduan")
    with pytest.raises(AuthExpired) as info:
        send("warga@contoh.id", wrong)
    assert PASSWORD not in str(info.value)
    with pytest.raises(TransientError):
        send("warga@contoh.id", collector_for(mailbox, smtp, tmp_path, smtp_port=free_port()))
    assert smtp.mails == []


def test_starttls_smtp_with_a_private_ca(mailbox, tmp_path):
    server = mailbox.server
    key = str(server.ca_file).replace("cert.pem", "key.pem")
    with SmtpSink(tls_cert=(server.ca_file, key)) as sink:
        collector = collector_for(mailbox, sink, tmp_path, smtp_security="starttls", ca_file=server.ca_file)
        collector.send(OutboundMessage(channel=collector.name, thread_key="t@contoh.id", text="aman",
                                       recipient_id="warga@contoh.id"))
        assert len(sink.mails) == 1 and sink.mails[0].login == "pengaduan"


def test_autoresponders_answering_our_reply_never_start_a_loop(sqlite_engine, now, mailbox, smtp, tmp_path):
    db_url = str(sqlite_engine.url)
    collector = collector_for(mailbox, smtp, tmp_path)
    mailbox.append(citizen_mail(1, sender="desa@contoh.id"))
    poll(sqlite_engine, collector, now)
    sent = answer(sqlite_engine, db_url, collector, now)
    for round_ in range(10):  # the citizen's out-of-office answers each of its own notices, and ours
        headers = (f"In-Reply-To: <{sent.external_id}>\r\nAuto-Submitted: auto-replied\r\n"
                   "X-Autoreply: yes\r\n")
        mailbox.append(citizen_mail(100 + round_, sender="desa@contoh.id", subject="Balasan otomatis: cuti",
                                    extra_headers=headers))
    result = poll(sqlite_engine, collector, now)
    assert (result.new_messages, result.new_tickets, result.reopened) == (10, 0, 0)
    with read_session(sqlite_engine) as session:
        ticket = session.get(Ticket, sent.ticket_id)
    assert ticket.status == "answered"
    assert count(sqlite_engine, "message", f"WHERE ticket_id = {ticket.id} AND direction = 'in'") == 11
    assert count(sqlite_engine, "message", "WHERE direction = 'out'") == 1 and len(smtp.mails) == 1
