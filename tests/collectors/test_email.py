"""The email collector against a real Dovecot: every fixture mail, cursors, UIDVALIDITY, \\Seen, TLS, errors."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import select

from commands.render import ticket_view
from tests.cli_helpers import make_config, run_cli
from tests.collectors.email_helpers import make_collector, poll, stored_cursor
from tests.conftest import count
from tests.fakes.mail import OFFICE_ADDRESS, Mailbox, citizen_mail, fixture
from ticketing.contract import AuthExpired, CollectorError, TransientError
from ticketing.errors import ConfigError
from ticketing.store.db import open_database, read_session
from ticketing.store.models import AttachmentRecord, Event, Message, Quarantine, Ticket
from ticketing.workflow.views import ticket_detail


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


def messages(engine) -> list[Message]:
    with read_session(engine) as session:
        return list(session.exec(select(Message).order_by(Message.id)))


def tickets(engine) -> list[Ticket]:
    with read_session(engine) as session:
        return list(session.exec(select(Ticket).order_by(Ticket.id)))


def test_plain_mail_opens_one_ticket_and_a_second_poll_adds_nothing(engine, now, mailbox, tmp_path):
    mailbox.append_fixture("plain.eml")
    collector = make_collector(mailbox, tmp_path)
    first = poll(engine, collector, now)
    second = poll(engine, collector, now)
    assert (first.new_messages, first.new_tickets) == (1, 1)
    assert (second.new_messages, second.new_tickets, second.duplicates) == (0, 0, 0)
    [message] = messages(engine)
    assert message.external_id == "CAKtp-001.siti@mail.contoh.co.id"
    assert message.thread_key == message.external_id
    assert (message.direction, message.is_private) == ("in", True)
    assert message.author_id == "siti.rahma@contoh.co.id" and message.author_name == "Siti Rahmawati"
    assert message.subject == "KTP-el belum jadi sudah 2 bulan"
    assert "belum jadi. Mohon informasinya" in message.text  # quoted-printable soft break joined
    assert message.sent_at.isoformat() == "2026-11-23T01:15:00+00:00"
    cursor = stored_cursor(engine, collector)
    assert cursor.folders["INBOX"].last_uid == 1
    assert cursor.folders["INBOX"].uidvalidity == mailbox.uidvalidity()


def test_polling_never_changes_seen_flags(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("plain.eml")
    mailbox.append_fixture("windows1252.eml", flags="\\Seen")
    before = mailbox.flags()
    assert "\\Seen" not in before[1] and "\\Seen" in before[2]
    poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    after = mailbox.flags()
    assert {uid: f - {"\\Recent"} for uid, f in after.items()} == {uid: f - {"\\Recent"} for uid, f in before.items()}
    assert count(sqlite_engine, "message") == 2


def test_html_only_mail_becomes_readable_text_without_remote_content(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("html_only.eml")
    poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    [message] = messages(sqlite_engine)
    assert "Bagaimana cara mengurus akta kelahiran anak" in message.text
    assert "- Surat keterangan lahir dari bidan\n- KK orang tua" in message.text
    assert "Hormat saya & terima kasih" in message.text
    for hidden in ("alert", "color:red", "judul tersembunyi", "pelacak", "pixel", "<"):
        assert hidden not in message.text
    assert "html_only" in message.flags.split(",")


@pytest.mark.parametrize("name, expected, flag", [
    ("windows1252.eml",
     "Nama di KK tertulis \u201cDewi Lestary\u201d \u2013 seharusnya \u201cDewi Lestari\u201d\u2026", None),
    ("latin1_lying.eml", "Surat pindah saya \u201cSKPWNI\u201d hilang \u2013 bagaimana?", None),
    ("unknown_charset.eml", "KIA anak saya \u201cbelum\u201d dicetak\u2026", "unknown_charset"),
    ("utf8_invalid.eml", "Aplikasi IKD \u2013 tidak bisa login \ufffd sejak kemarin", "invalid_bytes"),
])
def test_charsets_decode_or_are_replaced_and_flagged(engine, now, mailbox, tmp_path, name, expected, flag):
    mailbox.append_fixture(name)
    result = poll(engine, make_collector(mailbox, tmp_path), now)
    assert result.new_messages == 1 and result.quarantined == 0
    [message] = messages(engine)
    assert expected in message.text
    if flag:
        assert flag in message.flags.split(",")
    assert "\x00" not in message.text or engine.dialect.name == "sqlite"


def test_encoded_word_subject_is_decoded_to_one_clean_line(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("encoded_subject.eml")
    poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    [message] = messages(sqlite_engine)
    assert message.subject.startswith("Data NIK salah Bcc: korban@contoh.id")
    assert not re.search(r"[\r\n\x1b]", message.subject)
    assert message.author_name == "Bambang Ütomo"


def test_attachments_stored_by_content_with_sniffed_type_limit_and_identity_flag(mailbox, sqlite_engine, now,
                                                                                tmp_path):
    mailbox.append_fixture("attachment.eml")
    collector = make_collector(mailbox, tmp_path, max_attachment_bytes=5000)
    poll(sqlite_engine, collector, now)
    [message] = messages(sqlite_engine)
    assert message.text == "Terlampir foto KTP saya yang rusak dan surat pengantar RT."
    assert "identity_document" in message.flags.split(",")
    with read_session(sqlite_engine) as session:
        records = {a.filename: a for a in session.exec(select(AttachmentRecord))}
    ktp, rt, big = records["foto_KTP_yanti.jpg"], records["pengantar RT.png"], records["rekaman.zip"]  # path dropped
    assert (ktp.content_type, ktp.sensitive, ktp.skipped_reason) == ("image/jpeg", True, None)
    data = Path(ktp.path).read_bytes()
    assert data.startswith(b"\xff\xd8\xff") and hashlib.sha256(data).hexdigest() == ktp.sha256 == Path(ktp.path).name
    assert rt.content_type == "application/pdf" and not rt.sensitive  # declared image/png, bytes say PDF
    assert big.path is None and big.size == 6004 and "5000" in big.skipped_reason
    assert big.sha256 == hashlib.sha256(b"PK\x03\x04" + b"A" * 6000).hexdigest()
    stored = sorted(p for p in (tmp_path / "lampiran").rglob("*") if p.is_file())
    assert len(stored) == 2 and all(tmp_path / "lampiran" in p.parents for p in stored)


def test_reply_with_references_joins_the_ticket_and_quotes_are_trimmed(engine, now, mailbox, tmp_path):
    mailbox.append_fixture("plain.eml")
    mailbox.append_fixture("reply_references.eml")
    result = poll(engine, make_collector(mailbox, tmp_path), now)
    assert (result.new_messages, result.new_tickets) == (2, 1)
    first, reply = messages(engine)
    assert reply.ticket_id == first.ticket_id and reply.thread_key == first.external_id
    assert reply.in_reply_to == first.external_id
    assert reply.text == "Maaf, tambahan: nomor registrasi saya 12345."
    full = json.loads(reply.raw)["full_text"]
    assert "> Saya sudah rekam KTP-el di Kecamatan Bumiayu" in full and "menulis:" in full
    assert tickets(engine)[0].message_count == 2


AUTO_HEADERS = [
    "Auto-Submitted: auto-generated\r\n",
    "Precedence: bulk\r\n",
    "Precedence: junk\r\n",
    "X-Auto-Response-Suppress: All\r\n",
    "Return-Path: <>\r\n",
    "List-Id: <warga.lists.contoh.id>\r\n",
]


@pytest.mark.parametrize("header", AUTO_HEADERS)
def test_automatic_mail_is_stored_flagged_and_opens_no_ticket(mailbox, sqlite_engine, now, tmp_path, header):
    mailbox.append(citizen_mail(1, extra_headers=header))
    result = poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    assert (result.new_messages, result.new_tickets) == (1, 0)
    [message] = messages(sqlite_engine)
    assert "automatic" in message.flags.split(",") and message.ticket_id is None
    assert json.loads(message.raw)["automatic"]


def test_out_of_office_on_an_answered_ticket_changes_nothing(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("plain.eml")
    collector = make_collector(mailbox, tmp_path)
    poll(sqlite_engine, collector, now)
    from ticketing.store.db import write_session

    with write_session(sqlite_engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ticket.status, ticket.answered_at = "answered", now
        session.add(ticket)
    ooo = fixture("auto_reply.eml").replace(b"<ooo-010@contoh.id>",
                                            b"<ooo-010@contoh.id>\r\nReferences: <CAKtp-001.siti@mail.contoh.co.id>")
    mailbox.append(ooo)
    result = poll(sqlite_engine, collector, now)
    assert (result.new_messages, result.new_tickets, result.reopened) == (1, 0, 0)
    [ticket] = tickets(sqlite_engine)
    assert ticket.status == "answered"
    assert count(sqlite_engine, "message", "WHERE direction = 'out'") == 0  # nothing queued in reply


def test_bounce_marks_the_office_reply_failed_on_its_ticket(engine, now, mailbox, tmp_path):
    from ticketing.store.db import write_session

    mailbox.append_fixture("plain.eml")
    collector = make_collector(mailbox, tmp_path)
    poll(engine, collector, now)
    with write_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        session.add(Message(ticket_id=ticket.id, channel=collector.name, thread_key=ticket.thread_key,
                            direction="out", external_id="reply-1.aduan@dukcapil.brebeskab.go.id", text="Jawaban",
                            sent_at=now, delivery_state="sent"))
    mailbox.append_fixture("bounce.eml")
    result = poll(engine, collector, now)
    assert (result.new_messages, result.new_tickets) == (1, 0)
    with read_session(engine) as session:
        reply = session.exec(select(Message).where(Message.direction == "out")).one()
        bounce = session.exec(select(Message).where(Message.external_id == "dsn-011@mx.dukcapil.brebeskab.go.id")).one()
        ticket = session.exec(select(Ticket)).one()
        events = list(session.exec(select(Event).where(Event.action == "delivery_failed")))
    assert reply.delivery_state == "failed" and "5.1.1" in reply.delivery_error
    assert "tidak.ada@contoh.co.id" in reply.delivery_error
    assert bounce.ticket_id == ticket.id and {"bounce", "automatic"} <= set(bounce.flags.split(","))
    assert "delivery_failed" in ticket.flags.split(",") and ticket.status == "new"
    assert len(events) == 1 and json.loads(events[0].detail)["message_id"] == reply.id
    assert poll(engine, collector, now).new_messages == 0


def test_office_mail_seen_again_is_outbound_and_opens_no_ticket(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("own_mail.eml")
    result = poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    assert (result.new_messages, result.new_tickets) == (1, 0)
    [message] = messages(sqlite_engine)
    assert message.direction == "out" and message.author_id == OFFICE_ADDRESS


def test_office_mail_joins_the_citizen_thread(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("plain.eml")
    mailbox.append_fixture("own_mail.eml")
    result = poll(sqlite_engine, make_collector(mailbox, tmp_path), now)
    assert (result.new_messages, result.new_tickets) == (2, 1)
    citizen, office = messages(sqlite_engine)
    assert office.direction == "out" and office.ticket_id == citizen.ticket_id


def test_new_uidvalidity_rescans_without_duplicates(engine, now, mailbox, tmp_path):
    for name in ("plain.eml", "no_message_id.eml", "own_mail.eml"):
        mailbox.append_fixture(name, folder="Arsip")
    collector = make_collector(mailbox, tmp_path, folders=["Arsip"])
    assert poll(engine, collector, now).new_messages == 3
    old = stored_cursor(engine, collector).folders["Arsip"]
    mailbox.recreate("Arsip")
    mailbox.append(citizen_mail(7), folder="Arsip")
    assert mailbox.uidvalidity("Arsip") != old.uidvalidity
    result = poll(engine, collector, now)
    assert (result.new_messages, result.duplicates) == (1, 3)
    assert count(engine, "message") == 4 and count(engine, "ticket") == 3
    new = stored_cursor(engine, collector).folders["Arsip"]
    assert new.uidvalidity == mailbox.uidvalidity("Arsip") and new.last_uid == 4
    ids = {m.external_id for m in messages(engine)}
    assert any(i.startswith("sha256-") for i in ids)


def test_mail_without_any_address_opens_a_flagged_ticket_and_only_a_non_mail_is_quarantined(
        mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("no_sender.eml")
    mailbox.append(b"bukan surat: tidak ada satu pun baris header\r\n")
    mailbox.append_fixture("plain.eml")
    collector = make_collector(mailbox, tmp_path)
    result = poll(sqlite_engine, collector, now)
    assert (result.new_messages, result.new_tickets, result.quarantined) == (2, 2, 1)
    nameless = next(m for m in messages(sqlite_engine) if m.external_id == "nosender-014@contoh.id")
    assert nameless.author_id == "" and nameless.text == "Isi tanpa pengirim."
    assert "no_reply_address" in nameless.flags.split(",")
    assert json.loads(nameless.raw)["address_source"] is None
    ticket = next(t for t in tickets(sqlite_engine) if t.id == nameless.ticket_id)
    assert "no_reply_address" in ticket.flags.split(",") and ticket.summary.startswith("tanpa pengirim \u2014 Isi")
    with read_session(sqlite_engine) as session:
        shown = ticket_detail(session, session.get(Ticket, ticket.id), now, timedelta(hours=4))
    console = Console(record=True, width=120)
    console.print(ticket_view(shown, now, "id"))
    screen = console.export_text()
    assert "Tanpa alamat balasan" in screen and re.search(r"Perihal\s+tanpa pengirim", screen)
    with read_session(sqlite_engine) as session:
        item = session.exec(select(Quarantine)).one()
    assert "no header" in item.reason and "bukan surat" in item.payload
    assert stored_cursor(sqlite_engine, collector).folders["INBOX"].last_uid == 3
    assert poll(sqlite_engine, collector, now).quarantined == 0


def test_batches_are_bounded_and_several_folders_each_keep_a_cursor(mailbox, sqlite_engine, now, tmp_path):
    for n in range(5):
        mailbox.append(citizen_mail(n))
    for n in range(5, 8):
        mailbox.append(citizen_mail(n), folder="Pengaduan Web")
    collector = make_collector(mailbox, tmp_path, folders=["INBOX", "Pengaduan Web"], batch_size=2)
    first = collector.fetch(None)
    assert len(first.messages) == 2 and first.more
    result = poll(sqlite_engine, collector, now)
    assert result.new_messages == 8 and result.new_tickets == 8
    cursor = stored_cursor(sqlite_engine, collector)
    assert (cursor.folders["INBOX"].last_uid, cursor.folders["Pengaduan Web"].last_uid) == (5, 3)


def test_oversized_mail_is_kept_from_its_headers_with_a_marker(mailbox, sqlite_engine, now, tmp_path):
    mailbox.append_fixture("attachment.eml")
    poll(sqlite_engine, make_collector(mailbox, tmp_path, max_message_bytes=1000), now)
    [message] = messages(sqlite_engine)
    assert message.external_id == "attach-008@contoh.id" and message.subject == "Lampiran KTP rusak"
    assert "oversized" in message.flags.split(",") and "terlalu besar" in message.text
    assert count(sqlite_engine, "attachment") == 0


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_modes_verify_the_server_certificate(mailbox, security, tmp_path):
    mailbox.append_fixture("plain.eml")
    port = mailbox.server.ssl_port if security == "ssl" else mailbox.server.port
    good = make_collector(mailbox, tmp_path, imap_security=security, imap_port=port, ca_file=mailbox.server.ca_file)
    assert [m.external_id for m in good.fetch(None).messages] == ["CAKtp-001.siti@mail.contoh.co.id"]
    assert "INBOX (UIDVALIDITY" in good.check()
    untrusted = make_collector(mailbox, tmp_path, imap_security=security, imap_port=port)
    with pytest.raises(CollectorError, match="TLS") as info:
        untrusted.fetch(None)
    assert not isinstance(info.value, TransientError)


def test_rejected_password_is_auth_expired_and_not_echoed(mailbox, tmp_path):
    collector = make_collector(mailbox, tmp_path)
    collector.env = {"ADUAN_TEST_EMAIL_PASSWORD": "sandi-yang-salah-123"}
    with pytest.raises(AuthExpired) as info:
        collector.fetch(None)
    assert "sandi-yang-salah-123" not in str(info.value) and mailbox.user in str(info.value)


def test_connection_problems_and_missing_folders_are_classified(mailbox, tmp_path):
    from tests.servers import free_port

    with pytest.raises(TransientError):
        make_collector(mailbox, tmp_path, imap_port=free_port()).fetch(None)
    with pytest.raises(CollectorError, match="Tidak Ada") as info:
        make_collector(mailbox, tmp_path, folders=["Tidak Ada"]).fetch(None)
    assert not isinstance(info.value, (TransientError, AuthExpired))
    missing_env = make_collector(mailbox, tmp_path)
    missing_env.env = {}
    with pytest.raises(ConfigError, match="ADUAN_TEST_EMAIL_PASSWORD"):
        missing_env.fetch(None)


def test_settings_are_validated_with_defaults(mailbox, tmp_path):
    collector = make_collector(mailbox, tmp_path, imap_port=None, smtp_port=None, smtp_host=None,
                               imap_security="ssl", smtp_security="starttls")
    s = collector.settings
    assert (s.imap_port, s.smtp_port, s.smtp_host) == (993, 587, mailbox.server.host)
    assert s.message_id_domain == "dukcapil.brebeskab.go.id"
    with pytest.raises(ConfigError, match="imap_security"):
        make_collector(mailbox, tmp_path, imap_security="tls")
    with pytest.raises(ConfigError, match="imap_pasword"):
        make_collector(mailbox, tmp_path, imap_pasword="x")


def test_sample_config_documents_every_email_key():
    import yaml

    from collectors.email import EmailSettings
    from tests.cli_helpers import ROOT

    lines = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# - name: email-pengaduan")
    block = []
    for line in lines[start:]:
        if not line.startswith("  #   ") and block:
            break
        block.append(line.replace("  # - ", "  - ", 1).replace("  #   ", "    ", 1))
    entry = yaml.safe_load("\n".join(block))[0]
    documented = set(entry) - {"name", "type", "enabled"}
    assert documented == set(EmailSettings.model_fields)
    EmailSettings.model_validate({k: v for k, v in entry.items() if k in documented})


def test_aduan_collect_reads_the_mailbox_and_nik_stays_masked_in_the_cli(mailbox, tmp_path):
    mailbox.append_fixture("auto_reply.eml")
    mailbox.append_fixture("nik.eml")
    channel = mailbox.channel_config(name="email-pengaduan", attachments_dir=str(tmp_path / "lampiran"))
    config = make_config(tmp_path, channels=[channel])
    environment = {"ADUAN_TEST_EMAIL_PASSWORD": "rahasia-uji-imap"}
    collected = run_cli(config, "collect", "--channel", "email-pengaduan", env=environment)
    assert collected.code == 0, collected.err + collected.out
    engine = open_database(f"sqlite:///{tmp_path / 'aduan.db'}")
    stored = {m.external_id: m for m in messages(engine)}
    engine.dispose()
    assert "3329012345670001" in stored["nik-012@contoh.id"].text  # kept for staff who may see it
    assert stored["ooo-010@contoh.id"].ticket_id is None
    inbox = run_cli(config, "inbox", "--json", env=environment)
    assert inbox.code == 0 and [t["channel"] for t in inbox.json()] == ["email-pengaduan"]
    shown = run_cli(config, "show", str(stored["nik-012@contoh.id"].ticket_id), "--json", env=environment)
    assert shown.code == 0, shown.err
    for output in (inbox.out, shown.out):
        assert not re.search(r"\d{16}", output) and "3329 0123 4567 0002" not in output
    assert "3329********0001" in shown.out
    subject = "NIK tidak terdaftar di BPJS"
    assert shown.json()["subject"] == subject  # the mail's subject, in show --json
    assert inbox.json()[0]["summary"].startswith(f"{subject} \u2014 ")  # and leading the inbox summary
    screen = run_cli(config, "show", str(stored["nik-012@contoh.id"].ticket_id), env=environment)
    assert screen.code == 0 and re.search(rf"Perihal\s+{subject}", screen.out), screen.out
    recap = run_cli(config, "recap", "daily", "--date", "2026-11-23", "--format", "json", "-o", str(tmp_path),
                    env=environment)
    assert recap.code == 0, recap.err
    rows = json.loads((tmp_path / "rekap-harian-2026-11-23.json").read_text(encoding="utf-8"))["rows"]
    assert [r["summary"].split(" \u2014 ")[0] for r in rows] == [subject]  # the recap's summary column
