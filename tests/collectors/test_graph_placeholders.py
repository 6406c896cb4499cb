"""Attachment-only Messenger/Instagram DMs and photo-only comments, read by the pollers over the
Graph fakes: a placeholder in the UI language as text, and an attachment row."""

from __future__ import annotations

import sqlalchemy as sa
import yaml

from tests.cli_helpers import make_config
from tests.fakes.graph_api import FacebookFake, InstagramFake


def _collect(config, monkeypatch, env):
    from ticketing.app import App
    from ticketing.intake.collect import collect

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = App.load(str(config))
    runs = collect(app)
    assert [r.error for r in runs] == [None] * len(runs)
    with app.engine.connect() as conn:
        return {r.external_id: r for r in conn.execute(sa.text(
            "SELECT m.external_id, m.text, (SELECT count(*) FROM attachment a WHERE a.message_id = m.id) AS files, "
            "(SELECT min(a.content_type) FROM attachment a WHERE a.message_id = m.id) AS mime FROM message m"))}


def _photo_dm(fake, conversation: str, mid: str) -> None:
    fake.conversations[conversation]["messages"].append({
        "id": mid, "created_time": fake.tick(), "from": fake.conversations[conversation]["participants"][0],
        "attachments": {"data": [{"id": "att-1", "mime_type": "image/jpeg", "name": "image-2026.jpg", "size": 48213,
                                  "image_data": {"width": 960, "height": 1280, "url": "https://cdn.example/x"}}]}})


def _locale(config, locale: str) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    data["office"]["locale"] = locale
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_facebook_photo_only_dm_and_comment_get_placeholders_and_attachment_rows(tmp_path, monkeypatch):
    with FacebookFake() as fake:
        config = make_config(tmp_path, channels=[fake.channel_config()])
        conversation = fake.new_conversation()
        fake.add_dm("Min ini foto KK saya", conversation)
        _photo_dm(fake, conversation, "m_photo_only")
        post = fake.add_post("Jadwal pelayanan keliling minggu ini")
        comment = fake.add_comment(post, "")
        stored = next(c for c in fake.posts[post]["comment_list"] if c["id"] == comment)
        stored["attachment"] = {"type": "photo", "media": {"image": {"src": "https://cdn.example/c.jpg"}},
                                "target": {"id": "99"}, "url": "https://facebook.example/photo/99"}
        rows = _collect(config, monkeypatch, fake.env())
    assert (rows["m_photo_only"].text, rows["m_photo_only"].files, rows["m_photo_only"].mime) == \
        ("[gambar]", 1, "image/jpeg")
    assert (rows[comment].text, rows[comment].files) == ("[gambar]", 1)


def test_instagram_photo_only_dm_in_english_when_the_office_chose_english(tmp_path, monkeypatch):
    with InstagramFake() as fake:
        config = make_config(tmp_path, channels=[fake.channel_config()])
        _locale(config, "en")
        conversation = fake.new_conversation()
        fake.add_dm("kak mau tanya", conversation)
        _photo_dm(fake, conversation, "ig_photo_only")
        rows = _collect(config, monkeypatch, fake.env())
    assert (rows["ig_photo_only"].text, rows["ig_photo_only"].files) == ("[image]", 1)
