"""Human views speak the office's words, not the code's (issue 20, item 9): the history shows
labels, not event codes, status codes or JSON; a refusal names the action in words; bidang read the
same in the inbox, the ticket and the report; `--status` takes the words of the commands."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import seed

CODES = ("created", "replied", "delivery_failed", "escalated", "resolved", "dismissed", "answered_by_bidang")


def _office(tmp_path):
    config = make_config(tmp_path)
    base = PINNED_NOW - timedelta(hours=1)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [
        inbound(1, base=base, text="min ktp sy blm jadi sudah 2 bulan"),
        inbound(2, base=base, text="terima kasih min"),
        inbound(3, base=base, text="akta kelahiran anak saya salah nama"),
    ])
    return config


def _history(out: str) -> str:
    return out[out.index("Riwayat"):]


def test_the_history_shows_labels_and_phrases_not_codes_or_json(tmp_path):
    config = _office(tmp_path)
    assert run_cli(config, "escalate", "1", "--to", "DAFDUK", "-m", "mohon cek status cetak").code == 0
    assert run_cli(config, "reply", "1", "-m", "Baik, kami cek.", "--final").code == 0  # the sandbox channel accepts it
    shown = run_cli(config, "show", "1")
    assert shown.code == 0, shown.err
    history = _history(shown.out)
    for label in ("Tiket dibuat", "Diteruskan ke bidang", "Dibalas", "Balasan terkirim", "sistem"):
        assert label in history
    assert "Baru → Diteruskan" in history and "Diteruskan → Dijawab" in history
    # the escalation note lives on the escalation, not in the append-only audit trail (issue 18: purge)
    assert "bidang DAFDUK" in history and "mohon cek status cetak" not in history
    assert not any(re.search(rf"\b{code}\b", history) for code in CODES), history
    assert "{" not in history and '"' not in history.replace("'x-test'", "")
    assert "→ new" not in shown.out and "Sisa Waktu" not in shown.out  # answered: timeliness, not time left
    assert "Ketepatan Waktu" in shown.out and "Kategori         KTP-el" in shown.out
    english = run_cli(config, "--lang", "en", "show", "1")
    assert "Ticket created" in _history(english.out.replace("History", "Riwayat"))
    data = run_cli(config, "show", "1", "--json").json()  # scripts keep the codes
    assert [e["action"] for e in data["events"]][:3] == ["created", "escalated", "replied"]


def test_a_refusal_names_the_action_in_words(tmp_path):
    config = _office(tmp_path)
    refused = run_cli(config, "resolve", "1")
    assert refused.code == 1
    assert "tidak bisa ditandai selesai (ke Selesai)" in refused.err and "'resolved'" not in refused.err


def test_status_filter_takes_labels_and_finds_what_close_closed(tmp_path):
    config = _office(tmp_path)
    assert run_cli(config, "close", "2", "--reason", "terima-kasih").code == 0
    assert run_cli(config, "reply", "3", "-m", "Baik.", "--final").code == 0
    assert run_cli(config, "escalate", "1", "--to", "DAFDUK").code == 0

    def refs(*words: str) -> set[str]:
        args = [a for w in words for a in ("--status", w)]
        result = run_cli(config, "inbox", *args, "--json")
        assert result.code == 0, result.err
        return {t["ref"][-1] for t in result.json()}

    assert refs("closed") == {"2"}  # what `aduan close` closed is a closed ticket
    assert refs("ditutup") == refs("dismissed") == refs("close") == {"2"}
    assert refs("selesai") == refs("resolved") == set()
    assert refs("Diteruskan") == refs("escalated") == {"1"}
    assert refs("dijawab", "closed") == {"2", "3"}
    assert refs("all") == {"1", "2", "3"}
    unknown = run_cli(config, "inbox", "--status", "beres")
    assert unknown.code == 2 and "beres" in unknown.err and "selesai" in unknown.err
    dismissed = run_cli(config, "show", "2")
    assert re.search(r"Sisa Waktu +- *\n", dismissed.out)  # no clock left on a ticket closed without an answer


def test_bidang_read_the_same_in_inbox_show_and_report(tmp_path):
    config = _office(tmp_path)
    inbox = run_cli(config, "inbox")
    shown = run_cli(config, "show", "1")
    report = run_cli(config, "recap", "monthly", "--month", "2026-11")
    assert inbox.code == shown.code == report.code == 0, report.err
    assert " DAFDUK " in inbox.out and "DAFDUK" in shown.out
    assert "DAFDUK" in report.out and "Dafduk" not in report.out


def test_wording_is_plain_indonesian():
    from ticketing.i18n import word

    assert "dgn" not in word("triage_keys")
    assert word("met") == "Dijawab tepat waktu"
