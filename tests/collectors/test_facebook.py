"""The Facebook Page collector against the fake Graph API: normalisation, paging, marks, replies,
the 24-hour window, appsecret_proof and the Graph error classification."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collectors.graph import GraphSettings
from collectors.graph_errors import parse_usage
from collectors.graph_marks import Watermark
from tests.fakes.graph_api import APP_SECRET, PAGE_ID, TOKEN, FacebookFake
from ticketing.config import ChannelSettings
from ticketing.contract import (
    AuthExpired,
    CollectorError,
    OutboundMessage,
    RateLimited,
    SendRefused,
    TransientError,
    encode_cursor,
)
from ticketing.contract.registry import build_collector
from ticketing.errors import ConfigError

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def make_collector(fake: Any, now: datetime = NOW, env: dict[str, str] | None = None, **overrides: Any):
    config = {**fake.channel_config(), **overrides}
    collector = build_collector(ChannelSettings.model_validate(config), env if env is not None else fake.env())
    collector.clock = lambda: now
    return collector


def secrets_absent(text: str) -> bool:
    proof = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    return TOKEN not in text and APP_SECRET not in text and proof not in text


@pytest.fixture
def fb():
    with FacebookFake() as fake:
        yield fake


def by_id(batch) -> dict[str, Any]:
    return {m.external_id: m for m in batch.messages}


def test_recorded_payloads_are_normalised(fb):
    fb.load_fixtures()
    batch = make_collector(fb).fetch(None)
    messages = by_id(batch)
    first = messages["m_Q2hJZ0tKd2l4T0pYbXRYOEdZdG9mNmZ1"]
    assert (first.direction, first.thread_key, first.author_id, first.author_name, first.is_private) == (
        "in", "t_10163958852291234", "7351982043318821", "Siti Nurjanah", True)
    assert first.sent_at == datetime(2026, 11, 22, 1, 12, 33, tzinfo=UTC)
    assert "3329014506910002" in first.text  # stored as received; masking happens on display
    reply = messages["m_Q2hJZ0tKd2l4T0pYbXRYOEdZdG9mNmZ2"]
    assert reply.direction == "out" and reply.author_id == PAGE_ID
    photo = messages["m_R3hKa0xMd2l4T0pYbXRYOEdZdG9mN2Ex"]
    assert photo.text == "[gambar]"  # an attachment-only DM: a placeholder in the UI language
    assert [(a.content_type, a.size) for a in photo.attachments] == [("image/jpeg", 184233)]
    question = messages["1029384756102938_884411871100021"]
    page_answer = messages["1029384756102938_884411982200114"]
    post = "104857600123456_1029384756102938"
    assert question.thread_key == page_answer.thread_key == f"{post}:1029384756102938_884411871100021"
    assert (question.direction, page_answer.direction, question.is_private) == ("in", "out", False)
    assert page_answer.in_reply_to == "1029384756102938_884411871100021"
    visitor = messages["104857600123456_1029384756100001"]
    assert visitor.thread_key == visitor.external_id and visitor.author_name == "Wartini Salem"
    assert not any(m.external_id == post for m in batch.messages), "the Page's own post is not a message"
    assert batch.quarantined == [] and batch.more is False


def test_pagination_follows_next_links_on_the_configured_host_only(fb):
    ids = fb.add_citizen_messages(5)
    collector = make_collector(fb)
    fb.base_url = "http://graph.invalid.example"  # next links now name a host that does not exist
    batch = collector.fetch(None)
    assert set(ids) <= set(by_id(batch))
    listing = fb.server.calls(f"/{PAGE_ID}/conversations")
    assert len(listing) == 3 and [r.arg("after") is None for r in listing] == [True, False, False]
    assert all(r.arg("access_token") == TOKEN for r in listing)
    assert batch.reads == len([r for r in fb.server.requests if r.method == "GET"])


def test_a_second_fetch_reads_nothing_new_and_equal_timestamps_lose_nothing(fb):
    at = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
    first = fb.add_dm("KK saya hilang, bagaimana mengurusnya?", at=at)
    collector = make_collector(fb)
    batch = collector.fetch(None)
    assert set(by_id(batch)) == {first}
    assert collector.fetch(batch.next_cursor).messages == []
    late = fb.add_dm("Akta kelahiran belum jadi", at=at)  # same updated_time as the mark
    again = collector.fetch(batch.next_cursor)
    assert set(by_id(again)) == {late}
    assert again.next_cursor.conversations.time == at.isoformat()
    assert collector.fetch(again.next_cursor).messages == []


def test_new_messages_in_an_old_conversation_are_read_but_not_old_ones(fb):
    ids = fb.add_citizen_messages(2)
    collector = make_collector(fb)
    batch = collector.fetch(None)
    conversation = by_id(batch)[ids[0]].thread_key
    newer = [fb.add_dm(f"Susulan {n}", conversation=conversation) for n in range(3)]
    again = collector.fetch(batch.next_cursor)
    assert set(by_id(again)) == set(newer)


def test_a_repeated_cursor_is_an_error_not_a_loop(fb):
    fb.add_citizen_messages(1)
    fb.stick_pagination()
    with pytest.raises(CollectorError, match="repeated cursor"):
        make_collector(fb).fetch(None)
    assert len(fb.server.requests) <= 3


def test_the_page_budget_suspends_the_read_and_the_next_fetch_resumes(fb):
    ids = fb.add_citizen_messages(5)
    collector = make_collector(fb, max_pages=1, read_comments=False)
    cursor, seen, rounds = None, [], 0
    while True:
        batch = collector.fetch(cursor)
        seen += [m.external_id for m in batch.messages]
        rounds += 1
        if not batch.more:
            break
        stored = encode_cursor(batch.next_cursor)
        assert batch.next_cursor.conversations.resume and TOKEN not in stored and "appsecret_proof" not in stored
        cursor = batch.next_cursor
    assert rounds == 3 and sorted(seen) == sorted(ids)
    assert batch.next_cursor.conversations.resume is None
    assert batch.next_cursor.conversations.ids == [by_id(collector.fetch(None)).get(ids[-1]).thread_key]
    later = fb.add_citizen_messages(1)
    assert [m.external_id for m in collector.fetch(batch.next_cursor).messages] == later


def test_a_malformed_message_is_quarantined_and_the_rest_kept(fb):
    fb.add_malformed_item()
    good = fb.add_citizen_messages(2)
    batch = make_collector(fb).fetch(None)
    assert set(by_id(batch)) == set(good)
    assert len(batch.quarantined) == 1 and "created_time" in batch.quarantined[0].reason


def test_feed_comments_stop_at_the_mark_and_skip_quiet_posts(fb):
    post = fb.add_post("Pengumuman jadwal pelayanan")
    old = fb.add_comment(post, "Buka hari Sabtu?")
    collector = make_collector(fb, read_messenger=False)
    batch = collector.fetch(None)
    assert set(by_id(batch)) == {old}
    fb.add_post("Pengumuman lain tanpa komentar")
    reply = fb.add_comment(post, "Sabtu tutup, Bu.", parent=old, by_page=True)
    fresh = fb.add_comment(post, "Kalau Minggu?", parent=old)
    again = collector.fetch(batch.next_cursor)
    assert set(by_id(again)) == {reply, fresh}
    assert by_id(again)[reply].direction == "out" and by_id(again)[fresh].thread_key == f"{post}:{old}"


# --- replies ----------------------------------------------------------------------------------------

def _conversation_with_citizen_message(fb, at: datetime) -> tuple[str, str]:
    cid = fb.new_conversation()
    fb.add_dm("Min, KTP-el saya rusak, bagaimana cetak ulang?", conversation=cid, at=at)
    psid = fb.conversations[cid]["participants"][0]["id"]
    return cid, psid


def test_a_reply_inside_the_24_hour_window_is_a_response(fb):
    last = NOW - timedelta(hours=23)
    cid, psid = _conversation_with_citizen_message(fb, last)
    fb.add_dm("Baik, kami cek dulu.", conversation=cid, own=True, at=last + timedelta(hours=1))
    result = make_collector(fb).send(OutboundMessage("fb-test", cid, "Silakan datang ke loket 2 membawa KK."))
    sent = fb.sent[-1]
    assert (sent["messaging_type"], sent["tag"], sent["recipient"], sent["id"]) == (
        "RESPONSE", None, {"id": psid}, result.external_id)
    post = fb.server.calls(f"/{PAGE_ID}/messages")[-1]
    form = post.form()
    assert post.method == "POST" and form["access_token"] == TOKEN and "access_token" not in post.query
    assert json.loads(form["message"]) == {"text": "Silakan datang ke loket 2 membawa KK."}


def test_outside_the_window_the_reply_is_refused_in_indonesian(fb):
    cid, _ = _conversation_with_citizen_message(fb, NOW - timedelta(hours=25))
    with pytest.raises(SendRefused, match="24 jam") as refused:
        make_collector(fb).send(OutboundMessage("fb-test", cid, "Mohon maaf terlambat."))
    assert "WIB" in str(refused.value)
    assert fb.sent == [] and not [r for r in fb.server.requests if r.method == "POST"]


def test_the_human_agent_tag_stretches_the_window_to_seven_days(fb):
    cid, _ = _conversation_with_citizen_message(fb, NOW - timedelta(days=3))
    make_collector(fb, human_agent_tag=True).send(OutboundMessage("fb-test", cid, "Dokumen sudah jadi."))
    assert (fb.sent[-1]["messaging_type"], fb.sent[-1]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    stale, _ = _conversation_with_citizen_message(fb, NOW - timedelta(days=8))
    with pytest.raises(SendRefused, match="7 hari"):
        make_collector(fb, human_agent_tag=True).send(OutboundMessage("fb-test", stale, "Halo"))
    assert len(fb.sent) == 1


def test_a_comment_reply_goes_under_the_top_level_comment(fb):
    post = fb.add_post("Info layanan IKD")
    top = fb.add_comment(post, "Aktivasi IKD di mana?")
    nested = fb.add_comment(post, "Saya juga mau tanya", parent=top)
    result = make_collector(fb).send(OutboundMessage("fb-test", f"{post}:{top}", "Di loket 5 MPP.",
                                                     in_reply_to=nested))
    assert fb.sent[-1]["target"] == top and fb.sent[-1]["id"] == result.external_id
    assert fb.posts[post]["comment_list"][-1]["parent"] == {"id": top}


def test_a_comment_on_a_visitor_post_is_posted_on_the_post(fb):
    post = fb.add_post("Pindah datang belum selesai", by_page=False)
    make_collector(fb).send(OutboundMessage("fb-test", post, "Mohon kirim nomor pengajuan lewat Messenger."))
    assert fb.sent[-1]["target"] == post


# --- appsecret_proof, the SDK, configuration ----------------------------------------------------

def test_appsecret_proof_is_on_every_call_and_correct(fb):
    fb.load_fixtures()
    collector = make_collector(fb, now=datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    collector.check()
    collector.fetch(None)
    collector.send(OutboundMessage("fb-test", "t_10163958852291234", "Sama-sama, Bu."))
    expected = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    proofs = [(r.form() if r.method == "POST" else {k: v[0] for k, v in r.query.items()}).get("appsecret_proof")
              for r in fb.server.requests]
    assert len(proofs) >= 5 and set(proofs) == {expected}


def test_a_wrong_app_secret_is_refused_by_graph_and_not_retried(fb):
    env = {**fb.env(), "ADUAN_TEST_FB_APP_SECRET": "not-the-app-secret"}
    with pytest.raises(CollectorError, match="code 100") as refused:
        make_collector(fb, env=env).check()
    assert not isinstance(refused.value, (TransientError, AuthExpired, RateLimited))


def test_facebook_sdk_makes_every_request(fb, monkeypatch):
    import facebook

    calls: list[str] = []
    original = facebook.GraphAPI.request

    def spy(self, path, *args, **kwargs):
        calls.append(path)
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(facebook.GraphAPI, "request", spy)
    fb.add_citizen_messages(3)
    make_collector(fb).fetch(None)
    assert len(calls) == len(fb.server.requests) >= 2
    assert all(p.startswith("v23.0/") for p in calls)
    assert all(r.path.startswith("/v23.0/") for r in fb.server.requests)


def test_graph_version_is_validated_and_normalised():
    assert GraphSettings(page_id="1", graph_version="24.0").graph_version == "v24.0"
    with pytest.raises(ValueError):
        GraphSettings(page_id="1", graph_version="latest")


def test_a_missing_token_names_the_variable(fb):
    collector = make_collector(fb, env={})
    with pytest.raises(ConfigError, match="ADUAN_TEST_FB_PAGE_TOKEN"):
        collector.check()


def test_check_names_the_page(fb):
    assert make_collector(fb).check().startswith("Halaman Facebook Disdukcapil Kabupaten Brebes")


# --- error classification ------------------------------------------------------------------------

@pytest.mark.parametrize("error", ["expired_token", "password_changed", "invalid_token"])
def test_code_190_is_auth_expired_and_texts_hold_no_secret(fb, error):
    fb.fail_next(error)
    with pytest.raises(AuthExpired) as expired:
        make_collector(fb).fetch(None)
    assert "190" in str(expired.value) and secrets_absent(str(expired.value))


@pytest.mark.parametrize("error", ["app_rate_limit", "user_rate_limit", "page_rate_limit", "custom_rate_limit",
                                   "buc_page_rate_limit"])
def test_throttling_codes_are_rate_limited_with_a_default_backoff(fb, error):
    fb.fail_next(error)
    with pytest.raises(RateLimited) as limited:
        make_collector(fb).fetch(None)
    assert limited.value.retry_at == NOW + timedelta(minutes=5)


def test_the_business_use_case_header_sets_the_retry_time(fb):
    usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 30, "total_time": 41,
                        "estimated_time_to_regain_access": 17}]}
    fb.fail_next("buc_page_rate_limit", headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    with pytest.raises(RateLimited) as limited:
        make_collector(fb).fetch(None)
    assert limited.value.retry_at == NOW + timedelta(minutes=17)


def test_temporary_permission_and_broken_responses(fb):
    collector = make_collector(fb)
    fb.fail_next("temporary", status=500)
    with pytest.raises(TransientError):
        collector.check()
    fb.fail_next("permission", status=403)
    with pytest.raises(CollectorError, match="permission") as denied:
        collector.check()
    assert not isinstance(denied.value, (TransientError, AuthExpired, RateLimited))
    fb.raw_next(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
    with pytest.raises(TransientError):
        collector.check()


def test_an_unreachable_host_is_transient_and_the_url_token_is_redacted(fb):
    config_url = fb.base_url
    fb.server.__exit__(None, None, None)  # the port is closed now; requests' error text holds the URL
    collector = make_collector(fb, base_url=config_url)
    with pytest.raises(TransientError) as down:
        collector.fetch(None)
    assert "access_token=[REDACTED]" in str(down.value) or "REDACTED" in str(down.value)
    assert secrets_absent(str(down.value))


def test_usage_headers_are_parsed_and_malformed_ones_ignored():
    usage = parse_usage({"X-App-Usage": json.dumps({"call_count": 12, "total_cputime": 3, "total_time": 40}),
                         "X-Business-Use-Case-Usage": json.dumps({"1": [{"call_count": 91,
                                                                         "estimated_time_to_regain_access": 4}]})})
    assert (usage.percent, usage.regain_minutes) == (91, 4)
    assert parse_usage({"X-App-Usage": "{not json", "X-Business-Use-Case-Usage": "[]"}).percent == 0


def test_a_future_timestamp_never_moves_the_mark():
    mark = Watermark("2026-11-22T01:00:00+00:00", ["a"])
    future = NOW + timedelta(days=30)
    moved = mark.advanced([(future, "z"), (datetime(2026, 11, 22, 2, tzinfo=UTC), "b")], NOW)
    assert (moved.time, moved.ids) == ("2026-11-22T02:00:00+00:00", ["b"])


def test_meta_refusing_a_send_outside_the_window_is_a_send_refusal(fb):
    cid, _ = _conversation_with_citizen_message(fb, NOW - timedelta(hours=1))
    fb.fail_next("outside_window", method="POST")  # Meta's clock disagrees with ours
    with pytest.raises(SendRefused, match="24 jam"):
        make_collector(fb).send(OutboundMessage("fb-test", cid, "Halo"))
    assert fb.sent == []
