"""Hostile citizens' text through `aduan inbox` and `aduan show`: nothing reaches the terminal raw.

Two views: the plain output (pipes, scripts) must carry no control byte at all, and a real
pseudo-terminal run, replayed in the `pyte` terminal emulator, must leave the screen layout and
the window title untouched while the hostile text stays readable.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pyte

from tests.cli_helpers import make_config, run_cli, run_in_pty
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import seed

HOSTILE = (
    "\x1b[2J\x1b[H SELESAI palsu \x1b]0;PWNED-TITLE\x07 \x1b]2;PWNED2\x1b\\ "
    "\x1b]8;;https://evil.example/\x1b\\klik\x1b]8;;\x1b\\ \x1b]52;c;ZXZpbA==\x07 \x9b31mC1 "
    "[bold red]MERAH[/bold red] [link=https://evil.example]tautan[/link] abc\u202etxt.exe a\x00b \x1b[31m"
)
HOSTILE_NAME = "[bold]Budi\x1b]0;NAMA\x07\u202e"
LONG = "A" * 20_000
UNSAFE_CHARS = ("\x1b", "\x9b", "\x00", "\u202e", "\x07")


def _seed_hostile(tmp_path: Path) -> Path:
    config = make_config(tmp_path)
    base = PINNED_NOW - timedelta(hours=1)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [
        dataclasses.replace(inbound(1, base=base, text=HOSTILE, author="jahat"), author_name=HOSTILE_NAME),
        inbound(2, base=base, text=LONG),
    ])
    return config


def test_plain_output_has_no_control_bytes_and_no_markup(tmp_path):
    config = _seed_hostile(tmp_path)
    listing = run_cli(config, "inbox")
    shown = run_cli(config, "show", "1")
    for result in (listing, shown):
        assert result.code == 0, result.err
        assert not [c for c in UNSAFE_CHARS if c in result.out]
    assert "[bold red]MERAH[/bold red]" in shown.out and "[link=https://evil.example]tautan[/link]" in shown.out
    assert "␛[2J" in shown.out and "␛]0;PWNED-TITLE␇" in shown.out and "\\u009b31m" in shown.out
    assert "abc\\u202etxt.exe" in shown.out and "a␀b" in shown.out and "[bold]Budi" in shown.out
    started = time.monotonic()
    long = run_cli(config, "show", "2")
    assert long.code == 0 and time.monotonic() - started < 20
    assert 3_000 < long.out.count("A") < 5_000 and "…" in long.out  # capped with a marker, still readable


def test_json_keeps_the_text_and_escapes_it(tmp_path):
    config = _seed_hostile(tmp_path)
    result = run_cli(config, "show", "1", "--json")
    assert result.code == 0, result.err
    assert not [c for c in UNSAFE_CHARS if c in result.out]
    data = json.loads(result.out)
    stored = data["messages"][0]["text"]
    assert "[bold red]MERAH[/bold red]" in stored and "\x1b]0;PWNED-TITLE\x07" in stored and "\u202e" in stored
    listed = run_cli(config, "inbox", "--json")
    assert not [c for c in UNSAFE_CHARS if c in listed.out]


SGR = re.compile(rb"\x1b\[[0-9;]*m")


def _screen(raw: bytes, columns: int = 120) -> pyte.Screen:
    screen = pyte.Screen(columns, 400)
    stream = pyte.Stream(screen)
    stream.feed(raw.decode("utf-8"))
    return screen


def test_pty_screen_and_title_untouched(tmp_path):
    config = _seed_hostile(tmp_path)
    code, raw = run_in_pty(config, "show", "1")
    assert code == 0, raw[-2000:]
    # The only escape sequences are Rich's own colours; none came from the citizen.
    assert b"\x1b" not in SGR.sub(b"", raw) and b"\xc2\x9b" not in raw
    screen = _screen(raw)
    assert screen.title == "" and screen.icon_name == ""
    text = [line.rstrip() for line in screen.display]
    assert text[0].startswith("No. Tiket") and "ADU-2026-000001" in text[0]  # not cleared or overwritten
    body = "\n".join(text)
    assert "SELESAI palsu" in body and body.index("SELESAI palsu") > body.index("Sisa Waktu")
    assert "[bold red]MERAH[/bold red]" in body and "[link=https://evil.example]tautan[/link]" in body
    assert "abc\\u202etxt.exe" in body
    y = next(i for i, line in enumerate(text) if "[bold red]MERAH" in line)
    x = text[y].index("MERAH")
    cell = screen.buffer[y][x]
    assert cell.data == "M" and cell.fg == "default" and not cell.bold  # the markup was not applied


def test_pty_inbox_row_stays_on_one_line(tmp_path):
    config = _seed_hostile(tmp_path)
    code, raw = run_in_pty(config, "inbox", columns=140)
    assert code == 0, raw[-2000:]
    assert b"\x1b" not in SGR.sub(b"", raw)
    screen = _screen(raw, 140)
    assert screen.title == ""
    rows = [line for line in screen.display if "ADU-2026-" in line]
    assert len(rows) == 2 and all(len(line.rstrip()) <= 140 for line in rows)
    assert "SELESAI palsu" in rows[0] or "SELESAI palsu" in rows[1]
    assert screen.display[0].startswith("Baru: 2")
