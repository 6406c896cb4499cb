"""Messenger webhooks through the same receiver: real-time, and deduplicated against the poller."""

from __future__ import annotations

import json

import requests

from collectors.meta_webhook import sign
from tests.cli_helpers import make_config
from tests.fakes.graph_api import PAGE_ID, FacebookFake
from tests.test_webhook import processed, receiver, scalar, wait_until

VERIFY = "fb-verify-token"


def messenger_body(psid: str, mid: str, text: str, timestamp_ms: int, echo: bool = False) -> bytes:
    sender, recipient = (PAGE_ID, psid) if echo else (psid, PAGE_ID)
    message = {"mid": mid, "text": text, **({"is_echo": True} if echo else {})}
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": timestamp_ms, "messaging": [
        {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": timestamp_ms, "message": message},
        {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": timestamp_ms,
         "read": {"watermark": timestamp_ms}},
    ]}]}).encode()


def test_messenger_webhook_joins_the_polled_conversation_and_dedupes(tmp_path, monkeypatch):
    with FacebookFake() as fake:
        channel = {**fake.channel_config(), "verify_token_env": "ADUAN_TEST_FB_VERIFY"}
        config = make_config(tmp_path, channels=[channel])
        for key, value in {**fake.env(), "ADUAN_TEST_FB_VERIFY": VERIFY}.items():
            monkeypatch.setenv(key, value)
        first = fake.add_dm("Min, KK saya hilang, bagaimana cara cetak ulang?")
        conversation = next(iter(fake.conversations))
        psid = fake.conversations[conversation]["participants"][0]["id"]
        secret = fake.env()["ADUAN_TEST_FB_APP_SECRET"]
        with receiver(config, **fake.env(), ADUAN_TEST_FB_VERIFY=VERIFY) as (url, _proc):
            handshake = requests.get(f"{url}/webhook/fb-test", params={"hub.mode": "subscribe",
                                                                       "hub.verify_token": VERIFY,
                                                                       "hub.challenge": "42"})
            assert handshake.text == "42"
            for mid, text in ((first, "Min, KK saya hilang, bagaimana cara cetak ulang?"),
                              ("m_webhook_only_2", "Sudah saya kirim fotonya")):
                body = messenger_body(psid, mid, text, 1795400000000)
                response = requests.post(f"{url}/webhook/fb-test", data=body,
                                         headers={"X-Hub-Signature-256": sign(body, secret)})
                assert response.status_code == 200
            wait_until(lambda: processed(config, 2))
        # The poller then reads the same conversation: the message it shares with the webhook is not
        # stored again, and everything stays on the one ticket.
        from ticketing.app import App
        from ticketing.intake.collect import collect

        runs = collect(App.load(str(config)), channel="fb-test")
    assert [r.error for r in runs] == [None]
    assert scalar(config, f"SELECT count(*) FROM message WHERE external_id = '{first}'") == 1
    assert scalar(config, "SELECT count(*) FROM message") == 2
    assert scalar(config, "SELECT count(*) FROM ticket") == 1
    assert scalar(config, "SELECT thread_key FROM ticket") == conversation
