"""Score a normalised message against the kind and category rules.

Each rule adds up the weights of the distinct keywords it finds. The category with the highest
score wins if it reaches its `min_score`; ties go to the lower `priority` number (pungli before
NIK problems before documents), as the routing table in the domain reference says "first match by
priority". The kind works the same way with a default (most messages are questions). Every
decision carries its evidence so an admin can see why and tune the rules file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ticketing.routing.matcher import Match
from ticketing.routing.options import RoutingOptions
from ticketing.routing.rules import Rule, RuleSet


@dataclass(frozen=True)
class Evidence:
    field: str  # "kind", "category" or "bidang"
    label: str  # the rule's name
    keyword: str  # as written in the rules file
    matched: str  # the normalised words it matched
    weight: float

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "label": self.label, "keyword": self.keyword, "matched": self.matched,
                "weight": self.weight}


@dataclass(frozen=True)
class RoutingResult:
    """What ingest stores (the fields of `ticketing.intake.ingest.Classification`, which it reads by name)
    plus why, for `aduan classify`. Not a subclass, so classifying never imports the database layer."""

    kind: str | None
    category: str | None
    bidang: str | None
    confidence: float | None = None
    evidence: tuple[Evidence, ...] = ()
    flags: tuple[str, ...] = ()
    normalized: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    needs_review: bool = False  # confidence below routing.review_threshold: no bidang suggested
    suggested_bidang: str | None = None  # what it would have suggested (shown to the admin reviewing)
    model: dict[str, object] | None = None  # the statistical model's view: probabilities and top words
    decided_by: str = "rules"  # rules | model | rules+model

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "category": self.category, "bidang": self.bidang,
                "confidence": self.confidence, "needs_review": self.needs_review,
                "suggested_bidang": self.suggested_bidang, "decided_by": self.decided_by,
                "evidence": [e.as_dict() for e in self.evidence], "model": self.model,
                "flags": list(self.flags), "normalized": self.normalized, "scores": self.scores}


@dataclass(frozen=True)
class RuleView:
    """What the keyword rules found, before a decision: the hybrid classifier weighs it."""

    tokens: list[str]
    kinds: Scored
    categories: Scored
    kind_rule: Rule | None
    category_rule: Rule | None
    technical: list[Match] | None


Scored = list[tuple[float, Rule, list[Match]]]


def _by_group(rules: list[Rule]) -> dict[int, tuple[int, Rule]]:
    return {rule.group: (order, rule) for order, rule in enumerate(rules) if rule.group is not None}


def _score(rules: dict[int, tuple[int, Rule]], found: dict[int, list[Match]]) -> Scored:
    """The rules (group -> (file order, rule)) whose keywords were found, best first. Walks the few
    groups found rather than every rule; ties keep the rules file's order, as before."""
    ranked = []
    for group, hits in found.items():
        entry = rules.get(group)
        if entry is not None and hits:
            order, rule = entry
            if rule.exclude_group is None or rule.exclude_group not in found:
                ranked.append((-sum(keyword.weight for keyword, _matched in hits), rule.priority, order, rule, hits))
    ranked.sort(key=lambda item: item[:3])
    return [(-negative, rule, hits) for negative, _priority, _order, rule, hits in ranked]


def _evidence(scored: Scored, winner: Rule | None, field_name: str) -> list[Evidence]:
    hits = next((hits for _score, rule, hits in scored if rule is winner), [])
    return [Evidence(field_name, winner.name, kw.text, matched, kw.weight) for kw, matched in hits]


def _confidence(scored: Scored, winner: Rule | None) -> float:
    """High when the winner has much evidence and no close rival; ~0.5 on a single strong cue."""
    if winner is None:
        return 0.0
    top = next(score for score, rule, _e in scored if rule is winner)
    rival = max((score for score, rule, _e in scored if rule is not winner), default=0.0)
    return round(min(0.99, top / (top + rival + 1.5)), 2)


class Classifier:
    """Callable on a message's text; what `IngestPolicy.classify` expects."""

    def __init__(self, rules: RuleSet, options: RoutingOptions | None = None):
        self.rules = rules
        self.options = options or RoutingOptions()
        self._bidang = self.options.bidang_overrides()
        self._technical = self.options.technical_overrides()
        self._kind_groups, self._category_groups = _by_group(rules.kinds), _by_group(rules.categories)

    def __call__(self, text: str) -> RoutingResult:
        return self.classify(text)

    def analyse(self, text: str) -> RuleView:
        rules = self.rules
        tokens = rules.normalizer.tokens(text)
        found = rules.index.find(tokens)
        categories = _score(self._category_groups, found)
        kinds = _score(self._kind_groups, found)
        kind_rule = next((rule for score, rule, _e in kinds if score >= rule.min_score), None)
        if kind_rule is None:
            kind_rule = next((rule for _score, rule, _e in kinds if rule.fallback), None)
        category = next((rule for score, rule, _e in categories if score >= rule.min_score), None)
        if kind_rule is not None and kind_rule.clears_category:
            category = None
        technical = found.get(rules.technical_group) if rules.technical_group is not None else None
        return RuleView(tokens, kinds, categories, kind_rule, category, technical)

    def bidang_for(self, category: str | None, technical: bool) -> str | None:
        """The office's route for a category (config keys first, then the rules file)."""
        if category is None:
            return None
        if technical and category in self._technical:
            return self._technical[category]
        if category in self._bidang:
            return self._bidang[category]
        rule = self.rules.category(category)
        if rule is None:
            return None
        return rule.technical_bidang if technical and rule.technical_bidang else rule.bidang

    def technical_evidence(self, view: RuleView, bidang: str | None) -> list[Evidence]:
        if not view.technical or bidang is None:
            return []
        keyword, matched = view.technical[0]
        return [Evidence("bidang", bidang, keyword.text, matched, 0)]

    def classify(self, text: str) -> RoutingResult:
        view = self.analyse(text)
        kinds, categories, kind_rule, category = view.kinds, view.categories, view.kind_rule, view.category_rule
        tokens = view.tokens
        kind = kind_rule.name if kind_rule else self.rules.default_kind
        evidence = _evidence(kinds, kind_rule, "kind") + _evidence(categories, category, "category")
        technical = bool(view.technical) and category is not None and category.name in self._technical
        bidang = self.bidang_for(category.name if category else None, technical)
        if technical:
            evidence += self.technical_evidence(view, bidang)
        confidence = _confidence(categories, category) if category else _confidence(kinds, kind_rule)
        scores = {f"kind:{rule.name}": score for score, rule, _e in kinds}
        scores.update({f"category:{rule.name}": score for score, rule, _e in categories})
        return RoutingResult(
            kind=kind, category=category.name if category else None, bidang=bidang, confidence=confidence,
            evidence=tuple(evidence), flags=category.flags if category else (), normalized=" ".join(tokens),
            scores=scores, suggested_bidang=bidang,
        )
