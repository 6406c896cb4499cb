"""Mail as Thunderbird writes it: format=flowed, OpenPGP/MIME, raw 8-bit UTF-8 headers."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, PDF, b64, case, expect, mail

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
