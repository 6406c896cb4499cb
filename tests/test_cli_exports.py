"""Recap exports as spreadsheet users and shell users expect them (issue 20, item 10): `-o -` is
standard output; a CSV is one table with its header first, whole texts, `;` in Indonesian; the
daily recap prints as PDF too; a ticket reference never breaks across lines."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.cli_helpers import ROOT, cli_env, make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import seed
from tests.ticketing.recap_data import build_month
from ticketing.store.db import open_database

AFTER_NOVEMBER = "2026-12-03T03:00:00+00:00"
DAY = "2026-11-03"


@pytest.fixture
def month(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    engine = open_database(url, auto_upgrade=True)
    with Session(engine) as session:
        build_month(session)
    engine.dispose()
    return make_config(tmp_path, url)


def raw(config: Path, *args: str, lang: str | None = None) -> subprocess.CompletedProcess:
    """The CLI with stdout as bytes (a PDF on standard output is not text)."""
    env = cli_env(config, AFTER_NOVEMBER, user="kabid1")
    head = ["--lang", lang] if lang else []
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *head, *args], cwd=config.parent, env=env,
                          capture_output=True, timeout=60)


def test_dash_is_standard_output_and_no_file_named_dash_appears(month):
    table = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "-o", "-")
    assert table.returncode == 0, table.stderr
    text = table.stdout.decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert rows[0][:2] == ["No", "No. Tiket"] and [r[1] for r in rows[1:]] == ["T02", "T01", "T04", "T14"]
    pdf = raw(month, "recap", "monthly", "--month", "2026-11", "--format", "pdf", "-o", "-")
    assert pdf.returncode == 0 and pdf.stdout.startswith(b"%PDF-") and pdf.stdout.rstrip().endswith(b"%%EOF")
    xlsx = raw(month, "recap", "daily", "--date", DAY, "--format", "xlsx", "-o", "-")
    assert xlsx.returncode == 0 and xlsx.stdout.startswith(b"PK")
    data = raw(month, "recap", "daily", "--date", DAY, "--format", "json", "-o", "-")
    assert data.returncode == 0 and b'"rows"' in data.stdout
    assert not (month.parent / "-").exists()
    assert b"Tersimpan" not in table.stdout + pdf.stdout  # the saved-to line is not mixed into the data


def test_csv_separator_follows_the_language_and_sep(month):
    indonesian = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "-o", "-").stdout.decode("utf-8-sig")
    english = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "-o", "-",
                  lang="en").stdout.decode("utf-8-sig")
    chosen = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "--sep", "\t", "-o", "-")
    assert indonesian.splitlines()[0].startswith("No;No. Tiket;")
    assert english.splitlines()[0].startswith("No,Ticket No.,")
    assert chosen.stdout.decode("utf-8-sig").splitlines()[0].startswith("No\tNo. Tiket\t")
    assert raw(month, "recap", "daily", "--format", "csv", "--sep", ";;").returncode == 2
    summary = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "--summary", "-o", "-")
    lines = summary.stdout.decode("utf-8-sig").splitlines()
    assert lines[0] == "Uraian;Jumlah" and "Pengaduan masuk;1" in lines


def test_csv_keeps_whole_texts(month):
    out = raw(month, "recap", "daily", "--date", DAY, "--format", "csv", "-o", "-").stdout.decode("utf-8-sig")
    [hostile] = [r for r in csv.reader(out.splitlines(), delimiter=";") if r[1] == "T14"]
    summary = hostile[7]
    assert len(summary) > 80 and summary.endswith('HYPERLINK("x")') and "3329********0001" in summary


def test_daily_pdf_and_references_that_never_break(tmp_path):
    config = make_config(tmp_path)
    base = PINNED_NOW - timedelta(hours=2)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", [
        inbound(n, base=base, text=f"ktp el saya nomor {n} belum jadi sejak bulan lalu mohon info kapan bisa "
                                   "diambil di kecamatan") for n in range(1, 5)])
    narrow = run_cli(config, "recap", "daily", "--date", "2026-11-23", env={"COLUMNS": "80"})
    assert narrow.code == 0, narrow.err
    for n in range(1, 5):
        assert f"ADU-2026-00000{n}" in narrow.out  # whole on one line, however narrow the terminal
    printed = run_cli(config, "recap", "daily", "--date", "2026-11-23", "--format", "pdf", "-o", "harian.pdf")
    assert printed.code == 0, printed.err
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "harian.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "REKAP HARIAN PENGADUAN DARING" in text and "Halaman 1 dari 1" in text
    for n in range(1, 5):
        assert f"ADU-2026-00000{n}" in text
    assert "Pengaduan masuk" in text and "ktp el saya nomor 4" in text
