"""Rules and the statistical model together: the rules where they are precise, the model elsewhere.

The keyword rules are near-perfect on the messages they were written from and brittle on the
rest (issue 19: 83 % category on messages written apart from them); the model generalises from
examples but knows no policy. So:

* *precise* rules decide alone: pungli/calo/petugas (pungli wins whatever the document), a NIK
  rejected elsewhere, and spam by its own vocabulary. These encode policy, not statistics.
* "not our authority" (SIM, paspor, KUA) is only a vote when no Dukcapil document is named
  explicitly: a KUA marriage book mentioned on the way to a KK request is the KK's.
* otherwise both vote: q(c) ∝ p_model(c) · exp(RULE_WEIGHT · rule score(c)), a rule's score
  being the sum of its keyword weights (0 when it did not fire). The winner's q is the confidence.
* below `routing.review_threshold` the category is still shown but no bidang is suggested:
  the ticket reads *perlu ditinjau* until an admin routes it.
"""

from __future__ import annotations

import math

from ticketing.routing.classifier import Classifier, RoutingResult, RuleView, _evidence
from ticketing.routing.model import NONE, NaiveBayes, Prediction
from ticketing.routing.options import RoutingOptions

RULE_WEIGHT = {"kind": 0.35, "category": 0.45}  # per keyword weight point; chosen by cross-validation
SCORE_CAP = 8.0  # many keywords of one rule say no more than two strong ones
PRECISE = {"pungli-perilaku-petugas": 5.0, "nik-bermasalah": 4.0}  # category -> score at which the rule decides
PRECISE_KINDS = {"spam": 3.0}
NOT_OURS = "bukan-kewenangan"  # only when nothing of ours is asked: its rule yields to an explicit document
OURS_STRONG = 4.0
TOP_WORDS = 6


def _blend(prediction: Prediction, head: str, rule_scores: dict[str, float],
           weight: float) -> tuple[str, float, str]:
    """The winner of q(c) ∝ p(c)·exp(weight·score(c)), its q, and who chose it. Only the classes a
    rule fired for change, so the sum is the model's 1 plus their changes (no pass over every class)."""
    model_best, model_p = prediction.best(head)
    model_best = model_best or NONE
    total = 1.0
    best, best_value = model_best, model_p
    for label, score in rule_scores.items():
        p = prediction.probability(head, label)
        value = p * math.exp(weight * min(score, SCORE_CAP))
        total += value - p
        if (value, label) > (best_value, best):
            best, best_value = label, value
    by = "rules+model" if best == model_best and best in rule_scores else ("model" if best == model_best else "rules")
    return best, best_value / total, by


def _rule_scores(scored) -> dict[str, float]:
    return {rule.name: score for score, rule, _e in scored if score >= rule.min_score}


class HybridClassifier(Classifier):
    """A `Classifier` whose decisions also weigh a trained model; same callable contract."""

    def __init__(self, rules, model: NaiveBayes | None, options: RoutingOptions | None = None):
        super().__init__(rules, options)
        self.model = model

    def rules_only(self, text: str) -> RoutingResult:
        return Classifier.classify(self, text)

    def model_only(self, text: str) -> RoutingResult:
        """The model's own answer (for the benchmark's model-alone figures)."""
        prediction = self.model.predict_tokens(self.rules.normalizer.tokens(text))
        kind, _p = prediction.best("kind")
        category, confidence = prediction.best("category")
        if kind == "spam":
            category = None
        technical = category in self._technical and prediction.probability("bidang", self._technical[category]) >= 0.5
        bidang = self.bidang_for(category, technical)
        return RoutingResult(kind=kind, category=category, bidang=bidang, confidence=round(confidence, 2),
                             suggested_bidang=bidang, decided_by="model")

    def classify(self, text: str, explain: bool = False) -> RoutingResult:
        """`explain` adds the model's top words (for `aduan classify`; ingest does not pay for them)."""
        if self.model is None:
            return self.rules_only(text)
        view = self.analyse(text)
        prediction = self.model.predict_tokens(view.tokens)
        kind, kind_conf, kind_by = self._kind(view, prediction)
        category, confidence, by = self._category(view, prediction, kind)
        technical = self._technical_route(view, prediction, category)
        bidang = self.bidang_for(category, technical)
        needs_review = category is not None and confidence < self.options.review_threshold
        rule_category = view.category_rule if view.category_rule and view.category_rule.name == category else None
        evidence = _evidence(view.kinds, view.kind_rule if view.kind_rule and view.kind_rule.name == kind else None,
                             "kind")
        evidence += _evidence(view.categories, rule_category, "category")
        if technical and view.technical:
            evidence += self.technical_evidence(view, bidang)
        explained = None
        if explain:
            explained = {
                "category": {"label": category,
                             "probability": round(prediction.probability("category", category), 3),
                             "top_words": self.model.top_features(prediction, "category", category, TOP_WORDS)},
                "kind": {"label": kind, "probability": round(prediction.probability("kind", kind), 3),
                         "top_words": self.model.top_features(prediction, "kind", kind, TOP_WORDS)},
                "kind_confidence": round(kind_conf, 2), "decided_by": {"kind": kind_by, "category": by},
            }
        scores = {f"kind:{rule.name}": score for score, rule, _e in view.kinds}
        scores.update({f"category:{rule.name}": score for score, rule, _e in view.categories})
        chosen_rule = self.rules.category(category) if category else None
        flags = chosen_rule.flags if chosen_rule else ()
        return RoutingResult(
            kind=kind, category=category, bidang=None if needs_review else bidang,
            confidence=round(confidence, 2), evidence=tuple(evidence), flags=flags,
            normalized=" ".join(view.tokens), scores=scores, needs_review=needs_review, suggested_bidang=bidang,
            model=explained, decided_by=by,
        )

    def _kind(self, view: RuleView, prediction: Prediction) -> tuple[str, float, str]:
        rules = _rule_scores(view.kinds)
        for name, needed in PRECISE_KINDS.items():
            if rules.get(name, 0.0) >= needed:
                return name, min(0.99, 0.7 + rules[name] / 20), "rules"
        return _blend(prediction, "kind", rules, RULE_WEIGHT["kind"])

    def _category(self, view: RuleView, prediction: Prediction, kind: str) -> tuple[str | None, float, str]:
        if kind == "spam":
            return None, 1.0, "rules"
        rules = _rule_scores(view.categories)
        precise = [(score, name) for name, score in rules.items() if name in PRECISE and score >= PRECISE[name]]
        if precise:
            score, name = max(precise)
            return name, min(0.99, 0.75 + score / 40), "rules"
        if NOT_OURS in rules and any(score >= OURS_STRONG for name, score in rules.items() if name != NOT_OURS):
            del rules[NOT_OURS]  # "buku nikah dari KUA, sekarang mau bikin KK": the KK is ours
        label, confidence, by = _blend(prediction, "category", rules, RULE_WEIGHT["category"])
        return (None if label == NONE else label), confidence, by

    def _technical_route(self, view: RuleView, prediction, category: str | None) -> bool:
        """An application/server error sends IKD and online services to their technical bidang:
        the rules' technical words, or the model when the office's labels taught it so."""
        if category not in self._technical:
            return False
        if view.technical:
            return True
        technical_bidang = self._technical[category]
        return prediction.probability("bidang", technical_bidang) >= 0.6


