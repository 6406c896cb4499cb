"""A new admin's first morning (issue 20, items 1-7), through the CLI as it is typed: a fresh
folder with no config, global options after the subcommand, filters with typos, a merge of two
different citizens, and the exit-code table."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.cli_helpers import ROOT, make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import rows, seed


def bare_env(**extra: str) -> dict[str, str]:
    """No ADUAN_* at all: what a fresh shell or a cron line without `cd` has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env.update({"COLUMNS": "160", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}, **extra)
    return env


def run_bare(folder: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=folder, env=bare_env(**extra),
                          capture_output=True, text=True, timeout=60)


# --- 1: no silent defaults ---------------------------------------------------------------------

def test_a_fresh_folder_without_config_exits_2_naming_the_path_and_creates_nothing(tmp_path):
    for args in (["inbox"], ["collect", "--quiet"], ["health"], ["--as", "admin1", "inbox"]):
        result = run_bare(tmp_path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert str(tmp_path / "config.yaml") in result.stderr and "aduan init" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no empty aduan.db appeared
    english = run_bare(tmp_path, "inbox", "--lang", "en")
    assert english.returncode == 2 and "does not exist" in english.stderr and "tidak ada" not in english.stderr
    named = run_bare(tmp_path, "inbox", ADUAN_CONFIG=str(tmp_path / "etc" / "aduan.yaml"))
    assert named.returncode == 2 and str(tmp_path / "etc" / "aduan.yaml") in named.stderr


def test_an_unreadable_config_exits_2_naming_the_path(tmp_path):
    (tmp_path / "config.yaml").mkdir()  # a folder where the file should be: cannot be read, even by root
    result = run_bare(tmp_path, "inbox")
    assert result.returncode == 2
    assert f"berkas konfigurasi {tmp_path / 'config.yaml'} tidak bisa dibaca" in result.stderr


def test_init_writes_a_commented_config_and_a_migrated_database_then_health_wants_a_channel(tmp_path):
    made = run_bare(tmp_path, "init")
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert text.startswith("# aduan configuration") and "# SQLite file" in text  # the sample, comments kept
    assert f'url: "sqlite:///{tmp_path / "aduan.db"}"' in text
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "ticket", "message"} <= tables
    inbox = run_bare(tmp_path, "inbox", "--as", "admin1")
    assert inbox.returncode == 0 and "Tidak ada tiket." in inbox.stdout
    health = run_bare(tmp_path, "health", "--as", "admin1")
    assert health.returncode == 1 and "tidak ada kanal aktif" in health.stdout
    again = run_bare(tmp_path, "init")
    assert again.returncode == 1 and "sudah ada" in again.stderr
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == text  # not overwritten


# --- 3: merge of different citizens -------------------------------------------------------------

def test_merge_of_two_citizens_needs_force_and_says_who_is_who(tmp_path):
    config = make_config(tmp_path)
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    base = PINNED_NOW - timedelta(days=1)
    seed(url, [inbound(1, base=base, author="siti"), inbound(2, base=base, author="budi"),
               inbound(3, base=base, author="siti", thread="t3")])
    refused = run_cli(config, "merge", "2", "1")
    assert refused.code == 1
    assert "ADU-2026-000002 (Warga 2, @budi @ sandbox)" in refused.err
    assert "ADU-2026-000001 (Warga 1, @siti @ sandbox)" in refused.err and "--force" in refused.err
    assert rows(url, "SELECT id, status FROM ticket ORDER BY id") == [(1, "new"), (2, "new"), (3, "new")]
    same = run_cli(config, "merge", "3", "1")  # the same citizen wrote twice: no --force needed
    assert same.code == 0, same.err
    forced = run_cli(config, "merge", "2", "1", "--force")
    assert forced.code == 0 and "Warga 2, @budi" in forced.err and "--force" in forced.err
    assert rows(url, "SELECT id, status FROM ticket ORDER BY id") == [(1, "new"), (2, "dismissed"), (3, "dismissed")]


# --- 5: filter values ---------------------------------------------------------------------------

def test_unknown_filter_values_exit_2_and_list_the_choices(tmp_path):
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=3))])
    channel = run_cli(config, "inbox", "--channel", "twitter")
    assert channel.code == 2 and "'twitter' tidak dikenal; pilih:" in channel.err and "sandbox" in channel.err
    bidang = run_cli(config, "inbox", "--bidang", "xyz")
    assert bidang.code == 2 and "DAFDUK, CAPIL, PIAK, PDIP, SEKRETARIAT" in bidang.err
    kind = run_cli(config, "inbox", "--kind", "foo")
    assert kind.code == 2 and "pengaduan" in kind.err
    category = run_cli(config, "inbox", "--category", "kartu")
    assert category.code == 2 and "ktp-el" in category.err
    status = run_cli(config, "inbox", "--status", "closd", "--lang", "en")
    assert status.code == 2 and "'closd' is unknown; choose: new, escalated" in status.err
    triage = run_cli(config, "triage", "--bidang", "xyz", input_text="q\n")
    assert triage.code == 2 and "CAPIL" in triage.err


def test_channel_types_are_accepted_where_names_are_and_empty_ids_print_nothing(tmp_path):
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=3))])
    by_name = run_cli(config, "inbox", "--channel", "sandbox", "--ids")
    by_type = run_cli(config, "inbox", "--channel", "x", "--ids")
    assert by_name.code == by_type.code == 0 and by_name.out == by_type.out == "1\n"
    empty = run_cli(config, "inbox", "--bidang", "PIAK", "--ids")
    assert empty.code == 0 and empty.out == ""


# --- 6: global options anywhere -----------------------------------------------------------------

def test_global_options_work_after_the_subcommand(tmp_path):
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=3))])
    stranger = run_cli(config, "inbox", user="tamu")
    assert stranger.code == 1 and "--as" in stranger.err
    assert run_cli(config, "inbox", "--as", "admin1", user="tamu").code == 0
    assert run_cli(config, "inbox", "--ids", "--as=admin1", user="tamu").out == "1\n"
    elsewhere = run_cli(config, "inbox", "--config", str(config), "--ids",
                        env={"ADUAN_CONFIG": str(tmp_path / "missing.yaml")})
    assert elsewhere.code == 0 and elsewhere.out == "1\n"
    english = run_cli(config, "inbox", "--lang", "en")
    assert english.code == 0 and "Complaint Inbox" in english.out
    nested = run_cli(config, "sla", "due", "--received", "2026-03-17T10:00+07:00", "--lang", "en", "--json")
    assert nested.code == 0, nested.err


# --- 7: one exit-code table ---------------------------------------------------------------------

def test_exit_codes_and_clicks_messages_follow_the_table_in_the_chosen_language(tmp_path):
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=3))])
    bogus = run_cli(config, "inbox", "--bogus")
    assert bogus.code == 2 and "Kesalahan: Tidak ada opsi: --bogus" in bogus.err and "Error" not in bogus.err
    assert "Penggunaan: aduan inbox" in bogus.err
    english = run_cli(config, "inbox", "--bogus", "--lang", "en")
    assert english.code == 2 and "Error: No such option: --bogus" in english.err
    by_locale = run_cli(config, "inbox", "--limit", "banyak", env={"ADUAN_LOCALE": "en"})
    assert by_locale.code == 2 and "Invalid value for '--limit'" in by_locale.err
    assert run_cli(config, "nosuch").code == 2
    assert run_cli(config, "close", "1", "--reason", "bosan").code == 2
    assert run_cli(config, "escalate", "1", "--to", "KUA").code == 2
    assert run_cli(config, "resolve", "1").code == 1  # refused: nothing was answered yet
    assert run_cli(config, "close", "1", "--reason", "spam").code == 0


def test_collect_takes_a_channel_type_and_refuses_an_unknown_one(tmp_path):
    config = make_config(tmp_path, channels=[{"name": "latihan", "type": "sandbox", "enabled": False}])
    by_type = run_cli(config, "collect", "--channel", "sandbox")
    assert by_type.code == 0 and by_type.out.startswith("latihan: "), by_type.err
    unknown = run_cli(config, "collect", "--channel", "telegram")
    assert unknown.code == 2 and "'telegram' tidak dikenal; pilih: latihan, sandbox" in unknown.err
