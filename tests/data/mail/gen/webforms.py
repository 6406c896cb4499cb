"""Web-form generators (PHP mail(), WordPress, form services, portals), as their mail arrives."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, b64, case, expect, mail, qp


@case("wordpress_noreply_with_reply_to", "webform")
def _():
    raw = mail(f"""Return-Path: <noreply@desa-pebatan.contoh.id>
Date: Mon, 23 Nov 2026 02:10:00 +0000
To: {OFFICE}
From: Website Desa Pebatan <noreply@desa-pebatan.contoh.id>
Reply-To: Kartini Wulan <kartini.wulan@contoh.net.id>
Subject: [Website Desa Pebatan] Pengaduan: KIA anak belum jadi
Message-ID: <Xq8y7z6w5v4u3t2s1r0q@desa-pebatan.contoh.id>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Dari: Kartini Wulan <kartini.wulan@contoh.net.id>
Perihal: KIA anak belum jadi

Isi Pesan:
KIA anak saya belum jadi sejak bulan lalu.

--
Email ini dikirim dari formulir kontak di Website Desa Pebatan
""", "utf-8")
    return raw, expect("[Website Desa Pebatan] Pengaduan: KIA anak belum jadi", "kartini.wulan@contoh.net.id",
                       "Kartini Wulan", ["KIA anak saya belum jadi sejak bulan lalu."], address_source="Reply-To")


@case("php_mail_undeclared_utf8", "webform")
def _():
    raw = mail(f"""To: {OFFICE}
Subject: Formulir Kontak: Théresia Wulandari
From: formulir@layanan-desa.contoh.id
Reply-To: theresia.w@contoh.id
MIME-Version: 1.0
Content-type: text/plain
Message-Id: <20261123031500.AB12C3D4E5@layanan-desa.contoh.id>
Date: Mon, 23 Nov 2026 10:15:00 +0700 (WIB)

Nama: Théresia Wulandari
Alamat: Jl. Jend. Sudirman No. 5 – RT 02/RW 03
Pesan: Nama saya di KTP tertulis "Theresia" tanpa é, mohon diperbaiki.
""", "utf-8")
    return raw, expect("Formulir Kontak: Théresia Wulandari", "formulir@layanan-desa.contoh.id", "",
                       ["Nama: Théresia Wulandari", "No. 5 – RT 02", "tanpa é"])


@case("php_mail_ascii_label_utf8_body", "webform")
def _():
    raw = mail(f"""To: {OFFICE}
Subject: =?UTF-8?B?{b64("Pesan baru dari Pak Sueb – Kersana").replace(chr(10), "")}?=
From: "Layanan Online Kecamatan" <layanan@kec-kersana.contoh.go.id>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 8bit
Message-ID: <form-kersana-5531@kec-kersana.contoh.go.id>
Date: Tue, 24 Nov 2026 09:00:00 +0700

Pak Sueb menulis: KK saya hilang ketika banjir – bagaimana cara mengurusnya?
""", "utf-8")
    return raw, expect("Pesan baru dari Pak Sueb – Kersana", "layanan@kec-kersana.contoh.go.id",
                       "Layanan Online Kecamatan", ["hilang ketika banjir – bagaimana"])


@case("google_forms_receipt_automatic", "webform")
def _():
    raw = mail(f"""MIME-Version: 1.0
Date: Tue, 24 Nov 2026 03:00:00 +0000
Message-ID: <forms-receipt-0011aabbcc@google.contoh.com>
Subject: Tanggapan baru: Survei kepuasan layanan
From: Google Forms <forms-receipts-noreply@google.contoh.com>
To: {OFFICE}
Content-Type: text/plain; charset="UTF-8"

Formulir Anda menerima tanggapan baru.
""")
    return raw, expect("Tanggapan baru: Survei kepuasan layanan", "forms-receipts-noreply@google.contoh.com",
                       "Google Forms", ["menerima tanggapan baru"], automatic=True)


@case("form_service_html_table_noreply", "webform")
def _():
    html = ("<html><body><table width=\"100%\" cellpadding=\"4\"><tr><th colspan=\"2\">Pengaduan Baru</th></tr>"
            "<tr><td><b>Nama:</b></td><td>Rohmat Hidayat</td></tr><tr><td><b>Email:</b></td>"
            "<td>rohmat.h@contoh.id</td></tr><tr><td><b>Keluhan:</b></td><td>Antrean di kantor terlalu panjang, "
            "saya datang jam 7 dan baru dilayani jam 13.</td></tr></table></body></html>")
    raw = mail(f"""From: Formulir Daring <noreply@formulir.contoh.com>
Reply-To: Rohmat Hidayat <rohmat.h@contoh.id>
To: {OFFICE}
Subject: Pengaduan Baru - Rohmat Hidayat
Date: Wed, 25 Nov 2026 07:00:00 +0000
Message-ID: <form-3319-20261125070000@formulir.contoh.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp(html)}
""")
    return raw, expect("Pengaduan Baru - Rohmat Hidayat", "rohmat.h@contoh.id", "Rohmat Hidayat",
                       ["Nama: Rohmat Hidayat", "Keluhan: Antrean di kantor terlalu panjang"],
                       address_source="Reply-To", flags=["html_only"])


@case("portal_plain_stub_full_html", "webform")
def _():
    long_html = "".join(f"<p>Langkah {i}: bawa dokumen asli nomor {i} dan fotokopi dua lembar.</p>" for i in range(1, 9))
    html = (f"<html><body><h2>Tanggapan atas laporan Anda</h2><p>Laporan tentang jalan rusak di Desa Sitanggal "
            f"telah diteruskan ke Dinas PUPR.</p>{long_html}</body></html>")
    raw = mail(f"""From: Portal Laporan Warga <admin@lapor.contoh.go.id>
To: {OFFICE}
Subject: Tindak lanjut laporan #88231
Date: Wed, 25 Nov 2026 08:00:00 +0700
Message-ID: <lapor-88231@lapor.contoh.go.id>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1_lapor_88231"

--b1_lapor_88231
Content-Type: text/plain; charset=us-ascii

Versi HTML surat ini dapat dibaca di peramban Anda.

--b1_lapor_88231
Content-Type: text/html; charset=us-ascii

{html}

--b1_lapor_88231--
""")
    return raw, expect("Tindak lanjut laporan #88231", "admin@lapor.contoh.go.id", "Portal Laporan Warga",
                       ["telah diteruskan ke Dinas PUPR.", "Langkah 8: bawa dokumen asli"],
                       body_absent=["Versi HTML surat ini"], flags=["html_body"])


@case("webform_latin1_label_utf8_bytes", "webform")
def _():
    raw = mail(f"""To: {OFFICE}
Subject: =?iso-8859-1?Q?Formulir_kontak:_Th=C3=A9resia?=
From: Formulir Kelurahan <kontak@kel-brebes.contoh.go.id>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit
Message-ID: <kontak-7781@kel-brebes.contoh.go.id>
Date: Thu, 26 Nov 2026 10:00:00 +0700

Nama: Théresia Ayu
Pesan: Akta lahir anak saya tertulis "Theresia" tanpa é.
""", "utf-8")
    return raw, expect("Formulir kontak: Théresia", "kontak@kel-brebes.contoh.go.id", "Formulir Kelurahan",
                       ["Nama: Théresia Ayu", "tanpa é."], flags=["charset_mismatch"])


@case("mobile_portal_html_br_lines_cp1252", "webform")
def _():
    html = ("<html><body>Laporan dari aplikasi:<br>Nama: Carsih<br>Desa: Kaliwlingi<br>Keluhan: KTP “belum "
            "tercetak” sejak Agustus<br></body></html>")
    raw = mail(f"""From: Aplikasi Lapor Desa <lapor@app.contoh.id>
To: {OFFICE}
Subject: Laporan baru dari aplikasi
Date: Thu, 26 Nov 2026 11:00:00 +0700
Message-ID: <app-laporan-55120@app.contoh.id>
MIME-Version: 1.0
Content-Type: text/html; charset=windows-1252
Content-Transfer-Encoding: quoted-printable

{qp(html, "cp1252")}
""")
    return raw, expect("Laporan baru dari aplikasi", "lapor@app.contoh.id", "Aplikasi Lapor Desa",
                       ["Nama: Carsih\nDesa: Kaliwlingi\nKeluhan: KTP \u201cbelum tercetak\u201d"], flags=["html_only"])
