"""The hand-written mail corpus (tests/data/mail): every mail parsed as its YAML expects, then all of
them through a real Dovecot and the collector twice: every one stored, none quarantined, no duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from collectors.mail_parse import parse_message
from tests.collectors.email_helpers import make_collector, poll
from tests.fakes.mail import Mailbox
from ticketing.store.db import read_session
from ticketing.store.models import AttachmentRecord, Message, Quarantine

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"
MAILS = sorted(CORPUS.glob("*.eml"))
FAMILIES = {"outlook", "apple", "gmail", "yahoo", "thunderbird", "webform", "bounce", "charset", "broken"}


def expected(path: Path) -> dict:
    return yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_covers_every_family():
    assert len(MAILS) >= 60
    assert {expected(p)["family"] for p in MAILS} == FAMILIES
    assert all(p.with_suffix(".yaml").exists() for p in MAILS)


@pytest.mark.parametrize("path", MAILS, ids=[p.stem for p in MAILS])
def test_each_mail_parses_as_expected(path: Path):
    want = expected(path)
    raw = path.read_bytes()
    parsed = parse_message(raw)
    assert parsed.subject == want["subject"]
    assert (parsed.from_address or None) == want["from"]
    assert parsed.from_name == want["name"]
    if "address_source" in want:
        assert parsed.address_source == want["address_source"]
    for excerpt in want["body"]:
        assert excerpt in parsed.text, (excerpt, parsed.text)
    for excerpt in want.get("body_absent", []):
        assert excerpt not in parsed.text
    assert "\ufffd" not in parsed.text + parsed.subject + parsed.from_name
    files = [p for p in parsed.attachments if p.role == "file"]
    assert [p.filename for p in files] == want["attachments"]
    assert [p.filename for p in parsed.attachments if p.role == "signature"] == want.get("signatures", [])
    if want.get("verbatim"):
        attached = [p.data for p in files if p.declared_type == "message/rfc822"]
        assert attached and all(data.startswith(b"From: ") and data in raw for data in attached)
    assert bool(parsed.automatic) == want["automatic"], parsed.automatic
    failed = parsed.bounce is not None and parsed.bounce.failed and parsed.bounce.original_message_id is not None
    assert failed == want["bounce"]
    if want.get("bounce_of"):
        assert parsed.bounce.original_message_id == want["bounce_of"]
    assert set(want.get("flags", [])) <= set(parsed.flags), parsed.flags


def test_the_whole_corpus_through_dovecot_twice(engine, now, tmp_path):
    mailbox = Mailbox()
    for path in MAILS:
        mailbox.append(path.read_bytes())
    collector = make_collector(mailbox, tmp_path, batch_size=25)
    first = poll(engine, collector, now)
    second = poll(engine, collector, now)
    wants = [expected(p) for p in MAILS]
    assert (first.new_messages, first.quarantined) == (len(MAILS), 0)
    assert first.new_tickets == sum(1 for w in wants if not w["automatic"])
    assert (second.new_messages, second.new_tickets, second.duplicates, second.quarantined) == (0, 0, 0, 0)
    with read_session(engine) as session:
        assert session.exec(select(Quarantine)).all() == []
        stored = {m.external_id: m for m in session.exec(select(Message))}
        files = {}
        for record in session.exec(select(AttachmentRecord)):
            files.setdefault(record.message_id, []).append(record.filename)
    for path, want in zip(MAILS, wants, strict=True):
        message = stored[parse_message(path.read_bytes()).message_id]  # the key, not an expectation
        assert (message.author_id or None) == want["from"], want["subject"]
        assert (message.ticket_id is not None) == (not want["automatic"]), want["subject"]
        assert sorted(files.get(message.id, [])) == sorted(want["attachments"]), want["subject"]
        assert json.loads(message.raw)["address_source"] == want.get("address_source", "From" if want["from"]
                                                                        else None)
