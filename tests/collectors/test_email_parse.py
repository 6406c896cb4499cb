"""Pure parsing of hostile and broken mail: charsets, HTML, quotes, automatic mail, DSNs, sizes."""

from __future__ import annotations

import time

import pytest

from collectors.mail_auto import automatic_reason
from collectors.mail_parse import decode_bytes, message_ids, parse_message
from collectors.mail_send import reply_subject
from collectors.mail_text import (
    clean_header,
    html_to_text,
    looks_like_identity_document,
    sniff_type,
    strip_reply_prefixes,
    trim_quoted,
)
from tests.fakes.mail import citizen_mail, fixture


@pytest.mark.parametrize("payload, charset, expected, flag", [
    ("Bapak \u201cBudi\u201d \u2013 ok\u2026".encode("cp1252"), "windows-1252",
     "Bapak \u201cBudi\u201d \u2013 ok\u2026", None),
    ("smart \u201cquotes\u201d".encode("cp1252"), "iso-8859-1", "smart \u201cquotes\u201d", None),
    (b"caf\xe9", "x-unknown-8bit", "caf\u00e9", "unknown_charset"),
    ("n\u00e9e \u2013".encode("cp1252"), "utf-8", "n\u00e9e \u2013", "charset_mismatch"),
    (b"ok \xe2\x80\x93 \xc3 rusak", "utf-8", "ok \u2013 \ufffd rusak", "invalid_bytes"),
    (b"\xff\xfe", "us-ascii", "\u00ff\u00fe", None),
])
def test_decode_never_raises_and_flags_what_it_replaced(payload, charset, expected, flag):
    flags: list[str] = []
    assert decode_bytes(payload, charset, flags) == expected
    assert flags == ([flag] if flag else [])


def test_html_to_text_keeps_structure_and_drops_invisible_parts():
    html = ("<html><head><style>.x{}</style><script>evil()</script></head><body>"
            "<p>Baris&nbsp;satu &lt;ok&gt;</p><div>dua<br>tiga</div><img src='http://x/p.gif' alt='foto KTP'>"
            "<ol><li>a</li><li>b</li></ol><pre>  kode   tetap</pre></body></html>")
    text = html_to_text(html)
    assert text.split("\n") == ["Baris satu <ok>", "", "dua", "tiga", "[gambar: foto KTP]", "- a", "- b", "",
                                "  kode   tetap"]


def test_quoted_history_is_trimmed_but_interleaved_answers_are_kept():
    assert trim_quoted("Sudah saya kirim.\n\nOn Mon, 23 Nov 2026 at 10:00 Dinas <a@b.id> wrote:\n> lama") == \
        "Sudah saya kirim."
    assert trim_quoted("Ok\n-----Original Message-----\nFrom: x") == "Ok"
    assert trim_quoted("> tanya 1\njawab 1\n> tanya 2\njawab 2") == "> tanya 1\njawab 1\n> tanya 2\njawab 2"
    assert trim_quoted("Dari: Budi\nAlamat: Brebes") == "Dari: Budi\nAlamat: Brebes"  # a citizen's own form
    assert trim_quoted("> semua kutipan") == "> semua kutipan"  # never empty


def test_header_values_are_single_clean_lines():
    assert clean_header("a\r\nBcc: x@y\x00\x1b[2J\x85 b") == "a Bcc: x@y [2J b"
    assert clean_header("caf\udce9") == "caf\u00e9"  # raw 8-bit header bytes: cp1252 fallback
    assert message_ids(" <a@b>\r\n\t<c@d> junk <e@f>") == ["a@b", "c@d", "e@f"]


@pytest.mark.parametrize("subject, expected", [
    ("Re: RE: Bls: Fwd: [ADU-2026-000123] KTP", "Re: [ADU-2026-000009] KTP"),
    ("Balasan: Re[2]: KTP", "Re: [ADU-2026-000009] KTP"),
    ("", "Re: [ADU-2026-000009] Pengaduan Anda"),
    ("Regulasi KTP", "Re: [ADU-2026-000009] Regulasi KTP"),
])
def test_reply_subject_has_exactly_one_re_and_the_reference(subject, expected):
    assert reply_subject(subject, "ADU-2026-000009") == expected
    assert strip_reply_prefixes(expected) == expected.split("] ", 1)[1]


@pytest.mark.parametrize("data, kind", [
    (b"\xff\xd8\xff\xe0rest", "image/jpeg"), (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"%PDF-1.7", "application/pdf"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (b"\x00\x00\x00\x18ftypheic", "image/heic"),
    (b"MZ\x90\x00", "application/x-msdownload"), ("teks biasa \u2013 ok".encode(), "text/plain"),
    (b"\x00\x01\x02", "application/octet-stream"),
])
def test_file_type_comes_from_the_bytes(data, kind):
    assert sniff_type(data) == kind


@pytest.mark.parametrize("name, kind, expected", [
    ("foto_KTP.jpg", "image/jpeg", True), ("IMG-ektp-depan.png", "image/png", True), ("kk.jpeg", "image/jpeg", True),
    ("Kartu Keluarga.pdf", "application/pdf", True), ("scan_kk2.jpg", "image/jpeg", True),
    ("fotoKTPsaya.heic", "image/heic", True), ("jalan rusak.jpg", "image/jpeg", False),
    ("ktp.docx", "application/zip", False), ("bukkake.jpg", "image/jpeg", False),
])
def test_identity_document_photos_are_recognised_by_name(name, kind, expected):
    assert looks_like_identity_document(name, kind) is expected


def test_every_automatic_signal_is_recognised_and_a_person_is_not():
    person = parse_message(citizen_mail(1, extra_headers="Auto-Submitted: no\r\n"))
    assert person.automatic is None
    for header in ("Auto-Submitted: auto-generated\r\n", "Precedence: list\r\n", "X-Autoreply: yes\r\n",
                   "X-Autorespond: yes\r\n", "List-Unsubscribe: <mailto:u@l>\r\n", "Return-Path: <>\r\n"):
        assert parse_message(citizen_mail(2, extra_headers=header)).automatic, header
    assert parse_message(citizen_mail(3, sender="postmaster@contoh.id")).automatic
    assert parse_message(citizen_mail(4, subject="Automatic reply: cuti")).automatic
    assert parse_message(fixture("auto_reply.eml")).automatic == "Auto-Submitted: auto-replied"


def test_a_dsn_names_the_returned_mail_recipient_and_reason():
    parsed = parse_message(fixture("bounce.eml"))
    bounce = parsed.bounce
    assert bounce is not None and bounce.failed
    assert bounce.original_message_id == "reply-1.aduan@dukcapil.brebeskab.go.id"
    assert bounce.original_references == ["CAKtp-001.siti@mail.contoh.co.id"]
    assert bounce.recipients == ["tidak.ada@contoh.co.id"] and bounce.status == "5.1.1"
    assert "User unknown" in bounce.reason() and parsed.attachments == []
    assert automatic_reason(parse_message_obj(fixture("bounce.eml")), "", "", None)


def parse_message_obj(raw: bytes):
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(raw)


def test_a_delayed_dsn_is_automatic_but_not_a_failure():
    raw = fixture("bounce.eml").replace(b"Action: failed", b"Action: delayed").replace(b"Status: 5.1.1",
                                                                                         b"Status: 4.4.1")
    parsed = parse_message(raw)
    assert parsed.bounce is not None and not parsed.bounce.failed and parsed.automatic


def test_a_huge_body_is_capped_quickly_and_marked():
    body = ("baris keluhan yang panjang sekali " * 3 + "\n") * 60_000  # ~6 MB, 60k lines
    raw = citizen_mail(1, body=body)
    started = time.perf_counter()
    parsed = parse_message(raw)
    assert time.perf_counter() - started < 5
    assert "truncated" in parsed.flags and "dipotong" in parsed.text
    assert len(parsed.text) < 20_100 and len(parsed.full_text) < 200_100


def test_broken_mime_does_not_raise():
    raw = (b"From: a@contoh.id\r\nMessage-ID: <x@y>\r\nContent-Type: multipart/mixed; boundary=\"tidak-ada\"\r\n"
           b"Subject: =?x-unknown?q?abc?=\r\nDate: bukan tanggal\r\n\r\nteks tanpa batas\r\n")
    parsed = parse_message(raw)
    assert parsed.message_id == "x@y" and parsed.from_address == "a@contoh.id"
    assert "date_invalid" in parsed.flags and parsed.date is None
    assert parsed.defects
