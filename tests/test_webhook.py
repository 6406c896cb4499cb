"""The webhook receiver as a real process on loopback: signed WhatsApp payloads in, tickets out."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from collectors.meta_webhook import sign
from tests.cli_helpers import ROOT, make_config
from tests.fakes import whatsapp as wa

NOW = 1795402800  # 2026-11-23 03:00 UTC, the pinned clock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cloud():
    with wa.WhatsAppCloudFake() as fake:
        yield fake


@pytest.fixture
def config(tmp_path, cloud):
    channel = wa.channel_config(cloud.base_url)
    channel["attachments_dir"] = str(tmp_path / "attachments")
    channel["max_media_bytes"] = 1000
    return make_config(tmp_path, channels=[channel])


def _environment(config: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env.update(wa.ENV)
    env.update({"ADUAN_CONFIG": str(config), "ADUAN_NOW": "2026-11-23T03:00:00+00:00"})
    env.update(extra or {})
    return env


@contextmanager
def receiver(config: Path, **extra_env: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "webhook", "serve", "--port", str(port)],
                            env=_environment(config, extra_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while True:
        try:
            requests.get(f"{url}/healthz", timeout=2)
            break
        except requests.RequestException:  # not listening yet, or too slow to answer on a loaded machine
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"receiver did not start: {proc.stderr.read().decode()[-800:]}") from None
            time.sleep(0.05)
    try:
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def post(url: str, payload: dict | bytes, secret: str = wa.APP_SECRET, signature: str | None = None):
    data = payload if isinstance(payload, bytes) else wa.body(payload)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature or sign(data, secret)}
    return requests.post(f"{url}/webhook/wa-test", data=data, headers=headers, timeout=5)


def db(config: Path):
    from ticketing.store.db import open_database

    return open_database(f"sqlite:///{config.parent / 'aduan.db'}")


def scalar(config: Path, sql: str):
    engine = db(config)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def processed(config: Path, count: int) -> bool:
    return scalar(config, "SELECT count(*) FROM webhook_delivery WHERE processed_at IS NOT NULL") >= count


def test_verification_handshake(config):
    with receiver(config) as (url, _proc):
        ok = requests.get(f"{url}/webhook/wa-test", params={"hub.mode": "subscribe", "hub.verify_token":
                                                             wa.VERIFY_TOKEN, "hub.challenge": "1158201444"})
        bad = requests.get(f"{url}/webhook/wa-test", params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                              "hub.challenge": "x"})
        unknown = requests.get(f"{url}/webhook/other", params={"hub.mode": "subscribe"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403 and unknown.status_code == 404


def test_signed_message_is_stored_and_ingested_once_when_posted_three_times(config):
    message, contact = wa.text_message("wamid.IN1", "6281234567890", "min ktp sy blm jadi", NOW - 60, "Siti")
    payload = wa.envelope([message], [contact])
    with receiver(config) as (url, _proc):
        codes = [post(url, payload).status_code for _ in range(3)]
        wait_until(lambda: processed(config, 3))
    assert codes == [200, 200, 200]
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 3
    assert scalar(config, "SELECT count(*) FROM message WHERE external_id = 'wamid.IN1'") == 1
    assert scalar(config, "SELECT count(*) FROM ticket") == 1
    assert scalar(config, "SELECT thread_key FROM ticket") == "wa:6281234567890"


def test_bad_signature_and_malformed_json_are_rejected_and_leave_nothing(config):
    message, contact = wa.text_message("wamid.IN2", "6281234567891", "halo", NOW - 60)
    with receiver(config) as (url, _proc):
        wrong = post(url, wa.envelope([message], [contact]), secret="not-the-secret")
        unsigned = requests.post(f"{url}/webhook/wa-test", data=wa.body(wa.envelope([message], [contact])))
        broken = post(url, b'{"object": "whatsapp_business_account", "entry": [')
    assert (wrong.status_code, unsigned.status_code, broken.status_code) == (401, 401, 400)
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 0
    assert scalar(config, "SELECT count(*) FROM ticket") == 0


def test_structurally_broken_payloads_get_2xx_are_kept_and_create_nothing(config):
    no_metadata = wa.envelope([wa.text_message("wamid.X1", "628111", "a", NOW)[0]])
    del no_metadata["entry"][0]["changes"][0]["value"]["metadata"]
    no_changes = {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": []}]}
    no_from = wa.envelope([{"id": "wamid.X2", "timestamp": str(NOW), "type": "text", "text": {"body": "x"}}])
    unsupported = wa.envelope([{"from": "628111", "id": "wamid.X3", "timestamp": str(NOW), "type": "unsupported",
                                "errors": [{"code": 131051, "title": "Message type unknown"}]}])
    with receiver(config) as (url, _proc):
        codes = [post(url, p).status_code for p in (no_metadata, no_changes, no_from, unsupported)]
        wait_until(lambda: processed(config, 4))
    assert codes == [200, 200, 200, 200]
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 4
    assert scalar(config, "SELECT count(*) FROM message") == 0
    assert scalar(config, "SELECT count(*) FROM ticket") == 0
    assert scalar(config, "SELECT count(*) FROM quarantine") == 4  # `changes: []` too, with its reason


def test_several_messages_in_one_post_are_all_stored(config):
    pairs = [wa.text_message(f"wamid.B{i}", f"62812000000{i}", f"pesan {i} soal kk", NOW - 100 + i) for i in range(4)]
    with receiver(config) as (url, _proc):
        assert post(url, wa.envelope([m for m, _c in pairs], [c for _m, c in pairs])).status_code == 200
        wait_until(lambda: processed(config, 1))
    assert scalar(config, "SELECT count(*) FROM message") == 4
    assert scalar(config, "SELECT count(*) FROM ticket") == 4


def test_a_killed_ingest_step_is_retried_from_the_raw_table(config):
    message, contact = wa.text_message("wamid.K1", "6281999", "akta kelahiran blm jadi", NOW - 30)
    with receiver(config, ADUAN_FAULT="webhook_before_commit") as (url, proc):
        assert post(url, wa.envelope([message], [contact])).status_code == 200
        assert proc.wait(timeout=15) == -signal.SIGKILL  # died inside the ingest transaction
    assert scalar(config, "SELECT count(*) FROM webhook_delivery WHERE processed_at IS NULL") == 1
    assert scalar(config, "SELECT count(*) FROM message") == 0
    with receiver(config) as (_url, _proc):
        wait_until(lambda: processed(config, 1))
    assert scalar(config, "SELECT count(*) FROM message WHERE external_id = 'wamid.K1'") == 1


def test_media_is_fetched_with_authorization_and_size_limited(config, cloud):
    cloud.add_media("MEDIA-1", b"\xff\xd8\xff small jpeg", "image/jpeg")
    cloud.add_media("MEDIA-2", b"x" * 5000, "application/pdf")
    image = {"from": "6281777", "id": "wamid.M1", "timestamp": str(NOW - 20), "type": "image",
             "image": {"id": "MEDIA-1", "mime_type": "image/jpeg", "caption": "foto kk rusak"}}
    document = {"from": "6281777", "id": "wamid.M2", "timestamp": str(NOW - 10), "type": "document",
                "document": {"id": "MEDIA-2", "mime_type": "application/pdf", "filename": "surat.pdf"}}
    with receiver(config) as (url, _proc):
        assert post(url, wa.envelope([image, document], [{"wa_id": "6281777", "profile": {"name": "A"}}])).ok
        wait_until(lambda: processed(config, 1))
    assert scalar(config, "SELECT text FROM message WHERE external_id = 'wamid.M1'") == "foto kk rusak"
    image_size = scalar(config, "SELECT size FROM attachment WHERE filename LIKE 'image-%'")
    assert image_size == len(b"\xff\xd8\xff small jpeg")
    assert scalar(config, "SELECT text FROM message WHERE external_id = 'wamid.M2'") == "[dokumen] surat.pdf"
    assert "over the 1000 limit" in scalar(config, "SELECT skipped_reason FROM attachment WHERE filename='surat.pdf'")
    fetched = [r for r in cloud.server.requests if r.path.startswith("/media-bin/")]
    assert fetched and all(r.headers.get("Authorization") == f"Bearer {wa.TOKEN}" for r in fetched)


def test_reply_statuses_move_forward_and_failure_is_explained(config, cloud):
    from ticketing.config import load_settings
    from ticketing.contract import OutboundMessage
    from ticketing.contract.registry import build_collector

    settings = load_settings(str(config), environ={})
    collector = build_collector(settings.channel("wa-test"), wa.ENV)
    sent = collector.send(OutboundMessage(channel="wa-test", thread_key="wa:6281555", text="Silakan datang",
                                          in_reply_to="wamid.IN9"))
    assert cloud.sent[0]["to"] == "6281555" and cloud.sent[0]["context"] == {"message_id": "wamid.IN9"}
    from datetime import UTC, datetime

    from ticketing.store.db import write_session
    from ticketing.store.models import Message

    engine = db(config)
    with write_session(engine) as session:
        session.add(Message(channel="wa-test", external_id=sent.external_id, thread_key="wa:6281555", direction="out",
                            text="Silakan datang", sent_at=datetime(2026, 11, 23, 2, tzinfo=UTC),
                            delivery_state="sent"))
    engine.dispose()
    status = {"id": sent.external_id, "recipient_id": "6281555"}
    with receiver(config) as (url, _proc):
        post(url, wa.envelope(statuses=[{**status, "status": "read", "timestamp": str(NOW)}]))
        post(url, wa.envelope(statuses=[{**status, "status": "delivered", "timestamp": str(NOW - 5)}]))
        wait_until(lambda: processed(config, 2))
        assert scalar(config, "SELECT provider_status FROM message WHERE external_id = :id".replace(
            ":id", f"'{sent.external_id}'")) == "read"
        failure = {**status, "status": "failed", "timestamp": str(NOW + 5),
                   "errors": [{"code": 131047, "title": "Re-engagement message"}]}
        post(url, wa.envelope(statuses=[failure]))
        wait_until(lambda: processed(config, 3))
    error = scalar(config, f"SELECT delivery_error FROM message WHERE external_id = '{sent.external_id}'")
    assert "24 jam" in error and "131047" in error


def test_reply_outside_the_24_hour_window_is_refused_before_sending(config, cloud):
    from datetime import UTC, datetime, timedelta

    from ticketing.config import load_settings
    from ticketing.contract import OutboundMessage, SendRefused
    from ticketing.contract.registry import build_collector

    collector = build_collector(load_settings(str(config), environ={}).channel("wa-test"), wa.ENV)
    stale = datetime.now(UTC) - timedelta(hours=30)
    with pytest.raises(SendRefused, match="24 jam"):
        collector.send(OutboundMessage(channel="wa-test", thread_key="wa:6281555", text="halo",
                                       context={"last_inbound_at": stale.isoformat()}))
    assert cloud.sent == []


def test_whatsapp_numbers_are_masked_in_the_inbox_and_ticket_view(config):
    from tests.cli_helpers import run_cli

    message, contact = wa.text_message("wamid.P1", "6281234567890", "kk saya hilang min", NOW - 60, "Rina")
    with receiver(config) as (url, _proc):
        post(url, wa.envelope([message], [contact]))
        wait_until(lambda: processed(config, 1))
    inbox = run_cli(config, "inbox", "--json", env=wa.ENV)
    shown = run_cli(config, "show", str(inbox.json()[0]["id"]), "--json", env=wa.ENV)
    assert inbox.json()[0]["contact"] == "62********890"
    assert shown.json()["messages"][0]["author_handle"] == "62********890"
    assert "6281234567890" not in inbox.out + shown.out


def test_a_username_only_citizen_is_answered_by_the_business_scoped_id(config, cloud):
    from ticketing.config import load_settings
    from ticketing.contract import OutboundMessage
    from ticketing.contract.registry import build_collector

    collector = build_collector(load_settings(str(config), environ={}).channel("wa-test"), wa.ENV)
    collector.send(OutboundMessage(channel="wa-test", thread_key="wa:ID.1502576394655843", text="Silakan, Kak"))
    collector.send(OutboundMessage(channel="wa-test", thread_key="wa:6281555", text="Silakan, Pak"))
    assert cloud.sent[0]["recipient"] == "ID.1502576394655843" and "to" not in cloud.sent[0]
    assert cloud.sent[1]["to"] == "6281555" and "recipient" not in cloud.sent[1]
