"""What X reads cost and what real posts look like: probes, intervals, long posts, entities,
retweets, media and ids that grow a digit (against the fake X API, tweepy's real code path)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.x import XCollector
from collectors.x_payload import bigger_id, smaller_id
from tests.conftest import PINNED_NOW
from tests.fakes.x_api import OFFICE_ID, OFFICE_USERNAME, XFake


@pytest.fixture
def fake():
    with XFake(clock=lambda: PINNED_NOW) as server:
        yield server


def make_collector(fake: XFake, now=PINNED_NOW, **overrides) -> XCollector:
    section = {k: v for k, v in fake.channel_config().items() if k not in ("name", "type", "enabled")}
    section.update(overrides)
    collector = XCollector(fake.name, section, fake.env(), clock=lambda: now)
    return collector


def drain(collector: XCollector, cursor=None):
    """Fetch until the collector has nothing more, as the runner does; (messages, cursor, reads)."""
    messages, reads = [], 0
    while True:
        batch = collector.fetch(cursor)
        messages += batch.messages
        reads += batch.reads
        cursor = batch.next_cursor
        if not batch.more:
            return messages, cursor, reads


def test_an_idle_run_costs_at_most_one_billed_read_per_endpoint(fake):
    fake.seed_fixtures()
    collector = make_collector(fake)
    first, cursor, first_reads = drain(collector)
    assert first and first_reads >= 8
    assert cursor.dm_since_id == max((m.external_id for m in first if m.is_private), key=int)
    dm_calls = len(fake.server.calls("/2/dm_events"))
    _, cursor, idle_reads = drain(collector, cursor)
    assert idle_reads <= 2  # mentions: since_id, nothing returned; DMs: a one-event probe
    [probe] = fake.server.calls("/2/dm_events")[dm_calls:]
    assert probe.arg("max_results") == "1"

    citizen = next(m.author_id for m in first if m.is_private and m.direction == "in")
    conversation = next(m.thread_key for m in first if m.author_id == citizen)
    new = fake.add_dm(citizen, "Min, sudah saya kirim berkasnya", conversation)
    got, cursor, reads = drain(collector, cursor)
    assert [m.external_id for m in got] == [new] and reads <= 1 + collector.settings.page_size
    assert cursor.dm_since_id == new


def test_mentions_and_dms_poll_at_their_own_intervals(fake):
    fake.seed_fixtures()
    _, cursor, _ = drain(make_collector(fake, dms_interval_minutes=30))
    mentions, dms = len(fake.server.calls("/mentions")), len(fake.server.calls("/2/dm_events"))
    later = make_collector(fake, PINNED_NOW + timedelta(minutes=10), dms_interval_minutes=30)
    _, cursor, _ = drain(later, cursor)
    assert len(fake.server.calls("/mentions")) == mentions + 1
    assert len(fake.server.calls("/2/dm_events")) == dms  # not due yet
    _, cursor, _ = drain(make_collector(fake, PINNED_NOW + timedelta(minutes=31), dms_interval_minutes=30), cursor)
    assert len(fake.server.calls("/2/dm_events")) == dms + 1


def test_long_posts_use_note_tweet_and_entities_are_unescaped(fake):
    citizen = fake.add_user("warga_panjang", "Warga Panjang")
    long_text = (f"@{OFFICE_USERNAME} Kronologi: " + "antre sejak subuh di MPP, nomor habis jam 8, disuruh "
                 "kembali besok & besoknya lagi. " * 8).strip()
    cut = long_text[:275] + "…"
    long_id = fake.add_mention(citizen, cut, note_tweet={"text": long_text, "entities": {}})
    escaped = fake.add_mention(citizen, f"@{OFFICE_USERNAME} KK &amp; KTP-el, antre &lt;1 jam &gt; 3 jam. "
                               "Tulisan asli: &amp;amp;")
    messages, _, _ = drain(make_collector(fake, read_dms=False))
    texts = {m.external_id: m.text for m in messages}
    assert texts[long_id] == long_text and len(long_text) > 280
    assert texts[escaped].endswith("KK & KTP-el, antre <1 jam > 3 jam. Tulisan asli: &amp;")
    assert "note_tweet" in fake.server.calls("/mentions")[0].arg("tweet.fields")


def test_retweets_of_a_post_that_mentions_us_open_no_ticket(fake):
    citizen = fake.add_user("warga_asli", "Warga Asli")
    original = fake.add_mention(citizen, f"@{OFFICE_USERNAME} antrean KIA penuh terus")
    retweeter = fake.add_user("warga_rt", "Warga RT")
    retweet = fake.add_mention(retweeter, f"RT @warga_asli: @{OFFICE_USERNAME} antrean KIA penuh terus",
                               referenced_tweets=[{"type": "retweeted", "id": original}])
    quote = fake.add_mention(retweeter, "sama, saya juga", referenced_tweets=[{"type": "quoted", "id": original}])
    messages, cursor, _ = drain(make_collector(fake, read_dms=False))
    assert sorted(m.external_id for m in messages) == sorted([original, quote])
    assert "quote" in next(m for m in messages if m.external_id == quote).flags
    assert cursor.mentions_since_id == max([original, retweet, quote], key=int)  # read past it


def test_media_of_posts_and_dms_are_recorded_as_attachments(fake):
    citizen = fake.add_user("warga_foto", "Warga Foto")
    photo = fake.add_media("photo", url="https://pbs.twimg.com/media/FakeKtp01.jpg", width=1200, height=900)
    video = fake.add_media("video", preview_image_url="https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/v.jpg")
    post = fake.add_mention(citizen, f"@{OFFICE_USERNAME} ini foto antreannya",
                            attachments={"media_keys": [photo, video]})
    conversation = f"{OFFICE_ID}-{citizen}"
    dm = fake.add_dm(citizen, "foto KK terlampir", conversation, attachments={"media_keys": [photo]})
    messages = {m.external_id: m for m in drain(make_collector(fake))[0]}
    first, second = messages[post].attachments
    assert (first.filename, first.content_type) == (f"{photo}.jpg", "image/jpeg")
    assert "https://pbs.twimg.com/media/FakeKtp01.jpg" in first.skipped_reason
    assert (second.filename, second.content_type) == (f"{video}.mp4", "video/mp4")
    [dm_file] = messages[dm].attachments
    assert dm_file.filename == f"{photo}.jpg" and "media_not_downloaded" in messages[dm].flags


def test_ids_compare_as_integers_when_they_grow_a_digit(fake):
    assert bigger_id("9", "10") == "10" and smaller_id("9", "10") == "9"
    assert bigger_id("99990", "105838") == "105838"
    fake._next_id = 90_000  # the next ids are 97919 (5 digits), then 105838 (6 digits)
    citizen = fake.add_user("warga_digit", "Warga Digit")
    first = fake.add_mention(citizen, f"@{OFFICE_USERNAME} pertama")
    collector = make_collector(fake, read_dms=False)
    _, cursor, _ = drain(collector)
    assert cursor.mentions_since_id == first == "97919"
    second = fake.add_mention(citizen, f"@{OFFICE_USERNAME} kedua")
    assert second == "105838"
    got, cursor, _ = drain(collector, cursor)
    assert [m.external_id for m in got] == [second] and cursor.mentions_since_id == second
    again, _, _ = drain(collector, cursor)
    assert again == []


def test_dm_ids_compare_as_integers_when_they_grow_a_digit(fake):
    fake._next_id = 90_000
    citizen = fake.add_user("warga_dm_digit", "Warga")
    conversation = f"{OFFICE_ID}-{citizen}"
    first = fake.add_dm(citizen, "satu", conversation)
    collector = make_collector(fake, read_mentions=False)
    _, cursor, _ = drain(collector)
    second = fake.add_dm(citizen, "dua", conversation)
    got, cursor, _ = drain(collector, cursor)
    assert (first, second) == ("97919", "105838")
    assert [m.external_id for m in got] == [second] and cursor.dm_since_id == second
