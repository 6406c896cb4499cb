"""The words of the recaps and the monthly report: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "daily_title": "Rekap Harian Pengaduan Daring", "monthly_title": "Laporan Bulanan Penanganan Pengaduan Daring",
        "col_no": "No", "col_ref": "No. Tiket", "col_received_at": "Tanggal & Jam Diterima", "col_channel": "Kanal",
        "col_account": "Akun Pelapor (disamarkan)", "col_kind": "Jenis", "col_category": "Kategori Layanan",
        "col_summary": "Ringkasan Isi", "col_bidang": "Bidang Penanggung Jawab",
        "col_forwarded_at": "Tanggal Diteruskan",
        "col_answered_at": "Tanggal Dijawab", "col_closed_at": "Tanggal Selesai",
        "col_working_time": "Waktu Penyelesaian (hari kerja)", "col_timing": "Ketepatan", "col_status": "Status",
        "col_answer": "Tindak Lanjut/Jawaban Singkat", "col_remarks": "Keterangan",
        "summary": "Ringkasan", "item": "Uraian", "count": "Jumlah", "total": "Total", "date": "Tanggal",
        "daily_received": "Pengaduan masuk", "daily_forwarded": "Diteruskan ke bidang", "daily_answered": "Dijawab",
        "daily_closed": "Selesai", "daily_open": "Masih terbuka (seluruhnya)",
        "daily_overdue": "Melewati batas waktu (belum dijawab)",
        "total_received": "Total pengaduan masuk", "class_done": "Selesai", "class_in_progress": "Dalam proses",
        "class_pending": "Belum ditindaklanjuti", "answered": "Dijawab",
        "answered_on_time": "Dijawab tepat waktu (sebelum batas waktu)",
        "answered_within": "Dijawab dalam maks. {n} hari kerja", "answered_late": "Dijawab terlambat",
        "overdue_open": "Belum dijawab dan melewati batas waktu",
        "mean_days": "Rata-rata waktu penyelesaian (hari kerja)",
        "median_days": "Median waktu penyelesaian (hari kerja)",
        "backlog_opening": "Tunggakan dari bulan sebelumnya", "backlog_closing": "Tunggakan dibawa ke bulan berikutnya",
        "backlog_closing_overdue": "  di antaranya melewati batas waktu",
        "by_status": "Menurut Status", "by_status_col": "Status", "by_channel": "Menurut Kanal",
        "by_channel_col": "Kanal", "by_kind": "Menurut Jenis", "by_kind_col": "Jenis",
        "by_category": "Menurut Kategori Layanan", "by_category_col": "Kategori",
        "by_bidang": "Menurut Bidang", "by_bidang_col": "Bidang", "top_topics": "Topik Terbanyak",
        "daily_counts": "Jumlah Pengaduan per Hari", "kendala": "Kendala",
        "rekomendasi": "Rekomendasi/Saran Tindak Lanjut", "none_noted": "Tidak ada catatan.",
        "met": "Tepat waktu", "late": "Terlambat", "overdue": "Lewat batas (belum dijawab)",
        "running": "Dalam batas waktu",
        "none": "-", "wd_short": "HK", "hours": "jam", "dismissed_because": "Ditutup", "past_due": "Lewat batas waktu",
        "waiting_bidang": "Menunggu jawaban Bidang", "bidang_answered": "Jawaban bidang masuk, belum diteruskan",
        "period": "Periode", "as_of": "Keadaan per", "end_of_period": "akhir periode",
        "printed_by": "Dicetak oleh", "page": "Halaman", "page_of": "Halaman {n} dari {total}",
        "number": "Nomor", "no_data": "tidak ada data",
        "uncategorised": "Belum dikategorikan", "no_bidang": "Belum ditentukan",
        "no_rows": "Tidak ada tiket pada tanggal ini.",
        "chart_daily": "Jumlah pengaduan per hari menurut kanal", "chart_bidang": "Ketepatan waktu menurut bidang",
        "acknowledged": "Mengetahui,", "prepared_by": "Admin/Pengelola Pengaduan", "nip": "NIP.",
        "meeting": "Bahan Rapat Bulanan Tim Penanganan Pengaduan", "sheet_summary": "Ringkasan",
        "flow": "Arus Pengaduan Periode Ini", "flow_opening": "Terbuka di awal periode (dibawa dari sebelumnya)",
        "flow_received": "Masuk dalam periode", "flow_reopened": "Dibuka kembali (warga menulis lagi)",
        "flow_answered": "Dijawab dalam periode (termasuk yang masuk sebelumnya)",
        "flow_answered_on_time": "  tepat waktu", "flow_answered_late": "  terlambat",
        "flow_closed_unanswered": "Ditutup tanpa jawaban (spam, duplikat, terima kasih)",
        "flow_closing": "Terbuka di akhir periode (dibawa ke periode berikutnya)",
        "flow_by": "Arus per Kanal, Bidang dan Kategori", "flow_dimension": "Menurut",
        "flow_value": "Nilai", "flow_done": "Dijawab/Selesai",
        "flow_first_responses": "Tanggapan pertama dalam periode (termasuk balasan sementara)",
        "line_opening": "Terbuka awal", "line_received": "Masuk", "line_reopened": "Dibuka kembali",
        "line_done": "Dijawab/Selesai", "line_closing": "Terbuka akhir",
        "line_closed": "Ditutup", "reconciliation": "Rekonsiliasi",
        "dim_channel": "Kanal", "dim_bidang": "Bidang", "dim_category": "Kategori",
    },
    "en": {
        "daily_title": "Daily Recap of Online Complaints",
        "monthly_title": "Monthly Report on Online Complaint Handling",
        "col_no": "No", "col_ref": "Ticket No.", "col_received_at": "Received", "col_channel": "Channel",
        "col_account": "Citizen account (masked)", "col_kind": "Kind", "col_category": "Service category",
        "col_summary": "Summary", "col_bidang": "Responsible division", "col_forwarded_at": "Forwarded",
        "col_answered_at": "Answered", "col_closed_at": "Closed", "col_working_time": "Time to answer (working days)",
        "col_timing": "Timeliness", "col_status": "Status", "col_answer": "Follow-up/Short answer",
        "col_remarks": "Remarks",
        "summary": "Summary", "item": "Item", "count": "Count", "total": "Total", "date": "Date",
        "daily_received": "Complaints received", "daily_forwarded": "Forwarded to a division",
        "daily_answered": "Answered", "daily_closed": "Closed", "daily_open": "Still open (all)",
        "daily_overdue": "Past due (not answered)",
        "total_received": "Total complaints received", "class_done": "Completed", "class_in_progress": "In progress",
        "class_pending": "Not yet followed up", "answered": "Answered",
        "answered_on_time": "Answered on time (before the due time)",
        "answered_within": "Answered within {n} working days", "answered_late": "Answered late",
        "overdue_open": "Not answered and past due",
        "mean_days": "Mean time to answer (working days)", "median_days": "Median time to answer (working days)",
        "backlog_opening": "Backlog from the previous month", "backlog_closing": "Backlog carried into next month",
        "backlog_closing_overdue": "  of which past due",
        "by_status": "By status", "by_status_col": "Status", "by_channel": "By channel", "by_channel_col": "Channel",
        "by_kind": "By kind", "by_kind_col": "Kind", "by_category": "By service category",
        "by_category_col": "Category", "by_bidang": "By division", "by_bidang_col": "Division",
        "top_topics": "Top topics", "daily_counts": "Complaints per day", "kendala": "Obstacles",
        "rekomendasi": "Recommendations", "none_noted": "Nothing noted.",
        "met": "On time", "late": "Late", "overdue": "Past due (not answered)", "running": "Within the deadline",
        "none": "-", "wd_short": "WD", "hours": "h", "dismissed_because": "Dismissed", "past_due": "Past due since",
        "waiting_bidang": "Waiting for the answer of division", "bidang_answered": "Division answered, not yet sent",
        "period": "Period", "as_of": "As of", "end_of_period": "end of period",
        "printed_by": "Printed by", "page": "Page", "page_of": "Page {n} of {total}",
        "number": "Number", "no_data": "no data",
        "uncategorised": "Uncategorised", "no_bidang": "Not assigned", "no_rows": "No tickets on this date.",
        "chart_daily": "Complaints per day by channel", "chart_bidang": "Timeliness by division",
        "acknowledged": "Acknowledged by,", "prepared_by": "Complaint administrator", "nip": "NIP",
        "meeting": "For the monthly meeting of the complaint handling team", "sheet_summary": "Summary",
        "flow": "Ticket Flow in the Period", "flow_opening": "Open at the start (carried over)",
        "flow_received": "Received in the period", "flow_reopened": "Reopened (the citizen wrote again)",
        "flow_answered": "Answered in the period (whenever received)",
        "flow_answered_on_time": "  on time", "flow_answered_late": "  late",
        "flow_closed_unanswered": "Closed without an answer (spam, duplicates, thanks)",
        "flow_closing": "Open at the end (carried into the next period)",
        "flow_by": "Flow by Channel, Division and Category", "flow_dimension": "By",
        "flow_value": "Value", "flow_done": "Answered/closed",
        "flow_first_responses": "First responses in the period (interim replies included)",
        "line_opening": "Open at start", "line_received": "Received", "line_reopened": "Reopened",
        "line_done": "Answered/closed", "line_closing": "Open at end",
        "line_closed": "Closed", "reconciliation": "Reconciliation",
        "dim_channel": "Channel", "dim_bidang": "Division", "dim_category": "Category",
    },
}

KINDS = {
    "id": {"pengaduan": "Pengaduan", "pertanyaan": "Pertanyaan", "saran": "Saran", "apresiasi": "Apresiasi",
           "spam": "Spam"},
    "en": {"pengaduan": "Complaint", "pertanyaan": "Question", "saran": "Suggestion", "apresiasi": "Appreciation",
           "spam": "Spam"},
}
CHANNELS = {"whatsapp": "WhatsApp", "instagram": "Instagram", "facebook": "Facebook", "x": "X",
            "telegram": "Telegram", "email": "Email", "web": "Situs Web", "lapor": "SP4N-LAPOR!",
            "walk-in": "Datang Langsung", "sandbox": "Sandbox Telegram", "sandbox-x": "Sandbox X",
            "sandbox-facebook": "Sandbox Facebook", "sandbox-email": "Sandbox Email"}
CHANNELS_EN = {"web": "Website", "walk-in": "Walk-in"}  # the rest are names, the same in both languages
CATEGORIES = {"ktp-el": "KTP-el", "ktp": "KTP-el", "kk": "KK", "kia": "KIA", "ikd": "IKD", "nik": "NIK/Biodata",
              "nik-bermasalah": "NIK bermasalah", "akta-kelahiran": "Akta kelahiran",
              "akta-kematian": "Akta kematian", "pindah-datang": "Pindah-datang", "perubahan-data": "Perubahan data",
              "perkawinan": "Perkawinan/perceraian", "perkawinan-perceraian": "Perkawinan/perceraian",
              "status-anak": "Status anak, nama, WN", "layanan-online": "Layanan online",
              "antrean": "Antrean, jam layanan", "pungli": "Pungli/calo",
              "pungli-perilaku-petugas": "Pungli, calo, perilaku petugas", "bukan-kewenangan": "Bukan kewenangan"}
# Bidang are shown by their codes, as the inbox shows them and as `--bidang` / `escalate --to` take them.
BIDANG = {"DAFDUK": "DAFDUK", "CAPIL": "CAPIL", "PIAK": "PIAK", "PDIP": "PDIP", "SEKRETARIAT": "SEKRETARIAT"}


def w(key: str, locale: str = "id") -> str:
    return WORDS.get(locale, WORDS["id"]).get(key) or WORDS["id"].get(key, key)


def kind_label(code: str | None, locale: str = "id") -> str:
    if not code:
        return "-"
    return KINDS.get(locale, KINDS["id"]).get(code, code.capitalize())


def channel_label(code: str | None, locale: str = "id") -> str:
    if locale == "en" and code in CHANNELS_EN:
        return CHANNELS_EN[code]
    return CHANNELS.get(code or "", code or "-")


def timing_label(code: str | None, locale: str = "id") -> str:
    return w(code, locale) if code else "-"


def label_of(what: str, code: str | None, locale: str = "id") -> str:
    """Category and bidang names; unknown codes are shown as they are, missing ones named."""
    if not code:
        return w("uncategorised" if what == "category" else "no_bidang", locale)
    if what != "category":
        return BIDANG.get(code.upper(), code)
    return CATEGORIES.get(code, CATEGORIES.get(code.lower(), code))
