"""`aduan classify TEXT`: what the routing rules make of a message, and why.

For admins tuning `routing.yaml`: kind, category, bidang and confidence, each keyword that
counted (as written in the rules file, the words it matched and its weight) and the normalised
text the rules saw. `--rules PATH` tries an edited copy before it is installed.
"""

from __future__ import annotations

from typing import Any

import typer

from commands.context import JSON_OPTION, app_of, console, print_json

TEXT_ARG = typer.Argument(..., help="Teks pesan yang ingin diuji (pakai tanda kutip).")
RULES_OPTION = typer.Option(None, "--rules", help="Berkas aturan lain untuk dicoba (bawaan: routing.rules_file).")

LABELS = {
    "id": {"kind": "Jenis", "category": "Kategori", "bidang": "Bidang", "confidence": "Keyakinan",
           "flags": "Penanda", "normalized": "Teks ternormalisasi", "evidence": "Bukti",
           "field": "Untuk", "keyword": "Kata kunci", "matched": "Cocok dengan", "weight": "Bobot",
           "none": "-", "no_evidence": "Tidak ada kata kunci yang cocok."},
    "en": {"kind": "Kind", "category": "Category", "bidang": "Division", "confidence": "Confidence",
           "flags": "Flags", "normalized": "Normalised text", "evidence": "Evidence",
           "field": "For", "keyword": "Keyword", "matched": "Matched", "weight": "Weight",
           "none": "-", "no_evidence": "No keyword matched."},
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
    head.add_row(words["confidence"], Text(f"{data['confidence']:.2f}"))
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


def classify(ctx: typer.Context, text: str = TEXT_ARG, rules: str = RULES_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Jenis, kategori, bidang dan bukti untuk satu pesan: untuk menyetel aturan routing."""
    from ticketing.routing import Classifier, load_classifier, load_rules

    app = app_of(ctx)
    classifier = Classifier(load_rules(rules)) if rules else load_classifier(app.settings.routing.model_dump(),
                                                                            app.settings.source)
    data = classification_payload(classifier.classify(text))
    if as_json:
        print_json(data)
    else:
        console().print(classification_view(data, app.locale))
