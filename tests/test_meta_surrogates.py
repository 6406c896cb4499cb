"""A lone UTF-16 surrogate (`\\ud83d`, half an emoji) from Messenger: every message is stored, the
text, raw payload and quarantine rows hold U+FFFD, and the stored bytes are valid UTF-8."""

from __future__ import annotations

import json

import sqlalchemy as sa

from collectors.meta_webhook import sign
from tests.cli_helpers import make_config
from tests.fakes.graph_api import PAGE_ID, FacebookFake
from tests.test_webhook import processed, receiver, wait_until

HALF = "\ud83d"
REPLACEMENT = "\ufffd"


def _stored_bytes(config, sql: str) -> list[bytes]:
    """The column's bytes as the database holds them (CAST AS BLOB on SQLite)."""
    from ticketing.store.db import open_database

    engine = open_database(f"sqlite:///{config.parent / 'aduan.db'}")
    try:
        with engine.connect() as conn:
            return [bytes(v) for v in conn.execute(sa.text(sql)).scalars()]
    finally:
        engine.dispose()


def test_a_poll_page_with_lone_surrogates_stores_all_six_messages(tmp_path, monkeypatch):
    from ticketing.app import App
    from ticketing.intake.collect import collect

    with FacebookFake() as fake:
        config = make_config(tmp_path, channels=[fake.channel_config()])
        for key, value in fake.env().items():
            monkeypatch.setenv(key, value)
        conversation = fake.new_conversation()
        for text in ("KTP saya hilang " + HALF, "ok", HALF + " halo", "KK", "akta " + HALF + HALF, "terima kasih"):
            fake.add_dm(text, conversation)
        broken = {"id": "m_broken_1", "created_time": "2026-11-23T02:00:00+0000", "message": "tanpa pengirim " + HALF}
        fake.conversations[conversation]["messages"].append(broken)
        runs = collect(App.load(str(config)), channel="fb-test")
        again = collect(App.load(str(config)), channel="fb-test")
    assert [r.error for r in runs + again] == [None, None]
    texts = _stored_bytes(config, "SELECT CAST(text AS BLOB) FROM message ORDER BY sent_at")
    assert len(texts) == 6
    assert all(t.decode("utf-8") for t in texts)  # valid UTF-8, or decode raises
    assert texts[0].decode() == "KTP saya hilang " + REPLACEMENT
    assert texts[4].decode() == "akta " + REPLACEMENT * 2
    raws = _stored_bytes(config, "SELECT CAST(raw AS BLOB) FROM message")
    assert sum(REPLACEMENT in r.decode("utf-8") for r in raws) == 3  # the three with a half emoji
    assert not any(b"\\ud83d" in r or b"\xed\xa0\xbd" in r for r in raws)
    quarantined = _stored_bytes(config, "SELECT CAST(payload AS BLOB) FROM quarantine")
    assert len(quarantined) == 1
    assert "tanpa pengirim " + REPLACEMENT in quarantined[0].decode("utf-8")


def test_a_webhook_body_with_lone_surrogates_is_ingested_not_retried_forever(tmp_path, monkeypatch):
    with FacebookFake() as fake:
        channel = {**fake.channel_config(), "verify_token_env": "ADUAN_TEST_FB_VERIFY"}
        config = make_config(tmp_path, channels=[channel])
        env = {**fake.env(), "ADUAN_TEST_FB_VERIFY": "v"}
        secret = env["ADUAN_TEST_FB_APP_SECRET"]
        events = [
            {"sender": {"id": "PSID-77"}, "recipient": {"id": PAGE_ID}, "timestamp": 1795400000000,
             "message": {"mid": "m_sur_1", "text": "Min, NIK saya " + HALF}},
            {"sender": {"id": "PSID-77"}, "recipient": {"id": PAGE_ID}, "timestamp": 1795400001000,
             "message": {"mid": "m_sur_2", "text": "ok"}},
            {"recipient": {"id": PAGE_ID}, "timestamp": 1795400002000,
             "message": {"mid": "m_sur_3", "text": "tanpa pengirim " + HALF}},
        ]
        body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1795400002000,
                                                        "messaging": events}]}).encode()
        assert b"\\ud83d" in body  # Meta's encoding: the surrogate arrives as an escape
        with receiver(config, **env) as (url, _proc):
            answer = requests_post(url, body, secret)
            wait_until(lambda: processed(config, 1))
    assert answer == 200
    texts = sorted(t.decode("utf-8") for t in _stored_bytes(config, "SELECT CAST(text AS BLOB) FROM message"))
    assert texts == ["Min, NIK saya " + REPLACEMENT, "ok"]
    quarantined = _stored_bytes(config, "SELECT CAST(payload AS BLOB) FROM quarantine")
    assert len(quarantined) == 1 and "tanpa pengirim " + REPLACEMENT in quarantined[0].decode("utf-8")
    rows = _stored_bytes(config, "SELECT CAST(payload AS BLOB) FROM webhook_delivery")
    assert len(rows) == 1 and json.loads(rows[0].decode("utf-8"))  # the raw body, valid and parseable
    errors = _stored_bytes(config, "SELECT CAST(error AS BLOB) FROM webhook_delivery WHERE error IS NOT NULL")
    assert errors == []


def requests_post(url: str, body: bytes, secret: str) -> int:
    import requests

    return requests.post(f"{url}/webhook/fb-test", data=body, headers={"X-Hub-Signature-256": sign(body, secret)},
                         timeout=5).status_code
