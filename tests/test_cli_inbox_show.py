"""Inbox and show as an admin and a teknis officer use them (issue 20, item 12): summaries without
our own leading @handles, a teknis officer's header counts their bidang's tickets, `reply` with no
message and no terminal is a usage error, and a long `show` pages like git on a terminal only."""

from __future__ import annotations

import sys
from datetime import timedelta

from tests.cli_helpers import make_config, run_cli, run_in_pty
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import rows, seed

BASE = PINNED_NOW - timedelta(hours=3)


def _url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'aduan.db'}"


def test_summaries_skip_the_leading_mentions(tmp_path):
    config = make_config(tmp_path)
    seed(_url(tmp_path), [
        inbound(1, base=BASE, text="@dindukcapilbbs @bupati_brebes @kominfo.brebes min ktp saya blm jadi 2 bln"),
        inbound(2, base=BASE, text="@dindukcapilbbs"),  # nothing but a handle: kept as it is
        inbound(3, base=BASE, text="akta lahir anak, email saya warga@contoh.id"),
    ])
    items = {t["id"]: t["summary"] for t in run_cli(config, "inbox", "--json").json()}
    assert items == {1: "min ktp saya blm jadi 2 bln", 2: "@dindukcapilbbs",
                     3: "akta lahir anak, email saya warga@contoh.id"}
    table = run_cli(config, "inbox")
    [line] = [line for line in table.out.splitlines() if "ADU-2026-000001" in line]
    assert "min ktp saya blm jadi" in line and "@dindukcapilbbs" not in line


def test_a_teknis_officer_counts_only_their_bidang(tmp_path):
    config = make_config(tmp_path)
    seed(_url(tmp_path), [inbound(n, base=BASE - timedelta(days=10 * (n == 4))) for n in range(1, 5)])
    assert run_cli(config, "escalate", "1", "--to", "CAPIL").code == 0
    assert run_cli(config, "escalate", "2", "--to", "DAFDUK").code == 0
    assert run_cli(config, "escalate", "4", "--to", "CAPIL").code == 0  # received 10 days ago: overdue
    admin = run_cli(config, "inbox").out.splitlines()[0]
    capil = run_cli(config, "inbox", user="capil1").out.splitlines()[0]
    assert admin.startswith("Baru: 1  Diteruskan: 3") and "Lewat batas: 1" in admin
    assert capil.startswith("Baru: 0  Diteruskan: 2  Ditindaklanjuti: 0") and "Lewat batas: 1" in capil


def test_reply_without_message_and_without_terminal_is_a_usage_error(tmp_path):
    config = make_config(tmp_path)
    seed(_url(tmp_path), [inbound(1, base=BASE)])
    marker = tmp_path / "editor-ran"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    result = run_cli(config, "reply", "1", env={"EDITOR": f"{sys.executable} {editor}"})
    assert result.code == 2 and "-m" in result.err
    assert not marker.exists()  # no editor launched in a pipe
    assert rows(_url(tmp_path), "SELECT count(*) FROM message WHERE direction = 'out'") == [(0,)]


def test_show_pages_a_long_ticket_on_a_terminal_only(tmp_path):
    config = make_config(tmp_path)
    seed(_url(tmp_path), [inbound(n, base=BASE, thread="t1", author="u1", text=f"pesan ke-{n} tentang kk")
                          for n in range(1, 31)] + [inbound(99, base=BASE, text="pendek")])
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.py"
    pager.write_text(f"import sys, pathlib\npathlib.Path({str(paged)!r}).write_text(sys.stdin.read())\n")
    env = {"PAGER": f"{sys.executable} {pager}", "MANPAGER": ""}
    code, _ = run_in_pty(config, "show", "1", env=env, lines=40)
    assert code == 0 and "pesan ke-30 tentang kk" in paged.read_text()
    paged.unlink()
    code, screen = run_in_pty(config, "show", "2", env=env, lines=40)  # short: straight to the screen
    assert code == 0 and not paged.exists() and b"pendek" in screen
    code, screen = run_in_pty(config, "show", "1", "--no-pager", env=env, lines=40)
    assert code == 0 and not paged.exists() and b"pesan ke-30" in screen
    piped = run_cli(config, "show", "1", env=env)  # piped: never a pager
    assert piped.code == 0 and not paged.exists() and "pesan ke-30 tentang kk" in piped.out
