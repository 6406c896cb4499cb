"""Telegram's special cases against the fake Bot API server (requests runs its real code path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from collectors.telegram import TelegramCollector, TelegramCursor, split_text
from tests.fakes.telegram import BOT_ID, TOKEN, TelegramFake
from ticketing.app import App
from ticketing.config import ChannelSettings, Settings
from ticketing.contract import AuthExpired, CollectorError, OutboundMessage, RateLimited, TransientError
from ticketing.contract.registry import build_collector
from ticketing.intake.collect import collect
from ticketing.store.db import read_session
from ticketing.store.models import CollectorState, Message, MessageRevision, Ticket

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def fake():
    with TelegramFake() as server:
        yield server


def collector_for(fake: TelegramFake) -> TelegramCollector:
    collector = build_collector(ChannelSettings.model_validate(fake.channel_config()), fake.env())
    collector.clock = lambda: NOW
    assert isinstance(collector, TelegramCollector)
    return collector


@pytest.fixture
def app(fake, tmp_path):
    settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / 'tg.db'}"},
                                        "channels": [fake.channel_config()]})
    app = App(settings, environ=fake.env(), now=NOW)
    yield app
    app.engine.dispose()


def stored(app) -> dict[str, Message]:
    with read_session(app.engine) as session:
        return {m.external_id: m for m in session.exec(select(Message))}


def test_unix_seconds_become_aware_utc_and_fields_are_mapped(fake):
    message = fake.message(5550001, "Kepriwe carane pecah KK?", date=1795395000)
    fake.push({"message": message})
    batch = collector_for(fake).fetch(None)
    [item] = batch.messages
    assert item.sent_at == datetime(2026, 11, 23, 0, 50, tzinfo=UTC)
    assert item.sent_at.utcoffset() == timedelta(0)
    assert item.external_id == f"5550001:{message['message_id']}" and item.thread_key == "5550001"
    assert item.author_id == "5550001" and item.author_handle == "@warga5550001"
    assert item.author_name == "Wartini Salem" and item.is_private and item.direction == "in"
    assert batch.next_cursor == TelegramCursor(fake.updates[-1]["update_id"] + 1)


def test_edits_keep_the_earlier_text_as_a_revision(fake, app):
    original = fake.message(5550002, "akta kelahiran anak sy blm jadi")
    fake.push({"message": original})
    collect(app)
    edited = dict(original, text="akta kelahiran anak saya belum jadi, sudah 3 minggu",
                  edit_date=original["date"] + 120)
    fake.push({"edited_message": edited})
    [run] = collect(app)
    assert run.result.edits == 1 and run.result.new_messages == 0
    message = stored(app)[f"5550002:{original['message_id']}"]
    assert message.text.endswith("sudah 3 minggu") and "edited" in message.flags
    with read_session(app.engine) as session:
        [revision] = session.exec(select(MessageRevision))
    assert revision.previous_text == "akta kelahiran anak sy blm jadi"
    assert revision.edited_at == datetime.fromtimestamp(original["date"] + 120, UTC)


def test_start_command_opens_no_ticket_but_the_complaint_after_it_does(fake, app):
    start = fake.message(5550003, "/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    fake.push({"message": start})
    [run] = collect(app)
    assert run.result.new_tickets == 0
    command = stored(app)[f"5550003:{start['message_id']}"]
    assert command.ticket_id is None and "bot_command" in command.flags
    fake.add_citizen_messages(1, chat_id=5550003)
    [run] = collect(app)
    assert run.result.new_tickets == 1


def test_member_changes_channel_posts_and_callbacks_open_nothing_but_advance_the_offset(fake, app):
    fake.push({"my_chat_member": {"chat": {"id": 5550004, "type": "private"}, "from": {"id": 5550004},
                                  "date": 1795395000, "new_chat_member": {"status": "kicked"}}})
    fake.push({"channel_post": fake.message(-1001234, "Info pelayanan Sabtu", sender={"id": -1001234})})
    fake.push({"callback_query": {"id": "cb1", "from": {"id": 5550004}, "data": "menu"}})
    joined = fake.message(-100777, None, new_chat_members=[{"id": 42, "is_bot": False, "first_name": "A"}])
    fake.push({"message": joined})
    last_id = fake.updates[-1]["update_id"]
    [run] = collect(app)
    assert run.outcome == "ok" and run.result.new_messages == 0 and run.reads == 4
    with read_session(app.engine) as session:
        assert session.get(CollectorState, "tg-test").cursor == f'{{"offset": {last_id + 1}}}'
    [again] = collect(app)
    assert again.result.new_messages == 0 and again.reads == 0
    assert fake.updates == []  # the higher offset confirmed them, so the server forgot them


def test_the_bots_own_messages_are_outbound(fake):
    fake.add_own_message(chat_id=5550005)
    [item] = collector_for(fake).fetch(None).messages
    assert item.direction == "out" and item.author_id == str(BOT_ID)


def test_future_timestamp_is_flagged_and_the_cursor_comes_from_update_ids(fake, app):
    future = fake.message(5550006, "jam HP saya salah", date=int((NOW + timedelta(days=30)).timestamp()))
    update_id = fake.push({"message": future})
    collect(app)
    message = stored(app)[f"5550006:{future['message_id']}"]
    assert "future_timestamp" in message.flags
    with read_session(app.engine) as session:
        assert session.get(CollectorState, "tg-test").cursor == f'{{"offset": {update_id + 1}}}'
        ticket = session.exec(select(Ticket)).one()
    assert "future_timestamp" in ticket.flags


def test_caption_and_media_metadata(fake):
    photo = fake.message(-1009876, None, caption="foto KK yang salah cetak",
                         photo=[{"file_id": "a", "file_size": 90, "width": 90},
                                {**fake.add_file(b"\xff\xd8\xff\xe0" + b"j" * 600), "width": 1280}])
    fake.push({"message": photo})
    fake.push({"message": fake.message(5550007, None, sticker={"file_id": "s"})})
    first, second = collector_for(fake).fetch(None).messages
    assert first.text == "foto KK yang salah cetak" and not first.is_private
    assert first.thread_key == f"-1009876:{photo['from']['id']}"  # one citizen of the group
    [picture] = first.attachments
    assert picture.size == 604 and picture.content_type == "image/jpeg" and picture.skipped_reason is None
    assert picture.path and Path(picture.path).read_bytes().startswith(b"\xff\xd8")
    assert second.text == "[stiker]" and "invalid file_id" in second.attachments[0].skipped_reason


def test_reply_threads_to_the_citizens_message_and_dedupes_when_read_back(fake):
    collector = collector_for(fake)
    result = collector.send(OutboundMessage(channel="tg-test", thread_key="5550008", in_reply_to="5550008:17",
                                            text="Selamat siang, akta sudah bisa diambil di loket 3."))
    [sent] = fake.sent
    assert sent["reply_parameters"] == {"message_id": 17, "allow_sending_without_reply": True}
    assert sent["chat_id"] == 5550008 and sent["parse_mode"] is None
    assert result.external_id == f"5550008:{sent['message_id']}"
    echo = fake.message(5550008, sent["text"], sender={"id": BOT_ID, "is_bot": True, "first_name": "Bot"})
    echo["message_id"] = sent["message_id"]
    fake.push({"message": echo})
    [read_back] = collector.fetch(None).messages
    assert read_back.external_id == result.external_id and read_back.direction == "out"


def test_long_replies_are_split_at_4096(fake):
    paragraph = "Persyaratan pindah datang: " + "surat pengantar RT/RW, KK asli, KTP-el. " * 60
    text = "\n\n".join([paragraph] * 3)
    assert len(text) > 4096 * 1.5
    collector_for(fake).send(OutboundMessage(channel="tg-test", thread_key="5550009", text=text,
                                             in_reply_to="5550009:3"))
    parts = [s["text"] for s in fake.sent]
    # cut at paragraph breaks, every part within the limit
    assert parts == [paragraph.rstrip(), paragraph.rstrip(), paragraph]
    assert all(len(p) <= 4096 for p in parts)
    assert all(s["reply_parameters"]["message_id"] == 3 for s in fake.sent)


def test_split_counts_utf16_units():
    parts = split_text("🙏" * 3000)  # each emoji is two UTF-16 code units
    assert len(parts) == 2 and all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "".join(parts) == "🙏" * 3000
    assert split_text("pendek") == ["pendek"]


def test_flood_control_is_rate_limited_with_retry_after(fake):
    fake.rate_limit_next(17)
    with pytest.raises(RateLimited) as caught:
        collector_for(fake).fetch(None)
    assert caught.value.retry_at == NOW + timedelta(seconds=17)


def test_unauthorized_is_auth_expired_without_the_token(fake):
    fake.expire_token()
    with pytest.raises(AuthExpired) as caught:
        collector_for(fake).check()
    assert TOKEN not in str(caught.value) and TOKEN.split(":")[1] not in str(caught.value)


def test_conflict_is_a_clear_error(fake):
    fake.conflict_next()
    with pytest.raises(CollectorError, match="webhook is set or another process polls") as caught:
        collector_for(fake).fetch(None)
    assert not isinstance(caught.value, (RateLimited, AuthExpired))


def test_unreachable_server_is_transient_and_redacted():
    settings = ChannelSettings.model_validate({"name": "tg", "type": "telegram", "base_url": "http://127.0.0.1:9",
                                               "bot_token_env": "T"})
    collector = build_collector(settings, {"T": TOKEN})
    with pytest.raises(TransientError) as caught:
        collector.fetch(None)
    assert TOKEN.split(":")[1] not in str(caught.value)


def test_stuck_offset_is_an_error(fake):
    fake.stick_pagination()
    collector = collector_for(fake)
    with pytest.raises(CollectorError, match="stuck"):
        collector.fetch(TelegramCursor(1000))


def test_check_describes_the_bot(fake):
    assert "@dukcapilbrebes_bot" in collector_for(fake).check()


def test_pagination_in_small_pages_through_the_runner(app, fake):
    fake.page_size = 2
    settings = Settings.model_validate({"database": {"url": app.settings.database.url},
                                        "channels": [fake.channel_config()]})
    paged = App(settings, environ=fake.env(), now=NOW)
    paged.__dict__["engine"] = app.engine
    ids = fake.add_citizen_messages(5)
    [run] = collect(paged)
    assert run.batches == 3 and run.result.new_messages == 5
    assert set(ids) <= set(stored(app))
    with read_session(app.engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar_one() == 5


def test_an_edit_in_the_same_page_as_its_original_still_keeps_a_revision(fake, app):
    original = fake.message(5550010, "KK sy salah nama")
    fake.push({"message": original})
    fake.push({"edited_message": dict(original, text="KK saya salah tulis nama ibu", edit_date=original["date"] + 60)})
    [run] = collect(app)
    assert run.batches == 2 and run.result.new_messages == 1 and run.result.edits == 1
    assert stored(app)[f"5550010:{original['message_id']}"].text == "KK saya salah tulis nama ibu"
    with read_session(app.engine) as session:
        assert [r.previous_text for r in session.exec(select(MessageRevision))] == ["KK sy salah nama"]
