"""Understanding citizens' messages: normalisation, kind, topic category and the bidang it routes to.

`load_classifier(settings)` reads the rules file (`routing.rules_file` in the configuration, else
the shipped `ticketing/data/routing.yaml`) and the trained model (`routing.model_file` when it
exists, else the shipped `ticketing/data/routing_model.json`; `routing.model: false` for rules
alone) and returns a callable `text -> RoutingResult`, which is what `IngestPolicy.classify` expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ticketing.routing.classifier import Classifier, Evidence, RoutingResult
from ticketing.routing.rules import DEFAULT_RULES, RuleSet, load_rules

if TYPE_CHECKING:
    from ticketing.config.sections import RoutingSettings

__all__ = ["Classifier", "Evidence", "RoutingResult", "RuleSet", "DEFAULT_RULES", "load_rules", "load_classifier",
           "rules_path", "model_path", "active_model_path", "build_classifier"]


def _configured(value: object, config_source: str | None) -> Path:
    path = Path(str(value)).expanduser()
    if not path.is_absolute() and config_source and config_source != "defaults":
        path = Path(config_source).resolve().parent / path
    return path


def _options(routing: RoutingSettings | dict[str, Any] | None) -> RoutingSettings:
    from ticketing.routing.options import routing_options

    return routing_options(routing)


def rules_path(routing: RoutingSettings | dict[str, Any] | None, config_source: str | None = None) -> Path:
    """The rules file to use: `routing.rules_file` (relative to the config file) or the shipped one."""
    configured = _options(routing).rules_file
    return _configured(configured, config_source) if configured else DEFAULT_RULES


def model_path(routing: RoutingSettings | dict[str, Any] | None, config_source: str | None = None) -> Path | None:
    """Where `aduan classify train` writes (`routing.model_file`, relative to the config file)."""
    configured = _options(routing).model_file
    return _configured(configured, config_source) if configured else None


def active_model_path(routing: RoutingSettings | dict[str, Any] | None,
                      config_source: str | None = None) -> Path | None:
    """The model in use: the office's trained file once it exists, else the shipped one; None = rules alone."""
    if not _options(routing).model:
        return None
    trained = model_path(routing, config_source)
    if trained is not None and trained.exists():
        return trained
    from ticketing.routing.training import SHIPPED_MODEL

    return SHIPPED_MODEL


def _version(path: Path | None) -> tuple[str, int, int] | None:
    if path is None:
        return None
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


_cache: dict[tuple, Classifier] = {}


def load_classifier(routing: RoutingSettings | dict[str, Any] | None = None,
                    config_source: str | None = None) -> Classifier:
    """The classifier for the configured rules and model; built once per process and file versions
    (the webhook server and the worker classify all day; an edited or retrained file is picked
    up by its mtime)."""
    options = _options(routing)
    path = rules_path(routing, config_source)
    model_file = active_model_path(routing, config_source)
    try:
        key = (_version(path), _version(model_file), options.model_dump_json())
    except OSError:
        return build_classifier(path, model_file, options)  # load_rules / load explain what is wrong
    if key not in _cache:
        _cache.clear()
        _cache[key] = build_classifier(path, model_file, options)
    return _cache[key]


def build_classifier(rules_file: Path | None, model_file: Path | None, options=None) -> Classifier:
    rules = load_rules(rules_file)
    if model_file is None:
        return Classifier(rules, options)
    from ticketing.routing.hybrid import HybridClassifier
    from ticketing.routing.model import NaiveBayes

    return HybridClassifier(rules, NaiveBayes.load(model_file), options)
