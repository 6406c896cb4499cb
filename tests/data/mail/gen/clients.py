"""Mail as the common clients write it: Outlook/Exchange, Apple Mail/iPhone, Gmail, Yahoo, Thunderbird."""

from __future__ import annotations

from tests.data.mail.gen.common import JPEG, OFFICE, PDF, PNG, SIGNATURE, b64, case, expect, mail, qp, word


@case("outlook_alternative_cp1252", "outlook")
def _():
    plain = ("Selamat pagi Bapak/Ibu,\n\nSaya ingin menanyakan status \u201cKTP-el\u201d saya \u2013 sudah "
             "3 bulan belum jadi.\n\nHormat saya,\nSiti Rahmawati\n")
    html = ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta http-equiv=\"Content-Type\" "
            "content=\"text/html; charset=iso-8859-1\"><style><!-- p.MsoNormal {margin:0cm;} --></style></head>"
            "<body lang=\"EN-US\"><div class=\"WordSection1\"><p class=\"MsoNormal\">Selamat pagi Bapak/Ibu,</p>"
            "<p class=\"MsoNormal\">Saya ingin menanyakan status \u201cKTP-el\u201d saya \u2013 sudah 3 bulan "
            "belum jadi.</p></div></body></html>")
    raw = mail(f"""Received: from SG2PR04MB1234.apcprd04.prod.outlook.com (2603:1096:4:1::12) by
 SG2PR04MB5678.apcprd04.prod.outlook.com with HTTPS; Mon, 23 Nov 2026 01:02:03 +0000
From: Siti Rahmawati <siti.rahmawati@outlook.co.id>
To: "{OFFICE}" <{OFFICE}>
Subject: Status KTP-el belum jadi
Thread-Topic: Status KTP-el belum jadi
Thread-Index: AdrXbC1vN2Qx4k5fTlGm8aL0cJk2Zw==
Date: Mon, 23 Nov 2026 01:02:01 +0000
Message-ID: <SG2PR04MB1234A1B2C3D4E5F6A7B8C9D0E1F2A@SG2PR04MB1234.apcprd04.prod.outlook.com>
Accept-Language: id-ID, en-US
Content-Language: id-ID
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
x-ms-exchange-messagesentrepresentingtype: 1
Content-Type: multipart/alternative;
\tboundary="_000_SG2PR04MB1234A1B2C3D4E5F6A7B8C9D0E1F2ASG2PR04MB1234apcp_"
MIME-Version: 1.0

--_000_SG2PR04MB1234A1B2C3D4E5F6A7B8C9D0E1F2ASG2PR04MB1234apcp_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(plain, "cp1252")}
--_000_SG2PR04MB1234A1B2C3D4E5F6A7B8C9D0E1F2ASG2PR04MB1234apcp_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(html, "cp1252")}
--_000_SG2PR04MB1234A1B2C3D4E5F6A7B8C9D0E1F2ASG2PR04MB1234apcp_--
""")
    return raw, expect("Status KTP-el belum jadi", "siti.rahmawati@outlook.co.id", "Siti Rahmawati",
                       ["status \u201cKTP-el\u201d saya \u2013 sudah 3 bulan", "Hormat saya"])


@case("outlook_related_logo_and_pdf", "outlook")
def _():
    html = ("<html><body><p class=MsoNormal>Berikut saya lampirkan scan KK untuk perubahan data.</p>"
            "<p class=MsoNormal><img width=120 height=40 src=\"cid:image001.png@01DB3D2A.5F0E6B10\" "
            "alt=\"logo\"></p><p>Terima kasih</p></body></html>")
    raw = mail(f"""From: "Hartono, Budi" <budi.hartono@pt-sinar.contoh.co.id>
To: {OFFICE}
Subject: Perubahan data KK
Date: Mon, 23 Nov 2026 09:15:44 +0700
Message-ID: <TYZPR06MB4016E1E2@TYZPR06MB4016.apcprd06.prod.outlook.com>
Content-Language: id-ID
X-MS-Has-Attach: yes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_004_TYZPR06MB4016_"

--_004_TYZPR06MB4016_
Content-Type: multipart/related; boundary="_003_TYZPR06MB4016_"; type="multipart/alternative"

--_003_TYZPR06MB4016_
Content-Type: multipart/alternative; boundary="_000_TYZPR06MB4016_"

--_000_TYZPR06MB4016_
Content-Type: text/plain; charset="us-ascii"

Berikut saya lampirkan scan KK untuk perubahan data.

[logo]

Terima kasih

--_000_TYZPR06MB4016_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--_000_TYZPR06MB4016_--

--_003_TYZPR06MB4016_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=40
Content-ID: <image001.png@01DB3D2A.5F0E6B10>
Content-Transfer-Encoding: base64

{b64(PNG)}

--_003_TYZPR06MB4016_--

--_004_TYZPR06MB4016_
Content-Type: application/pdf; name="Scan KK Budi.pdf"
Content-Description: Scan KK Budi.pdf
Content-Disposition: attachment; filename="Scan KK Budi.pdf"; size=78
Content-Transfer-Encoding: base64

{b64(PDF)}

--_004_TYZPR06MB4016_--
""")
    return raw, expect("Perubahan data KK", "budi.hartono@pt-sinar.contoh.co.id", "Hartono, Budi",
                       ["scan KK untuk perubahan data", "Terima kasih"],
                       attachments=["image001.png", "Scan KK Budi.pdf"], body_absent=["[lampiran:"])


@case("outlook_reply_with_header_block", "outlook")
def _():
    body = ("Baik, besok saya datang ke kantor membawa KK asli.\n\n"
            "From: Layanan Pengaduan Dindukcapil Brebes <pengaduan@dukcapil.brebeskab.go.id>\n"
            "Sent: Monday, November 23, 2026 10:00 AM\nTo: Rina Wulandari <rina.w@hotmail.contoh.com>\n"
            "Subject: Re: [ADU-2026-000031] Akta kelahiran\n\nMohon membawa KK asli.\n")
    raw = mail(f"""From: Rina Wulandari <rina.w@hotmail.contoh.com>
To: Layanan Pengaduan Dindukcapil Brebes <{OFFICE}>
Subject: RE: [ADU-2026-000031] Akta kelahiran
Date: Tue, 24 Nov 2026 07:45:10 +0700
Message-ID: <PSAPR01MB4102C@PSAPR01MB4102.apcprd01.prod.exchangelabs.com>
In-Reply-To: <aduan.ADU-2026-000031.1764@dukcapil.brebeskab.go.id>
References: <CAC-rina-0031@mail.contoh.com>
 <aduan.ADU-2026-000031.1764@dukcapil.brebeskab.go.id>
Thread-Topic: [ADU-2026-000031] Akta kelahiran
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(body)}
""")
    return raw, expect("RE: [ADU-2026-000031] Akta kelahiran", "rina.w@hotmail.contoh.com", "Rina Wulandari",
                       ["besok saya datang ke kantor membawa KK asli."], body_absent=["Mohon membawa KK asli"])


@case("exchange_automatic_reply", "outlook")
def _():
    raw = mail(f"""From: Agus Salim <agus.salim@pemda.contoh.go.id>
To: {OFFICE}
Subject: Automatic reply: [ADU-2026-000040] Surat pindah
Date: Tue, 24 Nov 2026 08:00:03 +0700
Message-ID: <auto-agus-0040@pemda.contoh.go.id>
In-Reply-To: <aduan.ADU-2026-000040.1@dukcapil.brebeskab.go.id>
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: agus.salim@pemda.contoh.go.id
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0

Saya sedang cuti sampai 30 November 2026.
""")
    return raw, expect("Automatic reply: [ADU-2026-000040] Surat pindah", "agus.salim@pemda.contoh.go.id",
                       "Agus Salim", ["sedang cuti"], automatic=True)


@case("outlook_korean_ks_c_5601", "outlook")
def _():
    body = "안녕하세요. 똠방각하 김철수입니다. 주민등록 서류 문의드립니다.\n"
    raw = mail(f"""From: {word("김철수", "ks_c_5601-1987", codec="cp949")} <kim.cs@contoh.co.kr>
To: {OFFICE}
Subject: {word("주민등록 똠 문의", "ks_c_5601-1987", codec="cp949")}
Date: Wed, 25 Nov 2026 10:11:12 +0900
Message-ID: <001a01db3f2b$7a1b2c30$6e518490$@contoh.co.kr>
X-Mailer: Microsoft Outlook 16.0
Content-Language: ko
MIME-Version: 1.0
Content-Type: text/plain; charset="ks_c_5601-1987"
Content-Transfer-Encoding: base64

{b64(body, "cp949")}
""")
    return raw, expect("주민등록 똠 문의", "kim.cs@contoh.co.kr", "김철수", ["똠방각하 김철수입니다", "주민등록 서류"])


@case("outlook_forward_as_attachment", "outlook")
def _():
    inner = mail("""From: Kepala Desa Kaligangsa <desa.kaligangsa@contoh.desa.id>
To: Sekretaris Desa <sekdes.kaligangsa@contoh.desa.id>
Subject: Warga belum menerima KIA
Date: Fri, 20 Nov 2026 13:00:00 +0700
Message-ID: <kades-kaligangsa-77@contoh.desa.id>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Tiga warga RT 04 belum menerima KIA sejak Oktober.
""")
    raw = mail(f"""From: Sekretaris Desa Kaligangsa <sekdes.kaligangsa@contoh.desa.id>
To: {OFFICE}
Subject: FW: Warga belum menerima KIA
Date: Mon, 23 Nov 2026 08:30:00 +0700
Message-ID: <SEZPR02MB5501F@SEZPR02MB5501.apcprd02.prod.outlook.com>
X-MS-Has-Attach: yes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_002_SEZPR02MB5501_"

--_002_SEZPR02MB5501_
Content-Type: text/plain; charset="us-ascii"

Mohon ditindaklanjuti, surat dari Kepala Desa terlampir.

--_002_SEZPR02MB5501_
Content-Type: message/rfc822

""") + inner + mail("""
--_002_SEZPR02MB5501_--
""")
    return raw, expect("FW: Warga belum menerima KIA", "sekdes.kaligangsa@contoh.desa.id",
                       "Sekretaris Desa Kaligangsa", ["Mohon ditindaklanjuti"],
                       attachments=["Warga belum menerima KIA.eml"], verbatim=True)


@case("outlook_encoded_word_filename", "outlook")
def _():
    name = "Formulir F-1.02 \u2013 Ahmad Fauzi.pdf"
    raw = mail(f"""From: Ahmad Fauzi <ahmad.fauzi@contoh.net.id>
To: {OFFICE}
Subject: {word("Formulir perpindahan – mohon dicek")}
Date: Mon, 23 Nov 2026 11:22:33 +0700
Message-ID: <DB9PR10MB7201A@DB9PR10MB7201.EURPRD10.PROD.OUTLOOK.COM>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_005_DB9PR10MB7201_"

--_005_DB9PR10MB7201_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Formulir sudah saya isi, mohon dicek kelengkapannya.

--_005_DB9PR10MB7201_
Content-Type: application/pdf; name="{word(name)}"
Content-Disposition: attachment; filename="{word(name)}"
Content-Transfer-Encoding: base64

{b64(PDF)}

--_005_DB9PR10MB7201_--
""")
    return raw, expect("Formulir perpindahan \u2013 mohon dicek", "ahmad.fauzi@contoh.net.id", "Ahmad Fauzi",
                       ["mohon dicek kelengkapannya"], attachments=[name])


@case("iphone_text_photo_text_pdf", "apple")
def _():
    raw = mail(f"""From: Dewi Lestari <dewi.lestari@icloud.contoh.com>
Content-Type: multipart/mixed; boundary="Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9"
Content-Transfer-Encoding: 7bit
Mime-Version: 1.0 (1.0)
Subject: KTP rusak, mohon cetak ulang
Date: Mon, 23 Nov 2026 07:01:02 +0700
Message-Id: <5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9@icloud.contoh.com>
To: {OFFICE}
X-Mailer: iPhone Mail (22B91)

--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Selamat pagi, ini foto KTP saya yang patah:

--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: image/jpeg; name=IMG_4512.jpeg; x-apple-part-url=7B1F2A3C-0001
Content-Disposition: inline; filename=IMG_4512.jpeg
Content-Transfer-Encoding: base64

{b64(JPEG)}
--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp("Dan ini surat keterangan hilang dari kepolisian — mohon dicetak ulang.")}
--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: application/pdf; name="Surat Kehilangan.pdf"; x-apple-part-url=7B1F2A3C-0002
Content-Disposition: inline; filename="Surat Kehilangan.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit



Sent from my iPhone
--Apple-Mail-5A1C2B3D-4E5F-6071-8293-A4B5C6D7E8F9--
""")
    return raw, expect("KTP rusak, mohon cetak ulang", "dewi.lestari@icloud.contoh.com", "Dewi Lestari",
                       ["ini foto KTP saya yang patah:\n\n[lampiran: IMG_4512.jpeg]\n\nDan ini surat keterangan",
                        "mohon dicetak ulang.\n\n[lampiran: Surat Kehilangan.pdf]\n\nSent from my iPhone"],
                       attachments=["IMG_4512.jpeg", "Surat Kehilangan.pdf"])


@case("apple_mail_alternative_with_mixed_html", "apple")
def _():
    raw = mail(f"""From: Yusuf Maulana <yusuf.m@me.contoh.com>
Content-Type: multipart/alternative; boundary="Apple-Mail=_0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Kartu Keluarga baru
Message-Id: <0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0@me.contoh.com>
Date: Tue, 24 Nov 2026 20:40:00 +0700
To: {OFFICE}
X-Mailer: Apple Mail (2.3826.300.87.4.3)

--Apple-Mail=_0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0
Content-Transfer-Encoding: 7bit
Content-Type: text/plain; charset=us-ascii

Bersama ini saya kirim KK lama:

<KK lama.pdf>

Mohon diterbitkan KK baru karena ada kelahiran anak kedua.

--Apple-Mail=_0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0
Content-Type: multipart/mixed; boundary="Apple-Mail=_9A8B7C6D-5E4F-3021-1A2B-3C4D5E6F7A8B"

--Apple-Mail=_9A8B7C6D-5E4F-3021-1A2B-3C4D5E6F7A8B
Content-Transfer-Encoding: 7bit
Content-Type: text/html; charset=us-ascii

<html><body style="word-wrap: break-word;"><div>Bersama ini saya kirim KK lama:</div><div><br></div></body></html>
--Apple-Mail=_9A8B7C6D-5E4F-3021-1A2B-3C4D5E6F7A8B
Content-Disposition: inline; filename="KK lama.pdf"
Content-Type: application/pdf; x-unix-mode=0644; name="KK lama.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--Apple-Mail=_9A8B7C6D-5E4F-3021-1A2B-3C4D5E6F7A8B
Content-Transfer-Encoding: 7bit
Content-Type: text/html; charset=us-ascii

<html><body><div><br></div><div>Mohon diterbitkan KK baru karena ada kelahiran anak kedua.</div></body></html>
--Apple-Mail=_9A8B7C6D-5E4F-3021-1A2B-3C4D5E6F7A8B--

--Apple-Mail=_0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0--
""")
    return raw, expect("Kartu Keluarga baru", "yusuf.m@me.contoh.com", "Yusuf Maulana",
                       ["saya kirim KK lama:", "kelahiran anak kedua."], attachments=["KK lama.pdf"])


@case("iphone_unnamed_photo_comment_sender", "apple")
def _():
    raw = mail(f"""From: hendra.gunawan@icloud.contoh.com (Hendra Gunawan)
Content-Type: multipart/mixed; boundary=Apple-Mail-11AA22BB-33CC-44DD-55EE-66FF77008899
Mime-Version: 1.0 (1.0)
Subject: Foto akta rusak
Date: Wed, 25 Nov 2026 06:06:06 +0700
Message-Id: <11AA22BB-33CC-44DD-55EE-66FF77008899@icloud.contoh.com>
To: {OFFICE}
X-Mailer: iPad Mail (22B91)

--Apple-Mail-11AA22BB-33CC-44DD-55EE-66FF77008899
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Akta kelahiran anak saya sobek, berikut fotonya.
--Apple-Mail-11AA22BB-33CC-44DD-55EE-66FF77008899
Content-Type: image/jpeg
Content-Transfer-Encoding: base64

{b64(JPEG)}
--Apple-Mail-11AA22BB-33CC-44DD-55EE-66FF77008899--
""")
    return raw, expect("Foto akta rusak", "hendra.gunawan@icloud.contoh.com", "Hendra Gunawan",
                       ["Akta kelahiran anak saya sobek"], attachments=["image.jpg"])


@case("apple_mail_flowed_reply_indonesian", "apple")
def _():
    body = ("Terima kasih, KTP sudah saya ambil hari ini.\n\n"
            "> Pada 23 Nov 2026, pukul 10.00, Layanan Pengaduan <pengaduan@dukcapil.brebeskab.go.id> "
            "menulis:\n>\n> KTP-el Ibu sudah dicetak.\n")
    raw = mail(f"""From: Nur Aini <nur.aini@mac.contoh.com>
Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Re: [ADU-2026-000052] KTP-el belum jadi
Message-Id: <A0B1C2D3-E4F5-0617-2839-4A5B6C7D8E9F@mac.contoh.com>
In-Reply-To: <aduan.ADU-2026-000052.9@dukcapil.brebeskab.go.id>
References: <nur-0052-root@mac.contoh.com> <aduan.ADU-2026-000052.9@dukcapil.brebeskab.go.id>
Date: Thu, 26 Nov 2026 15:00:00 +0700
To: Layanan Pengaduan <{OFFICE}>

{qp(body)}
""")
    return raw, expect("Re: [ADU-2026-000052] KTP-el belum jadi", "nur.aini@mac.contoh.com", "Nur Aini",
                       ["KTP sudah saya ambil hari ini."], body_absent=["sudah dicetak"])


@case("apple_mail_smime_signed", "apple")
def _():
    raw = mail(f"""From: Drs. Slamet Riyadi <slamet.riyadi@kecamatan.contoh.go.id>
Content-Type: multipart/signed; boundary="Apple-Mail=_SIG-0A0B0C0D"; protocol="application/pkcs7-signature";
 micalg=sha-256
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Rekap permohonan akta kecamatan
Message-Id: <SIG-0A0B0C0D@kecamatan.contoh.go.id>
Date: Thu, 26 Nov 2026 09:09:09 +0700
To: {OFFICE}

--Apple-Mail=_SIG-0A0B0C0D
Content-Transfer-Encoding: 7bit
Content-Type: text/plain; charset=us-ascii

Terlampir rekap 14 permohonan akta dari kecamatan.

--Apple-Mail=_SIG-0A0B0C0D
Content-Disposition: attachment; filename=smime.p7s
Content-Type: application/pkcs7-signature; name=smime.p7s
Content-Transfer-Encoding: base64

{b64(SIGNATURE)}
--Apple-Mail=_SIG-0A0B0C0D--
""")
    return raw, expect("Rekap permohonan akta kecamatan", "slamet.riyadi@kecamatan.contoh.go.id",
                       "Drs. Slamet Riyadi", ["rekap 14 permohonan"], signatures=["smime.p7s"])


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


ODT = b"PK\x03\x04" + b"mimetypeapplication/vnd.oasis.opendocument.text" + bytes(30)


@case("thunderbird_flowed_odt", "thunderbird")
def _():
    raw = mail(f"""Message-ID: <8e1c2f3a-4b5d-6e7f-8091-a2b3c4d5e6f7@contoh.web.id>
Date: Thu, 26 Nov 2026 13:13:13 +0700
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: id
To: {OFFICE}
From: Teguh Prasetyo <teguh@contoh.web.id>
Subject: Surat kuasa pengambilan KTP
Content-Type: multipart/mixed; boundary="------------0aB1cD2eF3gH4iJ5kL6mN7oP"

This is a multi-part message in MIME format.
--------------0aB1cD2eF3gH4iJ5kL6mN7oP
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Saya kuasakan pengambilan KTP kepada adik saya, surat kuasa 
terlampir.

--------------0aB1cD2eF3gH4iJ5kL6mN7oP
Content-Type: application/vnd.oasis.opendocument.text; name="surat kuasa.odt"
Content-Disposition: attachment; filename="surat kuasa.odt"
Content-Transfer-Encoding: base64

{b64(ODT)}

--------------0aB1cD2eF3gH4iJ5kL6mN7oP--
""")
    return raw, expect("Surat kuasa pengambilan KTP", "teguh@contoh.web.id", "Teguh Prasetyo",
                       ["Saya kuasakan pengambilan KTP"], attachments=["surat kuasa.odt"])


@case("thunderbird_pgp_signed", "thunderbird")
def _():
    raw = mail(f"""Message-ID: <pgp-5a6b7c8d@contoh.org>
Date: Thu, 26 Nov 2026 14:14:14 +0700
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
From: Rudi Hermawan <rudi@contoh.org>
To: {OFFICE}
Subject: Data ganda di SIAK
Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature";
 boundary="------------sig0123456789"

This is an OpenPGP/MIME signed message (RFC 4880 and 3156)
--------------sig0123456789
Content-Type: multipart/mixed; boundary="------------mix0123456789"

--------------mix0123456789
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Nama saya tercatat dua kali di KK yang berbeda.

--------------mix0123456789--

--------------sig0123456789
Content-Type: application/pgp-signature; name="OpenPGP_signature.asc"
Content-Description: OpenPGP digital signature
Content-Disposition: attachment; filename="OpenPGP_signature.asc"

-----BEGIN PGP SIGNATURE-----

wnsEARYIACMWIQTfakefakefakefakefakefakefakeFAmdFm0YFAwAAAAAACgkQ
=abcd
-----END PGP SIGNATURE-----

--------------sig0123456789--
""")
    return raw, expect("Data ganda di SIAK", "rudi@contoh.org", "Rudi Hermawan", ["tercatat dua kali"],
                       signatures=["OpenPGP_signature.asc"])


@case("thunderbird_quoted_reply", "thunderbird")
def _():
    raw = mail(f"""Message-ID: <tb-reply-0071@contoh.web.id>
Date: Fri, 27 Nov 2026 08:08:08 +0700
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: [ADU-2026-000071] Akta perkawinan
To: Layanan Pengaduan <{OFFICE}>
References: <tb-root-0071@contoh.web.id>
 <aduan.ADU-2026-000071.3@dukcapil.brebeskab.go.id>
In-Reply-To: <aduan.ADU-2026-000071.3@dukcapil.brebeskab.go.id>
From: Lina Marlina <lina@contoh.web.id>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Baik, dokumen akan saya lengkapi minggu depan.

On 26/11/2026 10.00, Layanan Pengaduan wrote:
> Mohon melengkapi buku nikah.
""")
    return raw, expect("Re: [ADU-2026-000071] Akta perkawinan", "lina@contoh.web.id", "Lina Marlina",
                       ["akan saya lengkapi minggu depan."], body_absent=["buku nikah"])


@case("thunderbird_raw_utf8_subject_and_filename", "thunderbird")
def _():
    name = "Pengantar Kelurahan Pasarbatang \u2013 Revisi.pdf"
    raw = mail(f"""Message-ID: <tb-raw8bit-0090@contoh.web.id>
Date: Fri, 27 Nov 2026 09:09:09 +0700
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
From: Sugeng Riyanto <sugeng@contoh.web.id>
To: {OFFICE}
Subject: Permohonan KK \u2013 Sugeng Riyanto
Content-Type: multipart/mixed; boundary="------------raw8bit0090"

--------------raw8bit0090
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Surat pengantar kelurahan saya lampirkan \u2013 sudah direvisi.

--------------raw8bit0090
Content-Type: application/pdf; name="{name}"
Content-Disposition: attachment; filename="{name}"
Content-Transfer-Encoding: base64

{b64(PDF)}
--------------raw8bit0090--
""", "utf-8")
    return raw, expect("Permohonan KK \u2013 Sugeng Riyanto", "sugeng@contoh.web.id", "Sugeng Riyanto",
                       ["lampirkan \u2013 sudah direvisi."], attachments=[name])



TNEF = b"\x78\x9f\x3e\x22" + bytes(40)  # the TNEF signature, then nothing a reader needs


@case("outlook_tnef_winmail", "outlook")
def _():
    raw = mail(f"""From: Camat Wanasari <camat.wanasari@kec.contoh.go.id>
To: {OFFICE}
Subject: Undangan rapat pelayanan adminduk
Date: Fri, 27 Nov 2026 08:00:00 +0700
Message-ID: <000001db4001$aa11bb22$cc33dd44$@kec.contoh.go.id>
X-Mailer: Microsoft Outlook 14.0
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_NextPart_000_0001_01DB4001.AA11BB22"

This is a multipart message in MIME format.

------=_NextPart_000_0001_01DB4001.AA11BB22
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

Mohon kehadiran petugas Dindukcapil pada rapat Senin depan.

------=_NextPart_000_0001_01DB4001.AA11BB22
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="winmail.dat"

{b64(TNEF)}

------=_NextPart_000_0001_01DB4001.AA11BB22--
""")
    return raw, expect("Undangan rapat pelayanan adminduk", "camat.wanasari@kec.contoh.go.id", "Camat Wanasari",
                       ["Mohon kehadiran petugas"], attachments=["winmail.dat"])


@case("apple_forward_named_eml", "apple")
def _():
    inner = mail("""From: Warsito <warsito@contoh.id>
To: Kepala Dusun <kadus@contoh.id>
Subject: KK saya salah alamat
Date: Thu, 26 Nov 2026 19:00:00 +0700
Message-Id: <warsito-kk-31@contoh.id>
Content-Type: text/plain; charset=utf-8

Alamat di KK saya masih alamat lama.
""")
    raw = mail(f"""From: Kepala Dusun <kadus@contoh.id>
Content-Type: multipart/mixed; boundary="Apple-Mail=_FWD-42"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Fwd: KK saya salah alamat
Message-Id: <FWD-42@contoh.id>
Date: Fri, 27 Nov 2026 07:00:00 +0700
To: {OFFICE}

--Apple-Mail=_FWD-42
Content-Transfer-Encoding: 7bit
Content-Type: text/plain; charset=us-ascii

Mohon dibantu warga saya.

--Apple-Mail=_FWD-42
Content-Disposition: attachment; filename="Pengaduan Warsito.eml"
Content-Type: message/rfc822; name="Pengaduan Warsito.eml"

""") + inner + mail("""
--Apple-Mail=_FWD-42--
""")
    return raw, expect("Fwd: KK saya salah alamat", "kadus@contoh.id", "Kepala Dusun", ["Mohon dibantu warga saya."],
                       attachments=["Pengaduan Warsito.eml"], verbatim=True)
