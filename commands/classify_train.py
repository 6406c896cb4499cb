"""`aduan classify train | labels | eval`: learning from the office's corrections.

* `train` refits the model on the built-in labelled set plus the office's labels (table
  `routing_label`) and writes `routing.model_file`; deterministic, a few seconds, fit for a
  nightly cron. Audited (`routing_trained`), admins and supervisors only.
* `labels [--export FILE]` lists the labels (text masked) or writes them as YAML in the built-in
  set's format, so a good batch can join the shipped training data. Audited when exported.
* `eval` prints accuracy by cross-validation on the office's labels (each fold predicted by a
  model trained on the built-in set and the other folds) and the category confusion table.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import typer

from commands.classify import classify_app
from commands.context import JSON_OPTION, app_of, console, print_json
from ticketing.i18n_cli import message

OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="Tulis model ke sini (bawaan: routing.model_file).")
EXPORT_OPTION = typer.Option(None, "--export", help="Tulis label ke berkas YAML ini.")


def _authorised(app, action: str, as_json: bool):
    """The acting staff member if they may tune routing (a refusal is audited)."""
    from commands.tickets import guarded
    from ticketing.workflow.roles import require

    def check():
        actor = app.actor()
        require(actor, "classify")
        return actor

    return guarded(app, action, None, as_json, check)


def _audit(app, actor, action: str, detail: dict[str, Any]) -> None:
    from ticketing.store.db import run_write
    from ticketing.workflow.audit import EventDraft, record_event

    run_write(app.engine, lambda s: record_event(s, EventDraft(None, app.now(), actor.username, action,
                                                               None, None, detail)))


def _office_labels(app):
    from ticketing.routing.labels import office_labels
    from ticketing.store.db import read_session

    with read_session(app.engine) as session:
        return office_labels(session)


@classify_app.command("train")
def train(ctx: typer.Context, output: str = OUTPUT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Latih ulang model routing: data bawaan + label koreksi kantor (deterministik)."""
    from ticketing.errors import ConfigError
    from ticketing.routing import load_rules, model_path, rules_path
    from ticketing.routing.training import builtin_labels, fit

    app = app_of(ctx)
    actor = _authorised(app, "classify train", as_json)
    routing, source = app.settings.routing, app.settings.source
    target = Path(output) if output else model_path(routing, source)
    if target is None:
        raise ConfigError(message("routing_no_model_file", app.locale))
    office = _office_labels(app)
    builtin = builtin_labels()
    model = fit(load_rules(rules_path(routing, source)), builtin, office)
    model.save(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()[:16]
    detail = {"model_file": str(target), "builtin": len(builtin), "office": len(office), "sha256": digest,
              "features": model.vocabulary_size}
    _audit(app, actor, "routing_trained", detail)
    if as_json:
        print_json({"ok": True, **detail})
    else:
        console().print(message("routing_trained", app.locale, path=target, builtin=len(builtin), office=len(office),
                                features=model.vocabulary_size, digest=digest), markup=False)


@classify_app.command("labels")
def labels(ctx: typer.Context, export: str = EXPORT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Label koreksi routing dari kantor (teks disamarkan); --export BERKAS menulis YAML."""
    import yaml

    from ticketing.privacy.safety import mask_sensitive
    from ticketing.routing.labels import label_rows
    from ticketing.store.db import read_session

    app = app_of(ctx)
    actor = _authorised(app, "classify labels", as_json)
    with read_session(app.engine) as session:
        rows = label_rows(session)
    for row in rows:
        row["text"] = mask_sensitive(row["text"])
        row["labelled_at"] = row["labelled_at"].isoformat() if row["labelled_at"] else None
    if export:
        items = [{"kind": r["kind"], "category": r["category"], "bidang": r["bidang"], "fields": r["fields"],
                  "source": ",".join(r["sources"]), "text": r["text"]} for r in rows if r["text"]]
        Path(export).write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _audit(app, actor, "routing_labels_exported", {"file": str(export), "labels": len(items)})
    if as_json:
        print_json({"labels": rows, "exported": export})
        return
    _print_labels(rows, export, app.locale)


def _print_labels(rows: list[dict[str, Any]], export: str | None, locale: str) -> None:
    from rich.table import Table

    from commands.render import plain

    table = Table(title=message("routing_labels_title", locale, count=len(rows)))
    for key in ("ticket", "kind", "category", "bidang", "suggested", "source", "text"):
        table.add_column(message(f"routing_col_{key}", locale))
    for r in rows:
        table.add_row(plain(str(r["ticket_id"])), plain(r["kind"] or "-"), plain(r["category"] or "-"),
                      plain(r["bidang"] or "-"), plain(r["suggested"]), plain(",".join(r["sources"])),
                      plain(r["text"], max_chars=80, single_line=True))
    console().print(table)
    if export:
        console().print(message("saved", locale, path=export), markup=False)


@classify_app.command("eval")
def evaluate(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Akurasi routing pada label kantor (validasi silang) dan tabel kebingungan kategori."""
    from ticketing.routing import load_rules, rules_path
    from ticketing.routing.hybrid import HybridClassifier
    from ticketing.routing.options import routing_options
    from ticketing.routing.training import builtin_labels, cross_validate

    app = app_of(ctx)
    _authorised(app, "classify eval", as_json)
    routing = app.settings.routing
    rules = load_rules(rules_path(routing, app.settings.source))
    options = routing_options(routing)
    office = _office_labels(app)
    result = cross_validate(rules, lambda model: HybridClassifier(rules, model, options).classify, office,
                            extra=builtin_labels(), count=min(5, max(2, len(office))))
    payload = {"labels": len(office), "accuracy": {name: round(result.accuracy(name), 4)
                                                   for name in ("kind", "category", "bidang")},
               "confusion": {name: [{"expected": e, "got": g, "count": n}
                                    for (e, g), n in sorted(counts.items(), key=lambda i: (-i[1], str(i[0])))]
                             for name, counts in result.confusion.items()}}
    if as_json:
        print_json(payload)
        return
    console().print(confusion_view(payload, app.locale))


def confusion_view(payload: dict[str, Any], locale: str = "id"):
    """Accuracy per field, then expected category (rows) against the predicted one (columns)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from commands.render import plain

    head = Text(message("routing_eval_head", locale, count=payload["labels"]) + "  ".join(
        f"{message(f'routing_col_{name}', locale)} {value:.1%}" for name, value in payload["accuracy"].items()))
    cells = payload["confusion"]["category"]
    if not cells:  # no office label yet: an empty grid would only draw its borders
        return Group(head, Text(message("routing_eval_none", locale)))
    labels = sorted({c["expected"] or "-" for c in cells} | {c["got"] or "-" for c in cells})
    table = Table(title=message("routing_eval_table", locale))
    table.add_column("")
    for name in labels:
        table.add_column(plain(name[:10]), justify="right")
    counts = {((c["expected"] or "-"), (c["got"] or "-")): c["count"] for c in cells}
    for row in labels:
        table.add_row(plain(row), *[Text(str(counts.get((row, col), "")) or "·") for col in labels])
    return Group(head, table)
