"""Mail as Outlook and Exchange write it: Thread-Index, _000_ boundaries, QP cp1252, related logos, NDR-style auto replies."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, PDF, PNG, b64, case, expect, mail, qp, word


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
