"""Test plan rows 18 and 19 beyond tests/test_cli_render.py (bodies and names in inbox/show):
hostile attachment file names (through `aduan privacy export`), hostile exception text from a
channel server (through `aduan collect`, `aduan health`), all on a real pseudo-terminal replayed
in `pyte`; and a 5 MB / 10,000-line body rendered, capped, in under a second."""

from __future__ import annotations

import dataclasses
import io
import re
import time
from datetime import timedelta

import pyte

from tests.cli_helpers import make_config, run_in_pty
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.reliability.helpers import HeldTelegram
from tests.test_cli_actions import seed
from ticketing.contract import Attachment

ATTACK = ("\x1b]52;c;ZXZpbA==\x07\x1b]0;JUDUL-PALSU\x07\x1b[2J\x1b[H\x9b2J\x1b]8;;https://evil.example/\x1b\\"
          "klik\x1b]8;;\x1b\\\u202e\x00[link=https://evil.example]x[/link]")
FILE_NAME = f"surat{ATTACK}gpj.exe"
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def assert_terminal_untouched(raw: bytes, first_line: str, visible: str) -> pyte.Screen:
    """Only Rich's own colours are escape sequences; title, icon, clipboard and layout untouched."""
    assert b"\x1b" not in SGR.sub(b"", raw), raw[:400]
    assert b"\xc2\x9b" not in raw and b"\x00" not in raw and b"\x07" not in raw
    screen = pyte.Screen(120, 400)
    pyte.Stream(screen).feed(raw.decode("utf-8"))
    assert screen.title == "" and screen.icon_name == ""  # OSC 0/2 never applied
    assert b"\x1b]" not in raw and b"\xc2\x9d" not in raw  # no OSC (7-bit or C1): clipboard (52), links (8)
    lines = [line.rstrip() for line in screen.display]
    assert lines[0].startswith(first_line), lines[:3]  # not cleared, not overwritten
    assert visible in "\n".join(lines)
    return screen


def test_row18_hostile_attachment_name_in_the_export_on_a_real_terminal(tmp_path):
    config = make_config(tmp_path)
    message = dataclasses.replace(inbound(1, base=PINNED_NOW - timedelta(hours=1), author="w1", text=ATTACK),
                                  author_name=f"Budi{ATTACK}", attachments=[Attachment(FILE_NAME, "image/jpeg", 10)])
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [message])
    code, raw = run_in_pty(config, "privacy", "export", "--contact", "1", user="kabid1")
    assert code == 0, raw[-500:]
    screen = assert_terminal_untouched(raw, "{", "gpj.exe")
    assert "\\u001b]52;c;ZXZpbA==\\u0007" in "\n".join(screen.display)  # readable, escaped
    code, raw = run_in_pty(config, "inbox")
    assert code == 0
    assert_terminal_untouched(raw, "Baru: 1", "ADU-2026-000001")


def test_row18_hostile_server_error_text_on_a_real_terminal(tmp_path):
    with HeldTelegram() as fake:
        config = make_config(tmp_path, channels=[fake.channel_config()])
        fake.echo_status = 500
        fake.echo_extra = ATTACK
        code, raw = run_in_pty(config, "collect", env=fake.env())
        assert code == 1
        assert_terminal_untouched(raw, "tg-test", "getUpdates")
        code, raw = run_in_pty(config, "health", env=fake.env())
        assert code == 1
        assert_terminal_untouched(raw, "tg-test: belum pernah berhasil", "tg-test")
        code, raw = run_in_pty(config, "channels", "status", env=fake.env())
        assert code == 0
        assert b"\x1b" not in SGR.sub(b"", raw)


def test_row19_five_megabyte_ten_thousand_line_body_renders_capped_in_under_a_second(tmp_path):
    from rich.console import Console

    from commands.inbox import ticket_data
    from commands.render import ticket_view
    from ticketing.app import App
    from ticketing.config import load_settings

    line = "baris keluhan panjang tentang KTP-el yang belum dicetak " * 9  # ~500 characters
    body = "\n".join(f"{i:05d} {line}" for i in range(10_000))
    assert len(body) > 5_000_000
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=1), text=body)])
    app = App(load_settings(str(config), environ={}), environ={}, now=PINNED_NOW, user="admin1")
    out = io.StringIO()
    started = time.monotonic()
    data = ticket_data(app, "1")
    Console(file=out, width=120, highlight=False, markup=False).print(ticket_view(data, PINNED_NOW))
    elapsed = time.monotonic() - started
    app.engine.dispose()
    shown = out.getvalue()
    assert elapsed < 1.0, f"render took {elapsed:.2f}s"
    assert len(shown) < 100_000 and "…" in shown  # capped, with a visible marker
    assert "00000 baris keluhan" in shown and "09999 baris" not in shown
