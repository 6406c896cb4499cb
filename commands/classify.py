"""`aduan classify TEXT`: what routing makes of a message, and why; `train`, `labels`, `eval`.

For admins tuning `routing.yaml`: kind, category, bidang and confidence, each keyword that
counted (as written in the rules file, the words it matched and its weight), the model's top
words for its choice, and the normalised text. `--rules PATH` tries an edited copy before it is
installed. `aduan classify TEXT` and `aduan classify text TEXT` are the same command.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from commands.context import JSON_OPTION, app_of, console, print_json


class _TextByDefault(TyperGroup):
    """`aduan classify "some text"` runs the `text` command: a word that is not a subcommand is text."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["text", *args]
        return super().parse_args(ctx, args)


classify_app = typer.Typer(cls=_TextByDefault, no_args_is_help=True, rich_markup_mode=None,
                           help="Routing: uji satu pesan (aduan classify TEKS), latih, label, evaluasi.")

TEXT_ARG = typer.Argument(..., help="Teks pesan yang ingin diuji (pakai tanda kutip).")
RULES_OPTION = typer.Option(None, "--rules", help="Berkas aturan lain untuk dicoba (bawaan: routing.rules_file).")

LABELS = {
    "id": {"kind": "Jenis", "category": "Kategori", "bidang": "Bidang", "confidence": "Keyakinan",
           "flags": "Penanda", "normalized": "Teks ternormalisasi", "evidence": "Bukti",
           "field": "Untuk", "keyword": "Kata kunci", "matched": "Cocok dengan", "weight": "Bobot",
           "none": "-", "no_evidence": "Tidak ada kata kunci yang cocok.", "needs_review": "perlu ditinjau",
           "suggested": "Usulan bidang", "top_words": "Kata terkuat (model)", "decided_by": "Diputuskan oleh"},
    "en": {"kind": "Kind", "category": "Category", "bidang": "Division", "confidence": "Confidence",
           "flags": "Flags", "normalized": "Normalised text", "evidence": "Evidence",
           "field": "For", "keyword": "Keyword", "matched": "Matched", "weight": "Weight",
           "none": "-", "no_evidence": "No keyword matched.", "needs_review": "needs review",
           "suggested": "Suggested division", "top_words": "Strongest words (model)", "decided_by": "Decided by"},
}


def classification_payload(result: Any) -> dict[str, Any]:
    """The stable JSON shape: kind, category, bidang, confidence, evidence (+ flags, normalized)."""
    from ticketing.privacy.safety import mask_sensitive

    data = result.as_dict()
    data.pop("scores", None)
    data["normalized"] = mask_sensitive(data["normalized"])
    return data


def classification_view(data: dict[str, Any], locale: str = "id"):
    """Rich renderables for one classification; the caller prints them."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from commands.render import plain

    words = LABELS.get(locale, LABELS["id"])
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key in ("kind", "category", "bidang"):
        head.add_row(words[key], plain(data[key] or words["none"]))
    if data.get("needs_review"):
        head.add_row(words["suggested"], Text(f"{data.get('suggested_bidang') or words['none']} "
                                              f"({words['needs_review']})", style="bold magenta"))
    head.add_row(words["confidence"], Text(f"{data['confidence']:.2f}"))
    head.add_row(words["decided_by"], plain(data.get("decided_by") or "rules"))
    model = data.get("model") or {}
    top = ", ".join(w["feature"] for w in (model.get("category") or {}).get("top_words") or [])
    if top:
        head.add_row(words["top_words"], plain(top, max_chars=200))
    if data["flags"]:
        head.add_row(words["flags"], plain(", ".join(data["flags"])))
    head.add_row(words["normalized"], plain(data["normalized"], max_chars=300))
    if not data["evidence"]:
        return Group(head, Text(words["no_evidence"]))
    table = Table(title=words["evidence"])
    for key in ("field", "keyword", "matched", "weight"):
        table.add_column(words[key])
    for item in data["evidence"]:
        table.add_row(plain(f"{item['field']}:{item['label']}"), plain(item["keyword"]), plain(item["matched"]),
                      Text(f"{item['weight']:g}"))
    return Group(head, table)


@classify_app.command("text")
def classify(ctx: typer.Context, text: str = TEXT_ARG, rules: str = RULES_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Jenis, kategori, bidang dan bukti untuk satu pesan: untuk menyetel aturan routing."""
    from ticketing.routing import active_model_path, build_classifier, load_classifier
    from ticketing.routing.options import routing_options

    app = app_of(ctx)
    routing = app.settings.routing
    if rules:
        classifier = build_classifier(rules, active_model_path(routing, app.settings.source), routing_options(routing))
    else:
        classifier = load_classifier(routing, app.settings.source)
    explained = classifier.classify(text, explain=True) if hasattr(classifier, "model") else classifier.classify(text)
    data = classification_payload(explained)
    if as_json:
        print_json(data)
    else:
        console().print(classification_view(data, app.locale))
