"""Understanding citizens' messages: normalisation, kind, topic category and the bidang it routes to.

`load_classifier(settings)` reads the rules file (`routing.rules_file` in the configuration, else
the shipped `ticketing/data/routing.yaml`) and returns a callable `text -> RoutingResult`, which is
what `IngestPolicy.classify` expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ticketing.routing.classifier import Classifier, Evidence, RoutingResult
from ticketing.routing.rules import DEFAULT_RULES, RuleSet, load_rules

__all__ = ["Classifier", "Evidence", "RoutingResult", "RuleSet", "DEFAULT_RULES", "load_rules", "load_classifier",
           "rules_path"]


def rules_path(routing: dict[str, Any] | None, config_source: str | None = None) -> Path:
    """The rules file to use: `routing.rules_file` (relative to the config file) or the shipped one."""
    configured = (routing or {}).get("rules_file")
    if not configured:
        return DEFAULT_RULES
    path = Path(str(configured)).expanduser()
    if not path.is_absolute() and config_source and config_source != "defaults":
        path = Path(config_source).resolve().parent / path
    return path


_cache: dict[tuple[str, int, int], Classifier] = {}


def load_classifier(routing: dict[str, Any] | None = None, config_source: str | None = None) -> Classifier:
    """The classifier for the configured rules; compiled once per process and file version (the
    webhook server and the worker classify all day; an edited file is picked up by its mtime)."""
    path = rules_path(routing, config_source)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return Classifier(load_rules(path))  # load_rules explains what is wrong with the path
    if key not in _cache:
        _cache.clear()
        _cache[key] = Classifier(load_rules(path))
    return _cache[key]
