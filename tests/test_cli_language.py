"""The chosen language, complete: every command's `--help` (Click's own headings included) and
the usage errors, Indonesian by default and English with --lang en / ADUAN_LOCALE / office.locale."""

from __future__ import annotations

import re

import pytest
import typer.main

from cli import app
from commands.entry import run
from tests.cli_helpers import make_config, run_cli

# Words that only one of the two languages uses (command and option names are skipped).
INDONESIAN = {"dan", "untuk", "yang", "atau", "tanpa", "berkas", "satu", "balasan", "warga", "bawaan", "hanya",
              "tampilkan", "pesan", "dari", "dengan", "opsi", "perintah", "penggunaan", "lalu", "bila", "tiket",
              "kanal", "ke", "diaudit", "sebagai", "keluar", "wajib", "variabel", "lingkungan"}
ENGLISH = {"the", "and", "only", "this", "file", "message", "messages", "of", "for", "with", "options",
           "commands", "usage", "default", "every", "from", "when", "exit", "show", "ticket", "reply", "or", "env",
           "required"}


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command, path):
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def words(help_text: str) -> set[str]:
    """The words of a help screen, without option names, metavars and the command list's names."""
    found: set[str] = set()
    for line in help_text.splitlines():
        line = re.sub(r"(?<![\w])--?[\w-]+", " ", line)  # --reveal, -m
        line = re.sub(r"\{[^}]*\}|<[^>]*>|\b\w*_\w*\b", " ", line)  # {ticket_id}, <str>, contact_id
        line = re.sub(r"^\s{2}[\w-]+\s{2,}", " ", line)  # "  inbox      Kotak masuk..." in the command list
        line = re.sub(r"^\S.*?: aduan( [\w-]+)*", " ", line)  # "Usage: aduan recap daily"
        found |= {w.lower() for w in re.findall(r"[A-Za-z]+", line)}
    return found


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_help_screen_speaks_one_language(locale, capsys, monkeypatch):
    monkeypatch.delenv("ADUAN_LOCALE", raising=False)
    monkeypatch.delenv("ADUAN_CONFIG", raising=False)
    foreign = ENGLISH if locale == "id" else INDONESIAN
    problems = []
    for path in command_paths():
        argv = [*path, "--help"] + (["--lang", "en"] if locale == "en" else [])
        assert run(app, argv, environ={}) == 0
        screen = capsys.readouterr().out
        leaked = words(screen) & foreign
        if leaked:
            problems.append(f"aduan {' '.join(path)}: {sorted(leaked)}")
        python_types = re.findall(r"(?m)^\s+(?:-\w, )?--[\w-]+ (<[^>]*>)", screen)  # `--channel <str>`
        if python_types:
            problems.append(f"aduan {' '.join(path)}: placeholders {python_types}")
    assert not problems, "\n".join(problems)


def test_office_locale_en_makes_help_and_errors_english(tmp_path):
    config = make_config(tmp_path, office={"name": "Dinas", "short_name": "Dinas", "locale": "en"})
    helped = run_cli(config, "inbox", "--help")
    assert helped.code == 0 and "Only tickets assigned to me." in helped.out and "Show this message" in helped.out
    failed = run_cli(config, "inbox", "--bidang", "xyz")
    assert failed.code == 2 and "'xyz' is unknown; choose:" in failed.err
    stranger = run_cli(config, "inbox", user="tamu")
    assert stranger.code == 1 and "'tamu' is not registered as staff" in stranger.err
    broken = make_config(tmp_path / "en", office={"locale": "en"}, sla={"working_days": 0}) \
        if (tmp_path / "en").mkdir() is None else None
    invalid = run_cli(broken, "inbox")
    assert invalid.code == 2 and "invalid configuration in" in invalid.err and "(value: 0)" in invalid.err
    default = run_cli(make_config(tmp_path / "id" if (tmp_path / "id").mkdir() is None else tmp_path),
                      "inbox", "--help")
    assert "Hanya tiket yang ditugaskan kepada saya." in default.out and "Opsi:" in default.out


def test_refusals_raised_in_indonesian_are_shown_in_english_when_chosen(tmp_path):
    from datetime import timedelta

    from tests.conftest import PINNED_NOW
    from tests.factories import inbound
    from tests.test_cli_actions import seed

    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [inbound(1, base=PINNED_NOW - timedelta(hours=3))])
    status = run_cli(config, "resolve", "1", "--lang", "en")
    assert status.code == 1 and "ticket ADU-2026-000001 is New; cannot '" in status.err
    assert "From New it can only go to: " in status.err and "berstatus" not in status.err
    role = run_cli(config, "tag", "1", "x", "--as", "capil1", "--lang", "en")
    assert role.code == 1 and "may not 'tag': needs the role" in role.err
    missing = run_cli(config, "show", "999", "--lang", "en")
    assert missing.code == 1 and "ticket 999 not found" in missing.err
    indonesian = run_cli(config, "show", "999")
    assert "tiket 999 tidak ditemukan" in indonesian.err
