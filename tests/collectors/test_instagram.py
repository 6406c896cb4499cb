"""The Instagram collector against the fake Graph API: DMs, comments with replies, tagged media,
and the replies Instagram allows (and the ones it does not)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.collectors.test_facebook import NOW, by_id, make_collector, secrets_absent
from tests.fakes.graph_api import APP_SECRET, IG_USER_ID, PAGE_ID, TOKEN, InstagramFake
from ticketing.contract import AuthExpired, OutboundMessage, RateLimited, SendRefused, encode_cursor

DM_THREAD = ("aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6MTc4NDE0MDAwMDAwMDAwMDE6"
             "MzQwMjgyMzY2ODQxNzEwMzAxMjQ0Mjc2MDA5NzEyMjQxNzY3MDc0")


@pytest.fixture
def ig():
    with InstagramFake() as fake:
        yield fake


def test_recorded_payloads_are_normalised(ig):
    ig.load_fixtures()
    batch = make_collector(ig).fetch(None)
    messages = by_id(batch)
    dm = next(m for m in batch.messages if m.thread_key == DM_THREAD)
    assert (dm.direction, dm.author_handle, dm.author_id, dm.is_private) == ("in", "nurul.aini_bbs",
                                                                              "6023418871123345", True)
    assert dm.sent_at == datetime(2026, 11, 22, 6, 10, tzinfo=UTC)
    question, ours, thanks = (messages[i] for i in ("17958823410556201", "17958823410556299", "17958823410556300"))
    assert question.thread_key == ours.thread_key == thanks.thread_key == "18027719453108821:17958823410556201"
    assert (question.direction, ours.direction, thanks.direction) == ("in", "out", "in")
    assert thanks.in_reply_to == "17958823410556201" and question.in_reply_to == "18027719453108821"
    tag = messages["18093344556677889"]
    assert (tag.thread_key, tag.author_handle, tag.flags) == ("tag:18093344556677889", "rina.marlina_",
                                                              ["instagram_tag"])
    assert "akta kematian" in tag.text
    assert batch.quarantined == []


def test_a_second_fetch_reads_only_new_comments_replies_and_tags(ig):
    media = ig.add_media("Jadwal jemput bola")
    top = ig.add_comment(media, "Kecamatan Sirampog kapan?")
    collector = make_collector(ig)
    batch = collector.fetch(None)
    assert set(by_id(batch)) == {top}
    assert collector.fetch(batch.next_cursor).messages == []
    reply = ig.add_comment(media, "Saya juga menunggu", parent=top)
    tag = ig.add_tag("Antrean panjang di MPP @dukcapilbrebes")
    again = collector.fetch(batch.next_cursor)
    assert set(by_id(again)) == {reply, tag}
    assert by_id(again)[reply].thread_key == f"{media}:{top}"


def test_comments_beyond_the_embedded_page_are_read(ig):
    media = ig.add_media("Info IKD")
    comments = [ig.add_comment(media, f"Pertanyaan {n}") for n in range(5)]
    replies = [ig.add_comment(media, f"Balasan {n}", parent=comments[0]) for n in range(3)]
    batch = make_collector(ig).fetch(None)
    assert set(comments + replies) <= set(by_id(batch))
    assert ig.server.calls(f"/{media}/comments") and ig.server.calls(f"/{comments[0]}/replies")


def test_our_comment_is_outbound_even_when_only_the_username_says_so(ig):
    media = ig.add_media("Info")
    top = ig.add_comment(media, "Tanya")
    ours = ig.add_comment(media, "Silakan DM kami", parent=top, own=True)
    for comment in ig.media[media]["comment_list"][0]["reply_list"]:
        comment.pop("from")  # Graph may omit `from` without the right permission
    assert by_id(make_collector(ig).fetch(None))[ours].direction == "out"


def test_a_public_reply_to_a_tag_is_refused_before_anything_is_sent(ig):
    tag = ig.add_tag("@dukcapilbrebes tolong akta saya")
    with pytest.raises(SendRefused, match="ditandai"):
        make_collector(ig).send(OutboundMessage("ig-test", f"tag:{tag}", "Mohon kirim DM."))
    assert ig.sent == [] and not [r for r in ig.server.requests if r.method == "POST"]


def test_a_comment_reply_goes_to_the_top_level_comment(ig):
    media = ig.add_media("Info KIA")
    top = ig.add_comment(media, "KIA bisa online?")
    result = make_collector(ig).send(OutboundMessage("ig-test", f"{media}:{top}", "Bisa lewat loket online."))
    assert ig.sent[-1] == {"kind": "reply", "target": top, "text": "Bisa lewat loket online.",
                           "id": result.external_id}
    too_long = "x" * 2201
    with pytest.raises(SendRefused, match="terlalu panjang"):
        make_collector(ig).send(OutboundMessage("ig-test", f"{media}:{top}", too_long))


def test_dm_replies_keep_the_24_hour_window(ig):
    cid = ig.new_conversation()
    ig.add_dm("Kak, KTP saya hilang", conversation=cid, at=NOW - timedelta(hours=2))
    igsid = ig.conversations[cid]["participants"][0]["id"]
    result = make_collector(ig).send(OutboundMessage("ig-test", cid, "Silakan lapor ke kecamatan.", is_private=True))
    assert (ig.sent[-1]["recipient"], ig.sent[-1]["messaging_type"], ig.sent[-1]["id"]) == (
        {"id": igsid}, "RESPONSE", result.external_id)
    with pytest.raises(SendRefused, match="24 jam"):
        make_collector(ig, now=NOW + timedelta(hours=23)).send(OutboundMessage("ig-test", cid, "Halo lagi"))
    with pytest.raises(SendRefused, match="1000"):
        make_collector(ig).send(OutboundMessage("ig-test", cid, "y" * 1001))
    assert len(ig.sent) == 1


def test_instagram_throttling_reads_the_business_use_case_header(ig):
    ig.rate_limit_next(600)
    with pytest.raises(RateLimited) as limited:
        make_collector(ig).fetch(None)
    assert limited.value.retry_at == NOW + timedelta(minutes=10)
    assert "80002" in str(limited.value)


def test_expired_token_and_proof(ig):
    ig.add_citizen_messages(1)
    collector = make_collector(ig)
    collector.fetch(None)
    expected = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert {r.arg("appsecret_proof") for r in ig.server.requests} == {expected}
    ig.expire_token()
    with pytest.raises(AuthExpired) as expired:
        collector.check()
    assert "463" in str(expired.value) and secrets_absent(str(expired.value))


def test_check_and_listing_paths(ig):
    assert make_collector(ig).check().startswith("Instagram @dukcapilbrebes")
    make_collector(ig).fetch(None)
    paths = {r.path for r in ig.server.requests}
    assert {f"/v23.0/{IG_USER_ID}", f"/v23.0/{PAGE_ID}/conversations", f"/v23.0/{IG_USER_ID}/media",
            f"/v23.0/{IG_USER_ID}/tags"} <= paths
    assert json.loads(encode_cursor(make_collector(ig).fetch(None).next_cursor))["tags"]["time"] is None
