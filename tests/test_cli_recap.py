"""`aduan recap daily|monthly` through the real entry point: every format carries the same figures."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.cli_helpers import make_config, run_cli
from tests.ticketing.recap_data import EXPECTED, NIK, build_month
from ticketing.store.db import open_database

AFTER_NOVEMBER = "2026-12-03T03:00:00+00:00"
OFFICE = {"name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes", "short_name": "Dindukcapil Brebes",
          "address": "Jl. Jenderal Sudirman No. 181, Brebes", "head_name": "Drs. Kepala Dinas Contoh",
          "head_nip": "197001011990031001", "complaint_admin_name": "Admin Pengaduan Contoh",
          "complaint_admin_nip": "199002022015032002"}
NOTES = ("Kendala:\n- Jaringan internet sering terputus\n- Blangko <b>habis</b> & tinta [bold]x[/bold]\n"
         "Rekomendasi:\n- Tambah petugas admin hari Senin\n")


@pytest.fixture
def setup(tmp_path: Path, db_url: str) -> Path:
    config = make_config(tmp_path, db_url, office=OFFICE, recap={"city": "Brebes"})
    engine = open_database(db_url, auto_upgrade=True)
    with Session(engine) as session:
        build_month(session)
    engine.dispose()
    (tmp_path / "catatan.txt").write_text(NOTES, encoding="utf-8")
    return config


def invoke(config: Path, *args: str, user: str = "admin1", now: str = AFTER_NOVEMBER) -> int:
    """The same Typer app in this process (no interpreter start-up); run_cli covers the real entry."""
    from typer.testing import CliRunner

    from cli import app

    env = {"ADUAN_CONFIG": str(config), "ADUAN_USER": user, "ADUAN_NOW": now, "COLUMNS": "160"}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code


def _events(db_url: str, action: str) -> list[tuple]:
    engine = open_database(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT ticket_id, actor, detail FROM event WHERE action = :a ORDER BY id"),
                            {"a": action}).all()
    engine.dispose()
    return rows


def _summary_csv(path: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(path.open(encoding="utf-8-sig"), delimiter=";"))
    return {row[0]: row[1:] for row in rows if row}


def test_monthly_json_csv_xlsx_pdf_agree(setup: Path, db_url: str):
    folder = setup.parent
    result = run_cli(setup, "recap", "monthly", "--month", "2026-11", "--format", "json", "--notes", "catatan.txt",
                     user="kabid1", now=AFTER_NOVEMBER)
    assert result.code == 0, result.err
    data = result.json()
    assert data["total"] == EXPECTED["total"] and data["backlog"] == EXPECTED["backlog"]
    assert data["notes"]["kendala"][0] == "Jaringan internet sering terputus"
    notes = str(folder / "catatan.txt")
    for fmt in ("csv", "xlsx", "pdf"):
        assert invoke(setup, "recap", "monthly", "--month", "2026-11", "--format", fmt, "--notes", notes,
                      "-o", str(folder), user="kabid1") == 0
        assert (folder / f"laporan-bulanan-2026-11.{fmt}").exists()

    rows = _summary_csv(folder / "laporan-bulanan-2026-11.csv")
    assert rows["Total pengaduan masuk"][0] == "10"
    assert rows["Selesai"] == ["7", "70,0%"] and rows["Dalam proses"] == ["2", "20,0%"]
    assert rows["Dijawab tepat waktu (sebelum batas waktu)"] == ["3", "50,0%"]
    assert rows["Dijawab dalam maks. 3 hari kerja"] == ["4", "66,7%"]
    assert rows["Median waktu penyelesaian (hari kerja)"][0] == "2,0"
    assert rows["Tunggakan dibawa ke bulan berikutnya"][0] == "4"
    assert rows["Uraian"] == ["Jumlah", "%"]  # one table, its header first
    assert invoke(setup, "recap", "monthly", "--month", "2026-11", "--format", "csv", "--section", "by_channel",
                  "-o", str(folder / "kanal.csv"), user="kabid1") == 0
    assert _summary_csv(folder / "kanal.csv")["WhatsApp"] == ["3", "30,0%"]

    book = openpyxl.load_workbook(folder / "laporan-bulanan-2026-11.xlsx")
    assert book.sheetnames[0] == "Ringkasan"
    summary = {row[0]: row[1:] for row in book["Ringkasan"].iter_rows(min_row=5, values_only=True)}
    assert summary["Total pengaduan masuk"][0] == 10 and summary["Selesai"] == (7, 70.0)
    assert summary["Rata-rata waktu penyelesaian (hari kerja)"][0] == pytest.approx(2.67)
    bidang = book["Menurut Bidang"]
    assert bidang.freeze_panes == "A2" and bidang["A1"].font.bold
    assert [c.value for c in bidang[2]] == ["DAFDUK", 6, 60.0, 3, 1, 1]
    assert bidang.column_dimensions["A"].width >= len("Belum ditentukan")
    daily = {row[0]: row[-1] for row in book["Jumlah Pengaduan per Hari"].iter_rows(min_row=2, values_only=True)}
    assert daily["01/11"] == 1 and daily["16/11"] == 2 and daily["30/11"] == 1

    text = subprocess.run(["pdftotext", "-layout", str(folder / "laporan-bulanan-2026-11.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for needle in ("PEMERINTAH KABUPATEN BREBES", "LAPORAN BULANAN PENANGANAN PENGADUAN DARING",
                   "Periode: November 2026", "Mengetahui,", "Drs. Kepala Dinas Contoh", "NIP. 197001011990031001",
                   "Admin/Pengelola Pengaduan", "Brebes, 3 Desember 2026", "Jaringan internet sering terputus",
                   "Ketepatan waktu menurut bidang", "Jumlah pengaduan per hari menurut kanal",
                   "Blangko <b>habis</b> & tinta [bold]x[/bold]"):  # shown as written, not as markup
        assert needle in text, needle
    flat = " ".join(text.split())
    assert "Total pengaduan masuk 10" in flat and "Dijawab dalam maks. 3 hari kerja 4 66,7%" in flat
    assert "Tunggakan dibawa ke bulan berikutnya 4" in flat and "WhatsApp 3 30,0%" in flat
    assert "DAFDUK 6 60,0% 3 1 1" in flat

    exported = _events(db_url, "exported")
    assert len(exported) == 5 and all(ticket_id is None and actor == "kabid1" for ticket_id, actor, _ in exported)
    assert {json.loads(detail)["format"] for _, _, detail in exported} == {"json", "csv", "xlsx", "pdf"}


def test_daily_formats_mask_citizens_and_mark(setup: Path, db_url: str):
    folder = setup.parent
    table = run_cli(setup, "recap", "daily", "--date", "2026-11-03", now=AFTER_NOVEMBER)
    assert table.code == 0, table.err
    assert "T14" in table.out and "@wa***ayu" in table.out and "\x1b" not in table.out
    assert _events(db_url, "exported") == []  # a table on the screen is not an export
    for fmt in ("csv", "xlsx", "json"):
        args = ["recap", "daily", "--date", "2026-11-03", "--format", fmt, "-o", str(folder)]
        assert invoke(setup, *args, *(["--mark"] if fmt == "xlsx" else [])) == 0
    raw = (folder / "rekap-harian-2026-11-03.csv").read_text(encoding="utf-8-sig")
    data = json.loads((folder / "rekap-harian-2026-11-03.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(folder / "rekap-harian-2026-11-03.xlsx")
    cells = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    for text in (raw, json.dumps(data), cells, table.out):
        assert NIK not in text and "0812" not in text and "example.com" not in text and "@wargaayu" not in text
    rows = list(csv.reader(raw.splitlines(), delimiter=";"))
    assert rows[0][:3] == ["No", "No. Tiket", "Tanggal & Jam Diterima"]
    assert [r[1] for r in rows[1:]] == ["T02", "T01", "T04", "T14"]  # the rows and nothing else
    assert rows[3][12] == "0 HK (3,0 jam)" and rows[2][13] == "Tepat waktu"
    assert invoke(setup, "recap", "daily", "--date", "2026-11-03", "--format", "csv", "--summary",
                  "-o", str(folder / "ringkasan.csv")) == 0
    summary = dict(csv.reader((folder / "ringkasan.csv").read_text(encoding="utf-8-sig").splitlines(),
                              delimiter=";"))
    assert summary["Pengaduan masuk"] == "1" and summary["Masih terbuka (seluruhnya)"] == "3"
    sheet = book["Rekap Harian Pengaduan Daring"]
    assert sheet.freeze_panes == "A2" and sheet["B5"].value == "T14" and sheet["E5"].value == "@wa***ayu"
    assert data["summary"]["overdue"] == 1 and len(data["rows"]) == 4
    assert len(_events(db_url, "recapped")) == 4 and len(_events(db_url, "exported")) == 4


def test_english_headers_and_default_month(setup: Path):
    result = run_cli(setup, "--lang", "en", "recap", "monthly", now=AFTER_NOVEMBER, user="kabid1")
    assert result.code == 0, result.err
    assert "Period: November 2026" in result.out and "Total complaints received" in result.out
    assert invoke(setup, "--lang", "en", "recap", "daily", "--date", "2026-11-03", "--format", "csv",
                  "-o", str(setup.parent)) == 0
    header = (setup.parent / "rekap-harian-2026-11-03.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("No,Ticket No.,Received,Channel,Citizen account (masked)")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_refusals_and_bad_input(setup: Path):
    refused = run_cli(setup, "recap", "monthly", "--month", "2026-11", user="capil1", now=AFTER_NOVEMBER)
    assert refused.code == 1 and "recap" in refused.err and "supervisor" in refused.err
    assert run_cli(setup, "recap", "monthly", "--month", "2026-13", user="kabid1").code == 2
    assert run_cli(setup, "recap", "daily", "--format", "docx").code == 2
    (setup.parent / "salah.txt").write_text("tanpa judul\n", encoding="utf-8")
    bad = run_cli(setup, "recap", "monthly", "--notes", "salah.txt", user="kabid1")
    assert bad.code == 2 and "Kendala" in bad.err
