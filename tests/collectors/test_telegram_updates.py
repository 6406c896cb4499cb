"""What citizens send a Telegram bot, read the way staff need it (against the fake Bot API)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from commands.collect import run_line
from tests.fakes.telegram import BOT_ID, TelegramFake
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import collect
from ticketing.outbound.outbox import build_outbound
from ticketing.store.db import read_session
from ticketing.store.models import AttachmentRecord as Attachment
from ticketing.store.models import Message, Ticket

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
COMMAND = {"type": "bot_command", "offset": 0}


@pytest.fixture
def fake():
    with TelegramFake() as server:
        yield server


def make_app(fake, tmp_path, locale: str = "id") -> App:
    settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / f'tg-{locale}.db'}"},
                                        "office": {"locale": locale}, "channels": [fake.channel_config()]})
    return App(settings, environ=fake.env(), now=NOW)


@pytest.fixture
def app(fake, tmp_path):
    app = make_app(fake, tmp_path)
    yield app
    app.engine.dispose()


def stored(app) -> dict[str, Message]:
    with read_session(app.engine) as session:
        return {m.external_id: m for m in session.exec(select(Message))}


def command(fake, chat: int, text: str, **kwargs):
    length = len(text.split(maxsplit=1)[0])
    return fake.message(chat, text, entities=[dict(COMMAND, length=length)], **kwargs)


def test_a_command_with_text_opens_a_ticket_with_that_text(fake, app):
    lapor = command(fake, 5560001, "/lapor KTP-el saya hilang waktu banjir, mohon dibantu")
    addressed = command(fake, 5560002, "/lapor@dukcapilbrebes_bot akta lahir anak salah nama ibu")
    for message in (lapor, addressed):
        fake.push({"message": message})
    fake.push({"message": command(fake, 5560003, "/start")})
    fake.push({"message": command(fake, 5560004, "/help")})
    fake.push({"message": command(fake, -1005560, "/lapor@bot_lain_bot ini untuk bot lain")})
    [run] = collect(app)
    assert run.result.new_messages == 5 and run.result.new_tickets == 2
    rows = stored(app)
    first = rows[f"5560001:{lapor['message_id']}"]
    assert first.text == "KTP-el saya hilang waktu banjir, mohon dibantu" and first.ticket_id is not None
    assert "bot_command" in first.flags
    assert rows[f"5560002:{addressed['message_id']}"].text == "akta lahir anak salah nama ibu"
    with read_session(app.engine) as session:
        summaries = {t.summary for t in session.exec(select(Ticket))}
    assert any(s.startswith("KTP-el saya hilang") for s in summaries)
    assert sum(m.ticket_id is None for m in rows.values()) == 3


def test_two_citizens_in_one_group_get_two_tickets_and_replies_go_to_the_group(fake, app):
    group = -1001777000111
    ani = fake.message(group, "Min, KIA anak sy kapan jadi?", sender={"id": 6101, "is_bot": False,
                                                                     "first_name": "Ani"})
    budi = fake.message(group, "Saya mau urus pindah datang", sender={"id": 6102, "is_bot": False,
                                                                     "first_name": "Budi"})
    again = fake.message(group, "dari Kec. Bulakamba", sender={"id": 6102, "is_bot": False, "first_name": "Budi"})
    for message in (ani, budi, again):
        fake.push({"message": message})
    [run] = collect(app)
    assert run.result.new_tickets == 2
    with read_session(app.engine) as session:
        tickets = {t.thread_key: t for t in session.exec(select(Ticket))}
        assert set(tickets) == {f"{group}:6101", f"{group}:6102"}
        assert tickets[f"{group}:6102"].message_count == 2
        reply = Message(ticket_id=tickets[f"{group}:6101"].id, channel="tg-test", external_id="local-1",
                        direction="out", text="KIA bisa diambil besok di loket 2.", sent_at=NOW)
        session.add(reply)
        session.commit()
        outbound = build_outbound(session, reply.id)
    app.engine.dispose()
    from collectors.telegram import TelegramCollector
    from ticketing.config import ChannelSettings
    from ticketing.contract.registry import build_collector

    collector = build_collector(ChannelSettings.model_validate(fake.channel_config()), fake.env())
    assert isinstance(collector, TelegramCollector)
    result = collector.send(outbound)
    [sent] = fake.sent
    assert sent["chat_id"] == group  # the group, not Ani's private chat (a bot cannot open that)
    assert sent["reply_parameters"]["message_id"] == ani["message_id"]
    assert result.external_id == f"{group}:{sent['message_id']}"


def test_business_messages_are_citizen_input_and_replies_use_the_connection(fake, app):
    citizen = fake.business_message(5560010, "Selamat pagi, ini kantor Dukcapil? KK saya hilang")
    staff = fake.business_message(5560010, "Betul, silakan datang dengan surat kehilangan dari polisi.",
                                  sender={"id": 4400, "is_bot": False, "first_name": "Petugas"})
    fake.push({"business_message": citizen})
    fake.push({"business_message": staff})
    fake.push({"edited_business_message": dict(citizen, text="Selamat pagi, KK saya hilang, bagaimana?",
                                               edit_date=citizen["date"] + 60)})
    fake.push({"deleted_business_messages": {"business_connection_id": "BCxyzFake01",
                                             "chat": {"id": 5560010, "type": "private"}, "message_ids": [1]}})
    [run] = collect(app)
    rows = stored(app)
    key = f"biz:BCxyzFake01:5560010:{citizen['message_id']}"
    assert rows[key].direction == "in" and rows[key].ticket_id is not None
    assert rows[f"biz:BCxyzFake01:5560010:{staff['message_id']}"].direction == "out"
    assert run.result.edits == 1 and stored(app)[key].text.endswith("bagaimana?")
    from collectors.telegram import TelegramCollector
    from ticketing.config import ChannelSettings
    from ticketing.contract import OutboundMessage
    from ticketing.contract.registry import build_collector

    collector = build_collector(ChannelSettings.model_validate(fake.channel_config()), fake.env())
    assert isinstance(collector, TelegramCollector)
    result = collector.send(OutboundMessage("tg-test", "biz:BCxyzFake01:5560010", "Baik, kami bantu.",
                                            in_reply_to=key))
    [sent] = fake.sent
    assert sent["business_connection_id"] == "BCxyzFake01" and sent["chat_id"] == 5560010
    assert result.external_id.startswith("biz:BCxyzFake01:5560010:")


MEDIA = {
    "voice": ({"duration": 4, "mime_type": "audio/ogg"}, b"OggS\x00\x02" + b"v" * 50, "[pesan suara]"),
    "audio": ({"duration": 60, "file_name": "rekaman.mp3", "mime_type": "audio/mpeg"}, b"ID3\x04" + b"a" * 80,
              "[audio]"),
    "video": ({"width": 640, "height": 360, "duration": 9, "mime_type": "video/mp4"},
              b"\x00\x00\x00\x18ftypmp42" + b"m" * 40, "[video]"),
    "video_note": ({"length": 240, "duration": 5}, b"\x00\x00\x00\x18ftypmp42" + b"n" * 40, "[video bulat]"),
    "animation": ({"width": 320, "height": 240, "duration": 2, "file_name": "antre.mp4", "mime_type": "video/mp4"},
                  b"\x00\x00\x00\x18ftypmp42" + b"g" * 30, "[animasi]"),
    "sticker": ({"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False,
                 "emoji": "🙏"}, b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"s" * 20, "[stiker]"),
    "document": ({"file_name": "scan_ktp_ayah.pdf", "mime_type": "application/pdf"}, b"%PDF-1.7\n" + b"d" * 90,
                 "[dokumen]"),
}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_media_kind_is_an_attachment_row_with_a_placeholder_in_the_ui_language(fake, tmp_path, locale):
    app = make_app(fake, tmp_path, locale)
    ids = {}
    for n, (kind, (fields, data, _word)) in enumerate(MEDIA.items()):
        message = fake.message(5560100 + n, None, **{kind: {**fields, **fake.add_file(data)}})
        fake.push({"message": message})
        ids[kind] = f"{5560100 + n}:{message['message_id']}"
    big = fake.message(5560199, None, voice={"duration": 900, "file_id": "huge", "file_size": 50_000_000})
    fake.push({"message": big})
    collect(app)
    rows = stored(app)
    with read_session(app.engine) as session:
        files = {(a.message_id): a for a in session.exec(select(Attachment))}
    english = {"voice": "[voice message]", "audio": "[audio]", "video": "[video]", "video_note": "[round video]",
               "animation": "[animation]", "sticker": "[sticker]", "document": "[document]"}
    for kind, external_id in ids.items():
        message = rows[external_id]
        assert message.text == (MEDIA[kind][2] if locale == "id" else english[kind])
        attachment = files[message.id]
        assert attachment.path and Path(attachment.path).read_bytes() == MEDIA[kind][1], kind
        assert attachment.size == len(MEDIA[kind][1]) and attachment.skipped_reason is None
    assert files[rows[ids["document"]].id].sensitive  # a scan named after a KTP is kept out of exports
    skipped = files[rows[f"5560199:{big['message_id']}"].id]
    assert skipped.path is None and "10000000" in skipped.skipped_reason and skipped.size == 50_000_000
    assert not [c for c in fake.server.calls("getFile") if b"huge" in c.body]  # never asked for
    app.engine.dispose()


def test_location_venue_contact_poll_dice_and_story_are_readable(fake, app):
    items = {
        "location": {"location": {"latitude": -6.872121, "longitude": 109.042551}},
        "live": {"location": {"latitude": -6.9, "longitude": 109.1, "live_period": 900}},
        "venue": {"venue": {"location": {"latitude": -6.8744, "longitude": 109.0461}, "title": "MPP Brebes",
                            "address": "Jl. Jend. Sudirman No. 1"}},
        "contact": {"contact": {"phone_number": "+6281234567890", "first_name": "Darsih", "user_id": 777}},
        "poll": {"poll": {"id": "p1", "question": "Layanan paling lama?", "total_voter_count": 3,
                          "options": [{"text": "KTP-el", "voter_count": 2}, {"text": "KK", "voter_count": 1}],
                          "is_closed": False, "is_anonymous": True, "type": "regular",
                          "allows_multiple_answers": False}},
        "dice": {"dice": {"emoji": "🎲", "value": 4}},
        "story": {"story": {"chat": {"id": -100999, "type": "channel", "username": "infobrebes"}, "id": 12}},
    }
    ids = {}
    for n, (name, fields) in enumerate(items.items()):
        message = fake.message(5560200 + n, None, **fields)
        fake.push({"message": message})
        ids[name] = f"{5560200 + n}:{message['message_id']}"
    collect(app)
    text = {name: stored(app)[external_id].text for name, external_id in ids.items()}
    assert text["location"] == "[lokasi] -6.87212, 109.04255"
    assert text["live"] == "[lokasi] -6.90000, 109.10000 (lokasi langsung)"
    assert text["venue"] == "[tempat] MPP Brebes, Jl. Jend. Sudirman No. 1 (-6.87440, 109.04610)"
    assert text["contact"] == "[kontak] Darsih +62********890" and "4567" not in text["contact"]
    assert text["poll"] == "[polling] Layanan paling lama? — KTP-el (2) / KK (1)"
    assert text["dice"] == "[dadu] 🎲 4" and text["story"] == "[cerita] dari @infobrebes"


def test_forwarded_messages_are_marked_with_their_origin(fake, app):
    origins = [
        {"type": "user", "date": 1795390000, "sender_user": {"id": 9, "is_bot": False, "first_name": "Tarsem"}},
        {"type": "hidden_user", "date": 1795390000, "sender_user_name": "Mbak Yuli"},
        {"type": "channel", "date": 1795390000, "chat": {"id": -1001, "type": "channel", "title": "Info Desa"},
         "message_id": 55},
    ]
    ids = []
    for n, origin in enumerate(origins):
        message = fake.message(5560300 + n, "syarat pembuatan akta kematian apa saja?", forward_origin=origin)
        fake.push({"message": message})
        ids.append(f"{5560300 + n}:{message['message_id']}")
    collect(app)
    rows = stored(app)
    assert [rows[i].text.split("]")[0] + "]" for i in ids] == [
        "[diteruskan dari Tarsem]", "[diteruskan dari Mbak Yuli]", "[diteruskan dari Info Desa]"]
    assert all("forwarded" in rows[i].flags for i in ids)


def test_an_edit_in_a_later_run_is_counted_in_the_collect_line(fake, app):
    original = fake.message(5560400, "sy mau tanya soal KK")
    fake.push({"message": original})
    collect(app)
    fake.push({"edited_message": dict(original, text="saya mau tanya soal KK yang salah cetak",
                                      edit_date=original["date"] + 30)})
    [run] = collect(app)
    assert run.result.edits == 1
    assert run_line(run, "id").startswith("tg-test: 0 pesan baru, 0 tiket baru")
    assert run_line(run, "id").endswith(", 1 suntingan")
    assert run_line(run, "en").endswith(", 1 edits")


def test_the_bots_own_media_is_not_downloaded(fake):
    from ticketing.config import ChannelSettings
    from ticketing.contract.registry import build_collector

    own = fake.message(5560500, None, sender={"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
                       photo=[fake.add_file(b"\xff\xd8\xff" + b"x" * 10)])
    fake.push({"message": own})
    collector = build_collector(ChannelSettings.model_validate(fake.channel_config()), fake.env())
    [item] = collector.fetch(None).messages
    assert item.direction == "out" and item.attachments == [] and not fake.server.calls("getFile")


def test_a_file_bigger_than_it_said_is_not_read_whole(fake, tmp_path):
    from ticketing.config import ChannelSettings
    from ticketing.contract.registry import build_collector

    config = dict(fake.channel_config(), max_attachment_bytes=1000)
    lying = {**fake.add_file(b"%PDF-1.7\n" + b"x" * 500_000), "file_size": 900}  # declares 900 bytes
    fake.push({"message": fake.message(5560600, None, document={**lying, "file_name": "surat.pdf"})})
    collector = build_collector(ChannelSettings.model_validate(config), fake.env())
    [item] = collector.fetch(None).messages
    [attachment] = item.attachments
    assert attachment.path is None and "melebihi batas 1000 byte" in attachment.skipped_reason
    assert attachment.size <= 1000 + 64 * 1024  # what was read before stopping, not the whole file
