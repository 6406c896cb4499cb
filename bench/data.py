"""Deterministic, realistic benchmark data: Indonesian citizen messages across channels."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from collectors.base import InboundMessage

OPENINGS = ["min", "kak", "pak", "bu", "mimin", "punten", "nyuwun sewu", "assalamualaikum"]
TOPICS = [
    "ktp sy udh rekam dr bln lalu tp blm jadi2", "mau tanya syarat pecah kk", "akta kelahiran anak blm jadi",
    "NIK saya tidak ditemukan di bpjs", "aktivasi IKD gagal terus", "surat pindah domisili kapan jadi",
    "akte kematian alm bapak syaratnya apa", "aplikasi online error gagal upload", "antrian di loket lama banget",
    "data di kk salah nama", "kia anak saya sudah jadi belum", "kepriwe carane ngurus ktp ilang",
    "kumaha carana ngadamel akta", "blangko ktp habis ya min",
]
CLOSINGS = ["gmn ya?", "mohon infonya", "terima kasih", "tolong dibantu", "?", "mksh min"]
CHANNELS = [("x-dindukcapil", 0.2), ("fb-dindukcapil", 0.25), ("ig-dindukcapil", 0.3), ("tg-dindukcapil", 0.1),
            ("email-pengaduan", 0.15)]


def messages(count: int, seed: int = 7, start: datetime | None = None) -> dict[str, list[InboundMessage]]:
    """`count` messages grouped by channel; about 4 messages per thread, 5 per author."""
    rng = random.Random(seed)
    start = start or datetime(2026, 10, 1, tzinfo=UTC)
    names, weights = zip(*CHANNELS, strict=True)
    threads = max(count // 4, 1)
    grouped: dict[str, list[InboundMessage]] = {name: [] for name in names}
    thread_channels = rng.choices(names, weights, k=threads)
    for i in range(count):
        thread = rng.randrange(threads)
        channel = thread_channels[thread]
        author = thread % max(count // 5, 1)
        text = f"{rng.choice(OPENINGS)}, {rng.choice(TOPICS)} {rng.choice(CLOSINGS)}"
        grouped[channel].append(InboundMessage(
            channel=channel, external_id=f"{channel}:{i}", thread_key=f"thr-{thread}", text=text,
            sent_at=start + timedelta(seconds=i * 7), author_id=f"user{author}", author_handle=f"@warga{author}",
            author_name=f"Warga {author}", is_private=rng.random() < 0.5,
        ))
    return grouped
