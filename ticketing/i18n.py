"""User-facing words in Bahasa Indonesia (default) and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS_LONG = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "inbox": "Kotak Masuk Pengaduan", "ref": "No. Tiket", "channel": "Kanal", "status": "Status",
        "kind": "Jenis", "category": "Kategori", "bidang": "Bidang", "contact": "Pelapor", "summary": "Ringkasan",
        "received": "Diterima", "received_wib": "Diterima (WIB)", "due": "Batas Waktu", "remaining": "Sisa Waktu",
        "messages": "Pesan",
        "events": "Riwayat", "assignee": "Petugas", "overdue": "Terlambat", "warning": "Segera",
        "ok": "Aman", "met": "Tepat Waktu", "late": "Terlambat", "breached": "Lewat batas",
        "needs_reauth": "PERLU OTORISASI ULANG", "no_tickets": "Tidak ada tiket.", "total": "Total",
        "citizen": "Warga", "office": "Kantor", "note": "Catatan", "technical_answer": "Jawaban Bidang",
        "escalations": "Diteruskan ke Bidang", "other_tickets": "Tiket lain pelapor ini", "time": "Waktu",
        "actor": "Oleh", "action": "Tindakan", "detail": "Keterangan", "delivery": "Pengiriman",
        "working_days": "hari kerja", "hours": "jam", "pending": "menunggu", "sent": "terkirim",
        "failed": "gagal", "sending": "sedang dikirim", "unknown": "perlu dicek",
        "wd": "HK", "h_short": "jam", "min_short": "mnt", "over": "lewat", "at_least": "≥",
        "tags": "Tag", "close_reason": "Alasan tutup", "revealed": "NIK/KK ditampilkan tanpa sensor "
        "(atas permintaan {user}); tercatat di log audit.",
        "done_reply": "balasan dicatat", "done_escalate": "diteruskan ke", "done_answer": "jawaban bidang dicatat",
        "done_resolve": "ditandai selesai", "done_close": "ditutup, alasan", "done_reopen": "dibuka kembali",
        "done_assign": "ditugaskan ke", "done_note": "catatan ditambahkan", "done_tag": "tag",
        "done_merge": "digabung ke", "templates": "Templat Balasan", "name": "Nama", "text": "Isi",
        "placeholders": "Placeholder yang tersedia", "source": "Sumber", "builtin": "bawaan",
        "configured": "config",
        "triage_keys": "[r] balas dgn templat  [i] balasan sementara  [e] tulis di editor  [t] teruskan ke bidang  "
        "[x] tutup  [s] lewati  [q] keluar",
        "choose_template": "Templat (nomor atau nama)", "choose_bidang": "Teruskan ke bidang",
        "choose_reason": "Alasan tutup", "triage_done": "Triase selesai", "skipped": "dilewati",
        "unknown_key": "Tombol tidak dikenal", "triage_empty": "Tidak ada tiket untuk ditriase.",
        "triage_gone": "sudah tidak terbuka, dilewati", "preview": "Pratinjau",
        "refused": "ditolak", "overdue_count": "Lewat batas", "failed_replies": "Gagal kirim",
        "reply_problem": "Balasan belum sampai",
        "public_nik": "⚠ Unggahan publik memuat NIK/No. KK: balas dulu dengan templat pindah-ke-dm.",
    },
    "en": {
        "inbox": "Complaint Inbox", "ref": "Ticket", "channel": "Channel", "status": "Status", "kind": "Kind",
        "category": "Category", "bidang": "Division", "contact": "Citizen", "summary": "Summary",
        "received": "Received", "received_wib": "Received (WIB)", "due": "Due", "remaining": "Remaining",
        "messages": "Messages",
        "events": "History", "assignee": "Assignee", "overdue": "Overdue", "warning": "Due soon", "ok": "OK",
        "met": "On time", "late": "Late", "breached": "Breached", "needs_reauth": "NEEDS RE-AUTHORISATION",
        "no_tickets": "No tickets.", "total": "Total", "citizen": "Citizen", "office": "Office", "note": "Note",
        "technical_answer": "Division answer", "escalations": "Escalations",
        "other_tickets": "Other tickets of this citizen", "time": "Time", "actor": "By", "action": "Action",
        "detail": "Detail", "delivery": "Delivery", "working_days": "working days", "hours": "hours",
        "pending": "pending", "sent": "sent", "failed": "failed", "sending": "sending",
        "unknown": "to verify",
        "wd": "wd", "h_short": "h", "min_short": "min", "over": "over", "at_least": "≥",
        "tags": "Tags", "close_reason": "Close reason", "revealed": "NIK/KK shown unmasked "
        "(requested by {user}); recorded in the audit log.",
        "done_reply": "reply queued", "done_escalate": "escalated to", "done_answer": "division answer recorded",
        "done_resolve": "resolved", "done_close": "closed, reason", "done_reopen": "reopened",
        "done_assign": "assigned to", "done_note": "note added", "done_tag": "tags",
        "done_merge": "merged into", "templates": "Reply Templates", "name": "Name", "text": "Text",
        "placeholders": "Available placeholders", "source": "Source", "builtin": "built-in",
        "configured": "config",
        "triage_keys": "[r] reply with template  [i] interim reply  [e] write in editor  [t] escalate  [x] close  "
        "[s] skip  [q] quit",
        "choose_template": "Template (number or name)", "choose_bidang": "Escalate to division",
        "choose_reason": "Close reason", "triage_done": "Triage finished", "skipped": "skipped",
        "unknown_key": "Unknown key", "triage_empty": "No tickets to triage.",
        "triage_gone": "no longer open, skipped", "preview": "Preview",
        "refused": "refused", "overdue_count": "Breached", "failed_replies": "Delivery failed",
        "reply_problem": "Reply not delivered",
        "public_nik": "⚠ A public post contains a NIK/KK number: first reply with the pindah-ke-dm template.",
    },
}


def word(key: str, locale: str = "id") -> str:
    return WORDS.get(locale, WORDS["id"]).get(key, key)


def format_datetime(value: datetime | None, locale: str = "id", tz: str = "Asia/Jakarta") -> str:
    """`17 Mar 2026 14.30 WIB` (Indonesian uses a dot between hours and minutes)."""
    if value is None:
        return "-"
    local = value.astimezone(ZoneInfo(tz))
    zone = ZONE_ABBREVIATIONS.get(tz, local.strftime("%Z"))
    sep = "." if locale == "id" else ":"
    month = MONTHS.get(locale, MONTHS["id"])[local.month - 1]
    return f"{local.day} {month} {local.year} {local.hour:02d}{sep}{local.minute:02d} {zone}"


def format_short(value: datetime | None, locale: str = "id", tz: str = "Asia/Jakarta") -> str:
    """`17 Mar 14.30`: for narrow table columns whose header already names the zone."""
    if value is None:
        return "-"
    local = value.astimezone(ZoneInfo(tz))
    sep = "." if locale == "id" else ":"
    return f"{local.day} {MONTHS.get(locale, MONTHS['id'])[local.month - 1]} {local.hour:02d}{sep}{local.minute:02d}"


def format_date_long(value, locale: str = "id") -> str:
    return f"{value.day} {MONTHS_LONG.get(locale, MONTHS_LONG['id'])[value.month - 1]} {value.year}"
