"""Privacy: NIK/KK, phone and e-mail masking, log pseudonyms, the public-NIK flag and the public
reply guard, and the retention purge."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.cli_helpers import make_config, run_cli
from tests.conftest import count
from tests.factories import inbound
from ticketing.errors import AduanError, PermissionDenied
from ticketing.privacy import safety
from ticketing.privacy.purge import purge
from ticketing.privacy.redact import redact
from ticketing.privacy.rules import (
    MOVE_TO_DM_TEMPLATE,
    PURGED_TEXT,
    public_reply_guard,
    reply_advice,
)
from ticketing.privacy.safety import contains_contact, contains_nik, mask_personal, mask_sensitive, pseudonymise
from ticketing.workflow.roles import Actor

NIK = "3329014506900002"
SUPERVISOR = Actor("kabid1", "supervisor")
ADMIN = Actor("admin1", "admin")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# --- masking --------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    NIK, "3329 0145 0690 0002", "3329.0145.0690.0002", "3329-0145-0690-0002", "332901 450690 0002",
    NIK.translate(FULL_WIDTH), "３３２９－０１４５－０６９０－０００２",
])
def test_nik_written_any_way_is_masked(written):
    masked = mask_sensitive(f"NIK saya {written}, mohon dicek")
    assert masked == "NIK saya 3329********0002, mohon dicek"
    assert contains_nik(written)


@pytest.mark.parametrize(("text", "expected"), [
    (f"KK:\n{NIK}\nNIK: 3329014506900003", "KK:\n3329********0002\nNIK: 3329********0003"),
    (f"nomor saya {NIK}.", "nomor saya 3329********0002."),
    (f"https://lapor.example.id/cek?nik={NIK}&kk=3329010101200001",
     "https://lapor.example.id/cek?nik=3329********0002&kk=3329********0001"),
    (f"foto: KTP_{NIK}.jpg", "foto: KTP_3329********0002.jpg"),
    (f"{NIK}{NIK}", f"{NIK}{NIK}"),  # 32 digits: not a NIK
])
def test_nik_at_line_ends_in_urls_and_file_names(text, expected):
    assert mask_sensitive(text) == expected


@pytest.mark.parametrize("number", ["332901450690000", "33290145069000021", "12345678901234567890"])
def test_numbers_of_other_lengths_are_left_alone(number):
    assert mask_sensitive(f"resi {number} ok") == f"resi {number} ok"
    assert not contains_nik(number)


def test_phones_and_emails_are_masked_on_request():
    text = f"hub 0812-3456-7890 / +62 812 3456 7891 / (0283) 671234 / budi.s@mail.co.id, NIK {NIK}"
    assert mask_sensitive(text) == text.replace(NIK, "3329********0002")  # tables keep contacts by default
    masked = mask_personal(text)
    for secret in ("3456", "7891", "671234", "budi.s@", NIK):
        assert secret not in masked
    assert "08*******890" in masked and "b***@mail.co.id" in masked and "3329********0002" in masked
    assert contains_contact(text) and not contains_contact("ktp saya 2 minggu belum jadi")


digits = st.text(alphabet="0123456789", min_size=16, max_size=16).filter(lambda d: d[0] != "0")
separators = st.sampled_from(["", " ", ".", "-"])
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Nd", "Cs"]), max_size=20)


@settings(max_examples=200, deadline=None, database=None)
@given(nik=digits, sep=separators, before=words, after=words, wide=st.booleans())
def test_property_no_nik_survives_masking(nik, sep, before, after, wide):
    written = sep.join(nik[i:i + 4] for i in range(0, 16, 4))
    if wide:
        written = written.translate(FULL_WIDTH)
    text = f"{before} {written} {after}"
    for masked in (mask_sensitive(text), mask_personal(text), pseudonymise(text)):
        plain_digits = "".join(str(unicodedata.decimal(c)) for c in masked if unicodedata.decimal(c, None) is not None)
        assert nik not in plain_digits
        assert not contains_nik(masked)
    assert mask_sensitive(text).count("*") >= 8


@settings(max_examples=100, deadline=None, database=None)
@given(number=st.text(alphabet="0123456789", min_size=1, max_size=40).filter(lambda d: len(d) != 16),
       before=words)
def test_property_runs_that_are_not_16_digits_stay(number, before):
    text = f"{before} {number}"
    assert mask_sensitive(text) == text


# --- logs -----------------------------------------------------------------------------------------

def test_log_pseudonyms_are_joinable_and_unreadable():
    grouped = pseudonymise("nik 3329 0145 0690 0002")
    plain = pseudonymise(f"nik {NIK}")
    assert grouped == plain and re.fullmatch(r"nik NIK#[0-9a-f]{8}", plain)
    assert pseudonymise("nik 3329014506900003") != plain
    assert NIK not in redact(f"GET https://graph.example/v1?access_token=abc&q={NIK} failed")
    assert "access_token=[REDACTED]" in redact(f"access_token=abcdef&q={NIK}")
    contacts = pseudonymise("wa 081234567890 a@b.id", contacts=True)
    assert "081234567890" not in contacts and "TEL#" in contacts and "EMAIL#" in contacts


def test_configured_log_key_makes_pseudonyms_stable(monkeypatch):
    from ticketing.config import load_settings
    from ticketing.privacy.rules import install_log_key

    monkeypatch.setattr(safety, "_log_key", safety._log_key)  # restored after the test
    settings_ = load_settings(None, environ={}, overrides={("privacy", "log_key_env"): "TEST_LOG_KEY"})
    assert install_log_key(settings_, {"TEST_LOG_KEY": "kunci-rahasia-1"})
    first = pseudonymise(NIK)
    safety.set_log_key(b"other")
    assert pseudonymise(NIK) != first
    install_log_key(settings_, {"TEST_LOG_KEY": "kunci-rahasia-1"})
    assert pseudonymise(NIK) == first
    assert not install_log_key(load_settings(None, environ={}), {})


# --- public NIK: flag, advice, guard ----------------------------------------------------------------

def _ingest(engine, now, messages):
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import write_session

    with write_session(engine) as session:
        ingest_batch(session, "fb-test", messages, now=now)


def test_public_nik_flags_the_ticket_once(engine, now):
    from ticketing.store.db import read_session
    from ticketing.store.models import Ticket

    base = now - timedelta(hours=1)
    _ingest(engine, now, [
        inbound(1, base=base, thread="public", text=f"min nik saya {NIK} tidak padan", is_private=False),
        inbound(2, base=base, thread="dm", text=f"nik saya {NIK}", is_private=True),
        inbound(3, base=base, thread="plain", text="ktp saya belum jadi", is_private=False),
        inbound(4, base=base, thread="later", text="kk saya hilang", is_private=False),
    ])
    _ingest(engine, now, [
        inbound(5, base=base, thread="later", author="u4", text="ini no kk 3329 0101 2000 0001", is_private=False),
        inbound(6, base=base, thread="public", author="u1", text=f"tolong {NIK}", is_private=False),
    ])
    with read_session(engine) as session:
        flags = {t.thread_key: t.flags for t in session.exec(select(Ticket))}
    assert flags["public"] == "public_nik" and flags["later"] == "public_nik"
    assert "public_nik" not in flags["dm"] and "public_nik" not in flags["plain"]


def test_reply_advice_and_public_reply_guard():
    from ticketing.store.models import Ticket

    public = Ticket(ref="ADU-2026-000001", channel="fb", thread_key="t", is_public=True, flags="public_nik",
                    received_at=None)
    private = Ticket(ref="ADU-2026-000002", channel="wa", thread_key="u", is_public=False, flags="public_nik",
                     received_at=None)
    assert reply_advice(public) == MOVE_TO_DM_TEMPLATE and reply_advice(private) is None
    with pytest.raises(AduanError, match=MOVE_TO_DM_TEMPLATE) as refused:
        public_reply_guard(public, f"NIK Anda {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]} sudah aktif")
    assert NIK[4:8] not in str(refused.value)
    public_reply_guard(public, "Silakan kirim NIK lewat DM, terima kasih")
    public_reply_guard(private, f"NIK {NIK} sudah kami aktifkan")


def test_workflow_reply_refuses_a_nik_in_a_public_reply_by_default(engine, now):
    from ticketing.store.db import write_session
    from ticketing.store.models import Message, Ticket
    from ticketing.workflow.transitions import reply

    _ingest(engine, now, [inbound(1, base=now - timedelta(hours=1), text="nik saya error", is_private=False)])
    with write_session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        with pytest.raises(AduanError):
            reply(session, ticket, f"NIK {NIK} sudah aktif", ADMIN, now)
        reply(session, ticket, "Sudah kami cek, silakan coba lagi", ADMIN, now)
        assert len(session.exec(select(Message).where(Message.direction == "out")).all()) == 1


# --- purge ------------------------------------------------------------------------------------------

def _closed_tickets(engine, now):
    """Ticket 1 closed 400 days ago (with an edit, an attachment), 2 dismissed 400 days ago,
    3 closed 10 days ago, 4 still open and old."""
    from ticketing.store.db import write_session
    from ticketing.store.models import AttachmentRecord, Message, MessageRevision, Ticket
    from ticketing.workflow.transitions import dismiss, resolve

    old = now - timedelta(days=420)
    _ingest(engine, now, [
        inbound(1, base=old, thread="a", text=f"NIK {NIK} ktp belum jadi", is_private=False),
        inbound(2, base=old, thread="b", text="promo slot gacor", is_private=False),
        inbound(3, base=now - timedelta(days=30), thread="c", text="akta lahir anak saya", is_private=False),
        inbound(4, base=old, thread="d", text="kk saya hilang", is_private=False),
    ])
    with write_session(engine) as session:
        tickets = {t.thread_key: t for t in session.exec(select(Ticket))}
        for key in ("a", "c"):
            tickets[key].status = "answered"
            resolve(session, tickets[key], ADMIN, now - timedelta(days=400 if key == "a" else 10))
        dismiss(session, tickets["b"], "spam", ADMIN, now - timedelta(days=400))
        first = session.exec(select(Message).where(Message.ticket_id == tickets["a"].id)).one()
        session.add(MessageRevision(message_id=first.id, previous_text=f"NIK {NIK}", edited_at=old, raw="{}"))
        session.add(AttachmentRecord(message_id=first.id, filename="ktp.jpg", path="/nonexistent/ktp.jpg"))
        return {key: t.id for key, t in tickets.items()}


def test_purge_removes_old_bodies_and_keeps_the_recap_figures(engine, now):
    from ticketing.store.db import read_session, write_session
    from ticketing.store.models import AttachmentRecord, Event, Message, MessageRevision, Ticket
    from ticketing.workflow.audit import verify_chain

    ids = _closed_tickets(engine, now)
    with write_session(engine) as session:
        dry = purge(session, SUPERVISOR, now, 365, dry_run=True)
    assert (dry.tickets, dry.messages, dry.revisions, dry.attachments) == (2, 2, 1, 1)
    assert count(engine, "message", f"WHERE text = '{PURGED_TEXT}'") == 0
    with write_session(engine) as session:
        done = purge(session, SUPERVISOR, now, 365)
    assert (done.tickets, done.messages) == (2, 2) and done.files == ["/nonexistent/ktp.jpg"]
    with read_session(engine) as session:
        tickets = {t.id: t for t in session.exec(select(Ticket))}
        messages = {m.ticket_id: m for m in session.exec(select(Message))}
        assert len(tickets) == 4  # the rows stay: recaps still count them
        for key in ("a", "b"):
            ticket, message = tickets[ids[key]], messages[ids[key]]
            assert (message.text, message.raw, ticket.summary) == (PURGED_TEXT, None, "")
            assert "purged" in ticket.flags.split(",") and ticket.status in ("closed", "dismissed")
            assert ticket.received_at is not None and ticket.closed_at is not None and ticket.message_count == 1
        for key in ("c", "d"):
            assert messages[ids[key]].text != PURGED_TEXT and "purged" not in tickets[ids[key]].flags
        assert session.exec(select(MessageRevision)).one().previous_text == PURGED_TEXT
        assert session.exec(select(AttachmentRecord)).one().path is None
        events = list(session.exec(select(Event).order_by(Event.id)))
        assert [e.ticket_id for e in events if e.action == "purged"] == [ids["a"], ids["b"]]
        assert [e.actor for e in events if e.action == "privacy_purge"] == ["kabid1"]
        assert verify_chain(events) == []
        assert NIK not in "".join(e.detail for e in events)
    with write_session(engine) as session:
        again = purge(session, SUPERVISOR, now, 365)
    assert (again.tickets, again.messages) == (0, 0)


def test_purge_is_for_supervisors_only(engine, now):
    from ticketing.store.db import write_session

    with write_session(engine) as session, pytest.raises(PermissionDenied):
        purge(session, ADMIN, now, 365)
    with write_session(engine) as session, pytest.raises(AduanError):
        purge(session, SUPERVISOR, now, 0)


def test_cli_privacy_purge(tmp_path, now):
    from ticketing.store.db import open_database

    config = make_config(tmp_path)
    engine = open_database(f"sqlite:///{tmp_path / 'aduan.db'}", auto_upgrade=True)
    ids = _closed_tickets(engine, now)
    attachment = tmp_path / "ktp.jpg"
    attachment.write_bytes(b"jpeg")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE attachment SET path = ?", (str(attachment),))
    refused = run_cli(config, "privacy", "purge", "--older-than", "365", user="admin1")
    assert refused.code == 1 and "supervisor" in refused.err
    assert count(engine, "event", "WHERE action = 'refused'") == 1
    assert attachment.exists()
    done = run_cli(config, "privacy", "purge", "--older-than", "365", "--json", user="kabid1")
    assert done.code == 0, done.err
    assert (done.json()["tickets"], done.json()["files_removed"]) == (2, 1) and not attachment.exists()
    assert count(engine, "message", f"WHERE ticket_id = {ids['a']} AND text = '{PURGED_TEXT}'") == 1
    engine.dispose()
