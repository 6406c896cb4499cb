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
from dataclasses import dataclass
from pathlib import Path

from ticketing.routing.features import features, readable

HEADS = ("kind", "category", "bidang")
NONE = "-"  # the class "no category" / "no bidang"
ALPHA = 0.1  # smoothing; chosen by cross-validation on the training data (0.1: 84.6 %, 0.3: 83.9 %, 1: 81.4 %)
TEMPERATURE = 6.0  # naive Bayes is over-confident on correlated features; this spreads its posteriors
LAZY = ("bidang",)  # heads computed only when asked for
MIN_COUNT = 2  # a feature seen once in all the training texts is dropped (typos of one writer, names)
FORMAT = 2  # 2: stored in the layout it predicts with


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

    def __post_init__(self) -> None:
        self.index = {label: number for number, label in enumerate(self.classes)}


class Prediction:
    """Posteriors per head, kept as lists in class order (building dicts per message cost a tenth
    of the routing budget); a lazy head (bidang) is computed the first time it is asked for."""

    def __init__(self, model: NaiveBayes, rows: dict[str, list[float]], features: list[str]):
        self._model = model
        self._rows = rows
        self.features = features

    def _row(self, head: str) -> list[float]:
        row = self._rows.get(head)
        if row is None:
            row = self._rows[head] = self._model.posterior(head, self.features)
        return row

    @property
    def probabilities(self) -> dict[str, dict[str, float]]:
        heads = self._model.heads
        return {name: dict(zip(heads[name].classes, self._row(name), strict=True)) for name in heads}

    def best(self, head: str) -> tuple[str | None, float]:
        row = self._row(head)
        top = max(range(len(row)), key=row.__getitem__)
        label = self._model.heads[head].classes[top]
        return (None if label == NONE else label), row[top]

    def probability(self, head: str, label: str | None) -> float:
        index = self._model.heads[head].index.get(label or NONE)
        return 0.0 if index is None else self._row(head)[index]


def _softmax(row: list[float]) -> list[float]:
    top = max(row)
    exp = math.exp
    values = [exp((s - top) / TEMPERATURE) for s in row]
    total = sum(values)
    return [v / total for v in values]


class NaiveBayes:
    """Stored as it predicts (the start-up budget: loading is `json.loads` and no more): `eager`
    maps each known feature to (position, weight) pairs over one score vector holding the kind
    and category classes side by side; `lazy` holds the bidang head's (class, weight) pairs,
    computed only when asked for (IKD / online-service messages without error words)."""

    def __init__(self, heads: dict[str, Head], eager: dict[str, list], lazy: dict[str, dict[str, list]],
                 meta: dict[str, object] | None = None):
        self.heads = heads
        self.eager = eager  # feature -> [[position, log(1 + n/alpha)], ...]; every known feature is a key
        self.lazy = lazy  # head -> feature -> [[class, weight], ...]
        self.meta = meta or {}
        self._spans = _spans(heads)
        names = [name for name, _start, _end in self._spans]
        self._prior = [p for name in names for p in heads[name].prior]
        self._base = [b for name in names for b in heads[name].base]
        self._dense: dict[str, tuple[float, ...]] = {}

    @property
    def vocabulary_size(self) -> int:
        return len(self.eager)

    def posterior(self, head: str, known: list[str]) -> list[float]:
        """One lazy head's posterior for the message's known features."""
        spec, table = self.heads[head], self.lazy[head]
        scores = [p + len(known) * b for p, b in zip(spec.prior, spec.base, strict=True)]
        for feature in known:
            for cls, weight in table.get(feature, ()):
                scores[cls] += weight
        return _softmax(scores)

    # --- prediction ---------------------------------------------------------------------------
    def predict_tokens(self, tokens: list[str]) -> Prediction:
        """Sum the known features' dense rows column by column (`map(sum, zip(...))` runs in C:
        a third of the per-pair Python loop it replaced, measured with cProfile)."""
        eager, dense, densify = self.eager, self._dense, self._densify
        known = [feature for feature in features(tokens) if feature in eager]
        rows = [dense.get(feature) or densify(feature) for feature in known]
        k = len(known)
        start = [p + k * b for p, b in zip(self._prior, self._base, strict=True)]
        scores = list(map(sum, zip(start, *rows, strict=True))) if rows else start
        return Prediction(self, {name: _softmax(scores[begin:end]) for name, begin, end in self._spans}, known)

    def _densify(self, feature: str) -> tuple[float, ...]:
        """A feature's weights over the whole score vector, built on first use and kept (loading
        stays one `json.loads`; a day's vocabulary is a few thousand short tuples)."""
        row = [0.0] * len(self._prior)
        for position, weight in self.eager[feature]:
            row[position] = weight
        self._dense[feature] = found = tuple(row)
        return found

    def _head_row(self, head: str, feature: str) -> dict[int, float]:
        for name, start, end in self._spans:
            if name == head:
                return {p - start: w for p, w in self.eager.get(feature, ()) if start <= p < end}
        return {c: w for c, w in self.lazy.get(head, {}).get(feature, ())}

    def top_features(self, prediction: Prediction, head: str, label: str | None, limit: int = 8) -> list[dict]:
        """The message's features that most favour `label` over the head's other classes."""
        classes = self.heads[head].classes
        target = self.heads[head].index.get(label or NONE)
        if target is None:
            return []
        found = []
        for feature in prediction.features:
            row = self._head_row(head, feature)
            others = sum(w for c, w in row.items() if c != target)
            lift = row.get(target, 0.0) - others / max(1, len(classes) - 1)
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
            "eager": self.eager, "lazy": self.lazy,
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
            model = cls(heads, data["eager"], data["lazy"], data.get("meta") or {})
            if set(model.lazy) != set(LAZY) & set(heads) or not isinstance(model.eager, dict):
                raise ValueError("tables do not match the heads")
        except FileNotFoundError:
            raise ConfigError(f"model routing {path} tidak ada; jalankan `aduan classify train`") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"model routing {path} bukan berkas model yang sah ({exc}); "
                              "jalankan lagi `aduan classify train`") from None
        return model


def _spans(heads: dict[str, Head]) -> list[tuple[str, int, int]]:
    """The eager heads' slices of the shared score vector, in HEADS order."""
    spans, start = [], 0
    for name in HEADS:
        if name in heads and name not in LAZY:
            spans.append((name, start, start + len(heads[name].classes)))
            start += len(heads[name].classes)
    return spans


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
    for name in HEADS:
        if not docs[name]:
            continue
        classes = sorted(docs[name])
        total_docs = sum(docs[name].values())
        prior = [math.log(docs[name][c] / total_docs) for c in classes]
        base = [math.log(ALPHA / (sum(counts[name][c].values()) + ALPHA * size)) for c in classes]
        heads[name] = Head(classes, prior, base)
    offsets = {name: start for name, start, _end in _spans(heads)}
    eager: dict[str, list] = {feature: [] for feature in sorted(vocabulary)}
    lazy: dict[str, dict[str, list]] = {name: {} for name in LAZY if name in heads}
    for name, head in heads.items():
        for number, cls in enumerate(head.classes):
            for feature, n in counts[name][cls].items():
                pair = [number, round(math.log1p(n / ALPHA), 4)]
                if name in offsets:
                    eager[feature].append([offsets[name] + number, pair[1]])
                else:
                    lazy[name].setdefault(feature, []).append(pair)
    for rows in eager.values():
        rows.sort()
    for table in lazy.values():
        for rows in table.values():
            rows.sort()
    return NaiveBayes(heads, eager, {name: dict(sorted(table.items())) for name, table in lazy.items()}, meta)
