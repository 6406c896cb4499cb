"""`aduan privacy purge` erases what it promises and keeps what is still shared.

Two tickets share one attachment file (files are stored by content hash). Purging the older one
keeps the file for the newer; purging the newer one later deletes it. After each purge no purged
name, handle, text or note survives anywhere in the SQLite file's bytes (free pages and the WAL
included), while the values of the ticket that stays are still there (so the search is not
vacuous).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from ticketing.contract import Attachment, InboundMessage
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import open_database, read_session, write_session
from ticketing.store.models import (
    AttachmentRecord,
    Contact,
    ContactHandle,
    Notification,
    Quarantine,
    Ticket,
    WebhookDelivery,
)
from ticketing.workflow import transitions as workflow
from ticketing.workflow.roles import Actor

NOW = PINNED_NOW
ADMIN = Actor("admin1", "admin")
TEKNIS = Actor("capil1", "teknis", bidang="CAPIL")
CHANNEL = "tg-test"

OLD = {"name": "Sukarti Wulandari", "handle": "sukarti_kalimati88", "id": "5550001234",
       "text": "Rumah saya di Dukuh Pelemsari RT 07, akta anak belum terbit", "file": "akta_sukarti_pelemsari.jpg",
       "note": "Bu Sukarti menelpon, minta dicek Pelemsari", "answer": "Data Pelemsari sudah padan di SIAK",
       "staff_note": "Catatan: suami Sukarti datang ke loket", "payload": "quarantined Sukartiwati Pelemsari",
       "hook": "webhook Sukartiwati Kalimati", "resolution": "diketik ulang: Sukartini Pelemsari via telepon"}
NEW = {"name": "Darmini Kusumastuti", "handle": "darmini_slawi77", "id": "5550009876",
       "text": "KK saya di Kaligangsa belum diperbarui", "file": "kk_darmini_kaligangsa.jpg"}


def _message(who: dict, n: int, when) -> InboundMessage:
    return InboundMessage(channel=CHANNEL, external_id=f"{who['id']}:{n}", thread_key=who["id"], text=who["text"],
                          sent_at=when, author_id=who["id"], author_handle=f"@{who['handle']}",
                          author_name=who["name"], is_private=True, raw={"from": who["name"], "text": who["text"]})


def _seed(engine, tmp_path: Path) -> tuple[int, int, Path]:
    """Two tickets sharing one stored file; the old one escalated, answered, noted and closed."""
    data = b"\xff\xd8\xff\xe0 the same scan sent twice " * 50
    digest = hashlib.sha256(data).hexdigest()
    stored = tmp_path / "attachments" / digest[:2] / digest
    stored.parent.mkdir(parents=True)
    stored.write_bytes(data)
    old_at, new_at = NOW - timedelta(days=420), NOW - timedelta(days=5)
    old, new = _message(OLD, 1, old_at), _message(NEW, 2, new_at)
    old.attachments = [Attachment(OLD["file"], "image/jpeg", len(data), digest, str(stored))]
    new.attachments = [Attachment(NEW["file"], "image/jpeg", len(data), digest, str(stored))]
    with write_session(engine) as session:
        ingest_batch(session, CHANNEL, [old], now=old_at, channel_type="telegram")
        ingest_batch(session, CHANNEL, [new], now=new_at, channel_type="telegram")
        tickets = {t.thread_key: t for t in session.exec(select(Ticket))}
        ticket = tickets[OLD["id"]]
        workflow.escalate(session, ticket, "CAPIL", ADMIN, old_at, note=OLD["note"])
        workflow.answer(session, ticket, OLD["answer"], TEKNIS, old_at + timedelta(hours=1))
        workflow.add_note(session, ticket, OLD["staff_note"], ADMIN, old_at + timedelta(hours=2))
        ticket.status = "answered"
        workflow.resolve(session, ticket, ADMIN, old_at + timedelta(days=20))
        session.add(Notification(key=f"escalation:{ticket.id}", kind="escalation", ticket_id=ticket.id,
                                 text=f"Tiket dari {OLD['name']}: {OLD['text']}", created_at=old_at))
        session.add(Quarantine(channel=CHANNEL, reason="update without an integer update_id",
                               payload=json.dumps({"from": {"id": int(OLD["id"])}, "text": OLD["payload"]}),
                               received_at=old_at, resolved_at=old_at, resolved_by="admin1",
                               resolution_note=OLD["resolution"]))
        session.add(WebhookDelivery(source=CHANNEL, body_sha256="0" * 64, received_at=old_at, processed_at=old_at,
                                    payload=json.dumps({"from": OLD["id"], "t": OLD["hook"]})))
        return ticket.id, tickets[NEW["id"]].id, stored


def _database_bytes(db_file: Path) -> bytes:
    """Every byte SQLite keeps for this database: the main file, and the WAL and journal if any."""
    parts = [db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-journal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def _survivors(blob: bytes, values) -> list[str]:
    found = []
    for value in values:
        # the trigram search index stores text in 3-character pieces: look for whole words too
        if value.encode() in blob or value.encode("utf-16-le") in blob:
            found.append(value)
    return found


def _purged_values(who: dict) -> list[str]:
    """Names, handles, texts, notes, file names. Not the channel's user id: it stays inside the
    message's external id (`<chat>:<message>`), the key that keeps a re-fetched message from
    becoming a new ticket; the thread key and author id columns no longer hold it."""
    return [v for k, v in who.items() if k != "id"]


def test_purge_keeps_a_shared_file_and_leaves_no_purged_value_in_the_database_file(tmp_path):
    db_file = tmp_path / "aduan.db"
    engine = open_database(f"sqlite:///{db_file}", auto_upgrade=True)
    old_id, new_id, stored = _seed(engine, tmp_path)
    with read_session(engine) as session:
        old_contact = session.get(Ticket, old_id).contact_id
        new_contact = session.get(Ticket, new_id).contact_id
    assert old_contact and new_contact and old_contact != new_contact
    engine.dispose()
    config = make_config(tmp_path, f"sqlite:///{db_file}")

    exported = run_cli(config, "privacy", "export", "--contact", str(old_contact), user="kabid1")
    assert exported.code == 0, exported.err
    summary = exported.json()["summary"]
    assert {k: summary[k] for k in ("tickets", "messages", "escalations", "notifications", "quarantined",
                                    "webhooks")} == {"tickets": 1, "messages": 1, "escalations": 1,
                                                     "notifications": 1, "quarantined": 1, "webhooks": 1}

    dry = run_cli(config, "privacy", "purge", "--older-than", "365", "--dry-run", user="kabid1")
    assert dry.code == 0, dry.err
    assert _survivors(_database_bytes(db_file), [OLD["name"], OLD["note"]]) == [OLD["name"], OLD["note"]]

    done = run_cli(config, "privacy", "purge", "--older-than", "365", user="kabid1")
    assert done.code == 0, done.err
    assert stored.exists()  # the newer, unpurged ticket still refers to the file
    for label in ("isi pesan: 4", "nama/akun/ID pengirim: 1", "catatan petugas: 3",
                  "catatan eskalasi dan jawaban bidang: 1",
                  "teks notifikasi: 1", "kontak: 1", "akun kanal kontak: 1", "payload karantina: 1",
                  "payload webhook: 1", "berkas dihapus: 0", "berkas dipertahankan (masih dipakai tiket lain): 1"):
        assert label in done.out, done.out
    blob = _database_bytes(db_file)
    assert _survivors(blob, _purged_values(OLD)) == []
    assert _survivors(blob, _purged_values(NEW)) == _purged_values(NEW)  # what stays, stays

    engine = open_database(f"sqlite:///{db_file}", auto_upgrade=True)
    with engine.connect() as conn:  # the user id survives only inside the dedupe key, nowhere else
        for table, column in (("ticket", "thread_key"), ("message", "thread_key"), ("message", "author_id")):
            found = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :v"),
                                 {"v": f"%{OLD['id']}%"}).scalar()
            assert found == 0, (table, column)
    with read_session(engine) as session:
        assert session.get(Contact, old_contact) is None and session.get(Contact, new_contact) is not None
        assert session.exec(select(ContactHandle.contact_id)).all() == [new_contact]
        rows = {a.filename: a.path for a in session.exec(select(AttachmentRecord))}
        assert rows == {"[dihapus]": None, NEW["file"]: str(stored)}
    with write_session(engine) as session:
        new_ticket = session.get(Ticket, new_id)
        new_ticket.status = "answered"
        workflow.resolve(session, new_ticket, ADMIN, NOW)
    engine.dispose()

    later = (NOW + timedelta(days=400)).isoformat()
    second = run_cli(config, "privacy", "purge", "--older-than", "365", "--json", user="kabid1", now=later)
    assert second.code == 0, second.err
    assert (second.json()["tickets"], second.json()["files_removed"], second.json()["shared_files"]) == (1, 1, 0)
    assert not stored.exists()  # no row refers to it any more
    assert _survivors(_database_bytes(db_file), _purged_values(OLD) + _purged_values(NEW)) == []
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM contact")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM ticket")).scalar() == 2  # recap rows stay
    engine.dispose()


def test_a_file_a_row_still_uses_is_not_unlinked(tmp_path):
    """Files are deleted after the purge's commit; one that a row refers to by then (the same
    content arrived again meanwhile) is kept."""
    from ticketing.privacy.purge import remove_files

    engine = open_database(f"sqlite:///{tmp_path / 'aduan.db'}", auto_upgrade=True)
    _old_id, _new_id, stored = _seed(engine, tmp_path)
    unused = tmp_path / "attachments" / "ab" / ("ab" * 32)
    unused.parent.mkdir(parents=True, exist_ok=True)
    unused.write_bytes(b"nobody refers to this")
    assert remove_files(engine, [str(stored), str(unused), str(tmp_path / "gone")]) == 1
    assert stored.exists() and not unused.exists()
    engine.dispose()
