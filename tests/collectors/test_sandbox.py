"""The shipped sandbox server: the real collectors read from it and reply to it unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.sandbox_server import SHIFT_MARGIN, SampleData, SandboxServer, load_samples
from commands.demo_run import DEMO_SECRETS, demo_channels, loadable
from ticketing.clock import parse_instant
from ticketing.config import ChannelSettings
from ticketing.contract import OutboundMessage
from ticketing.contract.registry import build_collector

ANCHOR = parse_instant(load_samples()["anchor"])
NOW = ANCHOR + SHIFT_MARGIN  # the samples keep their own dates


@pytest.fixture
def sandbox():
    with SandboxServer(now=NOW) as server:
        yield server


def collector(sandbox: SandboxServer, channel_type: str):
    if not loadable(channel_type):
        pytest.skip(f"the {channel_type} collector is not installed yet")
    [config] = [c for c in demo_channels(sandbox.base_url, sandbox.samples.office) if c["type"] == channel_type]
    built = build_collector(ChannelSettings.model_validate(config), DEMO_SECRETS)
    built.clock = lambda: NOW
    return built


def test_times_shift_by_whole_days_and_never_into_the_future():
    later = ANCHOR + timedelta(days=40, hours=5, minutes=7)
    samples = SampleData(load_samples(), later)
    assert samples.shift == timedelta(days=40)
    assert max(m["at"] for m in samples.messages) <= later - SHIFT_MARGIN
    original = SampleData(load_samples(), NOW)
    assert [m["at"].time() for m in samples.messages] == [m["at"].time() for m in original.messages]
    unstarted = SandboxServer(now=later)
    unstarted.stop()  # returns at once


def test_telegram_reads_threads_and_replies(sandbox):
    tg = collector(sandbox, "telegram")
    batch = tg.fetch(None)
    by_id = {m.external_id: m for m in batch.messages}
    assert by_id["5550001:12"].direction == "out" and by_id["5550001:11"].direction == "in"
    assert by_id["5550003:31"].opens_ticket is False
    assert by_id["5550001:11"].sent_at == parse_instant("2026-11-25T01:30:00Z")
    result = tg.send(OutboundMessage(channel="demo-telegram", thread_key="5550002", in_reply_to="5550002:21",
                                     text="Akta sudah jadi, silakan diambil."))
    assert sandbox.telegram.sent[-1]["reply_parameters"]["message_id"] == 21
    assert result.external_id.startswith("5550002:")
    assert tg.check().startswith("bot @dukcapilbrebes_bot")


def test_x_reads_mentions_and_dms_and_replies(sandbox):
    x = collector(sandbox, "x")
    batch = x.fetch(None)
    ids = {m.external_id: m for m in batch.messages}
    assert {"1867000000000000101", "1867000000000000102", "1868000000000000401"} <= set(ids)
    assert ids["1868000000000000402"].direction == "out"
    assert ids["1867000000000000102"].thread_key == "1867000000000000101"
    reply = x.send(OutboundMessage(channel="demo-x", thread_key="1867000000000000203",
                                   in_reply_to="1867000000000000203", text="Mohon maaf, sedang kami perbaiki."))
    assert reply.external_id and sandbox.x.sent[-1]["kind"] == "tweet"
    again = x.fetch(batch.next_cursor)
    assert again.messages == []


def test_facebook_reads_messenger_and_comments_and_replies(sandbox):
    fb = collector(sandbox, "facebook")
    batch = fb.fetch(None)
    ids = {m.external_id: m for m in batch.messages}
    assert {"m_sbx_AAA1", "m_sbx_BBB1", "900001_501", "900001_503"} <= set(ids)
    assert ids["m_sbx_AAA2"].direction == "out" and ids["900001_502"].direction == "out"
    assert ids["900001_502"].thread_key == ids["900001_501"].thread_key
    sent = fb.send(OutboundMessage(channel="demo-facebook", thread_key="t_104500000000102", is_private=True,
                                   in_reply_to="m_sbx_BBB1", recipient_id="7002",
                                   text="Mohon maaf Pak Rudi, kami cek ke bidang Capil."))
    assert sent.external_id.startswith("m_sbx_")
    assert any(s["path"].endswith("/messages") for s in sandbox.graph.sent)


def test_unknown_routes_answer_like_the_apis(sandbox):
    import requests

    graph = requests.get(f"{sandbox.base_url}/v23.0/{sandbox.samples.office['facebook_page_id']}/tags", timeout=5)
    assert graph.json() == {"data": []}
    wrong = requests.get(f"{sandbox.base_url}/v23.0/nothing", timeout=5)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 100
    assert requests.post(f"{sandbox.base_url}/botX/doesNotExist", timeout=5).json()["ok"] is False
    assert datetime.now(UTC) > ANCHOR  # the bundled samples are in the past, so nothing is "future"
