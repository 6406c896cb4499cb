"""Mail as Apple Mail and the iPhone write it: Apple-Mail boundaries, sibling text and file parts, S/MIME."""

from __future__ import annotations

from tests.data.mail.gen.common import JPEG, OFFICE, PDF, SIGNATURE, b64, case, expect, mail, qp


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
