"""`aduan show` lists what came with a message (files, where they are kept) and its earlier texts."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import seed
from ticketing.contract import Attachment

BASE = PINNED_NOW - timedelta(hours=2)


def _seed(tmp_path):
    config = make_config(tmp_path)
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    files = [Attachment("scan_ktp_3329011234567890.jpg", "image/jpeg", 48_213, "ab" * 32,
                        "/srv/aduan/attachments/ab/abab", sensitive=True),
             Attachment("rekaman\x1b]0;X\x07.ogg", "audio/ogg", 2_500_000,
                        skipped_reason="melebihi batas 1000000 byte")]
    first = inbound(1, base=BASE, text="KTP-el sy hilang", attachments=files)
    seed(url, [first])
    seed(url, [dataclasses.replace(first, text="KTP-el saya hilang saat banjir", is_edit=True, attachments=[],
                                   sent_at=BASE + timedelta(minutes=5))])
    return config


def test_show_json_lists_attachments_and_revisions(tmp_path):
    config = _seed(tmp_path)
    result = run_cli(config, "show", "1", "--json")
    assert result.code == 0, result.err
    [message] = json.loads(result.out)["messages"]
    assert message["text"] == "KTP-el saya hilang saat banjir"
    photo, voice = message["attachments"]
    assert photo == {"filename": "scan_ktp_3329********7890.jpg", "content_type": "image/jpeg", "size": 48_213,
                     "sensitive": True, "sha256": "ab" * 32, "path": "/srv/aduan/attachments/ab/abab",
                     "skipped_reason": None}
    assert voice["path"] is None and voice["skipped_reason"] == "melebihi batas 1000000 byte"
    assert message["revisions"] == [{"edited_at": (BASE + timedelta(minutes=5)).isoformat(),
                                     "previous_text": "KTP-el sy hilang"}]


def test_show_table_lists_attachments_and_revisions(tmp_path):
    config = _seed(tmp_path)
    result = run_cli(config, "show", "1", env={"COLUMNS": "200"})
    assert result.code == 0, result.err
    out = result.out
    assert "Lampiran" in out and "Suntingan" in out and "KTP-el sy hilang" in out
    assert "scan_ktp_3329********7890.jpg" in out and "48.2 kB" in out and "/srv/aduan/attachments/ab/abab" in out
    assert "tidak disimpan: melebihi batas 1000000 byte" in out and "2.5 MB" in out
    assert "\x1b]0;X" not in out and "␛]0;X␇" in out
    english = run_cli(config, "show", "1", env={"COLUMNS": "200", "ADUAN_LOCALE": "en"})
    assert english.code == 0, english.err
    assert "Attachments" in english.out and "Edits" in english.out and "not stored: melebihi" in english.out
