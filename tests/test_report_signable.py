"""The monthly PDF is signable (issue 20, item 13): sign-off names, NIP, logo, contact line and
*Nomor* from config, a warning when they are missing, *Halaman N dari M*, the signatures on the page
of the closing sections, and *tidak ada data* where a chart or a table has nothing to show."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.cli_helpers import make_config, run_cli
from tests.ticketing.recap_data import build_month
from ticketing.store.db import open_database

AFTER_NOVEMBER = "2026-12-03T03:00:00+00:00"
SIGNATORIES = {"head_name": "Drs. Kepala Dinas Contoh", "head_nip": "197001011990031001",
               "complaint_admin_name": "Admin Pengaduan Contoh", "complaint_admin_nip": "199002022015032002"}
SIGNABLE = {"city": "Brebes", "logo": "kop/logo-brebes.png",
            "letterhead_contact": "Telp. (0283) 671234 | dukcapil.test",
            "report_number": "400.14/{month}/Dukcapil/{month_roman}/{year}"}


def _logo(folder: Path) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (120, 140), "white")
    ImageDraw.Draw(image).ellipse((5, 5, 115, 135), fill=(30, 120, 60))
    image.save(folder / "logo-brebes.png")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _report(config: Path, out: Path, month: str = "2026-11"):
    return run_cli(config, "recap", "monthly", "--month", month, "--format", "pdf", "-o", str(out),
                   user="kabid1", now=AFTER_NOVEMBER)


@pytest.fixture
def month(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    engine = open_database(url, auto_upgrade=True)
    with Session(engine) as session:
        build_month(session)
    engine.dispose()
    return url


def test_a_configured_report_is_signable_and_numbered(tmp_path, month):
    _logo(tmp_path / "kop")
    config = make_config(tmp_path, month, office=SIGNATORIES, recap=SIGNABLE)
    result = _report(config, tmp_path / "laporan.pdf")
    assert result.code == 0, result.err
    assert "peringatan" not in result.err  # nothing missing: no warning
    pages = _pages(tmp_path / "laporan.pdf")
    total = len(pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {total}" in page
    first, last = pages[0], pages[-1]
    assert "Nomor: 400.14/11/Dukcapil/XI/2026" in first and "Telp. (0283) 671234 | dukcapil.test" in first
    assert "Drs. Kepala Dinas Contoh" in last and "NIP. 197001011990031001" in last
    assert "NIP. 199002022015032002" in last
    # the signatures share their page with the closing sections, never alone under a heading
    assert "G. Kendala" in last and "H. Rekomendasi" in last
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "laporan.pdf")], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 1 and images[0].split()[0] == "1"  # the logo, on the first page


def test_missing_sign_off_keys_are_named_on_stderr_and_empty_charts_say_so(tmp_path):
    config = make_config(tmp_path, recap={"logo": "tidak-ada.png"})  # the sample config's blanks
    result = _report(config, tmp_path / "kosong.pdf", month="2026-10")
    assert result.code == 0, result.err  # written anyway: the warning says what to fill in
    warning = [line for line in result.err.splitlines() if "peringatan" in line]
    assert len(warning) == 1
    for key in ("office.head_name", "office.head_nip", "office.complaint_admin_name", "office.complaint_admin_nip",
                "recap.report_number", "recap.logo"):
        assert key in warning[0], key
    text = "".join(_pages(tmp_path / "kosong.pdf"))
    assert text.count("tidak ada data") >= 6  # two charts and the empty breakdown tables
    assert "NIP. -" in text and "Nomor:" not in text


@pytest.mark.parametrize("locale", ["id", "en"])
def test_table_headings_wrap_between_words_never_inside_one(locale):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from ticketing.reports.flow import FIGURES
    from ticketing.reports.flow_view import flow_by
    from ticketing.reports.pdf import CELL_PADDING, FLOW_BY_WIDTHS, HEADER_SIZE, header_size

    empty = {**dict.fromkeys(FIGURES, 0), "by_channel": [], "by_bidang": [], "by_category": []}
    headers = flow_by(empty, locale).headers

    def too_wide(size):
        return [word for header, width in zip(headers, FLOW_BY_WIDTHS, strict=True) for word in header.split()
                if stringWidth(word, "Helvetica-Bold", size) > width - 2 * CELL_PADDING]

    assert too_wide(HEADER_SIZE)  # at the body's size some heading word would be cut ("Terbuk/a awal")
    size = header_size(headers, FLOW_BY_WIDTHS)
    assert not too_wide(size) and size >= 6.5
