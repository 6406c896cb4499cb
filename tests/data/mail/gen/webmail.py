"""Mail as Gmail and Yahoo write it: 0000... and ----=_Part_ boundaries, base64 UTF-8, RFC 2231 names."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, PDF, b64, case, expect, mail, qp


@case("gmail_alternative_base64", "gmail")
def _():
    plain = "Assalamualaikum,\n\nBagaimana cara mengurus KIA untuk anak usia 3 tahun?\n\nWassalam,\nFitri\n"
    html = ("<div dir=\"ltr\"><div>Assalamualaikum,</div><div><br></div><div>Bagaimana cara mengurus KIA untuk "
            "anak usia 3 tahun?</div><div><br></div><div>Wassalam,</div><div>Fitri</div></div>")
    raw = mail(f"""MIME-Version: 1.0
Date: Mon, 23 Nov 2026 12:34:56 +0700
Message-ID: <CAF3xK9q+Zb0vN1m2TQ4s5W6Xy7Z8a9B0cD1eF2gH3iJ4kL5mN@mail.gmail.com>
Subject: Cara mengurus KIA
From: Fitri Handayani <fitri.handayani@gmail.contoh.com>
To: {OFFICE}
Content-Type: multipart/alternative; boundary="0000000000008f3a2b05f1c2d3e4"

--0000000000008f3a2b05f1c2d3e4
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{b64(plain)}
--0000000000008f3a2b05f1c2d3e4
Content-Type: text/html; charset="UTF-8"

{html}

--0000000000008f3a2b05f1c2d3e4--
""")
    return raw, expect("Cara mengurus KIA", "fitri.handayani@gmail.contoh.com", "Fitri Handayani",
                       ["mengurus KIA untuk anak usia 3 tahun?", "Wassalam,\nFitri"])


@case("gmail_forwarded_inline", "gmail")
def _():
    plain = ("Mohon ditindaklanjuti, warga kami belum dapat KTP.\n\n"
             "---------- Forwarded message ---------\nFrom: Sutrisno <sutrisno@contoh.id>\n"
             "Date: Sun, 22 Nov 2026 at 19.00\nSubject: KTP\nTo: <operator.desa@contoh.id>\n\n"
             "Sudah 4 bulan KTP saya belum jadi.\n")
    raw = mail(f"""MIME-Version: 1.0
Date: Mon, 23 Nov 2026 08:00:00 +0700
Message-ID: <CAG7fwdL0aBcD1234567890EfGhIjKlMnOpQrStUv@mail.gmail.com>
Subject: Fwd: KTP
From: Operator Desa Limbangan <operator.desa@contoh.id>
To: {OFFICE}
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(plain)}
""")
    return raw, expect("Fwd: KTP", "operator.desa@contoh.id", "Operator Desa Limbangan",
                       ["warga kami belum dapat KTP."], flags=["quoted_trimmed"])


@case("gmail_rfc2231_filename", "gmail")
def _():
    raw = mail(f"""MIME-Version: 1.0
Date: Tue, 24 Nov 2026 10:10:10 +0700
Message-ID: <CAH9rfc2231xYz0123456789AbCdEfGhIj@mail.gmail.com>
Subject: Surat pindah
From: Ani Suryani <ani.suryani@gmail.contoh.com>
To: {OFFICE}
Content-Type: multipart/mixed; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60717"

--000000000000a1b2c3d4e5f60717
Content-Type: text/plain; charset="UTF-8"

Terlampir surat keterangan pindah dari Jakarta.

--000000000000a1b2c3d4e5f60717
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Terlampir surat keterangan pindah dari Jakarta.</div>

--000000000000a1b2c3d4e5f60717--
--000000000000a1b2c3d4e5f60718
Content-Type: application/pdf; name="Surat Keterangan Pindah - Ani.pdf"
Content-Disposition: attachment;
\tfilename*=UTF-8''Surat%20Keterangan%20Pindah%20%E2%80%93%20Ani.pdf
Content-Transfer-Encoding: base64
X-Attachment-Id: f_m3x9k2a10
Content-ID: <f_m3x9k2a10>

{b64(PDF)}
--000000000000a1b2c3d4e5f60718--
""")
    return raw, expect("Surat pindah", "ani.suryani@gmail.contoh.com", "Ani Suryani",
                       ["surat keterangan pindah dari Jakarta."],
                       attachments=["Surat Keterangan Pindah \u2013 Ani.pdf"])


@case("yahoo_html_table_layout", "yahoo")
def _():
    html = ("<html><head></head><body><div class=\"ydp3f2a1b0cyahoo-style-wrap\" style=\"font-family:Helvetica\">"
            "<div>Saya mau tanya syarat akta kematian.</div><div><br></div><table><tr><td>Nama almarhum:</td>"
            "<td>Karsono</td></tr><tr><td>Desa</td><td>Pebatan</td></tr></table></div></body></html>")
    plain = "Saya mau tanya syarat akta kematian.\n\nNama almarhum: Karsono\nDesa Pebatan\n"
    raw = mail(f"""Date: Mon, 23 Nov 2026 04:05:06 +0000 (UTC)
From: Warsini <warsini77@yahoo.contoh.co.id>
To: "{OFFICE}" <{OFFICE}>
Message-ID: <1234567890.1122334.1764000000000@mail.yahoo.contoh.com>
Subject: syarat akta kematian
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="----=_Part_1122333_987654321.1764000000000"
X-Mailer: WebService/1.1.24652 YMailNorrin

------=_Part_1122333_987654321.1764000000000
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

{plain}
------=_Part_1122333_987654321.1764000000000
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: 7bit

{html}
------=_Part_1122333_987654321.1764000000000--
""")
    return raw, expect("syarat akta kematian", "warsini77@yahoo.contoh.co.id", "Warsini",
                       ["syarat akta kematian.", "Nama almarhum: Karsono"])


@case("yahoo_trailing_dot_address", "yahoo")
def _():
    raw = mail(f"""Date: Tue, 24 Nov 2026 02:00:00 +0000 (UTC)
From: "Dewi.Sa" <Dewi.Sartika@yahoo.contoh.co.id.>
To: {OFFICE}
Message-ID: <998877665.5544332.1764100000000@mail.yahoo.contoh.com>
Subject: Mohon info e-KTP
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit
X-Mailer: WebService/1.1.24652 YahooMailAndroidMobile

Kapan e-KTP saya bisa diambil?
""")
    return raw, expect("Mohon info e-KTP", "dewi.sartika@yahoo.contoh.co.id", "Dewi.Sa", ["bisa diambil?"])


@case("yahoo_latin1_label_smart_quotes", "yahoo")
def _():
    text = "Saya sudah \u201cdaftar online\u201d tapi belum ada kabar \u2026 mohon dibantu.\n"
    raw = mail(f"""Date: Wed, 25 Nov 2026 03:03:03 +0000 (UTC)
From: Joko Susilo <joko_susilo@yahoo.contoh.com>
To: {OFFICE}
Message-ID: <1357924680.1.1764200000000@mail.yahoo.contoh.com>
Subject: Pendaftaran online
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

{qp(text, "cp1252")}
""")
    return raw, expect("Pendaftaran online", "joko_susilo@yahoo.contoh.com", "Joko Susilo",
                       ["\u201cdaftar online\u201d tapi belum ada kabar \u2026"])


@case("yahoo_vacation_auto", "yahoo")
def _():
    raw = mail(f"""Date: Wed, 25 Nov 2026 05:00:00 +0000 (UTC)
From: Bambang Pamungkas <bambang.p@yahoo.contoh.com>
To: {OFFICE}
Message-ID: <auto.246813579@mail.yahoo.contoh.com>
Subject: Auto: Re: [ADU-2026-000061] Data KK
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Terima kasih atas email Anda. Saya sedang di luar kota.
""")
    return raw, expect("Auto: Re: [ADU-2026-000061] Data KK", "bambang.p@yahoo.contoh.com", "Bambang Pamungkas",
                       ["sedang di luar kota"], automatic=True)
