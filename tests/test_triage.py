"""`aduan triage` driven by piped keys through the real entry point."""

from __future__ import annotations

import sys
from datetime import timedelta

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import human_actions, rows, seed


def _seed(tmp_path, count: int) -> tuple:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    # Received one day apart: the oldest is the most urgent and comes first.
    seed(url, [inbound(i, base=PINNED_NOW - timedelta(days=count - i, hours=1)) for i in range(1, count + 1)])
    return url, make_config(tmp_path)


def test_triage_walks_the_queue_with_single_keys(tmp_path):
    url, config = _seed(tmp_path, 4)
    # reply: template, preview, [k] kirim; escalate: bidang, note; an unknown key; close: reason 1
    keys = "r\nktp-belum-cetak\nk\nt\ncapil\nmohon dicek\nz\nx\n1\nq\n"
    result = run_cli(config, "triage", "--json", input_text=keys)
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["counts"] == {"reply": 1, "escalate": 1, "close": 1}
    assert summary["reviewed"] == 4
    assert rows(url, "SELECT id, status, close_reason FROM ticket ORDER BY id") == [
        (1, "answered", None), (2, "escalated", None), (3, "dismissed", "spam"), (4, "new", None)]
    assert "ADU-2026-000001" in rows(url, "SELECT text FROM message WHERE direction = 'out'")[0][0]
    assert "Tombol tidak dikenal: z" in result.err  # cards and prompts go to stderr with --json
    assert human_actions(url, 2) == [("admin1", "escalated")]
    assert "Pratinjau: ktp-belum-cetak" in result.err and "[k] kirim" in result.err
    assert rows(url, "SELECT note FROM escalation") == [("mohon dicek",)]


def test_triage_skips_cancels_and_stops_at_end_of_input(tmp_path):
    url, config = _seed(tmp_path, 3)
    # ticket 1: reply, then an empty answer cancels, then skip; ticket 2: escalate by number (2 = CAPIL);
    # then the input ends in the middle of ticket 3.
    result = run_cli(config, "triage", input_text="r\n\ns\nt\n2\n")
    assert result.code == 0, result.err
    assert rows(url, "SELECT status FROM ticket ORDER BY id") == [("new",), ("escalated",), ("new",)]
    assert "[1/3] ADU-2026-000001" in result.out and "[3/3] ADU-2026-000003" in result.out
    assert "Triase selesai (3)" in result.out


def test_triage_refusal_is_shown_audited_and_the_walk_goes_on(tmp_path):
    url, config = _seed(tmp_path, 2)
    assert run_cli(config, "escalate", "1", "--to", "CAPIL").code == 0
    assert run_cli(config, "escalate", "2", "--to", "CAPIL").code == 0
    result = run_cli(config, "triage", user="capil1", input_text="x\n1\ns\nq\n")
    assert result.code == 0, result.err
    assert "perlu peran" in result.out
    assert rows(url, "SELECT status FROM ticket ORDER BY id") == [("escalated",), ("escalated",)]
    assert ("capil1", "refused") in human_actions(url, 1)


def test_triage_editor_key_and_english(tmp_path):
    url, config = _seed(tmp_path, 1)
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('Data Anda sudah kami perbaiki.\\n')\n")
    result = run_cli(config, "--lang", "en", "triage", input_text="e\n",
                     env={"EDITOR": f"{sys.executable} {script}"})
    assert result.code == 0, result.err
    assert "[e] write in editor" in result.out and "reply queued" in result.out
    assert rows(url, "SELECT text FROM message WHERE direction = 'out'") == [("Data Anda sudah kami perbaiki.",)]


def test_triage_empty_queue(tmp_path):
    config = make_config(tmp_path)
    result = run_cli(config, "triage", input_text="q\n")
    assert result.code == 0 and "Tidak ada tiket" in result.out


def test_triage_interim_key_keeps_an_escalated_ticket_escalated(tmp_path):
    url, config = _seed(tmp_path, 1)
    assert run_cli(config, "escalate", "1", "--to", "capil").code == 0
    # a plain reply is refused (the bidang has not answered), then [i] sends it as an interim reply
    keys = "r\nktp-belum-cetak\nk\ni\nktp-belum-cetak\nk\nq\n"  # each template is previewed, then [k] kirim
    result = run_cli(config, "triage", "--json", input_text=keys)
    assert result.code == 0, result.err
    assert "--interim" in result.err
    assert rows(url, "SELECT status FROM ticket") == [("escalated",)]
    out = rows(url, "SELECT flags, delivery_state FROM message WHERE direction = 'out'")
    assert out == [("interim", "sent")]
