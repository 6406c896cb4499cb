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
        "timeliness": "Ketepatan Waktu",
        "messages": "Pesan",
        "events": "Riwayat", "assignee": "Petugas", "overdue": "Terlambat", "warning": "Segera",
        "ok": "Aman", "met": "Dijawab tepat waktu", "late": "Dijawab terlambat", "breached": "Lewat batas",
        "needs_reauth": "PERLU OTORISASI ULANG", "no_tickets": "Tidak ada tiket.", "total": "Total",
        "citizen": "Warga", "office": "Kantor", "note": "Catatan", "technical_answer": "Jawaban Bidang",
        "escalations": "Diteruskan ke Bidang", "other_tickets": "Tiket lain pelapor ini", "time": "Waktu",
        "actor": "Oleh", "action": "Tindakan", "detail": "Keterangan", "delivery": "Pengiriman",
        "working_days": "hari kerja", "hours": "jam", "pending": "menunggu", "sent": "terkirim",
        "failed": "gagal", "sending": "sedang dikirim", "unknown": "perlu dicek",
        "wd": "HK", "h_short": "jam", "min_short": "mnt", "over": "lewat", "at_least": "≥",
        "tags": "Tag", "subject": "Perihal", "close_reason": "Alasan tutup",
        "revealed": "NIK/KK ditampilkan tanpa sensor "
        "(atas permintaan {user}); tercatat di log audit.",
        "done_reply": "balasan dicatat", "done_escalate": "diteruskan ke", "done_answer": "jawaban bidang dicatat",
        "done_resolve": "ditandai selesai", "done_close": "ditutup, alasan", "done_reopen": "dibuka kembali",
        "done_assign": "ditugaskan ke", "done_note": "catatan ditambahkan", "done_tag": "tag",
        "done_route": "routing diperbaiki:",
        "done_merge": "digabung ke", "templates": "Templat Balasan", "name": "Nama", "text": "Isi",
        "placeholders": "Placeholder yang tersedia", "source": "Sumber", "builtin": "bawaan",
        "configured": "config",
        "triage_keys": "[r] balas templat  [i] balasan sementara  [e] editor  [t] teruskan  [x] tutup  "
        "[s] lewati  [q] keluar",
        "choose_template": "Templat (nomor atau nama)", "choose_bidang": "Teruskan ke bidang",
        "choose_reason": "Alasan tutup", "triage_done": "Triase selesai", "skipped": "dilewati",
        "unknown_key": "Tombol tidak dikenal", "triage_empty": "Tidak ada tiket untuk ditriase.",
        "triage_gone": "sudah tidak terbuka, dilewati", "preview": "Pratinjau",
        "refused": "ditolak", "overdue_count": "Lewat batas", "failed_replies": "Gagal kirim",
        "reply_problem": "Balasan belum sampai",
        "public_nik": "⚠ Unggahan publik memuat NIK/No. KK: balas dulu dengan templat pindah-ke-dm.",
        "needs_review": "perlu ditinjau",
        "not_ours": "Bukan kewenangan Dukcapil: balas dengan templat {template}, lalu tutup.",
        "no_reply_address": "⚠ Tanpa alamat balasan: surat ini tidak memuat alamat email; balasan lewat email "
        "akan ditolak, hubungi warga lewat kanal lain.",
        "attachments": "Lampiran", "file": "Berkas", "type": "Jenis berkas", "size": "Ukuran",
        "sensitive": "Dokumen identitas", "stored": "Disimpan di", "not_stored": "tidak disimpan",
        "revisions": "Suntingan", "edited_at": "Disunting", "previous_text": "Teks sebelumnya",
        "yes": "ya", "no": "tidak",
    },
    "en": {
        "inbox": "Complaint Inbox", "ref": "Ticket", "channel": "Channel", "status": "Status", "kind": "Kind",
        "category": "Category", "bidang": "Division", "contact": "Citizen", "summary": "Summary",
        "received": "Received", "received_wib": "Received (WIB)", "due": "Due", "remaining": "Remaining",
        "timeliness": "Timeliness",
        "messages": "Messages",
        "events": "History", "assignee": "Assignee", "overdue": "Overdue", "warning": "Due soon", "ok": "OK",
        "met": "Answered on time", "late": "Answered late", "breached": "Breached",
        "needs_reauth": "NEEDS RE-AUTHORISATION",
        "no_tickets": "No tickets.", "total": "Total", "citizen": "Citizen", "office": "Office", "note": "Note",
        "technical_answer": "Division answer", "escalations": "Escalations",
        "other_tickets": "Other tickets of this citizen", "time": "Time", "actor": "By", "action": "Action",
        "detail": "Detail", "delivery": "Delivery", "working_days": "working days", "hours": "hours",
        "pending": "pending", "sent": "sent", "failed": "failed", "sending": "sending",
        "unknown": "to verify",
        "wd": "wd", "h_short": "h", "min_short": "min", "over": "over", "at_least": "≥",
        "tags": "Tags", "subject": "Subject", "close_reason": "Close reason",
        "revealed": "NIK/KK shown unmasked "
        "(requested by {user}); recorded in the audit log.",
        "done_reply": "reply queued", "done_escalate": "escalated to", "done_answer": "division answer recorded",
        "done_resolve": "resolved", "done_close": "closed, reason", "done_reopen": "reopened",
        "done_assign": "assigned to", "done_note": "note added", "done_tag": "tags",
        "done_route": "routing corrected:",
        "done_merge": "merged into", "templates": "Reply Templates", "name": "Name", "text": "Text",
        "placeholders": "Available placeholders", "source": "Source", "builtin": "built-in",
        "configured": "config",
        "triage_keys": "[r] reply with template  [i] interim reply  [e] write in editor  [t] escalate  "
        "[x] close  [s] skip  [q] quit",
        "choose_template": "Template (number or name)", "choose_bidang": "Escalate to division",
        "choose_reason": "Close reason", "triage_done": "Triage finished", "skipped": "skipped",
        "unknown_key": "Unknown key", "triage_empty": "No tickets to triage.",
        "triage_gone": "no longer open, skipped", "preview": "Preview",
        "refused": "refused", "overdue_count": "Breached", "failed_replies": "Delivery failed",
        "reply_problem": "Reply not delivered",
        "public_nik": "⚠ A public post contains a NIK/KK number: first reply with the pindah-ke-dm template.",
        "needs_review": "needs review",
        "not_ours": "Not Dukcapil's authority: reply with template {template}, then close.",
        "no_reply_address": "⚠ No reply address: this mail names no email address; an email reply will be "
        "refused, reach the citizen another way.",
        "attachments": "Attachments", "file": "File", "type": "Type", "size": "Size",
        "sensitive": "Identity document", "stored": "Stored at", "not_stored": "not stored",
        "revisions": "Edits", "edited_at": "Edited", "previous_text": "Earlier text",
        "yes": "yes", "no": "no",
    },
}


# What each audit event is called in the history (`aduan show`); JSON keeps the codes. A code with
# no label here (a newer event) is shown with its underscores as spaces rather than hidden.
EVENT_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "created": "Tiket dibuat", "replied": "Dibalas", "delivered": "Balasan terkirim",
        "answer_delivered": "Jawaban sampai ke warga", "reacted": "Reaksi warga",
        "delivery_failed": "Pengiriman gagal", "delivery_unknown": "Pengiriman perlu dicek",
        "delivery_resend": "Dikirim ulang", "delivery_marked_sent": "Ditandai terkirim",
        "escalated": "Diteruskan ke bidang", "answered_by_bidang": "Dijawab bidang", "resolved": "Ditandai selesai",
        "dismissed": "Ditutup", "reopened": "Dibuka kembali", "assigned": "Ditugaskan", "noted": "Catatan internal",
        "tagged": "Diberi tag", "merged_in": "Digabungi tiket lain", "merged": "Digabung ke tiket lain",
        "classified": "Klasifikasi diubah", "sla_warning": "Peringatan batas waktu",
        "sla_breached": "Melewati batas waktu", "sla_recomputed": "Batas waktu dihitung ulang",
        "recapped": "Masuk rekap harian", "purged": "Isi dihapus (retensi)", "revealed": "NIK/KK ditampilkan",
        "refused": "Ditolak", "notified": "Notifikasi dikirim", "exported": "Diekspor",
    },
    "en": {
        "created": "Ticket created", "replied": "Replied", "delivered": "Reply delivered",
        "answer_delivered": "Answer reached the citizen", "reacted": "Citizen reaction",
        "delivery_failed": "Delivery failed", "delivery_unknown": "Delivery to verify",
        "delivery_resend": "Resent", "delivery_marked_sent": "Marked as sent",
        "escalated": "Escalated to a division", "answered_by_bidang": "Division answered", "resolved": "Resolved",
        "dismissed": "Dismissed", "reopened": "Reopened", "assigned": "Assigned", "noted": "Internal note",
        "tagged": "Tagged", "merged_in": "Another ticket merged in", "merged": "Merged into another ticket",
        "classified": "Classification changed", "sla_warning": "Due-time warning",
        "sla_breached": "Past the due time", "sla_recomputed": "Due time recomputed",
        "recapped": "In the daily recap", "purged": "Content purged (retention)", "revealed": "NIK/KK revealed",
        "refused": "Refused", "notified": "Notification sent", "exported": "Exported",
    },
}

# The names of an event's detail fields in the history's *Keterangan* column.
# Words the audit log stores in an event's detail (Indonesian, hash-chained), shown in English.
DETAIL_VALUES_EN = {"dijawab langsung di aplikasi kanal": "answered directly in the channel's app"}

DETAIL_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "channel": "kanal", "message": "pesan", "message_id": "pesan #", "reason": "alasan", "bidang": "bidang",
        "note": "catatan", "from": "dari", "to": "ke", "added": "tag", "into": "ke tiket", "messages": "pesan",
        "before": "sebelumnya", "kind": "jenis", "category": "kategori", "due_at": "batas waktu",
        "external_id": "id kanal", "error": "kesalahan", "previous": "sebelumnya", "what": "data",
        "action": "tindakan", "ticket": "tiket", "rule": "aturan", "due": "batas waktu",
    },
    "en": {
        "channel": "channel", "message": "message", "message_id": "message #", "reason": "reason",
        "bidang": "division", "note": "note", "from": "from", "to": "to", "added": "tags", "into": "into",
        "messages": "messages", "before": "before", "kind": "kind", "category": "category",
        "due_at": "due", "external_id": "channel id", "error": "error", "previous": "previous", "what": "data",
        "action": "action", "ticket": "ticket", "rule": "rule", "due": "due",
    },
}


def event_label(action: str, locale: str = "id") -> str:
    return EVENT_LABELS.get(locale, EVENT_LABELS["id"]).get(action) or action.replace("_", " ")


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
