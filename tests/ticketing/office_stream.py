"""A simulated month of one office's traffic for the learning-curve test (issue 19).

Real offices name things the built-in examples never saw: their own online service, their own
Saturday counter, the words their district uses. This stream mixes messages any Dukcapil gets
with messages in this (invented) office's own vocabulary, each with the labels an admin would
give it. Seeded: the same 500 messages every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

OPENERS = ["", "min, ", "punten, ", "assalamualaikum, ", "selamat pagi, ", "kak, ", "maaf mau tanya, ", "pak, "]
CLOSERS = ["", " terima kasih", " mohon dibantu", " 🙏", " makasih min", " nuwun"]

# (kind, category, bidang, templates): the office's own names, unknown to the built-in data
LOCAL = [
    ("pengaduan", "layanan-online", "PDIP", [
        "akun si bening saya tidak bisa dipakai sejak kemarin",
        "si bening kok muter terus pas kirim berkas",
        "pengajuan lewat si bening sudah seminggu belum diverifikasi",
        "si bening minta kode tapi kodenya tidak pernah datang",
    ]),
    ("pertanyaan", "layanan-online", "PDIP", [
        "si bening itu bisa buat ngurus apa saja?",
        "cara daftar di si bening bagaimana?",
        "si bening bisa dibuka di laptop atau cuma hp?",
    ]),
    ("pertanyaan", "antrean", "SEKRETARIAT", [
        "sabtu ceria minggu ini buka tidak?",
        "sabtu ceria mulai jam berapa?",
        "kalau ikut sabtu ceria harus ambil nomor dulu?",
    ]),
    ("pengaduan", "antrean", "SEKRETARIAT", [
        "sabtu ceria penuh terus, jam tujuh sudah habis",
        "datang ke sabtu ceria disuruh pulang karena petugasnya cuma satu",
    ]),
    ("pertanyaan", "kia", "DAFDUK", [
        "gebyar posyandu bulan ini di desa mana saja?",
        "anak saya belum ikut gebyar posyandu, masih bisa susulan?",
    ]),
    ("pertanyaan", "ktp-el", "DAFDUK", [
        "kartu penduduk saya kapan bisa diambil di balai desa?",
        "kartu penduduk yang lama harus dikembalikan?",
        "kartu penduduk anak saya yang baru 17 tahun rekamnya di mana?",
    ]),
    ("pengaduan", "ktp-el", "DAFDUK", [
        "kartu penduduk saya belum dicetak juga padahal sudah lama",
        "kartu penduduk saya patah, minta diganti",
    ]),
]

# messages every Dukcapil gets, in words the built-in data knows
COMMON = [
    ("pertanyaan", "kk", "DAFDUK", ["syarat pecah kk apa saja?", "kartu keluarga saya hilang, cetak ulang gimana?"]),
    ("pertanyaan", "akta-kelahiran", "CAPIL", ["akta kelahiran bayi saya syaratnya apa?",
                                               "surat lahir dari bidan hilang, bisa buat akta?"]),
    ("pengaduan", "ktp-el", "DAFDUK", ["ktp saya sudah rekam tiga bulan belum jadi"]),
    ("pertanyaan", "akta-kematian", "CAPIL", ["bapak saya meninggal, akta kematian diurus di mana?"]),
    ("pengaduan", "nik-bermasalah", "PIAK", ["nik saya tidak terdaftar waktu daftar bpjs"]),
    ("pertanyaan", "pindah-datang", "DAFDUK", ["mau pindah ke semarang, surat pindah ngurusnya di mana?"]),
    ("apresiasi", None, None, ["terima kasih pelayanannya cepat sekali"]),
]


@dataclass(frozen=True)
class OfficeMessage:
    text: str
    kind: str
    category: str | None
    bidang: str | None


def office_stream(count: int = 500, seed: int = 500, local_share: float = 0.6) -> list[OfficeMessage]:
    rng = random.Random(seed)
    messages = []
    seen: set[str] = set()
    while len(messages) < count:
        kind, category, bidang, templates = rng.choice(LOCAL if rng.random() < local_share else COMMON)
        text = f"{rng.choice(OPENERS)}{rng.choice(templates)}{rng.choice(CLOSERS)} ({len(messages) + 1})"
        if text not in seen:
            seen.add(text)
            messages.append(OfficeMessage(text, kind, category, bidang))
    return messages
