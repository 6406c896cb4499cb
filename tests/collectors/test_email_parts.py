"""The pieces behind attribution, decoding and whole bodies, each on the smallest input that shows it."""

from __future__ import annotations

import base64

import pytest

from collectors.mail_address import first_address, header_text, repair_header_block, valid_address
from collectors.mail_body import type_name
from collectors.mail_charset import decode_bytes
from collectors.mail_parse import parse_message
from collectors.mail_text import html_to_text


@pytest.mark.parametrize("values, expected", [
    (['"Clement.Si" <Claudia.Shu@yahoo.com.>'], ("claudia.shu@yahoo.com", "Clement.Si")),
    (['"\u2026" <>, "LTD" <ly@example.com>'], ("ly@example.com", "LTD")),
    (["marc.smith@example.com (Marc Smith)"], ("marc.smith@example.com", "Marc Smith")),
    (["undisclosed-recipients:;", "Budi <budi@contoh.id>"], ("budi@contoh.id", "Budi")),
    (['"Budi <budi@contoh.id'], ("budi@contoh.id", "Budi")),  # quoting so odd getaddresses gives up
    (["=?utf-8?B?SGouIFNpdGksIFMuUGQu?= <siti@contoh.id>"], ("siti@contoh.id", "Hj. Siti, S.Pd.")),
    (["Warga Desa", "<>"], ("", "")),
])
def test_the_first_valid_address_wins(values, expected):
    assert first_address(values) == expected


def test_encoded_words_join_their_bytes_and_keep_the_text_around_them():
    data = "Surat \u2013 KTP".encode()
    split = data.index(b"\x80")  # inside the three bytes of the dash
    first, second = (base64.b64encode(part).decode() for part in (data[:split], data[split:]))
    assert header_text(f"Re: =?utf-8?B?{first}?=\r\n =?UTF-8?B?{second}?= baru") == "Re: Surat \u2013 KTP baru"
    assert header_text("=?gb2312?B?" + base64.b64encode("王喆".encode("gbk")).decode() + "?=") == "王喆"
    assert header_text("Pengajuan caf\udce9".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")) \
        == "Pengajuan caf\u00e9"


def test_a_header_block_is_mended_only_when_broken():
    clean = b"From: a@b.id\r\nSubject: x\r\n\r\nisi\r\n"
    assert repair_header_block(clean) is None
    assert repair_header_block(b"Subject: a\r\nlanjutan\r\nFrom: a@b.id\r\n\r\nisi\r\n") == \
        b"Subject: a\r\n lanjutan\r\nFrom: a@b.id\r\n\r\nisi\r\n"
    assert repair_header_block(b"From: a@b.id\r\nSubject: x\r\nIsi langsung.\r\n") == \
        b"From: a@b.id\r\nSubject: x\r\n\r\nIsi langsung.\r\n"
    assert repair_header_block(b"---- Original email message ----\r\nFrom: a@b.id\r\n\r\nisi\r\n") == \
        b"From: a@b.id\r\n\r\nisi\r\n"
    assert repair_header_block(b"From budi@contoh.id Mon Nov 23 10:00:00 2026\r\nFrom: a@b.id\r\n\r\nx") is None


@pytest.mark.parametrize("text, label, codec", [
    ("我叫王喆", "gb2312", "gbk"),
    ("똠방각하", "ks_c_5601-1987", "cp949"),
    ("①㈱髙橋", "shift_jis", "cp932"),
    ("สวัสดีครับ", "windows-874", "cp874"),
    ("שלום", "iso-8859-8-i", "iso8859_8"),
    ("Prénom: José", None, "utf-8"),
    ("Prénom: José", "us-ascii", "utf-8"),
    ("住民票", "iso-2022-jp", "iso2022_jp"),
])
def test_labels_are_widened_and_undeclared_8bit_is_utf8_first(text, label, codec):
    flags: list[str] = []
    assert decode_bytes(text.encode(codec), label, flags) == text
    assert flags == []


def test_table_cells_and_blocks_never_run_together():
    html = ("<table><tr><td>Nama:</td><td>Budi</td></tr><tr><td>Desa</td><td></td><td>Pebatan</td></tr></table>"
            "<address>Brebes</address><center>Terima kasih</center>")
    assert html_to_text(html).split("\n") == ["Nama: Budi", "Desa | Pebatan", "", "Brebes", "Terima kasih"]


def _alternative(plain: str, html: str) -> bytes:
    return ("From: a@contoh.id\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            f"{plain}\r\n--b\r\nContent-Type: text/html\r\n\r\n{html}\r\n--b--\r\n").encode()


def test_a_plain_part_is_replaced_by_the_html_only_when_it_is_a_measured_stub():
    html = "<p>" + "Isi lengkap pengaduan warga. " * 12 + "</p>"
    stub = parse_message(_alternative("Buka versi HTML.", html))
    assert stub.text.startswith("Isi lengkap pengaduan") and "html_body" in stub.flags
    kept = parse_message(_alternative("Ringkasan yang ditulis warga sendiri, cukup panjang: " * 2, html))
    assert kept.text.startswith("Ringkasan yang ditulis") and "html_body" not in kept.flags


def test_unnamed_parts_are_named_by_their_type():
    assert [type_name(k) for k in ("image/jpeg", "text/html", "application/pdf", "video/mp4")] == \
        ["image.jpg", "document.html", "document.pdf", "video.mp4"]


def test_an_address_keeps_what_real_senders_add_out():
    assert valid_address("<Claudia.Shu@yahoo.com.>") == "Claudia.Shu@yahoo.com"
    assert valid_address("'budi@contoh.id'") == "budi@contoh.id"
    assert valid_address("budi@localhost") == "" and valid_address("a b@c.id") == ""


def test_a_loose_signature_part_is_kept_but_not_the_citizens_file():
    raw = (b"From: a@contoh.id\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nIsi.\r\n--b\r\nContent-Type: application/pkcs7-signature; "
           b"name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIB\r\n--b--\r\n")
    parsed = parse_message(raw)
    assert [(p.filename, p.role) for p in parsed.attachments] == [("smime.p7s", "signature")]
    assert parsed.text == "Isi."
