"""The admin's write commands: reply, escalate, answer, resolve, close, reopen, assign, note,
tag, merge. Each runs in one write transaction (`run_write`), records its audit event through
`ticketing.workflow.transitions`, then lets inline mode deliver and sweep (`after_write`). A refusal is
audited too, in its own transaction, because the refused one is rolled back."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from commands.context import JSON_OPTION, after_write, app_of, print_json

TICKET_ARG = typer.Argument(..., help="Nomor tiket (ADU-2026-000123) atau id.")
MESSAGE_HELP = "Isi teks."


def audit_refusal(app, username: str, action: str, ticket_id: str | int | None, reason: str) -> None:
    """An event with action "refused": who tried what on which ticket, and why it was refused."""
    from ticketing.errors import NotFound
    from ticketing.store.db import run_write
    from ticketing.workflow.audit import EventDraft, record_event
    from ticketing.workflow.transitions import get_ticket

    def work(session) -> None:
        ticket = None
        if ticket_id is not None:
            try:
                ticket = get_ticket(session, ticket_id)
            except NotFound:
                ticket = None
        record_event(session, EventDraft(
            ticket.id if ticket else None, app.now(), username, "refused",
            ticket.status if ticket else None, ticket.status if ticket else None,
            {"action": action, "reason": reason, "ticket": str(ticket_id) if ticket_id is not None else None},
        ))

    run_write(app.engine, work)


def guarded(app, action: str, ticket_id: str | int | None, as_json: bool, body: Callable[[], Any]) -> Any:
    """Run `body`; on a refusal write the audit event; with --json also print the error as JSON."""
    from ticketing.errors import AduanError, PermissionDenied

    try:
        return body()
    except AduanError as exc:
        if isinstance(exc, PermissionDenied):
            try:
                audit_refusal(app, app.audit_name(), action, ticket_id, str(exc))
            except Exception as failure:  # the refusal itself must still reach the user
                from ticketing.privacy.redact import redact
                from ticketing.privacy.safety import safe_terminal_text

                reason = safe_terminal_text(redact(failure))
                sys.stderr.write(f"aduan: penolakan tidak tercatat di audit: {reason}\n")
        if as_json:
            kind = "refused" if isinstance(exc, PermissionDenied) else type(exc).__name__
            from ticketing.i18n_cli import error_text

            print_json({"ok": False, "action": action, "error": error_text(str(exc), app.locale), "kind": kind})
        raise


def perform(ctx: typer.Context, action: str, ticket_id: str, as_json: bool,
            work: Callable[[Any, Any, Any, Any], dict[str, Any] | None], *, out=None) -> dict[str, Any]:
    """Look the ticket up, run `work(session, ticket, actor, now)` in a write transaction, report
    (as JSON, or one line on `out` / stdout); returns what was reported."""
    from ticketing.store.db import run_write
    from ticketing.workflow.transitions import get_ticket

    app = app_of(ctx)

    def body() -> dict[str, Any]:
        actor = app.actor()
        now = app.now()

        def transaction(session) -> dict[str, Any]:
            ticket = get_ticket(session, ticket_id)
            extra = work(session, ticket, actor, now) or {}
            return {"ticket_id": ticket.id, **extra}

        return run_write(app.engine, transaction)

    result = guarded(app, action, ticket_id, as_json, body)
    after_write(app)
    return report(app, action, result, as_json, out)


def report(app, action: str, result: dict[str, Any], as_json: bool, out=None) -> dict[str, Any]:
    """After the inline work: the ticket as it is now (a reply may already be delivered)."""
    from ticketing.store.db import read_session
    from ticketing.store.models import Message, Ticket
    from ticketing.workflow.views import ticket_summary

    now = app.now()
    with read_session(app.engine) as session:
        ticket = session.get(Ticket, result["ticket_id"])
        summary = ticket_summary(ticket, "", now, app.warn_before, app.locale)
        message_id = result.get("message_id")
        undelivered = False
        if message_id is not None:
            message = session.get(Message, message_id)
            result["delivery_state"] = message.delivery_state if message else None
            undelivered = result["delivery_state"] in ("failed", "unknown")
            if undelivered:
                result["delivery_error"] = message.delivery_error
    summary.pop("contact")
    payload = {"ok": not undelivered, "action": action, **{k: v for k, v in result.items() if k != "ticket_id"},
               "ticket": summary}
    if as_json:
        print_json(payload)
        return payload
    from commands.context import console
    from commands.render import action_line

    (out or console()).print(action_line(action, payload, app.locale))
    return payload


# --- the commands ---------------------------------------------------------------------------

def reply(
    ctx: typer.Context,
    ticket_id: str = TICKET_ARG,
    message: str = typer.Option(None, "--message", "-m", help="Teks balasan."),
    template: str = typer.Option(None, "--template", "-t", help="Nama templat (lihat `aduan templates`)."),
    use_answer: bool = typer.Option(False, "--use-answer", help="Teruskan jawaban terakhir dari bidang."),
    interim: bool = typer.Option(False, "--interim", help="Balasan sementara: status dan batas waktu tetap."),
    final: bool = typer.Option(False, "--final", help="Jawaban akhir, juga saat jawaban bidang belum masuk."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Balas warga lewat kanal tiketnya (tanpa -m/--template: buka $EDITOR).

    Tiket menjadi Dijawab (batas waktu berhenti) baru setelah kanal menerima balasan."""
    chosen = [name for name, given in (("-m", message is not None), ("--template", template),
                                       ("--use-answer", use_answer)) if given]
    if len(chosen) > 1:
        raise typer.BadParameter(f"pilih salah satu: {' / '.join(chosen)}", param_hint="reply")
    if not chosen and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # no terminal (a pipe, cron, a script): an editor would hang or scribble; say what to pass
        raise typer.BadParameter("tanpa terminal tidak ada editor: berikan teksnya dengan -m TEKS, atau "
                                 "--template NAMA / --use-answer", param_hint="reply")
    app = app_of(ctx)
    text = message
    if not chosen:
        text = guarded(app, "reply", ticket_id, as_json, lambda: compose_in_editor(app, ticket_id))
    from commands.replying import send_reply

    payload = send_reply(ctx, ticket_id, as_json, text=text, template=template, use_answer=use_answer,
                         interim=interim, final=final)
    if not payload.get("ok", True):
        raise typer.Exit(1)


def template_context(app, session, ticket):
    from ticketing.i18n import format_datetime
    from ticketing.privacy.safety import mask_sensitive
    from ticketing.store.models import Contact
    from ticketing.workflow.templates import TemplateContext, bidang_name, promised_date

    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id is not None else None
    name = mask_sensitive(contact.display_name if contact else "") or "Bapak/Ibu"
    office = app.settings.office
    return TemplateContext(nama=name, ref=ticket.ref or str(ticket.id), bidang=bidang_name(ticket.bidang),
                           batas_waktu=format_datetime(promised_date(app.calendar, ticket.due_at, app.now()),
                                                       "id", office.timezone),
                           kanal=ticket.channel, kantor=office.short_name, alamat=office.address or office.name)


def compose_in_editor(app, ticket_id: str) -> str:
    """Open $VISUAL/$EDITOR on a file that quotes the citizen (masked); `#` lines are dropped."""
    from ticketing.privacy.safety import safe_terminal_text
    from ticketing.store.db import read_session
    from ticketing.workflow.transitions import check_access, get_ticket
    from ticketing.workflow.views import ticket_detail

    actor = app.actor()
    with read_session(app.engine) as session:
        ticket = get_ticket(session, ticket_id)
        check_access(ticket, actor, "reply", session)
        data = ticket_detail(session, ticket, app.now(), app.warn_before, app.locale)
    quoted = [f"# {line}" for m in data["messages"][-3:] if m["direction"] == "in"
              for line in safe_terminal_text(m["text"], 2000).splitlines()]
    header = [f"# Balasan untuk {data['ref']} ({data['channel']}). Baris yang diawali # tidak dikirim.",
              "# Simpan dan tutup editor untuk mengirim; biarkan kosong untuk batal.", *quoted]
    return edit_text("\n".join(["", *header]) + "\n", app.environ)


def edit_text(initial: str, environ) -> str:
    """Run the user's editor on a temporary file; the text without `#` lines, or a refusal."""
    import os
    import shlex
    import shutil
    import subprocess
    import tempfile

    from ticketing.errors import Refused

    command = environ.get("VISUAL") or environ.get("EDITOR") or shutil.which("editor") or "vi"
    handle, path = tempfile.mkstemp(prefix="aduan-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(initial)
        try:
            code = subprocess.run([*shlex.split(command), path]).returncode
        except OSError as exc:
            raise Refused(f"editor {command!r} tidak bisa dijalankan ({exc.strerror}); set EDITOR atau "
                             "pakai -m TEKS") from None
        if code != 0:
            raise Refused(f"editor keluar dengan kode {code}; tidak ada yang dikirim")
        with open(path, encoding="utf-8") as file:
            lines = [line for line in file.read().splitlines() if not line.startswith("#")]
    finally:
        os.unlink(path)
    text = "\n".join(lines).strip()
    if not text:
        raise Refused("teks kosong; tidak ada yang dikirim")
    return text


def escalate(
    ctx: typer.Context, ticket_id: str = TICKET_ARG,
    to: str = typer.Option(..., "--to", help="DAFDUK, CAPIL, PIAK, PDIP atau SEKRETARIAT."),
    message: str = typer.Option("", "--message", "-m", help="Catatan untuk bidang."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Teruskan ke Group Admin bidang (SOP langkah 2)."""
    from commands.filters import bidang_code

    perform(ctx, "escalate", ticket_id, as_json, escalate_work(bidang_code(app_of(ctx), to, "--to"), message))


def escalate_work(to: str, note_text: str = ""):
    from ticketing.workflow import transitions as workflow

    def work(session, ticket, actor, now):
        workflow.escalate(session, ticket, to, actor, now, note_text)
        return {"bidang": to.upper()}

    return work


def answer(ctx: typer.Context, ticket_id: str = TICKET_ARG,
           message: str = typer.Option(..., "--message", "-m", help="Jawaban teknis."),
           as_json: bool = JSON_OPTION) -> None:
    """Catat jawaban Pejabat Bidang Teknis (SOP langkah 3)."""
    from ticketing.workflow import transitions as workflow

    perform(ctx, "answer", ticket_id, as_json,
            lambda session, ticket, actor, now: {"message_id": workflow.answer(session, ticket, message, actor,
                                                                               now).id})


def resolve(ctx: typer.Context, ticket_id: str = TICKET_ARG, as_json: bool = JSON_OPTION) -> None:
    """Tandai selesai (setelah warga dijawab)."""
    from ticketing.workflow import transitions as workflow

    perform(ctx, "resolve", ticket_id, as_json, lambda session, ticket, actor, now: workflow.resolve(
        session, ticket, actor, now))


CLOSE_REASON_HELP = "spam, duplikat, terima-kasih atau bukan-kewenangan."


def close(ctx: typer.Context, ticket_id: str = TICKET_ARG,
          reason: str = typer.Option(..., "--reason", help=CLOSE_REASON_HELP), as_json: bool = JSON_OPTION) -> None:
    """Tutup tanpa balasan, dengan alasan."""
    from ticketing.workflow.statuses import CLOSE_REASONS

    if reason not in CLOSE_REASONS:
        from ticketing.i18n_cli import message

        raise typer.BadParameter(message("bad_choice", app_of(ctx).locale, value=reason,
                                         choices=", ".join(CLOSE_REASONS)), param_hint="'--reason'")
    perform(ctx, "close", ticket_id, as_json, close_work(reason))


def close_work(reason: str):
    from ticketing.workflow import transitions as workflow

    def work(session, ticket, actor, now):
        workflow.dismiss(session, ticket, reason, actor, now)
        return {"reason": reason}

    return work


def reopen(ctx: typer.Context, ticket_id: str = TICKET_ARG, as_json: bool = JSON_OPTION) -> None:
    """Buka kembali; batas waktu baru dihitung dari sekarang."""
    from ticketing.workflow import transitions as workflow

    app = app_of(ctx)

    def work(session, ticket, actor, now):
        from ticketing.sla.deadlines import new_due

        # the ticket's own policy (per kind / category), as ingest and `sla recompute` use it
        workflow.reopen(session, ticket, actor, now, due_at=new_due(app, now, ticket.kind, ticket.category, 0))
        return None

    perform(ctx, "reopen", ticket_id, as_json, work)


def assign(ctx: typer.Context, ticket_id: str = TICKET_ARG,
           to: str = typer.Option(..., "--to", help="Username staf (bagian staff: di config)."),
           as_json: bool = JSON_OPTION) -> None:
    """Tugaskan ke seorang staf."""
    from ticketing.errors import Refused
    from ticketing.workflow import transitions as workflow

    app = app_of(ctx)

    def work(session, ticket, actor, now):
        if app.settings.staff_member(to) is None:
            known = ", ".join(s.username for s in app.settings.staff) or "-"
            raise Refused(f"{to!r} bukan staf yang terdaftar; staf: {known}")
        workflow.assign(session, ticket, to, actor, now)
        return {"assignee": to}

    perform(ctx, "assign", ticket_id, as_json, work)


def note(ctx: typer.Context, ticket_id: str = TICKET_ARG,
         message: str = typer.Option(..., "--message", "-m", help="Catatan internal (tidak dikirim ke warga)."),
         as_json: bool = JSON_OPTION) -> None:
    """Tambah catatan internal."""
    from ticketing.workflow import transitions as workflow

    perform(ctx, "note", ticket_id, as_json,
            lambda session, ticket, actor, now: {"message_id": workflow.add_note(session, ticket, message, actor,
                                                                                 now).id})


def tag(ctx: typer.Context, ticket_id: str = TICKET_ARG,
        tags: list[str] = typer.Argument(..., help="Satu tag atau lebih."), as_json: bool = JSON_OPTION) -> None:
    """Beri tag."""
    from ticketing.workflow import transitions as workflow

    def work(session, ticket, actor, now):
        from ticketing.store.flags import parse_flags

        workflow.tag(session, ticket, tags, actor, now)
        return {"tags": parse_flags(ticket.tags)}

    perform(ctx, "tag", ticket_id, as_json, work)


COMMANDS = {"reply": reply, "escalate": escalate, "answer": answer, "resolve": resolve, "close": close,
            "reopen": reopen, "assign": assign, "note": note, "tag": tag}

