"""The command line's own sentences in Bahasa Indonesia (default) and English: errors, prompts,
configuration problems, and Click's usage messages (Click writes English through gettext; the
Indonesian catalog below stands in for it when Indonesian is chosen).

`ticketing/i18n.py` holds the words of the views; this module the sentences around them.
"""

from __future__ import annotations

from collections.abc import Mapping

LOCALES = ("id", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "config_missing": "berkas konfigurasi {path} tidak ada; jalankan `aduan init` untuk membuatnya, atau "
                          "beri --config PATH / ADUAN_CONFIG",
        "config_named_missing": "berkas konfigurasi {path} tidak ada; periksa --config / ADUAN_CONFIG, atau "
                                "buat dengan `aduan init {path}`",
        "config_unreadable": "berkas konfigurasi {path} tidak bisa dibaca: {reason}",
        "config_bad_yaml": "{path} bukan YAML yang sah: {reason}",
        "config_not_mapping": "{path} harus berisi bagian-bagian (office, database, ...)",
        "config_invalid": "konfigurasi tidak sah di {path}:",
        "config_unknown_key": "kunci tidak dikenal; maksudnya {close!r}?",
        "config_known_keys": "kunci tidak dikenal; kunci yang dikenal di sini: {keys}",
        "config_check_spelling": "kunci tidak dikenal; periksa ejaannya dengan config.yaml",
        "no_channel": "tidak ada kanal bernama {name!r} di {source}",
        "interrupted": "dihentikan",
        "not_staff": "pengguna {user!r} tidak terdaftar sebagai staf. Tambahkan di bagian staff: {source}, "
                     "mis. - {{username: {user}, name: \"...\", role: admin}}, atau jalankan dengan --as USERNAME",
        "init_exists": "{path} sudah ada; tidak ditimpa (hapus dulu atau pilih PATH lain)",
        "init_no_sample": "contoh konfigurasi tidak ditemukan di {path}; pasang aduan dengan pip install -e .",
        "init_done": "konfigurasi ditulis: {path}\nbasis data siap: {db} (skema {revision})\n"
                     "Langkah berikut: sunting {path} (bagian staff: dan channels:), lalu "
                     "`aduan --config {path} health`",
        "health_ok": "ok: {count} kanal aktif sehat",
        "health_last": "; ingest terakhir berhasil: {last}",
        "health_warning": "peringatan: {text}",
        "health_needs_reauth": "{channel}: perlu otorisasi ulang (token ditolak): {error}",
        "health_never_ran": "{channel}: belum pernah berhasil diambil",
        "health_never_received": "{channel}: belum pernah menerima webhook",
        "health_stale": "{channel}: terakhir berhasil {when} ({minutes} menit lalu, batas {limit} menit)",
        "health_stale_webhook": "{channel}: webhook terakhir diterima {when} ({minutes} menit lalu, "
                                "batas {limit} menit)",
        "health_last_error": "; kesalahan terakhir: {error}",
        "health_quarantine": "karantina: {count} item belum ditangani (terbaru {newest}); lihat aduan quarantine",
        "health_outbox_stuck": "outbox: {count} balasan berstatus '{state}' (terputus saat dikirim): cek di kanal, "
                               "lalu aduan outbox confirm-sent ID atau aduan outbox resend ID",
        "health_reply_failed": "balasan: {count} tiket Gagal kirim (warga belum menerima jawaban, batas waktu tetap "
                               "berjalan): lihat aduan inbox, perbaiki lalu aduan outbox resend ID",
        "health_reply_unknown": "balasan: {count} tiket Belum pasti terkirim: cek di kanal, lalu "
                                "aduan outbox confirm-sent ID atau aduan outbox resend ID",
        "health_webhook_backlog": "webhook: {count} kiriman belum diproses lebih dari {minutes} menit "
                                  "(tertua {oldest})",
        "health_webhook_dead": "webhook: {count} kiriman gagal terus dan dihentikan (dead letter): lihat aduan "
                               "webhook deliveries --failed, lalu aduan webhook retry ID",
        "health_webhook_failing": "webhook: {count} kiriman gagal diproses dan akan dicoba lagi "
                                  "(aduan webhook deliveries --failed)",
        "health_redis_down": "redis: tidak bisa dihubungi: {error}",
        "health_no_worker": "worker: tidak ada `aduan worker` yang berjalan (balasan dan timer SLA tidak dikerjakan)",
        "health_no_scheduler": "scheduler: tidak ada penjadwal RQ yang aktif (timer SLA tidak berbunyi; "
                               "jalankan aduan worker)",
        "health_identity_unset": "identitas: kunci `identity` tidak ada di config.yaml; pengguna diambil dari "
                                 "--as/ADUAN_USER tanpa bukti. Tulis `identity: os` (lihat README) atau "
                                 "`identity: declared`",
        "health_no_backup": "cadangan: belum ada cadangan di {folder}; jadwalkan `aduan db backup` (lihat README)",
        "health_backup_old": "cadangan: cadangan terbaru ({name}) berumur lebih dari {hours} jam",
        "health_no_channel": "tidak ada kanal aktif: nyalakan satu kanal di channels: ({source}) dengan enabled: true",
        "bad_choice": "{value!r} tidak dikenal; pilih: {choices}",
        "merge_other_contact": "tiket {ref} ({source}) dan {into} ({target}) milik pelapor yang berbeda; "
                               "pesan dan balasan akan pindah ke pelapor lain. Ulangi dengan --force bila "
                               "memang orang yang sama",
        "merge_forced": "{ref} ({source}) digabung ke {into} ({target}): pelapor berbeda, atas --force",
        "triage_send_edit_cancel": "[k] kirim  [u] ubah di editor  [b] batal",
        "triage_cancelled": "dibatalkan, tidak ada yang dikirim",
        "triage_unknown_choice": "{value!r} tidak dikenal; pilih nomor atau nama: {choices}",
        "triage_escalation_note": "Catatan untuk bidang (Enter: tanpa catatan)",
        "triage_interrupted": "Triase dihentikan",
        "editor_hint": "Baris yang diawali # tidak dikirim; kosongkan untuk batal.",
        "demo_try": "Coba (salin dan tempel):",
        "demo_config": "Konfigurasi demo: {path} (pengguna demo: admin1, balasan ke kanal sandbox demo)",
        "quarantine_empty": "Tidak ada item karantina yang belum ditangani.",
        "quarantine_empty_all": "Karantina kosong: belum pernah ada item yang dikarantina.",
        "quarantine_hint": "Lihat isinya: aduan quarantine show ID; setelah ditangani: "
                           "aduan quarantine resolve ID --note TEKS",
        "quarantine_col_id": "ID",
        "quarantine_col_channel": "Kanal",
        "quarantine_col_received": "Diterima",
        "quarantine_col_external_id": "ID di kanal",
        "quarantine_col_reason": "Alasan",
        "quarantine_col_handled": "Ditangani",
        "quarantine_col_note": "Catatan",
        "quarantine_col_payload": "Isi mentah",
        "quarantine_open": "belum ditangani",
        "quarantine_handled_by": "oleh {user}, {when}",
        "quarantine_no_payload": "(tidak ada isi tersimpan; mungkin sudah dihapus setelah masa retensi)",
        "quarantine_revealed": "Isi ditampilkan tanpa sensor (NIK/KK, nomor HP, email) atas permintaan {user}; "
                               "tercatat di log audit.",
        "quarantine_resolved": "item karantina {id} ditandai sudah ditangani",
        "quarantine_already": "item karantina {id} sudah ditangani sebelumnya ({user}, {when}); tidak diubah",
        "quarantine_unknown": "item karantina {ids} tidak ditemukan (lihat aduan quarantine list --all); "
                              "tidak ada yang diubah",
        "quarantine_note_empty": "catatan kosong: tulis apa yang dilakukan, mis. --note \"dimasukkan ulang sebagai "
                                 "ADU-2026-000123\" atau --note sampah",
    },
    "en": {
        "config_missing": "configuration file {path} does not exist; run `aduan init` to create it, or pass "
                          "--config PATH / ADUAN_CONFIG",
        "config_named_missing": "configuration file {path} does not exist; check --config / ADUAN_CONFIG, or "
                                "create it with `aduan init {path}`",
        "config_unreadable": "configuration file {path} cannot be read: {reason}",
        "config_bad_yaml": "{path} is not valid YAML: {reason}",
        "config_not_mapping": "{path} must be a mapping of sections (office, database, ...)",
        "config_invalid": "invalid configuration in {path}:",
        "config_unknown_key": "unknown key; did you mean {close!r}?",
        "config_known_keys": "unknown key; known keys here: {keys}",
        "config_check_spelling": "unknown key; check its spelling against config.yaml",
        "no_channel": "no channel named {name!r} in {source}",
        "interrupted": "interrupted",
        "not_staff": "user {user!r} is not registered as staff. Add them under staff: in {source}, "
                     "e.g. - {{username: {user}, name: \"...\", role: admin}}, or run with --as USERNAME",
        "init_exists": "{path} already exists; not overwritten (remove it or choose another PATH)",
        "init_no_sample": "the sample configuration is missing at {path}; install aduan with pip install -e .",
        "init_done": "configuration written: {path}\ndatabase ready: {db} (schema {revision})\n"
                     "Next: edit {path} (the staff: and channels: sections), then "
                     "`aduan --config {path} health`",
        "health_ok": "ok: {count} enabled channels healthy",
        "health_last": "; last successful ingest: {last}",
        "health_warning": "warning: {text}",
        "health_needs_reauth": "{channel}: needs re-authorisation (token refused): {error}",
        "health_never_ran": "{channel}: never fetched successfully",
        "health_never_received": "{channel}: has never received a webhook",
        "health_stale": "{channel}: last success {when} ({minutes} minutes ago, limit {limit} minutes)",
        "health_stale_webhook": "{channel}: last webhook received {when} ({minutes} minutes ago, "
                                "limit {limit} minutes)",
        "health_last_error": "; last error: {error}",
        "health_quarantine": "quarantine: {count} items not yet handled (newest {newest}); see aduan quarantine",
        "health_outbox_stuck": "outbox: {count} replies in state '{state}' (cut off while sending): check on the "
                               "channel, then aduan outbox confirm-sent ID or aduan outbox resend ID",
        "health_reply_failed": "replies: {count} tickets Send failed (the citizen has no answer yet, the due time "
                               "keeps running): see aduan inbox, fix it, then aduan outbox resend ID",
        "health_reply_unknown": "replies: {count} tickets Delivery uncertain: check on the channel, then "
                                "aduan outbox confirm-sent ID or aduan outbox resend ID",
        "health_webhook_backlog": "webhook: {count} deliveries unprocessed for more than {minutes} minutes "
                                  "(oldest {oldest})",
        "health_webhook_dead": "webhook: {count} deliveries kept failing and were given up (dead letter): see "
                               "aduan webhook deliveries --failed, then aduan webhook retry ID",
        "health_webhook_failing": "webhook: {count} deliveries failed to process and will be tried again "
                                  "(aduan webhook deliveries --failed)",
        "health_redis_down": "redis: cannot be reached: {error}",
        "health_no_worker": "worker: no `aduan worker` is running (replies and SLA timers are not handled)",
        "health_no_scheduler": "scheduler: no RQ scheduler is active (SLA timers do not fire; run aduan worker)",
        "health_identity_unset": "identity: the `identity` key is missing from config.yaml; the user is taken from "
                                 "--as/ADUAN_USER without proof. Write `identity: os` (see README) or "
                                 "`identity: declared`",
        "health_no_backup": "backup: no backup in {folder} yet; schedule `aduan db backup` (see README)",
        "health_backup_old": "backup: the newest backup ({name}) is older than {hours} hours",
        "health_no_channel": "no enabled channel: enable one under channels: ({source}) with enabled: true",
        "bad_choice": "{value!r} is unknown; choose: {choices}",
        "merge_other_contact": "tickets {ref} ({source}) and {into} ({target}) belong to different citizens; "
                               "messages and replies would move to another person. Repeat with --force if they "
                               "are really the same person",
        "merge_forced": "{ref} ({source}) merged into {into} ({target}): different citizens, by --force",
        "triage_send_edit_cancel": "[s] send  [e] edit in editor  [c] cancel",
        "triage_cancelled": "cancelled, nothing sent",
        "triage_unknown_choice": "{value!r} is unknown; choose a number or a name: {choices}",
        "triage_escalation_note": "Note for the division (Enter: no note)",
        "triage_interrupted": "Triage interrupted",
        "editor_hint": "Lines starting with # are not sent; leave it empty to cancel.",
        "demo_try": "Try (copy and paste):",
        "demo_config": "Demo configuration: {path} (demo user: admin1, replies go to the demo's sandbox channels)",
        "quarantine_empty": "No quarantined item is waiting to be handled.",
        "quarantine_empty_all": "The quarantine is empty: no item has ever been quarantined.",
        "quarantine_hint": "See its payload: aduan quarantine show ID; once handled: "
                           "aduan quarantine resolve ID --note TEXT",
        "quarantine_col_id": "ID",
        "quarantine_col_channel": "Channel",
        "quarantine_col_received": "Received",
        "quarantine_col_external_id": "Channel ID",
        "quarantine_col_reason": "Reason",
        "quarantine_col_handled": "Handled",
        "quarantine_col_note": "Note",
        "quarantine_col_payload": "Raw payload",
        "quarantine_open": "not handled yet",
        "quarantine_handled_by": "by {user}, {when}",
        "quarantine_no_payload": "(no payload stored; it may have been purged after the retention period)",
        "quarantine_revealed": "Payload shown unmasked (NIK/KK, phone numbers, e-mail) at the request of {user}; "
                               "recorded in the audit log.",
        "quarantine_resolved": "quarantine item {id} marked as handled",
        "quarantine_already": "quarantine item {id} was already handled ({user}, {when}); left unchanged",
        "quarantine_unknown": "quarantine item {ids} not found (see aduan quarantine list --all); nothing was changed",
        "quarantine_note_empty": "empty note: say what was done, e.g. --note \"re-entered as ADU-2026-000123\" "
                                 "or --note junk",
    },
}


def message(key: str, locale: str | None = "id", **values: object) -> str:
    table = MESSAGES.get(locale or "id", MESSAGES["id"])
    return table.get(key, MESSAGES["id"][key]).format(**values)


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
ERRORS_EN: tuple[tuple[str, str], ...] = (
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
            for indonesian, english in STATUS_WORDS_EN.items():
                translated = translated.replace(indonesian, english)
            return translated
    return text
