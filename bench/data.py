"""Deterministic, realistic benchmark data: Indonesian citizen messages across channels.

Two shapes, both seeded:
* `messages(count)`: a stream of `InboundMessage`s as collectors hand them to ingest;
* `ticket_database(count)`: a migrated SQLite inbox with `count` tickets spread over three years
  (contacts, one citizen message per ticket plus the office's reply on handled ones, events,
  escalations, the search index; no ANALYZE, as the application never runs it), written with
  raw executemany and cached under ADUAN_BENCH_CACHE (default /tmp/aduan-bench-cache): a
  million tickets take minutes to build.
Text mixes Indonesian, chat spelling, Javanese (Brebes) and Sundanese (the southern hills),
village names and the odd NIK, in the proportions the office's inbox shows.
"""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ticketing.contract import InboundMessage

DATASET_VERSION = 2  # bump when the generator changes: cached files are keyed by it
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB, the day after the month recapped
MONTHS = 36  # history the large inbox spans, ending with November 2026
CHUNK = 50_000

OPENINGS = ["min", "kak", "pak", "bu", "mimin", "punten", "nyuwun sewu", "assalamualaikum", "selamat pagi",
            "permisi min", "halo dukcapil", "sore min"]
VILLAGES = ["Brebes", "Bulakamba", "Wanasari", "Tanjung", "Losari", "Kersana", "Ketanggungan", "Larangan",
            "Banjarharjo", "Songgom", "Jatibarang", "Tonjong", "Bumiayu", "Paguyangan", "Sirampog", "Salem",
            "Bantarkawung"]
NAMES = ["Siti Aminah", "Slamet Riyadi", "Dewi Lestari", "Agus Setiawan", "Nur Khasanah", "Tarsono", "Warsini",
         "Casmadi", "Rohmat Hidayat", "Eni Kuswati", "Dedi Supriadi", "Yuyun Wahyuni", "Kusnadi", "Sarinah"]
# (template, category, bidang): slots {village}, {name}, {nik}, {n}
TOPICS = [
    ("ktp sy udh rekam dr bln lalu tp blm jadi2", "ktp-el", "DAFDUK"),
    ("blangko ktp habis ya? di kec {village} katanya kosong", "ktp-el", "DAFDUK"),
    ("ktp-el atas nama {name} hilang, syarat buat baru apa aja", "ktp-el", "DAFDUK"),
    ("kepriwe carane ngurus ktp ilang, kula saking {village}", "ktp-el", "DAFDUK"),
    ("mau tanya syarat pecah kk", "kk", "DAFDUK"),
    ("data di kk salah nama, harusnya {name}", "kk", "DAFDUK"),
    ("kk baru sudah jadi belum, pengajuan tgl {n} kemarin", "kk", "DAFDUK"),
    ("kia anak saya sudah jadi belum", "kia", "DAFDUK"),
    ("aktivasi IKD gagal terus, kode otp tidak masuk", "ikd", "DAFDUK"),
    ("surat pindah domisili ke {village} kapan jadi", "pindah-datang", "DAFDUK"),
    ("akta kelahiran anak blm jadi, sdh {n} minggu", "akta-kelahiran", "CAPIL"),
    ("kumaha carana ngadamel akta kalahiran, abdi ti {village}", "akta-kelahiran", "CAPIL"),
    ("akte kematian alm bapak {name} syaratnya apa", "akta-kematian", "CAPIL"),
    ("pencatatan perkawinan non muslim di mana ya", "perkawinan", "CAPIL"),
    ("NIK {nik} tidak ditemukan di bpjs", "nik-bermasalah", "PIAK"),
    ("nik saya ganda, tidak bisa daftar sekolah anak", "nik-bermasalah", "PIAK"),
    ("aplikasi online error gagal upload berkas", "layanan-online", "PDIP"),
    ("website dukcapil brebes tidak bisa dibuka dari kemarin", "layanan-online", "PDIP"),
    ("antrian di loket lama banget, dari jam 8 blm dipanggil", "antrean", "SEKRETARIAT"),
    ("petugas di mpp {village} ramah, terima kasih pelayanannya", "antrean", "SEKRETARIAT"),
]
CLOSINGS = ["gmn ya?", "mohon infonya", "terima kasih", "tolong dibantu", "?", "mksh min", "nuwun", "hatur nuhun",
            "segera ya min", ""]
# (channel type, channel name, share of the inbox)
CHANNEL_MIX = [("whatsapp", "wa-dindukcapil", 0.4), ("instagram", "ig-dindukcapil", 0.25),
               ("facebook", "fb-dindukcapil", 0.15), ("x", "x-dindukcapil", 0.1),
               ("telegram", "tg-dindukcapil", 0.04), ("email", "email-pengaduan", 0.06)]
CHANNELS = [(name, share) for _type, name, share in CHANNEL_MIX]
KINDS = [("pertanyaan", 0.55), ("pengaduan", 0.3), ("saran", 0.07), ("apresiasi", 0.03), ("spam", 0.05)]
STATUSES = [("answered", 0.45), ("closed", 0.25), ("escalated", 0.08), ("followed_up", 0.04), ("new", 0.12),
            ("dismissed", 0.06)]
OFFICE_REPLY = "Terima kasih, sudah kami tindak lanjuti. Silakan cek kembali di kecamatan."


def citizen_text(rng: random.Random, topic: int | None = None) -> str:
    template, _category, _bidang = TOPICS[rng.randrange(len(TOPICS)) if topic is None else topic]
    body = template.format(village=rng.choice(VILLAGES), name=rng.choice(NAMES), n=rng.randrange(2, 28),
                           nik=f"3329{rng.randrange(10**11, 10**12)}")
    return f"{rng.choice(OPENINGS)}, {body} {rng.choice(CLOSINGS)}".strip()


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
        grouped[channel].append(InboundMessage(
            channel=channel, external_id=f"{channel}:{i}", thread_key=f"thr-{thread}", text=citizen_text(rng),
            sent_at=start + timedelta(seconds=i * 7), author_id=f"user{author}", author_handle=f"@warga{author}",
            author_name=f"Warga {author}", is_private=rng.random() < 0.5,
        ))
    return grouped


# --- the large inbox ------------------------------------------------------------------------------


def cache_dir() -> Path:
    path = Path(os.environ.get("ADUAN_BENCH_CACHE", "/tmp/aduan-bench-cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def ticket_database(count: int, seed: int = 7) -> Path:
    """The cached inbox of `count` tickets, generated on first use (atomically: a crash leaves no half file)."""
    path = cache_dir() / f"inbox-v{DATASET_VERSION}-{count}-{seed}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate_inbox(partial, count, seed)
        partial.rename(path)
    return path


def ts(value: datetime | None) -> str | None:
    """The text UTCDateTime stores on SQLite (naive UTC with microseconds)."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class _Due:
    """calendar.due_at cached per (local day, after closing): a few thousand calls for a million tickets."""

    def __init__(self, calendar):
        self.calendar, self.cache = calendar, {}

    def __call__(self, received: datetime) -> datetime:
        local = received.astimezone(self.calendar.tz)
        key = (local.date(), local.time() >= self.calendar.opening_hours(local.date())[1])
        if key not in self.cache:
            self.cache[key] = self.calendar.due_at(received)
        return self.cache[key]


def month_starts(last_year: int, last_month: int, months: int) -> list[tuple[int, int]]:
    result, year, month = [], last_year, last_month
    for _ in range(months):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def _status(rng: random.Random, recent: bool) -> str:
    """Recent months have every status; older ones are finished but for a stubborn few."""
    if recent or rng.random() < 0.005:
        return rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    return rng.choices(("answered", "closed", "dismissed"), (0.45, 0.48, 0.07))[0]


TICKET_SQL = ("INSERT INTO ticket (id, ref, channel, channel_type, thread_key, contact_id, is_public, kind, category, "
              "bidang, classification_locked, status, summary, tags, message_count, received_at, last_message_at, "
              "answered_at, closed_at, due_at, sla_state, flags, sla_paused_seconds) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, '', ?, ?, ?, ?, ?, ?, 'ok', '', 0)")
MESSAGE_SQL = ("INSERT INTO message (ticket_id, channel, external_id, thread_key, direction, author_id, author_handle, "
               "author_name, is_private, text, sent_at, flags, delivery_attempts, delivery_state, delivered_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?)")
EVENT_SQL = ("INSERT INTO event (ticket_id, at, actor, action, from_status, to_status, detail, prev_hash, hash) "
             "VALUES (?, ?, ?, ?, ?, ?, '', '', '')")
ESCALATION_SQL = ("INSERT INTO escalation (ticket_id, bidang, note, escalated_by, escalated_at) "
                  "VALUES (?, ?, '', 'admin1', ?)")


def _ticket(rng: random.Random, tid: int, received: datetime, recent: bool, contacts: int, due):
    """The rows of one ticket: (ticket, messages, events, escalation or None)."""
    ctype, channel, _share = rng.choices(CHANNEL_MIX, [w for *_, w in CHANNEL_MIX])[0]
    topic = rng.randrange(len(TOPICS))
    _template, category, bidang = TOPICS[topic]
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    text = citizen_text(rng, topic)
    status = _status(rng, recent)
    answered = closed = None
    if status in ("answered", "closed"):
        answered = received + timedelta(minutes=rng.randrange(30, 9 * 24 * 60))
        closed = answered + timedelta(hours=rng.randrange(1, 72)) if status == "closed" else None
    elif status == "dismissed":
        closed = received + timedelta(hours=rng.randrange(1, 48))
    contact = rng.randrange(1, contacts + 1)
    public = ctype in ("instagram", "facebook", "x") and rng.random() < 0.4
    thread = f"thr-{tid}"
    count = 2 if answered else 1
    ticket = (tid, f"ADU-{received.year}-{tid:07d}", channel, ctype, thread, contact, int(public), kind, category,
              bidang, status, text[:160], count, ts(received), ts(answered or received), ts(answered), ts(closed),
              ts(due(received)))
    msgs = [(tid, channel, f"in-{tid}", thread, "in", f"u{contact}", f"@warga{contact}", f"Warga {contact}",
             int(not public), text, ts(received), None, None)]
    events = [(tid, ts(received), "system", "created", None, "new")]
    escalation = None
    if status in ("escalated", "followed_up") or (answered and rng.random() < 0.15):
        escalation = (tid, bidang, ts(received + timedelta(hours=rng.randrange(1, 24))))
    if answered:
        msgs.append((tid, channel, f"out-{tid}", thread, "out", "admin1", "admin1", "Admin Dukcapil", 0,
                     OFFICE_REPLY, ts(answered), "sent", ts(answered)))
        events.append((tid, ts(answered), "admin1", "replied", "new", "answered"))
    if closed:
        events.append((tid, ts(closed), "admin1", "closed" if status == "closed" else "dismissed",
                       "answered" if answered else "new", status))
    return ticket, msgs, events, escalation


def generate_inbox(path: Path, count: int, seed: int = 7) -> None:
    """Write the inbox with raw executemany into a migrated schema; search index built once at the end."""
    from ticketing.config import SlaSettings
    from ticketing.reports.recap_sql import month_period
    from ticketing.sla.calendar import OfficeCalendar
    from ticketing.store.db import open_database

    calendar = OfficeCalendar(SlaSettings())
    due = _Due(calendar)
    periods = [month_period(y, m, calendar) for y, m in month_starts(2026, 11, MONTHS)]
    open_database(f"sqlite:///{path}").dispose()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    triggers = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'message'")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'message'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    contacts = count // 3 + 1
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO contact (id, display_name, created_at) VALUES (?, ?, ?)",
                     ((c, f"Warga {c}", ts(NOW - timedelta(days=MONTHS * 31))) for c in range(1, contacts + 1)))
    conn.executemany("INSERT INTO contact_handle (contact_id, channel, external_user_id, handle, display_name) "
                     "VALUES (?, 'bench', ?, ?, ?)",
                     ((c, f"u{c}", f"@warga{c}", f"Warga {c}") for c in range(1, contacts + 1)))
    conn.execute("COMMIT")
    for start in range(0, count, CHUNK):
        tickets, msgs, events, escalations = [], [], [], []
        for i in range(start, min(start + CHUNK, count)):
            index = i * len(periods) // count  # months in order, like real ids
            period = periods[index]
            received = period.start + timedelta(seconds=rng.randrange(int((period.end - period.start)
                                                                          .total_seconds())))
            ticket, m, e, escalation = _ticket(rng, i + 1, received, index >= len(periods) - 2, contacts, due)
            tickets.append(ticket)
            msgs += m
            events += e
            if escalation:
                escalations.append(escalation)
        conn.execute("BEGIN")
        conn.executemany(TICKET_SQL, tickets)
        conn.executemany(MESSAGE_SQL, msgs)
        conn.executemany(EVENT_SQL, events)
        conn.executemany(ESCALATION_SQL, escalations)
        conn.execute("COMMIT")
    if triggers:
        conn.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        for sql in triggers:
            conn.execute(sql)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
