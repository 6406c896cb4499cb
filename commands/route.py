"""`aduan route ID --category ... --kind ... [--bidang ...]`: correct a ticket's routing.

The correction is locked (later messages never overwrite it), audited as a `classified` event
through `ticketing.workflow.set_classification`, and kept as a training label for
`aduan classify train`. Without `--bidang`, a new category takes the office's route for it
(routing options and rules file), so the ticket leaves *perlu ditinjau* with a bidang.
"""

from __future__ import annotations

import typer

from commands.context import JSON_OPTION, app_of
from commands.tickets import TICKET_ARG, perform

CATEGORY_OPTION = typer.Option(None, "--category", "-c", help="Kategori layanan yang benar (mis. kk, ktp-el).")
KIND_OPTION = typer.Option(None, "--kind", "-k", help="Jenis: pengaduan, pertanyaan, saran, apresiasi, spam.")
BIDANG_OPTION = typer.Option(None, "--bidang", "-b", help="Bidang (bawaan: bidang untuk kategori itu).")


def route(ctx: typer.Context, ticket_id: str = TICKET_ARG, category: str = CATEGORY_OPTION,
          kind: str = KIND_OPTION, bidang: str = BIDANG_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Perbaiki jenis, kategori atau bidang tiket; dicatat sebagai label untuk `aduan classify train`."""
    from ticketing.errors import Refused
    from ticketing.workflow import transitions as workflow

    if not (category or kind or bidang):
        raise typer.BadParameter("beri --category, --kind atau --bidang", param_hint="route")
    app = app_of(ctx)
    classifier = app.routing_classifier()
    rules = classifier.rules
    if category is not None and rules.category(category) is None:
        known = ", ".join(rule.name for rule in rules.categories)
        raise Refused(f"kategori {category!r} tidak dikenal; pilih: {known}")
    if kind is not None and kind not in {rule.name for rule in rules.kinds}:
        raise Refused(f"jenis {kind!r} tidak dikenal; pilih: {', '.join(rule.name for rule in rules.kinds)}")
    target = bidang.upper() if bidang else None
    if target is None and category is not None:
        target = classifier.bidang_for(category, False) or ""  # "": the category goes to no bidang

    def work(session, ticket, actor, now):
        workflow.set_classification(session, ticket, actor, now, kind=kind, category=category, bidang=target)
        return {"kind": ticket.kind, "category": ticket.category, "bidang": ticket.bidang}

    perform(ctx, "route", ticket_id, as_json, work)
