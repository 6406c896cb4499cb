"""Piped output never wraps (issue 20, item 11): under cron there is no terminal and no COLUMNS, and
Rich's default would fold every line at 80 columns; the README promises one line per channel."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from tests.cli_helpers import PINNED_NOW_ISO, ROOT, CliResult, cli_env, make_config
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.fakes.telegram import TelegramFake
from tests.test_cli_actions import seed

LONG_NAME = "tg-kantor-cabang-kecamatan-bumiayu-brebes-selatan-loket-pelayanan"


def cron(config, *args: str, env: dict[str, str] | None = None) -> CliResult:
    """The CLI as cron runs it: stdin/stdout/stderr not terminals, no COLUMNS, no LINES."""
    environment = cli_env(config, PINNED_NOW_ISO, env)
    for key in ("COLUMNS", "LINES"):
        environment.pop(key, None)
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=config.parent, env=environment,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def test_a_cron_error_is_one_line_however_long(tmp_path):
    with TelegramFake() as fake:
        broken = {"name": LONG_NAME, "type": "telegram", "base_url": fake.base_url,
                  "bot_token_env": "ADUAN_TG_TOKEN_KANTOR_CABANG_BUMIAYU_BELUM_DISET"}
        config = make_config(tmp_path, channels=[broken, fake.channel_config()])
        fake.add_citizen_messages(1)
        result = cron(config, "collect", "--quiet", env=fake.env())
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(LONG_NAME + ":") and len(lines[0]) > 100
    assert "ADUAN_TG_TOKEN_KANTOR_CABANG_BUMIAYU_BELUM_DISET" in lines[0]
    narrow = cron(config, "collect", env={**fake.env(), "COLUMNS": "60"})  # a width set, still one line each
    assert len(narrow.out.splitlines()) == 2 and narrow.out.splitlines()[0].startswith(LONG_NAME + ":")


def test_piped_inbox_rows_keep_their_whole_summary_on_one_line(tmp_path):
    config = make_config(tmp_path)
    text = ("min ktp elektronik saya sudah rekam sejak bulan agustus di kecamatan bumiayu tapi sampai "
            "sekarang belum jadi juga, mohon dibantu cek statusnya")
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=1), text=text)])
    rows = cron(config, "inbox")
    assert rows.code == 0, rows.err
    [line] = [line for line in rows.out.splitlines() if "ADU-" in line]
    assert "mohon dibantu cek statusnya" in line  # the whole summary, not cut at 80 columns
    assert len(line) < len(text) + 200  # as long as its content, not padded to a huge width
