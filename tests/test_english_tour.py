"""English complete: a morning's commands on the demo data with `--lang en` speak English.

The demo database is built once; every command an admin, a teknis officer or a supervisor runs in
a day (views, writes, refusals, exports, operations) is run through the real entry point with
`--lang en`, and its output must hold none of the command line's Indonesian words. Citizens'
messages, reply templates and holiday names are data and stay as written: any word they contain
is left out of the check.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli import app
from commands.entry import run

ROOT = Path(__file__).resolve().parents[1]

# Words of the command line's own Indonesian sentences, headers and labels.
INDONESIAN_UI = {
    "tiket", "kanal", "balasan", "belum", "sudah", "diterima", "batas", "waktu", "hari", "kerja", "kiriman",
    "diproses", "cadangan", "diperiksa", "peristiwa", "rantai", "utuh", "peringatan", "lewat", "notifikasi",
    "terkirim", "perlu", "dicek", "pilih", "tersedia", "templat", "tidak", "ada", "keterangan", "sumber",
    "tanggal", "dibuat", "isi", "menolak", "pengiriman", "ditandai", "selesai", "dijawab", "langsung",
    "kantor", "validasi", "silang", "benar", "tebakan", "kolom", "baris", "salinan", "dipulihkan", "staf",
    "libur", "nasional", "cuti", "kalender", "mulai", "dihitung", "menit", "gagal", "menunggu", "dihentikan",
    "percobaan", "kesalahan", "tersimpan", "skema", "kosong", "ditulis", "usulan", "kategori", "jenis",
    "warga", "pesan", "ditutup", "diteruskan", "baru", "alasan", "catatan", "ditugaskan", "kepada", "atau",
    "dan", "untuk", "dengan", "dari", "yang", "bisa", "lalu", "cek", "lihat", "jalankan", "sebagai", "oleh",
    "sisa", "tepat", "terlambat", "jawaban", "penerima", "akun", "ringkasan", "diperbarui", "digabung",
    "dibuka", "kembali", "otorisasi", "ulang", "anggaran", "kursor", "aktif", "pukul", "masuk", "keluar",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tour")
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(folder), "LANG": "C.UTF-8",
           "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "demo"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=180)
    assert made.returncode == 0, made.stderr
    return folder / "aduan-demo.yaml"


def data_texts(config: Path) -> list[str]:
    """The demo's citizens' texts, names, templates and calendar: data, not the UI."""
    from ticketing.config import load_settings
    from ticketing.sla.calendar import OfficeCalendar
    from ticketing.workflow.templates import DEFAULT_TEMPLATES

    texts: list[str] = list(DEFAULT_TEMPLATES.values())
    with sqlite3.connect(config.parent / "aduan-demo.db") as conn:
        for query in ("SELECT text FROM message", "SELECT author_name FROM message", "SELECT display_name FROM contact",
                      "SELECT summary FROM ticket", "SELECT subject FROM message"):
            texts += [row[0] or "" for row in conn.execute(query)]
    settings = load_settings(str(config))
    calendar = OfficeCalendar(settings.sla, settings.office.timezone)
    for year in (2026, 2027):
        texts += [off.name for off in calendar.days_off(year, include_weekends=False)]
    return texts + [staff.name for staff in settings.staff] + [settings.office.name, settings.office.short_name]


NOT_WORDS = re.compile(r"--[\w-]+|`[^`]*`|/\S+|\S*@\S+|\{\w+\}|\b\w+(?:-\w+)+\b")  # options, paths, codes


def tokens(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z]+", NOT_WORDS.sub(" ", text))]


def pairs_of(texts: list[str]) -> set[tuple[str, str]]:
    return {pair for text in texts for words in [tokens(text)] for pair in zip(words, words[1:], strict=False)}


def ui_words(output: str, data_pairs: set[tuple[str, str]]) -> set[str]:
    """The words of an output that are not part of a quoted citizen's text, a template or a name
    (any word next to a neighbour it has in the data), option names, `commands` and paths."""
    found: set[str] = set()
    for line in output.splitlines():
        words = tokens(line)
        for i, w in enumerate(words):
            if (i and (words[i - 1], w) in data_pairs) or (i + 1 < len(words) and (w, words[i + 1]) in data_pairs):
                continue
            found.add(w)
    return found


# (user, argv): what the day's staff run, in order; writes change the data the later views show.
TOUR: list[tuple[str, list[str]]] = [
    ("admin1", ["inbox"]),
    ("admin1", ["inbox", "--status", "all"]),
    ("admin1", ["show", "ADU-2026-000001"]),
    ("admin1", ["show", "ADU-2026-000003"]),
    ("admin1", ["templates"]),
    ("admin1", ["templates", "kk"]),
    ("admin1", ["note", "ADU-2026-000002", "-m", "Please check"]),
    ("admin1", ["assign", "ADU-2026-000002", "--to", "admin1"]),
    ("admin1", ["escalate", "ADU-2026-000002", "--to", "CAPIL", "-m", "Please look"]),
    ("capil1", ["inbox"]),
    ("capil1", ["answer", "ADU-2026-000002", "-m", "The certificate is ready."]),
    ("admin1", ["reply", "ADU-2026-000002", "--use-answer"]),
    ("admin1", ["resolve", "ADU-2026-000004"]),
    ("admin1", ["close", "ADU-2026-000006", "--reason", "spam"]),
    ("admin1", ["reopen", "ADU-2026-000006"]),
    ("admin1", ["route", "ADU-2026-000006", "--kind", "saran"]),
    ("admin1", ["merge", "ADU-2026-000006", "ADU-2026-000007"]),
    ("admin1", ["show", "ADU-2026-000002"]),
    ("admin1", ["health"]),
    ("admin1", ["channels", "status"]),
    ("admin1", ["config", "check"]),
    ("admin1", ["outbox", "list"]),
    ("admin1", ["quarantine"]),
    ("admin1", ["quarantine", "list", "--all"]),
    ("admin1", ["webhook", "deliveries"]),
    ("admin1", ["webhook", "process"]),
    ("admin1", ["sla", "due", "--received", "2026-12-24T10:00+07:00"]),
    ("admin1", ["sla", "calendar"]),
    ("admin1", ["sla", "status"]),
    ("admin1", ["sla", "sweep"]),
    ("admin1", ["classify", "labels"]),
    ("admin1", ["classify", "eval"]),
    ("admin1", ["privacy", "purge", "--older-than", "30", "--dry-run"]),
    ("kabid1", ["privacy", "purge", "--older-than", "3650", "--dry-run"]),
    ("kabid1", ["audit", "verify"]),
    ("kabid1", ["recap", "daily"]),
    ("kabid1", ["recap", "monthly", "--month", "2026-11"]),
    ("kabid1", ["recap", "daily", "--format", "csv", "-o", "-", "--summary"]),
    ("admin1", ["db", "upgrade"]),
    ("admin1", ["show", "999"]),
    ("capil1", ["resolve", "ADU-2026-000003", "--json"]),
    ("admin1", ["inbox", "--bidang", "xyz"]),
    ("admin1", ["close", "ADU-2026-000005", "--reason", "nope"]),
]


# What the tour runs into on purpose, with the exit code of the table in the README.
EXPECTED_FAILURES = {
    "templates kk": 1, "resolve ADU-2026-000004": 1, "merge ADU-2026-000006 ADU-2026-000007": 1,
    "health": 1, "privacy purge --older-than 30 --dry-run": 1, "show 999": 1,
    "resolve ADU-2026-000003 --json": 1, "inbox --bidang xyz": 2, "close ADU-2026-000005 --reason nope": 2,
}


def test_a_morning_in_english_holds_no_indonesian_sentence(demo, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("ADUAN_LOCALE", raising=False)
    monkeypatch.setenv("ADUAN_NOW", "2026-12-02T03:00:00+00:00")
    monkeypatch.delenv("COLUMNS", raising=False)  # piped: nothing wraps, so a citizen's text stays whole
    monkeypatch.chdir(tmp_path)
    data_pairs = pairs_of(data_texts(demo))
    problems, codes = [], []
    for user, argv in TOUR:
        code = run(app, ["--config", str(demo), "--as", user, "--lang", "en", *argv], environ={})
        captured = capsys.readouterr()
        codes.append(code)
        leaked = ui_words(captured.out + captured.err, data_pairs) & INDONESIAN_UI
        if leaked:
            problems.append(f"aduan {' '.join(argv)} ({user}): {sorted(leaked)}\n{captured.out}{captured.err}")
    assert not problems, "\n".join(problems)
    failed = {" ".join(argv): code for (_user, argv), code in zip(TOUR, codes, strict=True) if code}
    assert failed == EXPECTED_FAILURES  # refusals and usage errors are part of the tour, with their exit codes
