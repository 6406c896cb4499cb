"""Training data and training: the built-in labelled sets plus the office's corrections.

Built-in examples: `ticketing/data/routing_train.yaml` (written for training) and, in a checkout,
the tuned evaluation set `tests/fixtures/routing/`. The frozen set `tests/data/routing_frozen/`
is never read here (a test checks it). Office labels come from the database
(`ticketing.routing.labels`) and weigh more: they are this office's real traffic.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ticketing.routing.model import HEADS, Example, NaiveBayes, train
from ticketing.routing.rules import RuleSet

DATA = Path(__file__).resolve().parents[1] / "data"
TRAIN_FILE = DATA / "routing_train.yaml"
SHIPPED_MODEL = DATA / "routing_model.json"
TUNED_SET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "routing"
OFFICE_WEIGHT = 3.0  # an office label counts as three built-in examples: it is the real distribution
FOLDS = 5
SEED = 19  # fold assignment; fixed so `aduan classify eval` prints the same figures twice


@dataclass(frozen=True)
class LabelledText:
    text: str
    kind: str | None
    category: str | None
    bidang: str | None
    fields: tuple[str, ...] = HEADS  # which of kind/category/bidang the label asserts
    source: str = "builtin"

    def example(self, weight: float = 1.0) -> Example:
        values = {"kind": self.kind, "category": self.category, "bidang": self.bidang}
        return Example(self.text, {name: values[name] for name in self.fields}, weight)


def read_yaml_labels(files: Iterable[Path], source: str = "builtin") -> list[LabelledText]:
    found = []
    for file in files:
        for item in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            found.append(LabelledText(item["text"], item["kind"], item.get("category"), item.get("bidang"),
                                      source=source))
    return found


def builtin_files() -> list[Path]:
    files = [TRAIN_FILE] if TRAIN_FILE.exists() else []
    if TUNED_SET.is_dir():
        files += sorted(TUNED_SET.glob("*.yaml"))
    return files


def builtin_labels() -> list[LabelledText]:
    return read_yaml_labels(builtin_files())


def fit(rules: RuleSet, labels: Sequence[LabelledText], office: Sequence[LabelledText] = (),
        meta: dict[str, object] | None = None) -> NaiveBayes:
    tokens = rules.normalizer.tokens
    pairs = [(tokens(label.text), label.example()) for label in labels]
    pairs += [(tokens(label.text), label.example(OFFICE_WEIGHT)) for label in office]
    info = {"builtin": len(labels), "office": len(office), **(meta or {})}
    return train(pairs, info)


def folds(items: Sequence[LabelledText], count: int = FOLDS) -> list[int]:
    order = list(range(len(items)))
    random.Random(SEED).shuffle(order)
    fold_of = [0] * len(items)
    for rank, index in enumerate(order):
        fold_of[index] = rank % count
    return fold_of


Predict = Callable[[str], object]  # text -> a RoutingResult-like object


@dataclass
class Evaluation:
    total: int
    correct: dict[str, int]
    confusion: dict[str, Counter]

    def accuracy(self, field: str) -> float:
        return self.correct[field] / self.total if self.total else 0.0


def score(predict: Predict, labels: Sequence[LabelledText]) -> Evaluation:
    correct = dict.fromkeys(HEADS, 0)
    confusion = {name: Counter() for name in HEADS}
    counted = dict.fromkeys(HEADS, 0)
    for label in labels:
        result = predict(label.text)
        for name in label.fields:
            expected, got = getattr(label, name), getattr(result, name)
            counted[name] += 1
            if expected == got:
                correct[name] += 1
            confusion[name][(expected, got)] += 1
    total = max(counted.values()) if labels else 0
    return Evaluation(total, correct, confusion)


def cross_validate(rules: RuleSet, make: Callable[[NaiveBayes], Predict], labels: Sequence[LabelledText],
                   extra: Sequence[LabelledText] = (), count: int = FOLDS) -> Evaluation:
    """Each fold of `labels` predicted by a model trained on the other folds plus `extra`."""
    fold_of = folds(labels, count)
    total = Evaluation(0, dict.fromkeys(HEADS, 0), {name: Counter() for name in HEADS})
    for fold in range(count):
        held = [label for label, f in zip(labels, fold_of, strict=True) if f == fold]
        rest = [label for label, f in zip(labels, fold_of, strict=True) if f != fold]
        if not held:
            continue
        builtin = [label for label in [*rest, *extra] if label.source == "builtin"]
        office = [label for label in [*rest, *extra] if label.source != "builtin"]
        part = score(make(fit(rules, builtin, office)), held)
        total.total += part.total
        for name in HEADS:
            total.correct[name] += part.correct[name]
            total.confusion[name].update(part.confusion[name])
    return total
