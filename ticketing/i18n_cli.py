"""The command line's own sentences in Bahasa Indonesia (default) and English: errors, prompts,
configuration problems, and Click's usage messages (Click writes English through gettext; the
Indonesian catalog below stands in for it when Indonesian is chosen).

`SENTENCES` pairs each sentence's two languages in one entry, so neither can be missing.
Errors raised deep in `ticketing/` are Indonesian and reach English through `ERRORS_EN`;
configuration problems as Pydantic words them reach Indonesian through `VALIDATION_ID`.
`ticketing/i18n.py` holds the words of the views; this module the sentences around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LOCALES = ("id", "en")

SENTENCES: dict[str, tuple[str, str]] = {  # key: (Bahasa Indonesia, English)
    "config_missing": ("berkas konfigurasi {path} tidak ada; jalankan `aduan init` untuk membuatnya, atau beri "
                       "--config PATH / ADUAN_CONFIG",
                       "configuration file {path} does not exist; run `aduan init` to create it, or pass --config "
                       "PATH / ADUAN_CONFIG"),
    "config_named_missing": ("berkas konfigurasi {path} tidak ada; periksa --config / ADUAN_CONFIG, atau buat dengan "
                             "`aduan init {path}`",
                             "configuration file {path} does not exist; check --config / ADUAN_CONFIG, or create it "
                             "with `aduan init {path}`"),
    "config_unreadable": ("berkas konfigurasi {path} tidak bisa dibaca: {reason}",
                          "configuration file {path} cannot be read: {reason}"),
    "config_bad_yaml": ("{path} bukan YAML yang sah: {reason}", "{path} is not valid YAML: {reason}"),
    "config_not_mapping": ("{path} harus berisi bagian-bagian (office, database, ...)",
                           "{path} must be a mapping of sections (office, database, ...)"),
    "config_invalid": ("konfigurasi tidak sah di {path}:", "invalid configuration in {path}:"),
    "config_unknown_key": ("kunci tidak dikenal; maksudnya {close!r}?", "unknown key; did you mean {close!r}?"),
    "config_known_keys": ("kunci tidak dikenal; kunci yang dikenal di sini: {keys}",
                          "unknown key; known keys here: {keys}"),
    "config_check_spelling": ("kunci tidak dikenal; periksa ejaannya dengan config.yaml",
                              "unknown key; check its spelling against config.yaml"),
    "no_channel": ("tidak ada kanal bernama {name!r} di {source}", "no channel named {name!r} in {source}"),
    "interrupted": ("dihentikan", "interrupted"),
    "not_staff": ("pengguna {user!r} tidak terdaftar sebagai staf. Tambahkan di bagian staff: {source}, mis. - "
                  "{{username: {user}, name: \"...\", role: admin}}, atau jalankan dengan --as USERNAME",
                  "user {user!r} is not registered as staff. Add them under staff: in {source}, e.g. - {{username: "
                  "{user}, name: \"...\", role: admin}}, or run with --as USERNAME"),
    "init_exists": ("{path} sudah ada; tidak ditimpa (hapus dulu atau pilih PATH lain)",
                    "{path} already exists; not overwritten (remove it or choose another PATH)"),
    "init_no_sample": ("contoh konfigurasi tidak ditemukan di {path}; pasang aduan dengan pip install -e .",
                       "the sample configuration is missing at {path}; install aduan with pip install -e ."),
    "init_done": ("konfigurasi ditulis: {path}\nbasis data siap: {db} (skema {revision})\nLangkah berikut: sunting "
                  "{path} (bagian staff: dan channels:), lalu `aduan --config {path} health`",
                  "configuration written: {path}\ndatabase ready: {db} (schema {revision})\nNext: edit {path} (the "
                  "staff: and channels: sections), then `aduan --config {path} health`"),
    "health_ok": ("ok: {count} kanal aktif sehat", "ok: {count} enabled channels healthy"),
    "health_last": ("; ingest terakhir berhasil: {last}", "; last successful ingest: {last}"),
    "health_warning": ("peringatan: {text}", "warning: {text}"),
    "health_needs_reauth": ("{channel}: perlu otorisasi ulang (token ditolak): {error}",
                            "{channel}: needs re-authorisation (token refused): {error}"),
    "health_never_ran": ("{channel}: belum pernah berhasil diambil", "{channel}: never fetched successfully"),
    "health_never_received": ("{channel}: belum pernah menerima webhook", "{channel}: has never received a webhook"),
    "health_stale": ("{channel}: terakhir berhasil {when} ({minutes} menit lalu, batas {limit} menit)",
                     "{channel}: last success {when} ({minutes} minutes ago, limit {limit} minutes)"),
    "health_stale_webhook": ("{channel}: webhook terakhir diterima {when} ({minutes} menit lalu, batas {limit} menit)",
                             "{channel}: last webhook received {when} ({minutes} minutes ago, limit {limit} minutes)"),
    "health_last_error": ("; kesalahan terakhir: {error}", "; last error: {error}"),
    "health_quarantine": ("karantina: {count} item belum ditangani (terbaru {newest}); lihat aduan quarantine",
                          "quarantine: {count} items not yet handled (newest {newest}); see aduan quarantine"),
    "health_outbox_stuck": ("outbox: {count} balasan berstatus '{state}' (terputus saat dikirim): cek di kanal, lalu "
                            "aduan outbox confirm-sent ID atau aduan outbox resend ID",
                            "outbox: {count} replies in state '{state}' (cut off while sending): check on the "
                            "channel, then aduan outbox confirm-sent ID or aduan outbox resend ID"),
    "health_reply_failed": ("balasan: {count} tiket Gagal kirim (warga belum menerima jawaban, batas waktu tetap "
                            "berjalan): lihat aduan inbox, perbaiki lalu aduan outbox resend ID",
                            "replies: {count} tickets Send failed (the citizen has no answer yet, the due time keeps "
                            "running): see aduan inbox, fix it, then aduan outbox resend ID"),
    "health_reply_unknown": ("balasan: {count} tiket Belum pasti terkirim: cek di kanal, lalu aduan outbox "
                             "confirm-sent ID atau aduan outbox resend ID",
                             "replies: {count} tickets Delivery uncertain: check on the channel, then aduan outbox "
                             "confirm-sent ID or aduan outbox resend ID"),
    "health_webhook_backlog": ("webhook: {count} kiriman belum diproses lebih dari {minutes} menit (tertua {oldest})",
                               "webhook: {count} deliveries unprocessed for more than {minutes} minutes (oldest "
                               "{oldest})"),
    "health_webhook_dead": ("webhook: {count} kiriman gagal terus dan dihentikan (dead letter): lihat aduan webhook "
                            "deliveries --failed, lalu aduan webhook retry ID",
                            "webhook: {count} deliveries kept failing and were given up (dead letter): see aduan "
                            "webhook deliveries --failed, then aduan webhook retry ID"),
    "health_webhook_failing": ("webhook: {count} kiriman gagal diproses dan akan dicoba lagi (aduan webhook "
                               "deliveries --failed)",
                               "webhook: {count} deliveries failed to process and will be tried again (aduan webhook "
                               "deliveries --failed)"),
    "health_redis_down": ("redis: tidak bisa dihubungi: {error}", "redis: cannot be reached: {error}"),
    "health_no_worker": ("worker: tidak ada `aduan worker` yang berjalan (balasan dan timer SLA tidak dikerjakan)",
                         "worker: no `aduan worker` is running (replies and SLA timers are not handled)"),
    "health_no_scheduler": ("scheduler: tidak ada penjadwal RQ yang aktif (timer SLA tidak berbunyi; jalankan aduan "
                            "worker)",
                            "scheduler: no RQ scheduler is active (SLA timers do not fire; run aduan worker)"),
    "health_identity_unset": ("identitas: kunci `identity` tidak ada di config.yaml; pengguna diambil dari "
                              "--as/ADUAN_USER tanpa bukti. Tulis `identity: os` (lihat README) atau `identity: "
                              "declared`",
                              "identity: the `identity` key is missing from config.yaml; the user is taken from "
                              "--as/ADUAN_USER without proof. Write `identity: os` (see README) or `identity: "
                              "declared`"),
    "health_no_backup": ("cadangan: belum ada cadangan di {folder}; jadwalkan `aduan db backup` (lihat README)",
                         "backup: no backup in {folder} yet; schedule `aduan db backup` (see README)"),
    "health_backup_old": ("cadangan: cadangan terbaru ({name}) berumur lebih dari {hours} jam",
                          "backup: the newest backup ({name}) is older than {hours} hours"),
    "health_no_channel": ("tidak ada kanal aktif: nyalakan satu kanal di channels: ({source}) dengan enabled: true",
                          "no enabled channel: enable one under channels: ({source}) with enabled: true"),
    "bad_choice": ("{value!r} tidak dikenal; pilih: {choices}", "{value!r} is unknown; choose: {choices}"),
    "merge_other_contact": ("tiket {ref} ({source}) dan {into} ({target}) milik pelapor yang berbeda; pesan dan "
                            "balasan akan pindah ke pelapor lain. Ulangi dengan --force bila memang orang yang sama",
                            "tickets {ref} ({source}) and {into} ({target}) belong to different citizens; messages "
                            "and replies would move to another person. Repeat with --force if they are really the "
                            "same person"),
    "merge_forced": ("{ref} ({source}) digabung ke {into} ({target}): pelapor berbeda, atas --force",
                     "{ref} ({source}) merged into {into} ({target}): different citizens, by --force"),
    "triage_send_edit_cancel": ("[k] kirim  [u] ubah di editor  [b] batal", "[s] send  [e] edit in editor  [c] cancel"),
    "triage_cancelled": ("dibatalkan, tidak ada yang dikirim", "cancelled, nothing sent"),
    "triage_unknown_choice": ("{value!r} tidak dikenal; pilih nomor atau nama: {choices}",
                              "{value!r} is unknown; choose a number or a name: {choices}"),
    "triage_escalation_note": ("Catatan untuk bidang (Enter: tanpa catatan)", "Note for the division (Enter: no note)"),
    "triage_interrupted": ("Triase dihentikan", "Triage interrupted"),
    "editor_hint": ("Baris yang diawali # tidak dikirim; kosongkan untuk batal.",
                    "Lines starting with # are not sent; leave it empty to cancel."),
    "demo_try": ("Coba (salin dan tempel):", "Try (copy and paste):"),
    "demo_config": ("Konfigurasi demo: {path} (pengguna demo: admin1, balasan ke kanal sandbox demo)",
                    "Demo configuration: {path} (demo user: admin1, replies go to the demo's sandbox channels)"),
    "sla_due_received": ("Diterima      : {when}", "Received   : {when}"),
    "sla_due_start": ("Mulai dihitung: {day} (hari ke-{number})", "Counts from: {day} (day {number})"),
    "sla_due_at": ("Batas waktu   : {when} ({days} hari kerja)", "Due        : {when} ({days} working days)"),
    "sla_due_skipped": ("Hari tidak bekerja yang dilewati", "Non-working days skipped"),
    "sla_calendar_title": ("Kalender kerja {year}: hari tidak bekerja", "Working calendar {year}: non-working days"),
    "sla_col_date": ("Tanggal", "Date"),
    "sla_col_weekday": ("Hari", "Day"),
    "sla_col_name": ("Keterangan", "Name"),
    "sla_col_source": ("Sumber", "Source"),
    "sla_sweep_done": ("peringatan baru: {warned}, lewat batas baru: {breached}, notifikasi terkirim: {notices}, "
                       "balasan: {replies}, perlu dicek: {unknown}",
                       "new warnings: {warned}, newly overdue: {breached}, notices sent: {notices}, replies: "
                       "{replies}, to verify: {unknown}"),
    "sla_recomputing": ("menghitung ulang", "recomputing"),
    "sla_recomputed": ("{examined} tiket terbuka diperiksa, {changed} batas waktu berubah",
                       "{examined} open tickets examined, {changed} due times changed"),
    "outbox_empty": ("Tidak ada balasan yang perlu dicek.", "No reply needs checking."),
    "outbox_col_ref": ("No. Tiket", "Ticket"),
    "outbox_col_channel": ("Kanal", "Channel"),
    "outbox_col_status": ("Status", "Status"),
    "outbox_col_created": ("Dibuat", "Created"),
    "outbox_col_text": ("Isi", "Text"),
    "outbox_col_remarks": ("Keterangan", "Remarks"),
    "outbox_hint": ("Cek di kanal apakah warga sudah menerima balasan, lalu: aduan outbox confirm-sent ID "
                    "[--external-id ID] (sudah diterima) atau aduan outbox resend ID (belum diterima).",
                    "Check on the channel whether the citizen has received the reply, then: aduan outbox "
                    "confirm-sent ID [--external-id ID] (received) or aduan outbox resend ID (not received)."),
    "outbox_resent": ("balasan {id} masuk antrean kirim lagi", "reply {id} is queued to be sent again"),
    "outbox_confirmed": ("balasan {id} ditandai terkirim", "reply {id} marked as sent"),
    "webhook_failed_line": ("gagal: {error}", "failed: {error}"),
    "webhook_processed": ("{total} webhook diproses", "{total} webhooks processed"),
    "webhook_processed_failed": (", {count} gagal (dicoba lagi nanti)", ", {count} failed (tried again later)"),
    "webhook_processed_dead": (", {count} dihentikan (dead letter)", ", {count} given up (dead letter)"),
    "webhook_none_failed": ("Tidak ada kiriman webhook yang gagal.", "No failed webhook delivery."),
    "webhook_none": ("Belum ada kiriman webhook.", "No webhook delivery yet."),
    "webhook_state_processed": ("diproses", "processed"),
    "webhook_state_pending": ("menunggu", "waiting"),
    "webhook_state_failing": ("gagal, dicoba lagi", "failed, will retry"),
    "webhook_state_dead": ("dihentikan", "given up"),
    "webhook_col_channel": ("Kanal", "Channel"),
    "webhook_col_received": ("Diterima", "Received"),
    "webhook_col_status": ("Status", "Status"),
    "webhook_col_attempts": ("Percobaan", "Attempts"),
    "webhook_col_retry": ("Coba lagi", "Next try"),
    "webhook_col_error": ("Kesalahan", "Error"),
    "webhook_already_done": ("kiriman {id} sudah diproses; tidak ada yang diulang",
                             "delivery {id} was already processed; nothing queued again"),
    "webhook_requeued": ("kiriman {id} diantrekan ulang (aduan webhook process, atau otomatis oleh webhook serve)",
                         "delivery {id} queued again (aduan webhook process, or automatically by webhook serve)"),
    "db_upgraded": ("skema: {before} -> {after}", "schema: {before} -> {after}"),
    "db_empty": ("(kosong)", "(empty)"),
    "db_backup_pg": ("cadangan PostgreSQL: {path}", "PostgreSQL backup: {path}"),
    "db_backup_done": ("cadangan: {path}", "backup: {path}"),
    "db_backup_checked": ("diperiksa: integritas ok, rantai audit utuh ({events} peristiwa); {counts}",
                          "verified: integrity ok, audit chain intact ({events} events); {counts}"),
    "db_backup_rotated": ("dihapus (rotasi): {path}", "removed (rotation): {path}"),
    "db_restored_pg": ("dipulihkan dari {path}", "restored from {path}"),
    "db_restored": ("dipulihkan: {database} dari {path} ({counts})", "restored: {database} from {path} ({counts})"),
    "db_grants_sqlite": ("SQLite tidak punya peran basis data; lindungi berkasnya dengan hak akses berkas (chmod 600).",
                         "SQLite has no database roles; protect its file with file permissions (chmod 600)."),
    "db_grants_done": ("{count} pernyataan dijalankan", "{count} statements run"),
    "config_ok": ("ok: {source}: {channels} kanal, {staff} staf", "ok: {source}: {channels} channels, {staff} staff"),
    "audit_ok": ("ok: rantai audit utuh ({events} peristiwa diperiksa)",
                 "ok: audit chain intact ({events} events checked)"),
    "audit_broken": ("RUSAK: {problem} ({problems} masalah dari {events} peristiwa; peristiwa pertama yang rusak "
                     "ditampilkan)",
                     "BROKEN: {problem} ({problems} problems in {events} events; the first broken event is shown)"),
    "privacy_exported": ("Tersimpan: {path} ({tickets} tiket, {messages} pesan, {events} peristiwa)",
                         "Saved: {path} ({tickets} tickets, {messages} messages, {events} events)"),
    "recap_marked": ("{count} tiket ditandai sudah direkap.", "{count} tickets marked as recapped."),
    "saved": ("Tersimpan: {path}", "Saved: {path}"),
    "routing_no_model_file": ("routing.model_file belum diatur: isi di config.yaml (mis. routing-model.json) atau "
                              "beri --output BERKAS",
                              "routing.model_file is not set: fill it in config.yaml (e.g. routing-model.json) or "
                              "pass --output FILE"),
    "routing_trained": ("model ditulis ke {path}: {builtin} contoh bawaan + {office} label kantor, {features} fitur "
                        "(sha256 {digest})",
                        "model written to {path}: {builtin} bundled examples + {office} office labels, {features} "
                        "features (sha256 {digest})"),
    "routing_labels_title": ("Label routing ({count})", "Routing labels ({count})"),
    "routing_col_ticket": ("tiket", "ticket"),
    "routing_col_kind": ("jenis", "kind"),
    "routing_col_category": ("kategori", "category"),
    "routing_col_bidang": ("bidang", "division"),
    "routing_col_suggested": ("usulan", "suggested"),
    "routing_col_source": ("sumber", "source"),
    "routing_col_text": ("teks", "text"),
    "routing_eval_head": ("{count} label kantor, validasi silang: ", "{count} office labels, cross-validated: "),
    "routing_eval_none": ("Belum ada label kantor: koreksi routing dengan `aduan route` untuk membuatnya.",
                          "No office label yet: correct routing with `aduan route` to create some."),
    "routing_eval_table": ("kategori: benar (baris) x tebakan (kolom)",
                           "category: expected (rows) x predicted (columns)"),
    "demo_replies_sent": ("{count} balasan terkirim ke server sandbox.",
                          "{count} replies sent to the sandbox servers."),
    "demo_reply_outcome": ("{ref}: balasan {state} ({error})", "{ref}: reply {state} ({error})"),
    "demo_database": ("Basis data demo: {path}", "Demo database: {path}"),
    "config_channel_invalid": ("konfigurasi kanal tidak sah: {problems}", "invalid channel configuration: {problems}"),
    "quarantine_empty": ("Tidak ada item karantina yang belum ditangani.",
                         "No quarantined item is waiting to be handled."),
    "quarantine_empty_all": ("Karantina kosong: belum pernah ada item yang dikarantina.",
                             "The quarantine is empty: no item has ever been quarantined."),
    "quarantine_hint": ("Lihat isinya: aduan quarantine show ID; setelah ditangani: aduan quarantine resolve ID "
                        "--note TEKS",
                        "See its payload: aduan quarantine show ID; once handled: aduan quarantine resolve ID --note "
                        "TEXT"),
    "quarantine_col_id": ("ID", "ID"),
    "quarantine_col_channel": ("Kanal", "Channel"),
    "quarantine_col_received": ("Diterima", "Received"),
    "quarantine_col_external_id": ("ID di kanal", "Channel ID"),
    "quarantine_col_reason": ("Alasan", "Reason"),
    "quarantine_col_handled": ("Ditangani", "Handled"),
    "quarantine_col_note": ("Catatan", "Note"),
    "quarantine_col_payload": ("Isi mentah", "Raw payload"),
    "quarantine_open": ("belum ditangani", "not handled yet"),
    "quarantine_handled_by": ("oleh {user}, {when}", "by {user}, {when}"),
    "quarantine_no_payload": ("(tidak ada isi tersimpan; mungkin sudah dihapus setelah masa retensi)",
                              "(no payload stored; it may have been purged after the retention period)"),
    "quarantine_revealed": ("Isi ditampilkan tanpa sensor (NIK/KK, nomor HP, email) atas permintaan {user}; tercatat "
                            "di log audit.",
                            "Payload shown unmasked (NIK/KK, phone numbers, e-mail) at the request of {user}; "
                            "recorded in the audit log."),
    "quarantine_resolved": ("item karantina {id} ditandai sudah ditangani", "quarantine item {id} marked as handled"),
    "quarantine_already": ("item karantina {id} sudah ditangani sebelumnya ({user}, {when}); tidak diubah",
                           "quarantine item {id} was already handled ({user}, {when}); left unchanged"),
    "quarantine_unknown": ("item karantina {ids} tidak ditemukan (lihat aduan quarantine list --all); tidak ada yang "
                           "diubah",
                           "quarantine item {ids} not found (see aduan quarantine list --all); nothing was changed"),
    "quarantine_note_empty": ("catatan kosong: tulis apa yang dilakukan, mis. --note \"dimasukkan ulang sebagai "
                              "ADU-2026-000123\" atau --note sampah",
                              "empty note: say what was done, e.g. --note \"re-entered as ADU-2026-000123\" or "
                              "--note junk"),
}


def message(key: str, locale: str | None = "id", **values: object) -> str:
    """The sentence `key` in `locale` (Indonesian unless English is chosen), filled with `values`."""
    return SENTENCES[key][LOCALES.index(locale) if locale in LOCALES else 0].format(**values)


def locale_from(environ: Mapping[str, str], chosen: str | None = None) -> str:
    """The language before any configuration is read: --lang, else ADUAN_LOCALE, else Indonesian."""
    for candidate in (chosen, environ.get("ADUAN_LOCALE")):
        if candidate in LOCALES:
            return candidate
    return "id"


# Click's own words (Typer's bundled Click writes English) as Indonesian: applied to the help
# screens and usage errors it renders, in order.
CLICK_ID: tuple[tuple[str, str], ...] = (
    (r"(?m)^Usage: ", "Penggunaan: "),
    (r"\[OPTIONS\]", "[OPSI]"),
    (r"COMMAND \[ARGS\]\.\.\.", "PERINTAH [ARG]..."),
    (r"(?m)^Options:$", "Opsi:"),
    (r"(?m)^Commands:$", "Perintah:"),
    (r"(?m)^Arguments:$", "Argumen:"),
    (r"Show\s+this\s+message\s+and\s+exit\.", "Tampilkan bantuan ini lalu keluar."),
    (r"\[default:(\s[^\]]*)\]", r"[bawaan:\1]"),
    (r"\[required\]", "[wajib]"),
    (r";(\s+)required\]", r";\1wajib]"),
    (r"<int range>", "<bilangan>"),
    (r"\[env\s+var:(\s[^\]]*)\]", r"[variabel lingkungan:\1]"),
    (r"(?m)^Error: ", "Kesalahan: "),
    (r"Try '([^']*)' for help\.", r"Coba '\1' untuk bantuan."),
    (r"No such option: (\S+)", r"Tidak ada opsi: \1"),
    (r"\(Possible options: ([^)]*)\)", r"(Opsi yang mungkin: \1)"),
    (r"Did you mean ([^?]*)\?", r"Maksudnya \1?"),
    (r"No such command '([^']*)'\.", r"Tidak ada perintah '\1'."),
    (r"Missing command\.", "Perintah belum diberikan."),
    (r"Missing option '([^']*)'\.", r"Opsi '\1' belum diberikan."),
    (r"Missing argument '([^']*)'\.", r"Argumen '\1' belum diberikan."),
    (r"Missing parameter: (\S+)", r"Parameter belum diberikan: \1"),
    (r"Invalid value for ('[^']*'|\S+): ", r"Nilai tidak sah untuk \1: "),
    (r"Invalid value: ", "Nilai tidak sah: "),
    (r"'([^']*)' is not a valid integer\.", r"'\1' bukan bilangan bulat yang sah."),
    (r"'([^']*)' is not a valid float\.", r"'\1' bukan bilangan yang sah."),
    (r"'([^']*)' is not a valid boolean\.", r"'\1' bukan nilai ya/tidak yang sah."),
    (r"(\S+) is not in the range ([^.]*)\.", r"\1 di luar rentang \2."),
    (r"'([^']*)' is not one of (.*)\.", r"'\1' bukan salah satu dari \2."),
    (r"'([^']*)' is not (.*)\.", r"'\1' bukan \2."),
    (r"Option '([^']*)' requires an argument\.", r"Opsi '\1' memerlukan nilai."),
    (r"Option '([^']*)' requires (\d+) arguments\.", r"Opsi '\1' memerlukan \2 nilai."),
    (r"Option '([^']*)' does not take a value\.", r"Opsi '\1' tidak menerima nilai."),
    (r"Got unexpected extra arguments? \(([^)]*)\)", r"Ada argumen lebih yang tidak diharapkan (\1)"),
    (r"Aborted!", "Dibatalkan."),
    (r"Input should be a valid integer(, unable to parse string as an integer)?", "harus bilangan bulat"),
    (r"Input should be a valid number(, unable to parse string as a number)?", "harus bilangan"),
    (r"Input should be greater than or equal to (\S+)", r"harus paling sedikit \1"),
    (r"Input should be less than or equal to (\S+)", r"harus paling banyak \1"),
)


def click_text(text: str, locale: str) -> str:
    """A help screen or usage error rendered by Click, in `locale`."""
    import re

    if locale != "id" or not text:
        return text
    for pattern, replacement in CLICK_ID:
        text = re.sub(pattern, replacement, text)
    return text


# Refusals raised deep in ticketing/ are written in Indonesian (the office's language, also in the
# audit log); when English is chosen the command line shows them through this table.
ERRORS_EN: tuple[tuple[str, Any], ...] = (  # (pattern, replacement string or function)
    (r"^tiket (\S+) tidak ditemukan$", r"ticket \1 not found"),
    (r"^(\S+) \((\w+)\) tidak boleh '([^']+)': perlu peran (.+)$", r"\1 (\2) may not '\3': needs the role \4"),
    (r"^(\S+) \(teknis (\S+)\) hanya boleh menangani tiket yang diteruskan ke bidang (\S+); tiket (\S+) ada di "
     r"bidang (\S+)$", r"\1 (teknis \2) may only handle tickets escalated to division \3; ticket \4 is with "
     r"division \5"),
    (r"^tiket (\S+) berstatus (.+?); tidak bisa '?([^'(]+?)'? \(ke (.+?)\)\. Dari (.+?) hanya bisa ke: (.+)$",
     r"ticket \1 is \2; cannot '\3' (to \4). From \5 it can only go to: \6"),
    (r"^tiket (\S+) berstatus (.+?); buka kembali dulu \(aduan reopen\) sebelum membalas$",
     r"ticket \1 is \2; reopen it first (aduan reopen) before replying"),
    (r"^tiket (\S+) tidak sedang diteruskan ke bidang mana pun \(status (.+)\)$",
     r"ticket \1 is not escalated to any division (status \2)"),
    (r"^tiket (\S+) belum punya jawaban bidang; .*$",
     r"ticket \1 has no answer from a division yet; ask with `aduan escalate` and wait for `aduan answer`"),
    (r"^balasan kosong: .*$", "empty reply: write it with -m TEXT or --template NAME"),
    (r"^jawaban kosong: .*$", "empty answer: write it with -m TEXT"),
    (r"^catatan kosong: .*$", "empty note: write it with -m TEXT"),
    (r"^tiket tidak bisa digabung ke dirinya sendiri$", "a ticket cannot be merged into itself"),
    (r"^('[^']*') bukan staf yang terdaftar; staf: (.*)$", r"\1 is not a registered staff member; staff: \2"),
    (r"^templat ('[^']*') tidak ada; lihat daftar dengan `aduan templates` \(tersedia: (.*)\)$",
     r"template \1 does not exist; see `aduan templates` (available: \2)"),
    (r"^teks kosong; tidak ada yang dikirim$", "empty text; nothing sent"),
    (r"^editor keluar dengan kode (\S+); tidak ada yang dikirim$", r"the editor exited with code \1; nothing sent"),
    (r"^pilih salah satu: (.*)$", r"choose one of: \1"),
    (r"^skema basis data (\S+) lebih baru dari aduan ini \(paling baru yang dikenal: (\S+)\); .*$",
     r"the database schema \1 is newer than this aduan (the newest it knows: \2); install the aduan version that "
     r"wrote it. Nothing was changed"),
    (r"^skema basis data ada di (\S+), aduan ini butuh (\S+): jalankan `aduan db upgrade`$",
     r"the database schema is at \1, this aduan needs \2: run `aduan db upgrade`"),
    (r"^basis data terus dikunci proses aduan lain; .*$",
     "the database stayed locked by another aduan process; nothing was changed, try again in a minute"),
    (r"^kanal (\S+): proses lain mengambil alih kanal ini; berhenti tanpa menyimpan$",
     r"channel \1: another run took over this channel; stopping without saving"),
    # A reply the channel refused, as the collectors word it (kept in the outbox in Indonesian).
    (r"^Telegram menolak pengiriman: warga memblokir bot atau chat tidak bisa dikirimi \((.*)\)$",
     r"Telegram refused the message: the citizen blocked the bot or the chat cannot be written to (\1)"),
    (r"^Balasan terlalu panjang untuk (.+?): (\S+) karakter, maksimal (\S+)\. Persingkat balasan\.$",
     r"The reply is too long for \1: \2 characters, at most \3. Shorten it."),
    (r"^Percakapan (.+?) ini belum berisi pesan dari warga, jadi Meta tidak mengizinkan Halaman mengirim pesan "
     r"lebih dulu\.$", r"This \1 conversation holds no message from the citizen yet, so Meta does not let the "
     r"Page write first."),
    (r"^Pesan terakhir warga di (.+?) diterima (.+?), lebih dari 7 hari yang lalu\. .*$",
     r"The citizen's last message on \1 arrived \2, more than 7 days ago. Meta allows no more replies, not even "
     r"with the HUMAN_AGENT tag. Contact the citizen over another channel."),
    (r"^Pesan terakhir warga di (.+?) diterima (.+?), lebih dari 24 jam yang lalu\. .*$",
     r"The citizen's last message on \1 arrived \2, more than 24 hours ago. Meta only allows replies within 24 "
     r"hours of the citizen's last message. Contact the citizen over another channel, or enable human_agent_tag "
     r"(7 days) once Meta has approved the app."),
    (r"^Komentar balasan terlalu panjang: (\S+) karakter, maksimal (\S+)\.$",
     r"The reply comment is too long: \1 characters, at most \2."),
    (r"^Akun kita hanya ditandai \(tag\) di media ini\. .*$", "Our account is only tagged in this media. Instagram "
     "does not allow replying or commenting on other people's media we are tagged in. Contact the citizen by "
     "Instagram DM if they ever wrote to us, or over another channel."),
    (r"^Balasan komentar Instagram terlalu panjang: (\S+) karakter, maksimal (\S+)\.$",
     r"The Instagram comment reply is too long: \1 characters, at most \2."),
    (r"^(.+): surat warga tidak memuat alamat email; balasan tidak dikirim$",
     r"\1: the citizen's mail holds no e-mail address; the reply was not sent"),
    (r"^alamat email penerima tidak diketahui atau tidak sah; balasan tidak dikirim$",
     "the recipient's e-mail address is unknown or invalid; the reply was not sent"),
    (r"^penerima adalah alamat kantor sendiri; balasan tidak dikirim \(mencegah loop surat\)$",
     "the recipient is the office's own address; the reply was not sent (prevents a mail loop)"),
    (r"^(.+) adalah alamat otomatis \(bounce/no-reply\); balasan tidak dikirim$",
     r"\1 is an automatic address (bounce/no-reply); the reply was not sent"),
    (r"^server surat menolak penerima \((.*)\)$", r"the mail server refused the recipient (\1)"),
    (r"^balasan WhatsApp maksimal (\S+) karakter; persingkat isinya$",
     r"a WhatsApp reply has at most \1 characters; shorten it"),
    (r"^Balasan kosong tidak dikirim ke X\.$", "An empty reply is not sent to X."),
    (r"^Membalas di X butuh kredensial user context .*$", "Replying on X needs user-context credentials (OAuth "
     "1.0a or a user's OAuth 2.0 token); an app-only token can only read."),
    (r"^Balasan publik X perlu ID postingan warga yang dibalas; kirim lewat DM bila tidak ada\.$",
     "A public reply on X needs the id of the citizen's post; send it by DM when there is none."),
    (r"^X hanya mengizinkan balasan otomatis ke postingan yang menyebut \(mention\) akun kantor; .*$",
     "X only allows automated replies to posts that mention the office account; this post does not. Reply by DM."),
    (r"^X menolak balasan publik ini; kirim lewat DM\. \((.*)\)$", r"X refused this public reply; send it by DM. (\1)"),
    (r"^Postingan yang dibalas sudah dihapus atau tidak terlihat di X\.$",
     "The post being answered was deleted or is not visible on X."),
    (r"^Percakapan DM X tidak dikenal: tidak ada dm_conversation_id atau ID penerima\.$",
     "Unknown X DM conversation: no dm_conversation_id or recipient id."),
    (r"^X menolak DM ini \(penerima mungkin menutup DM dari akun kantor\)\. \((.*)\)$",
     r"X refused this DM (the recipient may have closed DMs from the office account). (\1)"),
    (r"^Meta menolak balasan karena sudah di luar jendela 24 jam sejak pesan terakhir warga\. \((.*)\)$",
     r"Meta refused the reply: it is outside the 24-hour window since the citizen's last message. (\1)"),
    (r"^Meta menolak balasan: penerima saat ini tidak dapat menerima pesan dari Halaman\. \((.*)\)$",
     r"Meta refused the reply: the recipient cannot receive messages from the Page right now. (\1)"),
    (r"^di luar jendela layanan 24 jam: warga harus mengirim pesan dulu, atau gunakan template resmi"
     r"( \(kode (\d+)\))?$", lambda m: "outside the 24-hour service window: the citizen must write first, or use "
     "an approved template" + (f" (code {m.group(2)})" if m.group(2) else "")),
    (r"^nomor tidak dapat menerima pesan WhatsApp \(kode (\d+)\)$",
     r"the number cannot receive WhatsApp messages (code \1)"),
    (r"^jenis pesan tidak didukung \(kode (\d+)\)$", r"message type not supported (code \1)"),
    (r"^media gagal diunggah \(kode (\d+)\)$", r"the media failed to upload (code \1)"),
    (r"^batas kecepatan pengiriman tercapai; akan dicoba lagi \(kode (\d+)\)$",
     r"the sending rate limit was reached; it will be tried again (code \1)"),
    (r"^terlalu banyak pesan ke nomor ini dalam waktu singkat \(kode (\d+)\)$",
     r"too many messages to this number in a short time (code \1)"),
    (r"^pengiriman gagal \(kode (\d+)\): (.*)$", r"delivery failed (code \1): \2"),
    (r"^pengiriman gagal$", "delivery failed"),
    (r"^pengiriman terputus setelah dimulai: .*$", "the send was cut off after it started: check on the channel, "
     "then `aduan outbox confirm-sent ID` (received) or `aduan outbox resend ID` (not received)"),
    (r"^cek di kanal, lalu `aduan outbox confirm-sent (\S+)` \(sudah diterima\) atau `aduan outbox resend (\S+)`$",
     r"check on the channel, then `aduan outbox confirm-sent \1` (received) or `aduan outbox resend \2`"),
    (r"^token kanal (\S+) ditolak: otorisasi ulang dulu \(aduan channels check\), lalu kirim ulang\. \((.*)\)$",
     r"the token of channel \1 was refused: re-authorise first (aduan channels check), then resend. (\2)"),
    (r"^kanal menolak balasan tanpa alasan$", "the channel refused the reply without a reason"),
    (r"^(\S+)=(.+) bukan waktu ISO-8601 dengan zona \(mis\. (\S+)\)$",
     r"\1=\2 is not an ISO-8601 instant with an offset (e.g. \3)"),
    (r"^logging\.file (.+) tidak bisa ditulis \((.*)\); perbaiki path atau hak aksesnya, atau isi logging\.file: null$",
     r"logging.file \1 cannot be written (\2); fix the path or its permissions, or set logging.file: null"),
    (r"^channels \((.+?)\)\.(\S+) belum diisi: tulis nama variabel lingkungan yang memuat rahasia ini$",
     r"channels (\1).\2 is missing: name the environment variable that holds this secret"),
    (r"^channels \((.+?)\)\.(\S+): variabel lingkungan (\S+) belum diisi; jalankan export (\S+)=\.\.\. sebelum aduan$",
     r"channels (\1).\2: environment variable \3 is not set; export \4=... before running aduan"),
    (r"^model routing (.+) tidak ada; jalankan `aduan classify train`$",
     r"routing model \1 not found; run `aduan classify train`"),
    (r"^model routing (.+) bukan berkas model yang sah \((.*)\); jalankan lagi `aduan classify train`$",
     r"routing model \1 is not a valid model file (\2); run `aduan classify train` again"),
    (r"^(.+): kata kunci ('.*'): '\*' hanya boleh di akhir kata kunci biasa$",
     r"\1: keyword \2: '*' is only allowed at the end of a plain keyword"),
    (r"^(.+): default_kind ('.*') bukan salah satu jenis \(kinds\)$", r"\1: default_kind \2 is not one of the kinds"),
    (r"^routing\.rules_file (.+) tidak ada; hapus kunci itu untuk memakai aturan bawaan$",
     r"routing.rules_file \1 not found; remove the key to use the shipped rules"),
    (r"^(.+) bukan YAML yang sah: (.*)$", r"\1 is not valid YAML: \2"),
    (r"^jenis kanal ('[^']*') tidak dikenal; jenis yang terpasang: tidak ada \(sudahkah aduan dipasang dengan "
     r"pip install -e \.\?\)$", r"channel type \1 is unknown; installed types: none (is aduan installed with "
     r"pip install -e .?)"),
    (r"^jenis kanal ('[^']*') tidak dikenal; jenis yang terpasang: (.*)$",
     r"channel type \1 is unknown; installed types: \2"),
    (r"^jenis kanal ('[^']*') tidak bisa dimuat: (.*)\. Pasang paket yang dibutuhkannya di lingkungan aduan "
     r"\(pip install -e \. di folder aduan\)$", r"channel type \1 cannot be loaded: \2. Install the package it "
     r"needs into aduan's environment (pip install -e . in the aduan checkout)"),
    (r"^konfigurasi kanal tidak sah: (.*)$", r"invalid channel configuration: \1"),
    (r"^channels \((.+?)\)\.user_id dan username wajib diisi: token bearer app-only tidak bisa menanyakan ke X "
     r"akun mana yang dipakai$", r"channels (\1).user_id and username are needed: an app-only bearer token "
     r"cannot ask X which account it is"),
    (r"^channels \((.+?)\)\.user_id wajib diisi bila memakai token bearer app-only$",
     r"channels (\1).user_id is needed with an app-only bearer token"),
    (r"^balasan (\S+) tidak ada di outbox$", r"reply \1 is not in the outbox"),
    (r"^balasan (\S+) berstatus (\S+); hanya yang '([^']*)' atau '([^']*)' yang bisa (.+)$",
     r"reply \1 is \2; only '\3' or '\4' replies can be \5"),
    (r"^balasan (\S+) berubah status saat (.+); lihat lagi `aduan outbox list`$",
     r"reply \1 changed state during \2; look at `aduan outbox list` again"),
    (r"^skema salinan \((.*)\) tidak dikenal aduan ini; pulihkan dengan versi aduan yang membuatnya$",
     r"the copy's schema (\1) is unknown to this aduan; restore it with the aduan version that made it"),
    (r"^pg_dump tidak terpasang; jalankan: (.*)$", r"pg_dump is not installed; run: \1"),
    (r"^pg_restore tidak terpasang; jalankan: (.*)$", r"pg_restore is not installed; run: \1"),
    (r"^basis data (.+) tidak kosong \((\S+) tiket\); tambahkan --force untuk menimpanya$",
     r"database \1 is not empty (\2 tickets); add --force to overwrite it"),
    (r"^akun OS ('[^']*') tidak terdaftar sebagai staf \(identity: os\)\. Tambahkan os_user: (\S+) pada entri staff "
     r"yang sesuai di config\.yaml$", r"OS account \1 is not registered as staff (identity: os). Add os_user: \2 "
     r"to the matching staff entry in config.yaml"),
    (r"^akun OS ('[^']*') \((.*)\) tidak boleh bertindak sebagai ('[^']*') \(identity: os\); tambahkan ('[^']*') ke "
     r"may_act_as milik (.+)$", r"OS account \1 (\2) may not act as \3 (identity: os); add \4 to the may_act_as "
     r"of \5"),
    (r"^tiket (\S+) masih diteruskan ke bidang (\S+) dan jawaban bidang belum masuk\. .*$",
     r"ticket \1 is still escalated to division \2 and the division has not answered yet. Use --interim for an "
     r"interim reply (status stays Escalated, the due time keeps running) or --final if this is the final answer "
     r"(the ticket becomes Answered once delivered)"),
    (r"^bidang ('[^']*') tidak dikenal; pilih salah satu: (.*)$", r"division \1 is unknown; choose one of: \2"),
    (r"^alasan ('[^']*') tidak dikenal; pilih: (.*)$", r"reason \1 is unknown; choose: \2"),
    (r"^kategori ('[^']*') tidak dikenal; pilih: (.*)$", r"category \1 is unknown; choose: \2"),
    (r"^jenis ('[^']*') tidak dikenal; pilih: (.*)$", r"kind \1 is unknown; choose: \2"),
    (r"^templat rusak \((.*)\); tulis \{\{ dan \}\} untuk kurung kurawal biasa$",
     r"broken template (\1); write {{ and }} for literal braces"),
    (r"^templat ('[^']*'): placeholder \{(.*)\} tidak dikenal; yang tersedia: (.*)$",
     r"template \1: placeholder {\2} is unknown; available: \3"),
    (r"^kiriman webhook (\S+) tidak ada$", r"webhook delivery \1 does not exist"),
    (r"^kontak (\S+) tidak ditemukan$", r"contact \1 not found"),
    (r"^tiket (\S+) adalah unggahan publik dan balasan memuat NIK/No\. KK; hapus nomornya atau pakai templat (\S+) "
     r"dan lanjutkan lewat pesan langsung \(DM\)$", r"ticket \1 is a public post and the reply contains a NIK/KK "
     r"number; remove the number or use template \2 and continue by direct message (DM)"),
    (r"^--older-than harus minimal 1 hari$", "--older-than must be at least 1 day"),
    (r"^jeda SLA tidak diaktifkan: set sla\.pause_while_waiting: true di config\.yaml$",
     "SLA pauses are not enabled: set sla.pause_while_waiting: true in config.yaml"),
    (r"^tiket (\S+) tidak terbuka; jeda hanya untuk tiket yang sedang berjalan$",
     r"ticket \1 is not open; only running tickets can be paused"),
    (r"^tiket (\S+) sudah dijeda sejak (.+)$", r"ticket \1 has been paused since \2"),
    (r"^tiket (\S+) tidak sedang dijeda$", r"ticket \1 is not paused"),
    (r"^redis\.url belum diisi: .*$", "redis.url is not set: without Redis every aduan command does the SLA work and "
     "the deliveries itself (inline mode). Set redis.url or ADUAN_REDIS_URL to use a worker"),
    (r"^tulis tanggal sebagai YYYY-MM-DD$", "write the date as YYYY-MM-DD"),
    (r"^beri --category, --kind atau --bidang$", "give --category, --kind or --bidang"),
    (r"^tanpa terminal tidak ada editor: .*$",
     "no terminal, no editor: give the text with -m TEXT, or --template NAME / --use-answer"),
    (r"^editor ('[^']*') tidak bisa dijalankan \((.*)\); set EDITOR atau pakai -m TEKS$",
     r"editor \1 cannot be started (\2); set EDITOR or use -m TEXT"),
    (r"^('[^']*'): pilih salah satu dari (.*)$", r"\1: choose one of \2"),
    (r"^('[^']*'): satu karakter, mis\. ';' atau ','$", r"\1: one character, e.g. ';' or ','"),
    (r"^('[^']*'): pilih (.*)$", r"\1: choose \2"),
    (r"^('[^']*') bukan tanggal YYYY-MM-DD$", r"\1 is not a YYYY-MM-DD date"),
    (r"^berkas catatan (.+) tidak bisa dibaca: (.*)$", r"notes file \1 cannot be read: \2"),
    (r"^sebutkan NAME templat untuk pratinjau$", "name the template (NAME) to preview"),
    (r"^pakai format (\S+) atau (.+) \(WIB\)$", r"use the format \1 or \2 (WIB)"),
)
STATUS_WORDS_EN = {"Baru": "New", "Diteruskan": "Escalated", "Ditindaklanjuti": "Followed up", "Dijawab": "Answered",
                   "Selesai": "Closed", "Ditutup": "Dismissed", " atau ": " or ",
                   "teknis (Pejabat Bidang Teknis)": "teknis (technical division officer)"}


def error_text(text: str, locale: str | None) -> str:
    """An error line in `locale`: Indonesian as raised, English through ERRORS_EN."""
    import re

    if locale != "en":
        return text
    for pattern, replacement in ERRORS_EN:
        translated, count = re.subn(pattern, replacement, text)
        if count:
            from ticketing.i18n import WORDS

            for key, indonesian in WORDS["id"].items():  # a transition refused: cannot 'ditandai selesai'
                if key.startswith("done_"):
                    translated = translated.replace(f"cannot '{indonesian}'",
                                                    f"cannot '{WORDS['en'].get(key, indonesian)}'")
            for indonesian, english in STATUS_WORDS_EN.items():
                translated = translated.replace(indonesian, english)
            return translated
    return text


# Configuration problems as Pydantic and aduan's validators word them (English), with the Indonesian
# wording; `{}` stands for a value. Unknown wordings are shown as written.
VALIDATION_ID: tuple[tuple[str, str], ...] = (
    ("Field required", "wajib diisi"),
    ("Input should be greater than or equal to {}", "harus paling sedikit {}"),
    ("Input should be less than or equal to {}", "harus paling banyak {}"),
    ("Input should be greater than {}", "harus lebih dari {}"),
    ("Input should be less than {}", "harus kurang dari {}"),
    ("Input should be a valid integer, unable to parse string as an integer", "harus bilangan bulat"),
    ("Input should be a valid integer, got a number with a fractional part", "harus bilangan bulat (tanpa pecahan)"),
    ("Input should be a valid integer", "harus bilangan bulat"),
    ("Input should be a valid number, unable to parse string as a number", "harus bilangan"),
    ("Input should be a valid number", "harus bilangan"),
    ("Input should be a valid boolean, unable to interpret input", "harus true atau false"),
    ("Input should be a valid boolean", "harus true atau false"),
    ("Input should be a valid string", "harus teks"),
    ("Input should be a valid list", "harus daftar (list)"),
    ("Input should be a valid dictionary or instance of {}", "harus berupa bagian berisi kunci (mapping)"),
    ("Input should be a valid dictionary", "harus berupa bagian berisi kunci (mapping)"),
    ("Input should be a valid date or datetime, {}", "harus tanggal YYYY-MM-DD"),
    ("Input should be a valid date in the format YYYY-MM-DD, {}", "harus tanggal YYYY-MM-DD"),
    ("Input should be a valid date, {}", "harus tanggal YYYY-MM-DD"),
    ("Input should be a valid time, {}", "harus jam HH:MM"),
    ("Input should be a valid time", "harus jam HH:MM"),
    ("String should have at least {} characters", "harus paling sedikit {} karakter"),
    ("String should have at least {} character", "harus paling sedikit {} karakter"),
    ("String should have at most {} characters", "harus paling banyak {} karakter"),
    ("Input should be {}", "harus {}"),
    ("routing.not_ours_template {} is not a template; known: {}",
     "routing.not_ours_template {} bukan templat; yang ada: {}"),
    ("channel name {} is used twice; names must be unique", "nama kanal {} dipakai dua kali; nama harus unik"),
    ("a staff username is listed twice", "ada username staf yang tercantum dua kali"),
    ("unknown time zone; use an IANA name such as Asia/Jakarta",
     "zona waktu tidak dikenal; pakai nama IANA seperti Asia/Jakarta"),
    ("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
     "pakai sqlite:///PATH atau postgresql+psycopg://USER@HOST/DB"),
    ("use redis://HOST:PORT/DB, rediss://... or unix://PATH, or null for inline mode",
     "pakai redis://HOST:PORT/DB, rediss://... atau unix://PATH, atau null untuk mode inline"),
    ("a teknis user needs bidang: one of {}", "pengguna teknis perlu bidang: salah satu dari {}"),
    ("unknown bidang {}; use one of {}", "bidang {} tidak dikenal; pakai salah satu dari {}"),
    ("queue complaints go to SEKRETARIAT or PDIP (domain.md §4)",
     "keluhan antrean ditujukan ke SEKRETARIAT atau PDIP (domain.md §4)"),
    ("OAuth 1.0a needs all four of {}", "OAuth 1.0a butuh keempatnya: {}"),
    ("name bearer_token_env, or the four OAuth 1.0a *_env keys",
     "isi bearer_token_env, atau keempat kunci *_env OAuth 1.0a"),
    ("from_address must be an email address", "from_address harus alamat email"),
    ("use the Graph version as written by Meta, e.g. v23.0", "tulis versi Graph seperti di dokumen Meta, mis. v23.0"),
    ("base_url must start with https:// (or http:// for a local test server)",
     "base_url harus diawali https:// (atau http:// untuk server uji lokal)"),
)


def _phrase_pattern(template: str):
    import re

    return re.compile("^" + r"(.+?)".join(re.escape(part) for part in template.split("{}")) + "$", re.DOTALL)


_VALIDATION_PATTERNS: list = []


def validation_text(text: str, locale: str | None) -> str:
    """A configuration problem (as Pydantic or a validator words it, in English) in `locale`."""
    if locale == "en" or not text:
        return text
    if not _VALIDATION_PATTERNS:
        _VALIDATION_PATTERNS.extend((_phrase_pattern(en), indonesian) for en, indonesian in VALIDATION_ID)
    for pattern, indonesian in _VALIDATION_PATTERNS:
        found = pattern.match(text)
        if found:
            return indonesian.format(*(value.replace("' or '", "' atau '") for value in found.groups()))
    return text
