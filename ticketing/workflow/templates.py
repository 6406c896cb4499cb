"""Canned replies: built-in Indonesian defaults, overridden or extended by `templates:` in config.

A template is plain text with `{placeholder}` fields filled from the ticket. The set of
placeholders is closed: a typo such as `{nma}` is refused with the list of known names before
anything reaches a citizen, instead of being sent literally or raising a KeyError.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ticketing.errors import Refused

BIDANG_NAMES = {
    "DAFDUK": "Bidang Pelayanan Pendaftaran Penduduk",
    "CAPIL": "Bidang Pelayanan Pencatatan Sipil",
    "PIAK": "Bidang Pengelolaan Informasi Administrasi Kependudukan",
    "PDIP": "Bidang Pemanfaatan Data dan Inovasi Pelayanan",
    "SEKRETARIAT": "Sekretariat",
}

PLACEHOLDERS: dict[str, str] = {
    "nama": "nama pelapor (atau 'Bapak/Ibu')",
    "ref": "nomor tiket, mis. ADU-2026-000123",
    "bidang": "nama bidang yang menangani",
    "batas_waktu": "batas waktu jawaban, mis. 17 Mar 2026 16.00 WIB",
    "kanal": "kanal pengaduan",
    "kantor": "nama singkat kantor",
    "alamat": "alamat kantor",
}

DEFAULT_TEMPLATES: dict[str, str] = {
    "ktp-belum-cetak": (
        "Halo {nama}, terima kasih sudah menghubungi {kantor}. Untuk KTP-el yang sudah direkam tetapi "
        "belum tercetak, mohon kirim nama lengkap dan kecamatan melalui pesan langsung (DM), tanpa "
        "mencantumkan NIK di kolom komentar. Kami cek status pencetakannya dan kabari paling lambat "
        "{batas_waktu}. Nomor tiket Anda: {ref}."
    ),
    "ubah-kk": (
        "Halo {nama}, untuk perubahan data Kartu Keluarga (tambah/kurang anggota, perbaikan nama atau "
        "biodata) silakan siapkan KK asli, dokumen pendukung perubahan (mis. akta kelahiran, buku nikah, "
        "ijazah) dan formulir F-1.06, lalu ajukan di loket {kantor} ({alamat}) atau layanan daring kami. "
        "Nomor tiket: {ref}."
    ),
    "syarat-akta-lahir": (
        "Halo {nama}, syarat akta kelahiran: surat keterangan lahir dari bidan/rumah sakit/desa, KK "
        "orang tua, KTP-el orang tua, buku nikah/akta perkawinan (bila ada) atau SPTJM, dan formulir "
        "F-2.01. Pertanyaan Anda kami teruskan ke {bidang}. Nomor tiket: {ref}."
    ),
    "pindah-ke-dm": (
        "Mohon maaf {nama}, demi keamanan data pribadi, jangan cantumkan NIK/No. KK atau foto dokumen di "
        "kolom komentar. Silakan kirim pesan langsung (DM) ke akun resmi {kantor}. Terima kasih. ({ref})"
    ),
    "bukan-kewenangan": (
        "Halo {nama}, terima kasih atas pesannya. Urusan buku nikah dan pencatatan perkawinan bagi "
        "yang beragama Islam ditangani Kantor Urusan Agama (KUA) kecamatan, dan akta cerai bagi yang "
        "beragama Islam oleh Pengadilan Agama. Setelah dokumen dari KUA/Pengadilan Agama terbit, "
        "perubahan status di KK dan KTP-el dapat diajukan ke {kantor}. Nomor tiket: {ref}."
    ),
    "terima-kasih": (
        "Terima kasih {nama} atas apresiasinya. Kami terus berupaya meningkatkan pelayanan {kantor}. ({ref})"
    ),
}


@dataclass(frozen=True)
class TemplateContext:
    nama: str
    ref: str
    bidang: str
    batas_waktu: str
    kanal: str
    kantor: str
    alamat: str


def all_templates(configured: Mapping[str, str] | None) -> dict[str, str]:
    """Built-ins first, then the office's own; a configured name replaces the built-in one."""
    merged = dict(DEFAULT_TEMPLATES)
    merged.update(configured or {})
    return merged


def fields_of(text: str) -> list[str]:
    """The placeholder names a template uses; raises on a malformed `{`."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise Refused(f"templat rusak ({exc}); tulis {{{{ dan }}}} untuk kurung kurawal biasa") from None
    return [field for _, field, _, _ in parsed if field is not None]


def check_template(name: str, text: str) -> None:
    """Refuse unknown, positional or attribute placeholders, naming the ones that exist."""
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for field in fields_of(text):
        if field not in PLACEHOLDERS:
            raise Refused(f"templat {name!r}: placeholder {{{field}}} tidak dikenal; yang tersedia: {known}")


def require_template(name: str, templates: Mapping[str, str]) -> str:
    """The text of template `name`; an unknown name is refused with the list of known ones."""
    if name not in templates:
        raise Refused(f"templat {name!r} tidak ada; lihat daftar dengan `aduan templates` "
                      f"(tersedia: {', '.join(sorted(templates))})")
    return templates[name]


def render_template(name: str, templates: Mapping[str, str], context: TemplateContext) -> str:
    text = require_template(name, templates)
    check_template(name, text)
    return text.format(**context.__dict__)


def promised_date(calendar, due_at: datetime | None, now: datetime) -> datetime | None:
    """The date a reply may promise: the deadline, but never one already passed (an overdue
    ticket promises the closing time of the next working day, never yesterday)."""
    if due_at is not None and due_at > now:
        return due_at
    return calendar.closing_time(calendar.next_working_day(calendar.local_date(now)))


def bidang_name(code: str | None) -> str:
    if not code:
        return "bidang terkait"
    return BIDANG_NAMES.get(code.upper(), code)
