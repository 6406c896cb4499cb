"""Mail in CJK, Cyrillic, Thai and Hebrew charsets (often labelled narrower than what they carry),
and mail whose headers are broken the ways real senders break them."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, b64, case, expect, mail, qp, word


def _single(sender: str, subject_header: str, message_id: str, charset_label: str, body: bytes,
            encoding: str = "base64", date: str = "Mon, 23 Nov 2026 10:00:00 +0800", extra: str = "") -> bytes:
    """A one-part mail: headers written here, the body already encoded by the caller's charset."""
    payload = b64(body) if encoding == "base64" else body.decode("ascii")
    return mail(f"""From: {sender}
To: {OFFICE}
Subject: {subject_header}
Date: {date}
Message-ID: <{message_id}>
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="{charset_label}"
Content-Transfer-Encoding: {encoding}

{payload}
""")


@case("chinese_gb2312_label_gbk_chars", "charset")
def _():
    body = "您好，我叫王喆，住在布勒贝斯。我的身份证丢了，请问怎么补办？谢谢！\n"
    raw = _single(f"{word('王喆', 'gb2312', codec='gbk')} <wang.zhe@contoh.cn>",
                  word("补办身份证 王喆", "gb2312", codec="gbk"), "20261123100000.1a2b3c@contoh.cn", "gb2312",
                  body.encode("gbk"), extra="X-Mailer: Foxmail 7.2.25.228[cn]\n")
    return raw, expect("补办身份证 王喆", "wang.zhe@contoh.cn", "王喆", ["我叫王喆，住在布勒贝斯", "怎么补办"])


@case("chinese_big5", "charset")
def _():
    body = "您好，我想詢問外籍配偶的居留證明需要哪些文件。\n"
    raw = _single(f"{word('陳大同', 'big5')} <chen.dl@contoh.tw>", word("居留證明詢問", "big5"),
                  "big5-0001@contoh.tw", "big5", body.encode("big5"))
    return raw, expect("居留證明詢問", "chen.dl@contoh.tw", "陳大同", ["外籍配偶的居留證明"])


@case("japanese_iso2022jp", "charset")
def _():
    body = "はじめまして。住民票の写しについて質問があります。\n"
    raw = _single(f"{word('山田太郎', 'iso-2022-jp', codec='iso2022_jp')} <yamada@contoh.jp>",
                  word("住民票について", "ISO-2022-JP", codec="iso2022_jp"), "jp-0001@contoh.jp", "ISO-2022-JP",
                  body.encode("iso2022_jp"), encoding="7bit", date="Tue, 24 Nov 2026 09:00:00 +0900")
    return raw, expect("住民票について", "yamada@contoh.jp", "山田太郎", ["住民票の写しについて質問"])


@case("japanese_shift_jis_nec_specials", "charset")
def _():
    body = "①番の書類と㈱髙橋商事の在籍証明を送ります。\n"
    raw = _single("suzuki@contoh.co.jp (Suzuki Ichiro)", word("在籍証明①", "Shift_JIS", codec="cp932"),
                  "sjis-0001@contoh.co.jp", "Shift_JIS", body.encode("cp932"), date="Tue, 24 Nov 2026 11:00:00 +0900")
    return raw, expect("在籍証明①", "suzuki@contoh.co.jp", "Suzuki Ichiro", ["①番の書類と㈱髙橋商事"])


@case("korean_euc_kr_label_cp949_chars", "charset")
def _():
    body = "안녕하세요, 똘이 엄마입니다. 외국인 등록 문의드립니다.\n"
    raw = _single(f"{word('박영희', 'euc-kr')} <park.yh@contoh.kr>", word("외국인 등록 문의", "euc-kr"),
                  "kr-0002@contoh.kr", "euc-kr", body.encode("cp949"), date="Wed, 25 Nov 2026 10:00:00 +0900")
    return raw, expect("외국인 등록 문의", "park.yh@contoh.kr", "박영희", ["똘이 엄마입니다"])


def _koi8(body: str) -> bytes:
    head = mail(f"""From: {word('Иван Петров', 'koi8-r')} <ivan.petrov@contoh.ru>
To: {OFFICE}
Subject: {word("Справка о регистрации", "koi8-r")}
Date: Wed, 25 Nov 2026 08:00:00 +0300
Message-ID: <koi8-0001@contoh.ru>
X-Mailer: Mail.Ru Mailer 1.0
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit

""")
    return head + body.replace("\n", "\r\n").encode("koi8_r")


@case("russian_koi8_r", "charset")
def _():
    body = "Здравствуйте! Я гражданин России, живу в Бребесе. Как получить справку о регистрации?\n"
    raw = _koi8(body)
    return raw, expect("Справка о регистрации", "ivan.petrov@contoh.ru", "Иван Петров",
                       ["живу в Бребесе", "справку о регистрации?"])


@case("russian_windows_1251_qp", "charset")
def _():
    body = "Добрый день. Прошу исправить ошибку в фамилии: Смирнова, а не Смирнава.\n"
    raw = mail(f"""From: "{word('Ольга Смирнова', 'windows-1251', 'Q')}" <olga.smirnova@contoh.ru>
To: {OFFICE}
Subject: {word("Ошибка в фамилии", "windows-1251")}
Date: Wed, 25 Nov 2026 09:30:00 +0300
Message-ID: <cp1251-0001@contoh.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: quoted-printable

{qp(body, "cp1251")}
""")
    return raw, expect("Ошибка в фамилии", "olga.smirnova@contoh.ru", "Ольга Смирнова",
                       ["Смирнова, а не Смирнава."])


@case("thai_windows_874", "charset")
def _():
    body = "สวัสดีครับ ผมต้องการสอบถามเรื่องการแจ้งเกิดบุตรที่เกิดในอินโดนีเซีย\n"
    raw = _single(f"{word('สมชาย', 'windows-874', codec='cp874')} <somchai@contoh.co.th>",
                  word("สอบถามการแจ้งเกิด", "windows-874", codec="cp874"), "th-0001@contoh.co.th", "windows-874",
                  body.encode("cp874"), date="Thu, 26 Nov 2026 10:00:00 +0700")
    return raw, expect("สอบถามการแจ้งเกิด", "somchai@contoh.co.th", "สมชาย", ["การแจ้งเกิดบุตร"])


@case("thai_tis_620", "charset")
def _():
    body = "เรียนเจ้าหน้าที่ ขอสำเนาทะเบียนบ้านค่ะ\n"
    raw = _single("malee@contoh.co.th", word("ขอสำเนาทะเบียนบ้าน", "TIS-620", codec="tis_620"),
                  "th-0002@contoh.co.th", "TIS-620", body.encode("tis_620"), date="Thu, 26 Nov 2026 11:00:00 +0700")
    return raw, expect("ขอสำเนาทะเบียนบ้าน", "malee@contoh.co.th", "", ["ขอสำเนาทะเบียนบ้านค่ะ"])


@case("hebrew_iso_8859_8_i", "charset")
def _():
    body = "שלום, אני רוצה לשאול על אישור תושבות עבור בן זוגי.\n"
    raw = _single(f"{word('דוד כהן', 'iso-8859-8-i', codec='iso8859_8')} <david.cohen@contoh.co.il>",
                  word("אישור תושבות", "iso-8859-8-i", codec="iso8859_8"), "he-0001@contoh.co.il", "iso-8859-8-i",
                  body.encode("iso8859_8"), date="Thu, 26 Nov 2026 09:00:00 +0200")
    return raw, expect("אישור תושבות", "david.cohen@contoh.co.il", "דוד כהן", ["אישור תושבות עבור בן זוגי"])


@case("utf8_label_gb2312_inside", "charset")
def _():
    body = ("尊敬的工作人员：您好！我是在布勒贝斯工作的中国员工，需要办理临时居住证明，请告诉我需要准备哪些材料。"
            "非常感谢您的帮助！\n")
    raw = _single("Li Ming <li.ming@contoh.cn>", "Residence permit", "mislabel-0001@contoh.cn", "utf-8",
                  body.encode("gb2312"))
    return raw, expect("Residence permit", "li.ming@contoh.cn", "Li Ming", ["需要办理临时居住证明"],
                       flags=["charset_mismatch"])


@case("broken_unindented_continuation", "broken")
def _():
    raw = mail(f"""Message-ID: <broken-cont-0001@contoh.id>
Date: Mon, 23 Nov 2026 10:00:00 +0700
Subject: Permohonan surat keterangan
untuk keperluan melamar kerja
From: Wahyu Nugroho <wahyu.n@contoh.id>
To: {OFFICE}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Saya butuh surat keterangan domisili untuk melamar kerja.
""")
    return raw, expect("Permohonan surat keterangan untuk keperluan melamar kerja", "wahyu.n@contoh.id",
                       "Wahyu Nugroho", ["surat keterangan domisili"], flags=["header_repaired"])


@case("broken_starts_with_divider", "broken")
def _():
    raw = mail(f"""---- Original email message ----
From: Sri Mulyani <sri.mulyani@contoh.id>
To: {OFFICE}
Subject: KTP ganda
Date: Mon, 23 Nov 2026 11:00:00 +0700
Message-ID: <divider-0001@contoh.id>
Content-Type: text/plain; charset=utf-8

NIK saya muncul di dua KTP berbeda.
""")
    return raw, expect("KTP ganda", "sri.mulyani@contoh.id", "Sri Mulyani", ["muncul di dua KTP berbeda."],
                       flags=["header_repaired"])


@case("broken_empty_angle_then_real", "broken")
def _():
    raw = mail(f"""From: "{word("…")}" <>, "Toko Sumber Rejeki" <admin@sumberrejeki.contoh.id>
To: {OFFICE}
Subject: Data pemilik usaha
Date: Mon, 23 Nov 2026 12:00:00 +0700
Message-ID: <emptyangle-0001@sumberrejeki.contoh.id>
Content-Type: text/plain; charset=utf-8

Mohon verifikasi NIK pemilik usaha kami.
""")
    return raw, expect("Data pemilik usaha", "admin@sumberrejeki.contoh.id", "Toko Sumber Rejeki",
                       ["verifikasi NIK pemilik usaha"])


@case("broken_two_from_headers", "broken")
def _():
    raw = mail(f"""From: undisclosed-recipients:;
From: Paijo Sentosa <paijo.sentosa@contoh.id>
To: {OFFICE}
Subject: Dua kepala keluarga
Date: Mon, 23 Nov 2026 13:00:00 +0700
Message-ID: <twofrom-0001@contoh.id>
Content-Type: text/plain; charset=utf-8

Di KK kami tercatat dua kepala keluarga.
""")
    return raw, expect("Dua kepala keluarga", "paijo.sentosa@contoh.id", "Paijo Sentosa", ["dua kepala keluarga."])


@case("broken_unbalanced_angle", "broken")
def _():
    raw = mail(f"""From: Budi Raharjo <budi.raharjo@contoh.id
To: {OFFICE}
Subject: Akta hilang
Date: Mon, 23 Nov 2026 14:00:00 +0700
Message-ID: <unbalanced-0001@contoh.id>

Akta kelahiran saya hilang saat pindahan.
""")
    return raw, expect("Akta hilang", "budi.raharjo@contoh.id", "Budi Raharjo", ["hilang saat pindahan."])


@case("no_from_sender_header", "broken")
def _():
    raw = mail(f"""Sender: Admin Kelurahan Gandasuli <admin@kel-gandasuli.contoh.go.id>
To: {OFFICE}
Subject: Daftar warga pindah datang
Date: Mon, 23 Nov 2026 15:00:00 +0700
Message-ID: <nofrom-sender-0001@kel-gandasuli.contoh.go.id>

Lima warga pindah datang bulan ini belum terdata.
""")
    return raw, expect("Daftar warga pindah datang", "admin@kel-gandasuli.contoh.go.id",
                       "Admin Kelurahan Gandasuli", ["belum terdata."], address_source="Sender",
                       flags=["sender_from_sender"])


@case("no_from_reply_to_only", "broken")
def _():
    raw = mail(f"""Reply-To: Tuti Alawiyah <tuti.a@contoh.id>
To: {OFFICE}
Subject: Ganti foto KTP
Date: Mon, 23 Nov 2026 15:30:00 +0700
Message-ID: <nofrom-replyto-0001@contoh.id>

Bisakah foto KTP saya diganti? Foto lama sudah 10 tahun.
""")
    return raw, expect("Ganti foto KTP", "tuti.a@contoh.id", "Tuti Alawiyah", ["Foto lama sudah 10 tahun."],
                       address_source="Reply-To")


@case("no_from_return_path_only", "broken")
def _():
    raw = mail(f"""Return-Path: <karyo.mulyono@contoh.id>
To: {OFFICE}
Subject: Status permohonan
Date: Mon, 23 Nov 2026 16:00:00 +0700
Message-ID: <nofrom-returnpath-0001@contoh.id>

Bagaimana status permohonan akta saya?
""")
    return raw, expect("Status permohonan", "karyo.mulyono@contoh.id", "", ["status permohonan akta saya?"],
                       address_source="Return-Path")


@case("no_address_anywhere", "broken")
def _():
    raw = mail(f"""From: Warga Desa Klampis
To: {OFFICE}
Subject: Tolong dibalas lewat telepon
Date: Mon, 23 Nov 2026 16:30:00 +0700
Message-ID: <noaddress-0001@warnet.contoh.id>

Saya tidak punya email sendiri, ini dari warnet. Hubungi saya di balai desa.
""")
    return raw, expect("Tolong dibalas lewat telepon", None, "", ["dari warnet"], flags=["no_reply_address"])


@case("broken_no_blank_line_before_body", "broken")
def _():
    raw = mail(f"""From: Eko Saputra <eko.saputra@contoh.id>
To: {OFFICE}
Subject: Jam layanan
Message-ID: <noblank-0001@contoh.id>
Date: Mon, 23 Nov 2026 17:00:00 +0700
Jam berapa kantor buka hari Sabtu?
Terima kasih.
""")
    return raw, expect("Jam layanan", "eko.saputra@contoh.id", "Eko Saputra",
                       ["Jam berapa kantor buka hari Sabtu?"], flags=["header_repaired"])


@case("raw_8bit_name_utf8", "broken")
def _():
    raw = mail(f"""From: Séno Wibisono <seno.w@contoh.id>
To: {OFFICE}
Subject: Perubahan status perkawinan — Séno
Date: Mon, 23 Nov 2026 17:30:00 +0700
Message-ID: <raw8bit-0001@contoh.id>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Mohon status saya diubah menjadi kawin.
""", "utf-8")
    return raw, expect("Perubahan status perkawinan — Séno", "seno.w@contoh.id", "Séno Wibisono",
                       ["diubah menjadi kawin."])


@case("raw_8bit_latin1_subject", "broken")
def _():
    raw = mail(f"""From: Rene Bayu <rene.bayu@contoh.id>
To: {OFFICE}
Subject: Pengajuan caf\u00e9 \u2013 izin usaha Ren\u00e9
Date: Mon, 23 Nov 2026 18:00:00 +0700
Message-ID: <raw8bit-latin-0001@contoh.id>
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

Nama saya Ren\u00e9, mohon data usaha dicek.
""", "cp1252")
    return raw, expect("Pengajuan caf\u00e9 \u2013 izin usaha Ren\u00e9", "rene.bayu@contoh.id", "Rene Bayu",
                       ["Nama saya Ren\u00e9"])


@case("lf_only_line_ends", "broken")
def _():
    raw = (f"From: Sarmin <sarmin@contoh.id>\nTo: {OFFICE}\nSubject: Kartu rusak\n"
           "Date: Mon, 23 Nov 2026 18:30:00 +0700\nMessage-ID: <lfonly-0001@contoh.id>\n"
           "Content-Type: text/plain; charset=utf-8\n\nKTP saya terkena air dan tulisannya pudar.\n").encode()
    return raw, expect("Kartu rusak", "sarmin@contoh.id", "Sarmin", ["tulisannya pudar."])


@case("encoded_name_with_comma", "broken")
def _():
    raw = mail(f"""From: {word("Hj. Siti Aminah, S.Pd.")} <siti.aminah@sekolah.contoh.sch.id>
To: {OFFICE}
Subject: Data siswa tanpa NIK
Date: Tue, 24 Nov 2026 08:00:00 +0700
Message-ID: <comma-name-0001@sekolah.contoh.sch.id>
Content-Type: text/plain; charset=utf-8

Ada 12 siswa kami yang belum memiliki NIK.
""")
    return raw, expect("Data siswa tanpa NIK", "siti.aminah@sekolah.contoh.sch.id", "Hj. Siti Aminah, S.Pd.",
                       ["12 siswa kami"])


@case("no_message_id_no_date", "broken")
def _():
    raw = mail(f"""From: Darsem <darsem@contoh.id>
To: {OFFICE}
Subject: Tanpa tanggal

Saya mau tanya soal KK.
""")
    return raw, expect("Tanpa tanggal", "darsem@contoh.id", "Darsem", ["soal KK."], flags=["date_missing"])
