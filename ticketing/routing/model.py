"""A multinomial naive Bayes text model for kind, category and bidang, in pure Python.

Why not scikit-learn: importing it (with numpy and scipy) costs about 0.8 s on the office PC
class of machine, five times the start-up budget of `aduan classify` (issue 19; bench/routing.py
prints the figures). Naive Bayes over words, word pairs and word pieces trains in one counting pass
(deterministic, a second for the whole built-in set plus the office's labels), predicts with a
few dictionary lookups per feature, and stores as a small JSON file.

Sparse form: with Laplace smoothing, log P(f|c) = base_c + log(1 + n_fc / alpha), base_c =
log(alpha / (N_c + alpha * V)). A message's score for class c is prior_c + k * base_c plus the
sum of log(1 + n_fc / alpha) over its k known features, and that last term is zero for every class
a feature was never seen with, so each feature only touches the classes it occurred with.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ticketing.routing.features import features, readable

HEADS = ("kind", "category", "bidang")
NONE = "-"  # the class "no category" / "no bidang"
ALPHA = 0.1  # smoothing; chosen by cross-validation on the training data (0.1: 84.6 %, 0.3: 83.9 %, 1: 81.4 %)
TEMPERATURE = 6.0  # naive Bayes is over-confident on correlated features; this spreads its posteriors
MIN_COUNT = 2  # a feature seen once in all the training texts is dropped (typos of one writer, names)
FORMAT = 1


@dataclass(frozen=True)
class Example:
    """One labelled text; a field of None in `known` is not asserted (an escalation says only bidang)."""

    text: str
    labels: dict[str, str | None]  # head -> class (None = no category / no bidang), only asserted heads
    weight: float = 1.0


@dataclass
class Head:
    classes: list[str]
    prior: list[float]
    base: list[float]


@dataclass
class Prediction:
    probabilities: dict[str, dict[str, float]]  # head -> class -> probability
    features: list[str] = field(default_factory=list)

    def best(self, head: str) -> tuple[str | None, float]:
        probs = self.probabilities[head]
        label = max(probs, key=lambda c: (probs[c], c))
        return (None if label == NONE else label), probs[label]

    def probability(self, head: str, label: str | None) -> float:
        return self.probabilities[head].get(label or NONE, 0.0)


class NaiveBayes:
    def __init__(self, heads: dict[str, Head], weights: dict[str, list[tuple[int, int, float]]],
                 meta: dict[str, object] | None = None):
        self.heads = heads
        self.weights = weights  # feature -> [(head number, class number, log(1 + n/alpha))]
        self.meta = meta or {}
        self._order = [name for name in HEADS if name in heads]

    # --- prediction ---------------------------------------------------------------------------
    def predict_tokens(self, tokens: list[str]) -> Prediction:
        known = [f for f in features(tokens) if f in self.weights]
        k = len(known)
        scores = [[p + k * b for p, b in zip(self.heads[name].prior, self.heads[name].base, strict=True)]
                  for name in self._order]
        for feature in known:
            for head, cls, weight in self.weights[feature]:
                scores[head][cls] += weight
        result = {}
        for number, name in enumerate(self._order):
            row = scores[number]
            top = max(row)
            exp = [math.exp((s - top) / TEMPERATURE) for s in row]
            total = sum(exp)
            result[name] = {c: e / total for c, e in zip(self.heads[name].classes, exp, strict=True)}
        return Prediction(result, known)

    def top_features(self, prediction: Prediction, head: str, label: str | None, limit: int = 8) -> list[dict]:
        """The message's features that most favour `label` over the head's other classes."""
        number = self._order.index(head)
        classes = self.heads[head].classes
        target = classes.index(label or NONE) if (label or NONE) in classes else None
        if target is None:
            return []
        found = []
        for feature in prediction.features:
            row = dict.fromkeys(range(len(classes)), 0.0)
            for h, cls, weight in self.weights[feature]:
                if h == number:
                    row[cls] = weight
            others = [w for c, w in row.items() if c != target]
            lift = row[target] - (sum(others) / len(others) if others else 0.0)
            if lift > 0:
                found.append((lift, feature))
        found.sort(key=lambda item: (-item[0], item[1]))
        shown: dict[str, float] = {}
        for lift, feature in found:  # a word and its sentence-start pair read the same: keep the stronger
            shown.setdefault(readable(feature), round(lift, 2))
        return [{"feature": text, "weight": weight} for text, weight in list(shown.items())[:limit]]

    # --- storage ------------------------------------------------------------------------------
    def to_json(self) -> str:
        data = {
            "format": FORMAT, "alpha": ALPHA, "meta": self.meta,
            "heads": {name: {"classes": h.classes, "prior": [round(p, 5) for p in h.prior],
                             "base": [round(b, 5) for b in h.base]} for name, h in self.heads.items()},
            "features": {f: [[h, c, round(w, 4)] for h, c, w in rows] for f, rows in sorted(self.weights.items())},
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> NaiveBayes:
        from ticketing.errors import ConfigError

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            heads = {name: Head(list(h["classes"]), list(h["prior"]), list(h["base"]))
                     for name, h in data["heads"].items()}
            weights = {f: [(int(h), int(c), float(w)) for h, c, w in rows] for f, rows in data["features"].items()}
        except FileNotFoundError:
            raise ConfigError(f"routing model {path} not found; run `aduan classify train`") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"routing model {path} is not a valid model file ({exc}); "
                              "run `aduan classify train` again") from None
        return cls(heads, weights, data.get("meta") or {})


def train(examples: Iterable[tuple[list[str], Example]], meta: dict[str, object] | None = None) -> NaiveBayes:
    """Count features per class; `examples` pairs each example with its normalised tokens.
    Deterministic: the same examples give byte-identical JSON whatever their order."""
    counts: dict[str, dict[str, Counter]] = {name: {} for name in HEADS}  # head -> class -> feature counts
    docs: dict[str, Counter] = {name: Counter() for name in HEADS}
    seen: Counter = Counter()
    rows = [(features(tokens), example) for tokens, example in examples]
    for feats, _example in rows:
        seen.update(feats)
    vocabulary = {f for f, n in seen.items() if n >= MIN_COUNT or f.startswith("w:")}
    for feats, example in rows:
        kept = [f for f in feats if f in vocabulary]
        for name, label in example.labels.items():
            cls = label or NONE
            docs[name][cls] += example.weight
            bucket = counts[name].setdefault(cls, Counter())
            for feature in kept:
                bucket[feature] += example.weight
    size = len(vocabulary)
    heads: dict[str, Head] = {}
    weights: dict[str, list[tuple[int, int, float]]] = {}
    order = [name for name in HEADS if docs[name]]
    for number, name in enumerate(order):
        classes = sorted(docs[name])
        total_docs = sum(docs[name].values())
        prior = [math.log(docs[name][c] / total_docs) for c in classes]
        base = [math.log(ALPHA / (sum(counts[name][c].values()) + ALPHA * size)) for c in classes]
        heads[name] = Head(classes, prior, base)
        for cls_number, cls in enumerate(classes):
            for feature, n in counts[name][cls].items():
                weights.setdefault(feature, []).append((number, cls_number, math.log1p(n / ALPHA)))
    for feature in vocabulary:
        weights.setdefault(feature, [])
    for rows_of_feature in weights.values():
        rows_of_feature.sort()
    return NaiveBayes(heads, weights, meta)
