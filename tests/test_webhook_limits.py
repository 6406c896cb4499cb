"""The receiver's limits, against the real process on loopback: each test fails if its guard is removed."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from collectors.meta_webhook import sign
from tests.cli_helpers import make_config
from tests.fakes import whatsapp as wa
from tests.test_webhook import NOW, post, processed, receiver, scalar, wait_until

READ_TIMEOUT = 1.0


@pytest.fixture
def config(tmp_path):
    channel = wa.channel_config("http://127.0.0.1:9")
    return make_config(tmp_path, channels=[channel], webhook={"read_timeout_seconds": READ_TIMEOUT})


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def raw_request(url: str, head: str, body: bytes = b"", timeout: float = 8.0) -> bytes:
    """Send a hand-made request and read the answer until the server closes (or `timeout`)."""
    with socket.create_connection(address(url), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def text_payload(wamid: str, text: str) -> dict:
    message, contact = wa.text_message(wamid, "6281234500001", text, NOW - 60, "Dewi")
    return wa.envelope([message], [contact])


def test_deep_json_is_refused_with_a_4xx_not_a_500(config):
    very_deep = b'{"object": "whatsapp_business_account", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    moderately_deep = json.dumps({"object": "whatsapp_business_account", "entry": [{"a": 1}]}).encode()
    for _ in range(100):
        moderately_deep = b'{"n": ' + moderately_deep + b"}"
    with receiver(config) as (url, proc):
        answers = [post(url, very_deep).status_code, post(url, moderately_deep).status_code]
        assert requests.get(f"{url}/healthz", timeout=5).ok
    assert answers == [422, 422]
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 0


def test_a_chunked_body_over_the_limit_is_refused_while_streaming_with_memory_bounded(config):
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with receiver(config) as (url, proc):
        before = rss_kib(proc.pid)

        def send_50_mb() -> tuple[int, bytes]:
            sent = 0
            with socket.create_connection(address(url), timeout=10) as sock:
                sock.sendall(b"POST /webhook/wa-test HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"X-Hub-Signature-256: sha256=00\r\nTransfer-Encoding: chunked\r\n\r\n")
                try:
                    for _ in range(800):  # 800 x 64 KiB = 50 MiB
                        sock.sendall(frame)
                        sent += len(frame)
                    sock.sendall(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return sent, read_all(sock)

        results: list[tuple[int, bytes]] = []
        senders = [threading.Thread(target=lambda: results.append(send_50_mb())) for _ in range(4)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join(timeout=60)
        grown = rss_kib(proc.pid) - before
    assert len(results) == 4
    for sent, answer in results:
        assert sent < 20 * 1024 * 1024, "the server kept reading far past the limit"
        assert not answer or answer.startswith(b"HTTP/1.1 413")
    assert grown < 40 * 1024, f"receiver RSS grew by {grown} KiB for four 50 MiB bodies"
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 0


def test_declared_length_over_the_limit_and_a_non_numeric_length_are_refused(config):
    big = b'{"object": "whatsapp_business_account", "pad": "' + b"a" * 1_100_000 + b'"}'
    with receiver(config) as (url, _proc):
        over = post(url, big)
        garbled = raw_request(url, "POST /webhook/wa-test HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n"
                                   "X-Hub-Signature-256: sha256=00\r\n\r\n", b"{}")
    assert over.status_code == 413
    assert garbled.startswith(b"HTTP/1.1 400")
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 0


def test_a_slow_client_is_dropped_after_the_read_timeout(config):
    with receiver(config) as (url, proc):
        with socket.create_connection(address(url), timeout=20) as sock:
            sock.sendall(b"POST /webhook/wa-test HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                         b"X-Hub-Signature-256: sha256=00\r\n\r\n{\"object\": ")
            started = time.monotonic()
            answer = read_all(sock)  # returns when the server closes the connection
            waited = time.monotonic() - started
        assert requests.get(f"{url}/healthz", timeout=5).ok
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert READ_TIMEOUT * 0.8 < waited < READ_TIMEOUT + 12  # generous: the machine may be loaded


def test_a_client_that_disconnects_mid_body_costs_one_log_line(config):
    with receiver(config) as (url, proc):
        with socket.create_connection(address(url), timeout=5) as sock:
            sock.sendall(b"POST /webhook/wa-test HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
                         b"X-Hub-Signature-256: sha256=00\r\n\r\n{\"object\": ")
        time.sleep(0.3)  # let the server notice the closed socket before it is stopped
        assert requests.get(f"{url}/healthz", timeout=5).ok
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    text = err.decode()
    assert "Traceback" not in text
    assert len([line for line in text.splitlines() if "disconnected" in line]) == 1, text[-1500:]


def test_bom_and_utf16_bodies_are_decoded_and_ingested_and_undecodable_ones_refused(config):
    bom = b"\xef\xbb\xbf" + wa.body(text_payload("wamid.BOM1", "KK saya salah nama"))
    utf16 = json.dumps(text_payload("wamid.U16", "akta lahir anak saya"), ensure_ascii=False).encode("utf-16")
    invalid = b'{"object": "whatsapp_business_account", "entry": [], "x": "\xc3\x28"}'
    with receiver(config) as (url, _proc):
        codes = [post(url, body).status_code for body in (bom, utf16, invalid)]
        wait_until(lambda: processed(config, 2))
    assert codes == [200, 200, 400]
    assert scalar(config, "SELECT count(*) FROM message WHERE external_id IN ('wamid.BOM1', 'wamid.U16')") == 2
    assert scalar(config, "SELECT text FROM message WHERE external_id = 'wamid.U16'") == "akta lahir anak saya"
    assert scalar(config, "SELECT count(*) FROM webhook_delivery WHERE error IS NOT NULL") == 0


def test_prefix_empty_and_wrong_signatures_are_refused(config):
    payload = text_payload("wamid.SIG1", "halo")
    data = wa.body(payload)
    good = sign(data, wa.APP_SECRET)
    forged = [good[:20], good[: len("sha256=") + 1], "sha256=", "sha256=" + "0" * 64, good + "00",
              good.removeprefix("sha256="), "sha1=" + good.removeprefix("sha256=")]
    with receiver(config) as (url, _proc):
        codes = [post(url, data, signature=signature).status_code for signature in forged]
        accepted = post(url, data).status_code
        wait_until(lambda: processed(config, 1))
    assert codes == [401] * len(forged)
    assert accepted == 200
    assert scalar(config, "SELECT count(*) FROM webhook_delivery") == 1


def test_the_verify_token_is_compared_in_constant_time(monkeypatch):
    import hmac

    import collectors.meta_webhook as meta
    from collectors.whatsapp import WhatsAppCollector, WhatsAppSettings

    section = {k: v for k, v in wa.channel_config("http://127.0.0.1:9").items()
               if k not in ("name", "type", "enabled")}
    settings = WhatsAppSettings.model_validate(section)
    collector = WhatsAppCollector("wa-test", settings, env=wa.ENV)
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(meta.hmac, "compare_digest", spy)
    assert collector.answer_subscription({"hub.mode": "subscribe", "hub.verify_token": wa.VERIFY_TOKEN,
                                          "hub.challenge": "77"}) == "77"
    assert collector.answer_subscription({"hub.mode": "subscribe", "hub.verify_token": wa.VERIFY_TOKEN[:-1],
                                          "hub.challenge": "77"}) is None
    assert compared == [(wa.VERIFY_TOKEN.encode(), wa.VERIFY_TOKEN.encode()),
                        (wa.VERIFY_TOKEN[:-1].encode(), wa.VERIFY_TOKEN.encode())]
