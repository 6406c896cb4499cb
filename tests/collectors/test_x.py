"""The X collector against the fake X API v2 server, through tweepy's real request code."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from collectors.x import XCollector, XCursor, XSettings
from collectors.x_payload import mentions_account, parse_time
from tests.conftest import PINNED_NOW
from tests.fakes.base import FakeServer, Response
from tests.fakes.x_api import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    BEARER,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OFFICE_ID,
    XFake,
    load_fixture,
)
from ticketing.contract import (
    AuthExpired,
    CollectorError,
    OutboundMessage,
    RateLimited,
    SendRefused,
    TransientError,
    encode_cursor,
)

SECRETS = (BEARER, CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake():
    with XFake(clock=lambda: PINNED_NOW) as server:
        yield server


def make_collector(fake: XFake, now: datetime = PINNED_NOW, **overrides) -> XCollector:
    section = {k: v for k, v in fake.channel_config().items() if k not in ("name", "type", "enabled")}
    section.update(overrides)
    return XCollector(fake.name, section, fake.env(), clock=lambda: now)


def by_id(batch):
    return {m.external_id: m for m in batch.messages}


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# -- normalisation -------------------------------------------------------------------------------


def test_fixture_mentions_and_dms_are_normalised(fake):
    fake.seed_fixtures()
    batch = make_collector(fake).fetch(None)
    messages = by_id(batch)

    first = messages["1993200000000004101"]
    assert (first.thread_key, first.direction, first.is_private) == ("1993200000000004101", "in", False)
    assert (first.author_id, first.author_handle, first.author_name) == ("1700000000000000606", "@warga_bumiayu",
                                                                         "Siti Rahma")
    assert first.sent_at == datetime(2026, 11, 23, 1, 42, 10, tzinfo=UTC)
    assert first.account == OFFICE_ID and first.raw["lang"] == "in"

    offset = messages["1993200000000003707"]  # created_at carries +07:00: 08:05 WIB is 01:05 UTC
    assert offset.sent_at == datetime(2026, 11, 23, 1, 5, tzinfo=UTC)

    edited = messages["1993200000000003298"]  # the edited tweet is keyed by its original id
    assert edited.is_edit and edited.raw["id"] == "1993200000000003301"
    assert edited.thread_key == "1993200000000003300" and edited.in_reply_to == "1993200000000003300"

    dm = messages["1993300000000000404"]
    assert dm.is_private and dm.thread_key == "1300000000000000001-1700000000000001010"
    assert dm.author_handle == "@nuraini_jatibarang" and dm.direction == "in" and dm.opens_ticket
    assert "media_not_downloaded" in messages["1993300000000000101"].flags
    assert batch.reads == 8 and not batch.quarantined and not batch.more


def test_tweepy_real_code_path_reaches_the_fake_with_the_right_auth_and_fields(fake):
    fake.seed_fixtures()
    collector = make_collector(fake)
    collector.fetch(None)
    assert collector._client().wait_on_rate_limit is False  # tweepy would sleep and recurse on a 429
    mentions, = fake.server.calls("/mentions")
    dms, = fake.server.calls("/2/dm_events")
    for request in (mentions, dms):
        assert "Tweepy/4.17.0" in request.headers["User-Agent"]
    assert mentions.path == f"/2/users/{OFFICE_ID}/mentions"
    assert mentions.headers["Authorization"] == f"Bearer {BEARER}"
    assert set(mentions.arg("tweet.fields").split(",")) >= {"created_at", "conversation_id", "author_id",
                                                             "referenced_tweets"}
    assert "author_id" in mentions.arg("expansions").split(",")
    assert dms.headers["Authorization"].startswith("OAuth ")  # DMs need user context
    assert {"sender_id", "dm_conversation_id", "created_at"} <= set(dms.arg("dm_event.fields").split(","))


def test_the_fake_sends_rate_limit_headers_on_every_response(fake):
    import requests

    url = f"{fake.base_url}/2/users/{OFFICE_ID}/mentions"
    ok = requests.get(url, headers={"Authorization": f"Bearer {BEARER}"}, timeout=5)
    fake.rate_limit_next(120)
    limited = requests.get(url, headers={"Authorization": f"Bearer {BEARER}"}, timeout=5)
    denied = requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert [r.status_code for r in (ok, limited, denied)] == [200, 429, 401]
    for response in (ok, limited, denied):
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(response.headers.keys())
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert int(limited.headers["x-rate-limit-reset"]) == int(PINNED_NOW.timestamp()) + 120
    assert limited.json() == {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                              "status": 429}


def test_own_posts_are_outbound_and_open_nothing(fake):
    own_dm = fake.add_own_message()
    own_tweet = fake.add_mention(OFFICE_ID, "@dindukcapilbbs info jam layanan Sabtu ini tutup")
    messages = by_id(make_collector(fake).fetch(None))
    for key in (own_dm, own_tweet):
        assert messages[key].direction == "out" and not messages[key].opens_ticket
    citizen = [m for m in messages.values() if m.direction == "in"]
    assert len(citizen) == 1 and citizen[0].author_id != OFFICE_ID


def test_dm_participants_join_opens_nothing_but_moves_the_cursor(fake):
    join = fake.add_dm("", "", "1993300000000000300", event_type="ParticipantsJoin",
                       participant_ids=["1700000000000001111"])
    leave = fake.add_dm("", "", "1993300000000000300", event_type="ParticipantsLeave",
                        participant_ids=["1700000000000001111"])
    batch = make_collector(fake).fetch(None)
    assert batch.messages == [] and batch.quarantined == []
    assert batch.next_cursor.dm_since_id == max(join, leave, key=int)
    assert batch.reads == 2


# -- timestamps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected", "flags"), [
    ("2026-11-22T01:12:33.000Z", datetime(2026, 11, 22, 1, 12, 33, tzinfo=UTC), []),
    ("2026-11-22T17:00:00.000+07:00", datetime(2026, 11, 22, 10, 0, tzinfo=UTC), []),
    ("2026-11-22T17:00:00+0700", datetime(2026, 11, 22, 10, 0, tzinfo=UTC), []),
    ("2026-11-22T10:00:00-03:00", datetime(2026, 11, 22, 13, 0, tzinfo=UTC), []),
    ("2026-11-22T10:00:00", datetime(2026, 11, 22, 10, 0, tzinfo=UTC), ["timestamp_no_zone"]),
    ("2026-11-23T09:00:00.000Z", PINNED_NOW, ["future_timestamp"]),
    ("2026-11-23T03:05:00.000Z", datetime(2026, 11, 23, 3, 5, tzinfo=UTC), []),  # within the skew
    (None, PINNED_NOW, ["timestamp_missing"]),
])
def test_timestamp_formats(raw, expected, flags):
    parsed, found = parse_time(raw, PINNED_NOW, "t")
    assert parsed == expected and parsed.tzinfo is not None and found == flags


def test_odd_timestamps_are_flagged_and_never_move_the_cursor(fake):
    old = fake.add_mention(fake.add_user("a", "A"), "@dindukcapilbbs halo", created_at="2026-11-22T09:00:00")
    future = fake.add_mention(fake.add_user("b", "B"), "@dindukcapilbbs tes", created_at="2027-01-01T00:00:00.000Z")
    garbage = fake.add_mention(fake.add_user("c", "C"), "@dindukcapilbbs x", created_at="kemarin sore")
    batch = make_collector(fake).fetch(None)
    messages = by_id(batch)
    assert messages[old].flags == ["timestamp_no_zone"]
    assert messages[future].flags == ["future_timestamp"] and messages[future].sent_at == PINNED_NOW
    assert [q.external_id for q in batch.quarantined] == [garbage]
    assert "created_at" in batch.quarantined[0].reason
    # the cursor is made of ids: the newest id (the garbage one) wins, no payload time is in it
    assert batch.next_cursor.mentions_since_id == garbage
    stored = json.loads(encode_cursor(batch.next_cursor))
    assert all("2027" not in str(v) and "2026-11-22" not in str(v) for v in stored.values())


# -- pagination and cursors ------------------------------------------------------------------------


def test_pagination_then_since_id_adds_nothing(fake):
    expected = fake.add_citizen_messages(12)
    collector = make_collector(fake)
    first = collector.fetch(None)
    assert sorted(by_id(first)) == sorted(expected)
    assert len(fake.server.calls("/mentions")) == 3  # page_size 5: 5 + 5 + 2
    assert first.next_cursor.mentions_since_id == max(expected, key=int) and first.reads == 12

    again = collector.fetch(collector.load_cursor(encode_cursor(first.next_cursor)))
    assert again.messages == [] and again.reads == 0
    assert fake.server.calls("/mentions")[-1].arg("since_id") == max(expected, key=int)

    later = fake.add_citizen_messages(2)
    third = collector.fetch(again.next_cursor)
    assert sorted(by_id(third)) == sorted(later)


def test_max_pages_leaves_a_backfill_that_the_next_run_finishes(fake):
    early = fake.add_citizen_messages(12)
    collector = make_collector(fake, max_pages=2)
    first = collector.fetch(None)
    assert len(first.messages) == 10 and first.more
    cursor = first.next_cursor
    assert cursor.mentions_since_id is None and cursor.mentions_newest_id == max(early, key=int)
    assert cursor.mentions_until_id == min(by_id(first), key=int)

    late = fake.add_citizen_messages(1)  # arrives during the backfill
    second = collector.fetch(cursor)
    assert sorted(by_id(second)) == sorted(sorted(early, key=int)[:2]) and not second.more
    assert fake.server.calls("/mentions")[-1].arg("until_id") == cursor.mentions_until_id
    assert second.next_cursor.mentions_since_id == max(early, key=int)
    assert second.next_cursor.mentions_until_id is None

    third = collector.fetch(second.next_cursor)
    assert list(by_id(third)) == late


def test_dm_reading_stops_at_known_events_and_resumes_a_cut_short_run(fake):
    conversation = f"{OFFICE_ID}-1700000000000002020"
    first_ids = [fake.add_dm("1700000000000002020", f"pesan {n}", conversation) for n in range(7)]
    collector = make_collector(fake, read_mentions=False, max_pages=1)
    first = collector.fetch(None)
    assert len(first.messages) == 5 and first.more and first.next_cursor.dm_resume_token
    second = collector.fetch(first.next_cursor)
    assert not set(by_id(first)) & set(by_id(second))
    assert set(by_id(first)) | set(by_id(second)) == set(first_ids)
    assert not second.more and second.next_cursor.dm_since_id == max(first_ids, key=int)

    new = fake.add_dm("1700000000000002020", "pesan baru", conversation)
    third = collector.fetch(second.next_cursor)
    assert list(by_id(third)) == [new] and not third.more
    # a one-event probe, then one page from its next_token that reaches the known events
    assert [c.arg("max_results") for c in fake.server.calls("/2/dm_events")[2:]] == ["1", "5"]


def test_stuck_pagination_raises(fake):
    fake.add_citizen_messages(6)
    fake.stick_pagination()
    with pytest.raises(CollectorError, match="stuck pagination"):
        make_collector(fake).fetch(None)
    assert len(fake.server.calls("/mentions")) <= 3


def test_a_replayed_page_adds_no_duplicate(fake):
    first_ids = fake.add_citizen_messages(3)
    collector = make_collector(fake)
    first = collector.fetch(None)
    fake.repeat_next_page()
    new_ids = fake.add_citizen_messages(2)
    second = collector.fetch(first.next_cursor)
    third = collector.fetch(second.next_cursor)
    seen = [m.external_id for b in (first, second, third) for m in b.messages if m.external_id in first_ids + new_ids]
    assert sorted(seen) == sorted(first_ids + new_ids)  # each exactly once
    assert third.next_cursor.mentions_since_id == max(new_ids, key=int)


def test_malformed_items_are_quarantined_and_the_rest_goes_on(fake):
    good = fake.add_citizen_messages(2)
    fake.add_malformed_item()
    no_author = fake.add_mention(fake.add_user("d", "D"), "@dindukcapilbbs tanpa penulis")
    del fake.tweets[no_author]["author_id"]
    bad_dm = fake.add_dm("1700000000000003030", "halo", "bukan-id-percakapan")
    batch = make_collector(fake).fetch(None)
    assert sorted(by_id(batch)) == sorted(good)
    reasons = {q.external_id: q.reason for q in batch.quarantined}
    assert len(reasons) == 3 and "no author_id" in reasons[no_author] and "dm_conversation_id" in reasons[bad_dm]
    assert any("no text" in r for r in reasons.values())
    assert all(q.payload for q in batch.quarantined)
    assert int(batch.next_cursor.mentions_since_id) >= int(no_author)  # rejects never block the cursor


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True])
def test_429_is_rate_limited_at_the_reset_time_with_no_further_request(fake, legacy):
    fake.add_citizen_messages(12)
    fake.rate_limit_next(900, legacy_body=legacy)
    with pytest.raises(RateLimited) as caught:
        make_collector(fake).fetch(None)
    assert caught.value.retry_at == PINNED_NOW + timedelta(seconds=900)
    assert len(fake.server.requests) == 1  # no retry, no second page, no DM read


def test_429_with_a_reset_in_the_past_waits_at_least_a_minute(fake):
    fake.rate_limit_next(-120)
    with pytest.raises(RateLimited) as caught:
        make_collector(fake).fetch(None)
    assert caught.value.retry_at == PINNED_NOW + timedelta(seconds=60)


def test_429_on_the_second_page_stops_there(fake):
    fake.add_citizen_messages(8)
    collector = make_collector(fake)
    real = fake._handle
    calls = []

    def second_page_limited(request):
        calls.append(request.path)
        if len(calls) == 2:
            fake.rate_limit_next(300)
        return real(request)

    fake.server.handler = second_page_limited
    with pytest.raises(RateLimited):
        collector.fetch(None)
    assert len(fake.server.requests) == 2


def test_401_is_auth_expired_without_secrets(fake):
    fake.expire_token()
    with pytest.raises(AuthExpired) as caught:
        make_collector(fake).fetch(None)
    assert "401" in str(caught.value)
    assert_no_secret(str(caught.value))


def test_403_suspension_is_a_clear_error_not_auth(fake):
    fake.suspend()
    with pytest.raises(CollectorError) as caught:
        make_collector(fake).fetch(None)
    assert not isinstance(caught.value, AuthExpired | TransientError)
    assert "ditangguhkan" in str(caught.value) and "403" in str(caught.value)


def test_dms_with_app_only_token_is_a_permission_error(fake):
    collector = make_collector(fake, read_mentions=False, bearer_is_user_token=True, consumer_key_env=None,
                               consumer_secret_env=None, access_token_env=None, access_token_secret_env=None)
    with pytest.raises(CollectorError, match="izin"):
        collector.fetch(None)


def test_server_errors_and_unreachable_hosts_are_transient(fake):
    fake.fail_next()
    with pytest.raises(TransientError, match="503"):
        make_collector(fake).fetch(None)
    closed = make_collector(fake, base_url="http://127.0.0.1:9")
    with pytest.raises(TransientError) as caught:
        closed.fetch(None)
    assert_no_secret(str(caught.value))


def test_a_hung_server_times_out_as_transient():
    release = threading.Event()

    def hang(_request):
        release.wait(5)
        return Response(200, {"meta": {"result_count": 0}})

    with XFake() as fake, FakeServer(hang) as slow:
        collector = make_collector(fake, base_url=slow.base_url, timeout_seconds=0.3, read_dms=False)
        started = datetime.now(UTC)
        try:
            with pytest.raises(TransientError, match="Timeout"):
                collector.fetch(None)
        finally:
            release.set()
        assert datetime.now(UTC) - started < timedelta(seconds=3)


def test_read_allowance_caps_what_one_run_reads(fake):
    fake.add_citizen_messages(12)
    collector = make_collector(fake, read_dms=False)
    collector.read_allowance = 8  # what is left of monthly_read_budget, set by the runner
    first = collector.fetch(None)
    assert first.reads == 5 and first.more  # a second page of at least 5 would overrun the allowance
    assert fake.server.calls("/mentions")[-1].arg("max_results") == "5"
    assert collector.read_allowance == 3
    capped = collector.fetch(first.next_cursor)  # 3 left cannot buy a page of 5: nothing read, no loop
    assert capped.reads == 0 and not capped.more and capped.next_cursor == first.next_cursor
    collector.read_allowance = 0
    spent = collector.fetch(first.next_cursor)
    assert spent.messages == [] and not spent.more and spent.reads == 0
    calls = len(fake.server.requests)
    collector.read_allowance = None
    rest = collector.fetch(first.next_cursor)
    assert rest.reads == 7 and len(fake.server.requests) > calls


# -- sending ---------------------------------------------------------------------------------------


def test_reply_tweet_to_a_mention_is_recorded_with_the_returned_id(fake):
    fake.seed_fixtures()
    collector = make_collector(fake)
    citizen = "1993200000000004101"
    result = collector.send(OutboundMessage(channel=fake.name, thread_key=citizen, in_reply_to=citizen,
                                            text="@warga_bumiayu Mohon maaf, blanko KTP-el sedang dikirim."))
    sent, = fake.sent
    assert sent["kind"] == "tweet" and sent["id"] == result.external_id
    assert sent["body"]["reply"] == {"in_reply_to_tweet_id": citizen}
    post, = [r for r in fake.server.calls("/2/tweets") if r.method == "POST"]
    assert post.headers["Authorization"].startswith("OAuth ")
    assert fake.tweets[result.external_id]["conversation_id"] == citizen
    # the lookup decided it: the fixture tweet's entities name the office
    assert len([r for r in fake.server.requests if r.method == "GET" and r.path.startswith("/2/tweets/")]) == 1


def test_dm_reply_is_recorded_and_reads_back_as_our_own_message(fake):
    fake.seed_fixtures()
    collector = make_collector(fake)
    first = collector.fetch(None)
    thread = "1300000000000000001-1700000000000001010"
    result = collector.send(OutboundMessage(channel=fake.name, thread_key=thread, is_private=True,
                                            text="Syarat pecah KK: KK lama, buku nikah, formulir F-1.01."))
    sent, = fake.sent
    assert sent == {"kind": "dm", "id": result.external_id, "text": sent["text"], "dm_conversation_id": thread,
                    "body": {"text": sent["text"]}}
    again = by_id(collector.fetch(first.next_cursor))
    assert list(again) == [result.external_id] and again[result.external_id].direction == "out"


def test_replies_are_refused_unless_the_post_mentions_the_office(fake):
    citizen = fake.add_user("warga_thread", "Warga Thread")
    root = fake.add_mention(citizen, "@dindukcapilbbs KTP sy hilang")
    deeper = fake.add_tweet(citizen, "oh iya sekalian, KK juga", reply_to=root)  # no @mention
    collector = make_collector(fake)

    with pytest.raises(SendRefused, match="menyebut"):
        collector.send(OutboundMessage(channel=fake.name, thread_key=root, in_reply_to=deeper, text="Baik."))
    with pytest.raises(SendRefused, match="menyebut"):
        collector.send(OutboundMessage(channel=fake.name, thread_key=root, in_reply_to=root, text="Baik.",
                                       context={"text": "bukan mention"}))
    with pytest.raises(SendRefused, match="ID postingan"):
        collector.send(OutboundMessage(channel=fake.name, thread_key=root, text="Baik."))
    with pytest.raises(SendRefused, match="dihapus"):
        collector.send(OutboundMessage(channel=fake.name, thread_key=root, in_reply_to="1993999999999999999",
                                       text="Baik."))
    assert fake.sent == [] and not [r for r in fake.server.requests if r.method == "POST"]

    ok = collector.send(OutboundMessage(channel=fake.name, thread_key=root, in_reply_to=root, text="Baik.",
                                        context={"raw": json.dumps(fake.tweets[root])}))
    assert fake.sent[-1]["id"] == ok.external_id


def test_x_refusing_a_public_reply_becomes_send_refused(fake):
    citizen = fake.add_user("warga_tag", "Warga")
    post = fake.add_tweet(citizen, "@dindukcapilbbs tolong dicek")  # names us but X did not list it as a mention
    with pytest.raises(SendRefused, match="DM"):
        make_collector(fake).send(OutboundMessage(channel=fake.name, thread_key=post, in_reply_to=post, text="Baik."))
    assert fake.sent == []


def test_oauth1_alone_reads_and_replies(fake):
    fake.seed_fixtures()
    collector = make_collector(fake, bearer_token_env=None)
    assert len(collector.fetch(None).messages) == 7
    collector.send(OutboundMessage(channel=fake.name, thread_key="1993200000000002002",
                                   in_reply_to="1993200000000002002", text="Sama-sama, Kak."))
    assert len(fake.sent) == 1
    assert all(r.headers["Authorization"].startswith("OAuth ") for r in fake.server.requests)


def test_a_refused_dm_is_send_refused_but_a_suspension_is_not(fake):
    fake.seed_fixtures()
    collector = make_collector(fake)
    reply = OutboundMessage(channel=fake.name, thread_key="1300000000000000001-1700000000000001010", is_private=True,
                            text="Baik, kami cek.")
    real = fake._handle
    fake.server.handler = lambda request: (Response(403, {"title": "Forbidden", "status": 403, "type": "about:blank",
                                                          "detail": "You are not permitted to send this message."})
                                           if request.method == "POST" else real(request))
    with pytest.raises(SendRefused, match="DM"):
        collector.send(reply)
    fake.server.handler = real
    fake.suspend()
    with pytest.raises(CollectorError, match="ditangguhkan") as caught:
        collector.send(reply)
    assert not isinstance(caught.value, SendRefused) and fake.sent == []


def test_dm_needs_user_context():
    with XFake() as fake:
        collector = make_collector(fake, bearer_is_user_token=False, consumer_key_env=None, consumer_secret_env=None,
                                   access_token_env=None, access_token_secret_env=None)
        for private in (True, False):
            with pytest.raises(SendRefused, match="user context"):
                collector.send(OutboundMessage(channel=fake.name, thread_key="1-2", is_private=private,
                                               in_reply_to="1993200000000004101", text="Halo"))
        assert fake.server.requests == []
        assert collector.check() == f"@dindukcapilbbs (id {OFFICE_ID}, hanya baca)"  # app-only: a user lookup
        assert fake.server.requests[0].path == f"/2/users/{OFFICE_ID}"


def test_mention_check_reads_entities_and_text():
    assert mentions_account({"entities": {"mentions": [{"username": "DindukcapilBBS"}]}}, "1", "dindukcapilbbs")
    assert mentions_account({"text": "halo @dindukcapilbbs!"}, "1", "dindukcapilbbs")
    assert not mentions_account({"text": "halo @dindukcapilbbs_palsu"}, "1", "dindukcapilbbs")
    assert not mentions_account({"text": "email x@dindukcapilbbs"}, "1", "dindukcapilbbs")


# -- identity, settings, config --------------------------------------------------------------------


def test_check_and_identity_from_users_me(fake):
    assert make_collector(fake).check() == f"@dindukcapilbbs (id {OFFICE_ID})"
    with pytest.raises(CollectorError, match="bukan akun"):
        make_collector(fake, user_id="42").check()
    fake.seed_fixtures()
    before = len(fake.server.calls("/2/users/me"))
    unnamed = make_collector(fake, user_id=None, username=None)
    batch = unnamed.fetch(None)
    unnamed.fetch(batch.next_cursor)
    assert by_id(batch)["1993300000000000202"].direction == "out"
    assert len(fake.server.calls("/2/users/me")) == before + 1  # asked once, then remembered


def test_settings_need_credentials_and_missing_env_is_a_config_error(fake):
    with pytest.raises(ValueError, match="bearer_token_env"):
        XSettings.model_validate({"user_id": "1"})
    with pytest.raises(ValueError, match="all four"):
        XSettings.model_validate({"consumer_key_env": "A"})
    collector = XCollector("x", {"bearer_token_env": "ADUAN_TEST_X_UNSET", "user_id": OFFICE_ID,
                                 "username": "dindukcapilbbs", "base_url": fake.base_url}, {})
    from ticketing.errors import ConfigError

    with pytest.raises(ConfigError, match="ADUAN_TEST_X_UNSET"):
        collector.fetch(None)
    anonymous = XCollector("x", {"bearer_token_env": "ADUAN_TEST_X_BEARER", "base_url": fake.base_url}, fake.env())
    with pytest.raises(ConfigError, match="user_id"):
        anonymous.fetch(None)
    assert fake.server.requests == []


def test_built_through_the_entry_point_and_the_cursor_round_trips(fake):
    from ticketing.config import ChannelSettings
    from ticketing.contract.registry import build_collector

    collector = build_collector(ChannelSettings(**fake.channel_config()), fake.env())
    assert isinstance(collector, XCollector) and collector.settings.page_size == 5
    cursor = XCursor(mentions_since_id="1993200000000004101", dm_resume_token="abc")
    assert collector.load_cursor(encode_cursor(cursor)) == cursor
    assert repr(collector.settings).count("Canary") == 0


def test_config_yaml_documents_a_valid_disabled_x_channel():
    lines = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("# - name: x-"))
    block = [lines[start].replace("#", "", 1)]
    for line in lines[start + 1:]:
        if not line.strip().startswith("#   "):  # the entry's keys; anything else ends it
            break
        block.append(line.replace("#", "", 1))
    entry = yaml.safe_load("\n".join(block))[0]
    assert entry["type"] == "x" and entry["enabled"] is False
    section = {k: v for k, v in entry.items() if k not in ("name", "type", "enabled")}
    settings = XSettings.model_validate(section)
    assert settings.base_url == "https://api.x.com"
    assert set(section) >= {"base_url", "user_id", "bearer_token_env", "consumer_key_env", "monthly_read_budget",
                            "max_pages"}


def test_fetched_batch_ingests_idempotently(fake, sqlite_engine):
    from sqlmodel import Session

    from tests.conftest import count
    from ticketing.intake.ingest import ingest_batch

    fake.seed_fixtures()
    collector = make_collector(fake)
    batch = collector.fetch(None)
    with Session(sqlite_engine) as session, session.begin():
        result = ingest_batch(session, fake.name, batch.messages, now=PINNED_NOW, channel_type="x",
                              cursor=encode_cursor(batch.next_cursor), quarantined=batch.quarantined)
    assert result.new_messages == 7
    # four mentions, two citizen DM conversations; the office's own DM joins its citizen's ticket
    assert count(sqlite_engine, "ticket") == 6
    again = collector.fetch(batch.next_cursor)
    with Session(sqlite_engine) as session, session.begin():
        second = ingest_batch(session, fake.name, again.messages, now=PINNED_NOW, channel_type="x")
    assert second.new_messages == 0 and count(sqlite_engine, "message") == 7


def test_no_secret_in_any_error_text(fake):
    texts = []
    for fault in (fake.expire_token, fake.suspend, lambda: fake.rate_limit_next(60), fake.fail_next):
        fault()
        with pytest.raises(CollectorError) as caught:
            make_collector(fake).fetch(None)
        texts.append(str(caught.value))
        fake.clear_faults()
    for text in texts:
        assert_no_secret(text)
    assert load_fixture("errors.json")["rate_limited"]["status"] == 429
