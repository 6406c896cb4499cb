"""Routing accuracy on the labelled evaluation set, the worst confusions, and throughput.

    python -m bench.routing [--rules PATH] [--count 20000] [--show-errors]

Targets: category accuracy >= 90 %, bidang accuracy >= 95 %, over 5,000 messages/second on one
core. The evaluation set lives in tests/fixtures/routing/*.yaml (messages written for it, not
copied into the rules).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import Row
from ticketing.routing import Classifier, load_rules

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "routing"
FIELDS = ("kind", "category", "bidang")
TARGETS = {"category": 0.90, "bidang": 0.95}  # the acceptance bar
MIN_RATE = 5000  # messages per second


@dataclass(frozen=True)
class Sample:
    text: str
    kind: str
    category: str | None
    bidang: str | None
    lang: str
    source: str


def load_samples(folder: Path = FIXTURES) -> list[Sample]:
    samples = []
    for file in sorted(folder.glob("*.yaml")):
        for item in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            samples.append(Sample(item["text"], item["kind"], item.get("category"), item.get("bidang"),
                                  item.get("lang", "id"), file.name))
    return samples


def evaluate(classifier: Classifier, samples: list[Sample]) -> dict[str, object]:
    """Accuracy per field (overall and per language) and the confusions, most frequent first."""
    hits = {name: 0 for name in FIELDS}
    by_lang: dict[str, Counter] = {}
    confusions: dict[str, Counter] = {name: Counter() for name in FIELDS}
    errors = []
    for sample in samples:
        result = classifier.classify(sample.text)
        lang = by_lang.setdefault(sample.lang, Counter())
        lang["total"] += 1
        for name in FIELDS:
            expected, got = getattr(sample, name), getattr(result, name)
            if expected == got:
                hits[name] += 1
                lang[name] += 1
            else:
                confusions[name][(expected, got)] += 1
                errors.append((name, sample, got))
    total = len(samples)
    return {
        "total": total,
        "accuracy": {name: hits[name] / total for name in FIELDS},
        "by_lang": {lang: {name: counts[name] / counts["total"] for name in FIELDS} | {"n": counts["total"]}
                    for lang, counts in sorted(by_lang.items())},
        "confusions": confusions,
        "errors": errors,
    }


def throughput(classifier: Classifier, samples: list[Sample], count: int) -> float:
    texts = [s.text for s in samples]
    # Vary each copy a little so the per-token cache sees what a real day looks like, not one message.
    stream = [f"{texts[i % len(texts)]} {i}" for i in range(count)]
    started = time.perf_counter()
    for text in stream:
        classifier.classify(text)
    return count / (time.perf_counter() - started)


def rows(count: int) -> list[Row]:
    classifier = Classifier(load_rules(None))
    samples = load_samples()
    report = evaluate(classifier, samples)
    rate = throughput(classifier, samples, count)
    floor = throughput(_Tokenizer(classifier), samples, count)
    result = [Row(f"routing throughput, {count:,} msgs (vs tokenizing alone)", rate, "msg/s", floor, MIN_RATE,
                  check="value>=", note="one core; baseline: the classifier's own normalizer on the same texts")]
    for name, target in TARGETS.items():
        result.append(Row(f"routing {name} accuracy, {report['total']} labelled msgs", report["accuracy"][name] * 100,
                          "%", None, target * 100, check="value>="))
    return result


class _Tokenizer:
    """The floor of classification: normalising and tokenizing the text, nothing matched."""

    def __init__(self, classifier: Classifier):
        self.tokens = classifier.rules.normalizer.tokens

    def classify(self, text: str):
        return self.tokens(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", help="rules file (default: the shipped ticketing/data/routing.yaml)")
    parser.add_argument("--count", type=int, default=20000, help="messages for the throughput run")
    parser.add_argument("--show-errors", action="store_true", help="list every misclassified message")
    args = parser.parse_args()

    started = time.perf_counter()
    classifier = Classifier(load_rules(args.rules))
    load_ms = (time.perf_counter() - started) * 1000
    samples = load_samples()
    report = evaluate(classifier, samples)
    print(f"evaluation set: {report['total']} messages; rules loaded in {load_ms:.0f} ms")
    for name in FIELDS:
        value = report["accuracy"][name]
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if value >= target else f"  BELOW {target:.0%}")
        print(f"  {name:<9} accuracy {value:6.1%}{verdict}")
    for lang, values in report["by_lang"].items():
        print(f"  [{lang}] n={values['n']:<4} " + "  ".join(f"{n} {values[n]:.1%}" for n in FIELDS))
    for name in FIELDS:
        top = report["confusions"][name].most_common(8)
        if top:
            print(f"most frequent {name} confusions (expected -> got):")
            for (expected, got), n in top:
                print(f"  {n:3d}  {expected} -> {got}")
    if args.show_errors:
        for name, sample, got in report["errors"]:
            print(f"[{name}] expected {getattr(sample, name)} got {got}: {sample.text[:100]!r}")
    rate = throughput(classifier, samples, args.count)
    print(f"throughput: {rate:,.0f} messages/second ({'ok' if rate >= MIN_RATE else f'BELOW {MIN_RATE:,}'})")


if __name__ == "__main__":
    main()
