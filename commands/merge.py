"""`aduan merge A B`: a duplicate ticket into another, refused between two different citizens
unless `--force` (one citizen's mail would move into another's thread and a reply would reach
the wrong person); both sides are named either way."""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of
from commands.tickets import TICKET_ARG, perform


def merge(ctx: typer.Context, ticket_id: str = TICKET_ARG,
          into: str = typer.Argument(..., help="Tiket tujuan."),
          force: bool = typer.Option(False, "--force", help="Gabungkan walau pelapornya berbeda."),
          as_json: bool = JSON_OPTION) -> None:
    """Gabungkan tiket ganda ke tiket lain (ditutup sebagai duplikat)."""
    from ticketing.errors import DifferentContacts
    from ticketing.i18n_cli import message
    from ticketing.workflow import transitions as workflow

    app = app_of(ctx)

    def work(session, ticket, actor, now):
        target = workflow.get_ticket(session, into)
        source_who, target_who = contact_label(session, ticket), contact_label(session, target)
        different = None not in (ticket.contact_id, target.contact_id) and ticket.contact_id != target.contact_id
        if different and not force:
            raise DifferentContacts(message("merge_other_contact", app.locale, ref=ticket.ref, source=source_who,
                                            into=target.ref, target=target_who))
        workflow.merge(session, ticket, target, actor, now)
        return {"into": target.ref, "from_contact": source_who, "into_contact": target_who,
                "different_contacts": different}

    payload = perform(ctx, "merge", ticket_id, as_json, work)
    if payload.get("different_contacts") and not as_json:
        from commands.context import console
        from commands.render import plain

        console(stderr=True).print(plain(message(
            "merge_forced", app.locale, ref=payload["ticket"]["ref"], source=payload["from_contact"],
            into=payload["into"], target=payload["into_contact"])))


def contact_label(session, ticket) -> str:
    """Who wrote a ticket, as staff screens name them: `Name, @handle on channel` (phones masked)."""
    import sqlalchemy as sa

    from ticketing.privacy.safety import display_handle, mask_sensitive
    from ticketing.store.models import Contact, ContactHandle

    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id is not None else None
    handle = session.execute(sa.select(ContactHandle.handle).where(ContactHandle.contact_id == ticket.contact_id)
                             .limit(1)).scalar() if contact else None
    parts = [mask_sensitive(contact.display_name) if contact and contact.display_name else "",
             display_handle(handle) if handle else ""]
    return ", ".join(p for p in parts if p) + f" @ {ticket.channel}" if any(parts) else ticket.channel
