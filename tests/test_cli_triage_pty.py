"""`aduan triage` on a real pseudo-terminal: single keys, the template preview, the bidang
list, the escalation note and Ctrl-C, as an admin types them."""

from __future__ import annotations

from tests.cli_helpers import PtySession
from tests.test_cli_actions import rows
from tests.test_triage import _seed


def test_reply_key_previews_the_filled_template_and_cancel_sends_nothing(tmp_path):
    url, config = _seed(tmp_path, 2)
    tty = PtySession(config, "triage")
    tty.expect("[q] keluar")
    tty.key("r")
    tty.expect("Templat (nomor atau nama):")
    tty.send("ktp-belum-cetak\n")
    preview = tty.expect("[b] batal")
    assert "Pratinjau: ktp-belum-cetak" in preview and "ADU-2026-000001" in preview  # filled in, not a name
    assert rows(url, "SELECT count(*) FROM message WHERE direction = 'out'") == [(0,)]
    tty.key("b")
    tty.expect("dibatalkan, tidak ada yang dikirim")
    tty.expect("[q] keluar")  # still on the same ticket
    tty.key("r")
    tty.expect("Templat (nomor atau nama):")
    tty.send("ktp-belum-cetak\n")
    tty.expect("[b] batal")
    tty.key("k")
    tty.expect("[2/2]")
    tty.key("q")
    code, _ = tty.finish()
    assert code == 0
    [(text,)] = rows(url, "SELECT text FROM message WHERE direction = 'out'")
    assert "ADU-2026-000001" in text


def test_escalation_lists_bidang_names_refuses_unknown_asks_a_note_and_ctrl_c_exits_130(tmp_path):
    url, config = _seed(tmp_path, 2)
    tty = PtySession(config, "triage")
    tty.expect("[q] keluar")
    tty.key("t")
    listed = tty.expect("Teruskan ke bidang:")
    assert "2) CAPIL (Bidang Pelayanan Pencatatan Sipil)" in listed
    tty.send("xyz\n")
    tty.expect("'xyz' tidak dikenal; pilih nomor atau nama: DAFDUK, CAPIL")
    tty.send("2\n")
    tty.expect("Catatan untuk bidang")
    tty.send("akta anak belum terbit, mohon dicek\n")
    tty.expect("[2/2]")
    tty.expect("[q] keluar")
    tty.key("\x03")  # Ctrl-C
    code, rest = tty.finish()
    assert code == 130
    assert "Triase dihentikan (2)" in rest
    assert rows(url, "SELECT bidang, note FROM escalation") == [("CAPIL", "akta anak belum terbit, mohon dicek")]


def test_english_triage_confirms_with_english_keys(tmp_path):
    url, config = _seed(tmp_path, 1)
    tty = PtySession(config, "triage", "--lang", "en")
    tty.expect("[q] quit")
    tty.key("r")
    tty.expect("Template (number or name):")
    tty.send("1\n")
    tty.expect("[c] cancel")
    tty.key("s")
    code, rest = tty.finish()
    assert code == 0 and "reply queued" in rest
    assert rows(url, "SELECT count(*) FROM message WHERE direction = 'out'") == [(1,)]
