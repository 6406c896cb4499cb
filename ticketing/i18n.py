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
        "received": "Diterima", "due": "Batas Waktu", "remaining": "Sisa Waktu", "messages": "Pesan",
        "events": "Riwayat", "assignee": "Petugas", "overdue": "Terlambat", "warning": "Segera",
        "ok": "Aman", "met": "Tepat Waktu", "late": "Terlambat", "breached": "Lewat batas",
        "needs_reauth": "PERLU OTORISASI ULANG", "no_tickets": "Tidak ada tiket.", "total": "Total",
        "citizen": "Warga", "office": "Kantor", "note": "Catatan", "technical_answer": "Jawaban Bidang",
        "escalations": "Diteruskan ke Bidang", "other_tickets": "Tiket lain pelapor ini", "time": "Waktu",
        "actor": "Oleh", "action": "Tindakan", "detail": "Keterangan", "delivery": "Pengiriman",
        "working_days": "hari kerja", "hours": "jam", "pending": "menunggu", "sent": "terkirim",
        "failed": "gagal", "sending": "sedang dikirim", "unknown": "perlu dicek",
    },
    "en": {
        "inbox": "Complaint Inbox", "ref": "Ticket", "channel": "Channel", "status": "Status", "kind": "Kind",
        "category": "Category", "bidang": "Division", "contact": "Citizen", "summary": "Summary",
        "received": "Received", "due": "Due", "remaining": "Remaining", "messages": "Messages",
        "events": "History", "assignee": "Assignee", "overdue": "Overdue", "warning": "Due soon", "ok": "OK",
        "met": "On time", "late": "Late", "breached": "Breached", "needs_reauth": "NEEDS RE-AUTHORISATION",
        "no_tickets": "No tickets.", "total": "Total", "citizen": "Citizen", "office": "Office", "note": "Note",
        "technical_answer": "Division answer", "escalations": "Escalations",
        "other_tickets": "Other tickets of this citizen", "time": "Time", "actor": "By", "action": "Action",
        "detail": "Detail", "delivery": "Delivery", "working_days": "working days", "hours": "hours",
        "pending": "pending", "sent": "sent", "failed": "failed", "sending": "sending",
        "unknown": "to verify",
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


def format_date_long(value, locale: str = "id") -> str:
    return f"{value.day} {MONTHS_LONG.get(locale, MONTHS_LONG['id'])[value.month - 1]} {value.year}"
