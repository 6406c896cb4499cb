"""The one attachment store (ticketing.store.attachments), and the channels that use it.

Atomic writes (a crash mid-write never leaves a file under the hash), checksums on reuse (a
damaged file is replaced, not kept for ever), streamed writes in bounded memory, and an email
batch fetched and written a few mails at a time.
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.collectors.email_helpers import make_collector, poll
from tests.fakes import whatsapp as wa
from tests.fakes.mail import OFFICE_ADDRESS, Mailbox
from ticketing.store.attachments import AttachmentTooLarge, path_for, store_bytes, store_stream

CHUNK = 65536


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_same_content_is_one_file_at_a_sharded_path(tmp_path):
    data = os.urandom(300_000)
    first = store_bytes(tmp_path, data)
    second = store_stream(tmp_path, (data[i:i + 1000] for i in range(0, len(data), 1000)))
    digest = hashlib.sha256(data).hexdigest()
    assert first == second and first.sha256 == digest and first.size == len(data)
    assert Path(first.path) == path_for(tmp_path, digest).resolve()
    assert _files(tmp_path) == [path_for(tmp_path, digest)]


def test_a_write_cut_off_leaves_nothing_under_the_hash(tmp_path):
    def broken():
        yield b"x" * CHUNK
        raise ConnectionResetError("download dropped")

    with pytest.raises(ConnectionResetError):
        store_stream(tmp_path, broken())
    assert _files(tmp_path) == []  # neither a partial file nor the temporary one


def test_a_damaged_stored_file_is_replaced_on_reuse(tmp_path):
    data = os.urandom(200_000)
    target = path_for(tmp_path, hashlib.sha256(data).hexdigest())
    target.parent.mkdir(parents=True)
    target.write_bytes(data[:5000])  # what an in-place write cut short used to leave
    stored = store_bytes(tmp_path, data)
    assert Path(stored.path).read_bytes() == data


def test_a_stream_over_the_limit_stops_at_the_limit(tmp_path):
    consumed = []

    def endless():
        while True:
            consumed.append(1)
            yield b"\0" * CHUNK

    with pytest.raises(AttachmentTooLarge):
        store_stream(tmp_path, endless(), max_bytes=10 * CHUNK)
    assert len(consumed) == 11 and _files(tmp_path) == []


def test_streamed_writes_stay_within_bounded_memory(tmp_path):
    total = 40 * 1024 * 1024
    tracemalloc.start()
    try:
        stored = store_stream(tmp_path, (b"a" * CHUNK for _ in range(total // CHUNK)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == total
    assert peak < 2 * 1024 * 1024, peak  # a few chunks, never the 40 MB file


def test_webhook_media_replaces_a_truncated_file_and_streams(tmp_path):
    """The WhatsApp media of a webhook goes through the store: a file a crash truncated under the
    hash (the old in-place write) is rewritten whole instead of being trusted because it exists."""
    from ticketing.config import ChannelSettings
    from ticketing.contract import Collector, registry
    from ticketing.contract.webhook import MediaRef, ParsedWebhook
    from ticketing.webhooks.queue import _save_media

    data = os.urandom(150_000)
    with wa.WhatsAppCloudFake() as fake:
        fake.add_media("MEDIA-1", data, "image/jpeg")
        config = {**wa.channel_config(fake.base_url), "max_media_bytes": 1_000_000}
        collector = registry.build_collector(ChannelSettings.model_validate(config), wa.ENV)
        assert isinstance(collector, Collector)
        chunks, mime = collector.download_media("MEDIA-1")
        assert not isinstance(chunks, bytes) and mime == "image/jpeg"  # a stream, not the whole file
        b"".join(chunks)
        target = path_for(tmp_path, hashlib.sha256(data).hexdigest())
        target.parent.mkdir(parents=True)
        target.write_bytes(data[:1000])
        parsed = ParsedWebhook(media=[MediaRef("wamid.IN1", "MEDIA-1", "image/jpeg", None, "foto.jpg")])
        [attachment] = _save_media(collector, parsed, tmp_path)["wamid.IN1"]
        assert (attachment.size, attachment.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert target.read_bytes() == data and attachment.path == str(target.resolve())


def _mail_with_attachment(n: int, size: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Warga {n} <warga{n}@contoh.id>"
    msg["To"] = OFFICE_ADDRESS
    msg["Subject"] = f"Berkas persyaratan {n}"
    msg["Message-ID"] = f"<berkas-{n}-{os.getpid()}@contoh.id>"
    msg.set_content(f"Terlampir scan berkas nomor {n}.")
    msg.add_attachment(os.urandom(size), maintype="application", subtype="pdf", filename=f"berkas{n}.pdf")
    return msg.as_bytes()


def test_an_email_batch_is_fetched_and_stored_a_few_mails_at_a_time(engine, now, tmp_path, monkeypatch):
    import collectors.email as email_module
    from collectors.imap_client import ImapSession

    mailbox = Mailbox()
    for n in range(5):
        mailbox.append(_mail_with_attachment(n, 200_000))
    fetched: list[list[int]] = []
    sizes: dict[int, int] = {}
    real_fetch, real_sizes = ImapSession.fetch, ImapSession.sizes

    def spy_fetch(self, uids, *args, **kwargs):
        fetched.append(list(uids))
        return real_fetch(self, uids, *args, **kwargs)

    def spy_sizes(self, uids):
        found = real_sizes(self, uids)
        sizes.update(found)
        return found

    monkeypatch.setattr(ImapSession, "fetch", spy_fetch)
    monkeypatch.setattr(ImapSession, "sizes", spy_sizes)
    monkeypatch.setattr(email_module, "FETCH_BUDGET_BYTES", 600_000)  # about two of these mails
    collector = make_collector(mailbox, tmp_path, max_attachment_bytes=1_000_000)
    result = poll(engine, collector, now)
    assert result.new_messages == 5
    assert len(fetched) >= 3 and sorted(u for group in fetched for u in group) == sorted(sizes)
    assert all(sum(sizes[u] for u in group) <= 600_000 for group in fetched), (fetched, sizes)
    stored = [p for p in _files(tmp_path / "lampiran")]
    assert len(stored) == 5 and all(p.parent.name == p.name[:2] for p in stored)
