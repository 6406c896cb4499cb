"""`aduan privacy purge --older-than DAYS [--dry-run]`: the retention period of personal data;
`aduan privacy export --contact ID [--output PATH]`: a citizen's access request (ticketing.privacy.subject_export).

Supervisor only. The personal data of tickets closed or dismissed more than DAYS ago is removed
(ticketing.privacy.purge: bodies, names, handles, notes, answers, payloads, notification texts,
files no other ticket uses, contacts nothing else refers to) and printed by kind; the ticket rows
stay, so daily and monthly recap figures do not change. Every purged ticket gets an audit event.
"""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of, print_json
from ticketing.i18n_cli import message

privacy_app = typer.Typer(help="Data pribadi: masa retensi, penghapusan isi pesan, ekspor data warga.",
                          no_args_is_help=True)

SUMMARY = {
    "id": "{mode}{tickets} tiket (ditutup/selesai sebelum {cutoff}):",
    "en": "{mode}{tickets} tickets (closed before {cutoff}):",
}
KIND_LABELS = {  # what was removed, by kind, in the order printed
    "id": {"messages": "isi pesan", "names": "nama/akun/ID pengirim", "revisions": "revisi", "notes": "catatan petugas",
           "escalations": "catatan eskalasi dan jawaban bidang", "attachments": "lampiran",
           "notifications": "teks notifikasi", "contacts": "kontak", "handles": "akun kanal kontak",
           "quarantine_payloads": "payload karantina", "webhook_payloads": "payload webhook",
           "files_removed": "berkas dihapus", "shared_files": "berkas dipertahankan (masih dipakai tiket lain)"},
    "en": {"messages": "message bodies", "names": "sender names/handles/ids", "revisions": "revisions",
           "notes": "staff notes", "escalations": "escalation notes and answers", "attachments": "attachments",
           "notifications": "notification texts", "contacts": "contacts", "handles": "contact handles",
           "quarantine_payloads": "quarantine payloads", "webhook_payloads": "webhook payloads",
           "files_removed": "files deleted", "shared_files": "files kept (still used by other tickets)"},
}
MODE = {"id": ("[uji coba, tidak ada yang dihapus] ", "Dihapus: "),
        "en": ("[dry run, nothing removed] ", "Purged: ")}


@privacy_app.command("purge")
def purge(
    ctx: typer.Context,
    older_than: int = typer.Option(..., "--older-than", min=1, help="Hapus isi tiket yang ditutup lebih dari N hari."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Hanya hitung, tanpa menghapus."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Hapus isi pesan dan payload mentah tiket lama (rekap tetap utuh). Khusus supervisor."""
    from ticketing.errors import PermissionDenied
    from ticketing.i18n import format_datetime
    from ticketing.privacy.purge import compact, remove_files
    from ticketing.privacy.purge import purge as run_purge
    from ticketing.store.db import run_write

    app = app_of(ctx)
    actor = app.actor()
    now = app.now()
    try:
        result = run_write(app.engine, lambda session: run_purge(session, actor, now, older_than, dry_run))
    except PermissionDenied as exc:
        from commands.tickets import audit_refusal

        audit_refusal(app, actor.username, "privacy_purge", None, str(exc))  # denials are audited too
        raise
    files_removed = 0
    if not dry_run:
        files_removed = remove_files(app.engine, result.files)
        compact(app.engine)  # SQLite: no purged text left in free pages or the WAL
    payload = {"ok": True, "action": "privacy_purge", **result.as_dict(), "files_removed": files_removed}
    if as_json:
        print_json(payload)
        return
    locale = app.locale if app.locale in SUMMARY else "id"
    fields = result.as_dict() | {"cutoff": format_datetime(result.cutoff, locale)}
    typer.echo(SUMMARY[locale].format(mode=MODE[locale][0 if dry_run else 1], **fields))
    for kind, label in KIND_LABELS[locale].items():
        typer.echo(f"  {label}: {payload[kind]}")


@privacy_app.command("export")
def export(
    ctx: typer.Context,
    contact: int = typer.Option(..., "--contact", help="ID kontak warga (kolom contact_id tiketnya)."),
    output: str = typer.Option(None, "--output", "-o", help="Berkas JSON tujuan (bawaan: ke layar)."),
) -> None:
    """Data seorang warga dan jejak pemrosesannya sebagai JSON (UU 27/2022 Pasal 32). Khusus supervisor; diaudit."""
    import json
    import os

    from ticketing.errors import PermissionDenied
    from ticketing.privacy.subject_export import export_contact
    from ticketing.store.db import run_write

    app = app_of(ctx)
    actor = app.actor()
    now = app.now()
    try:
        data = run_write(app.engine, lambda session: export_contact(session, actor, now, contact))
    except PermissionDenied as exc:
        from commands.tickets import audit_refusal

        audit_refusal(app, actor.username, "privacy_export", None, str(exc))
        raise
    if output is None:
        print_json(data)
        return
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner-only file
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    typer.echo(message("privacy_exported", app.locale, path=output, tickets=data["summary"]["tickets"],
                       messages=data["summary"]["messages"], events=data["summary"]["events"]), err=True)
