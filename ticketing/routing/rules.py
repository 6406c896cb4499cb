"""The routing rules file: read, validate and compile into matchers.

The rules are data the office edits (`ticketing/data/routing.yaml`, or the file named by
`routing.rules_file`), so a broken edit must fail with the key that is wrong, not with a stack
trace at ingest time. Keywords are normalised with the same normaliser as the messages, so a rule
may be written `blm jadi` or `akte lahir` and still match `belum jadi` / `akta lahir`.

Keyword syntax: a phrase of words (`kartu keluarga`); `word*` matches any word starting with
`word` (`antri*`: antri, antrian, antriannya); `a ... b` matches `a`, then `b` within a few words
(`nik ... tidak ditemukan`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ticketing.config import BIDANG_CODES
from ticketing.errors import ConfigError
from ticketing.routing.matcher import Keyword, PhraseIndex
from ticketing.routing.normalize import KkContext, Normalizer

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "data" / "routing.yaml"
GAP_WORDS = 6  # `a ... b`: at most this many words between a and b, so distant mentions do not pair up
_KEYWORD_SYNTAX = re.compile(r"^[^*]+\*?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LexiconSpec(_Strict):
    words: dict[str, str] = Field(default_factory=dict)
    phrases: dict[str, str] = Field(default_factory=dict)


class KkSpec(_Strict):
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    possessives: list[str] = Field(default_factory=list)
    address: list[str] = Field(default_factory=list)


class RuleSpec(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    priority: int = Field(default=50, ge=0)
    keywords: dict[float, list[str]]
    exclude: list[str] = Field(default_factory=list)
    min_score: float = Field(default=2, gt=0)


class KindSpec(RuleSpec):
    clears_category: bool = False
    fallback: bool = True  # may win below min_score when no kind reaches its own (a bare "terima kasih")


class CategorySpec(RuleSpec):
    bidang: str
    technical_bidang: str | None = None
    flags: list[str] = Field(default_factory=list)
    label: str = ""

    @field_validator("bidang", "technical_bidang")
    @classmethod
    def _known_bidang(cls, value: str | None) -> str | None:
        if value is not None and value not in BIDANG_CODES:
            raise ValueError(f"unknown bidang; use one of {', '.join(BIDANG_CODES)}")
        return value


class RulesSpec(_Strict):
    version: int = 1
    lexicon: LexiconSpec = Field(default_factory=LexiconSpec)
    kk_context: KkSpec = Field(default_factory=KkSpec)
    technical: list[str] = Field(default_factory=list)
    default_kind: str = "pertanyaan"
    kinds: list[KindSpec]
    categories: list[CategorySpec]


@dataclass
class Rule:
    """One kind or one category; its keywords are group `group` of the rule set's index."""

    name: str
    priority: int
    min_score: float
    group: int | None
    exclude_group: int | None = None
    bidang: str | None = None
    technical_bidang: str | None = None
    flags: tuple[str, ...] = ()
    clears_category: bool = False
    fallback: bool = False
    label: str = ""


@dataclass
class RuleSet:
    normalizer: Normalizer
    kinds: list[Rule]
    categories: list[Rule]
    index: PhraseIndex
    technical_group: int | None
    default_kind: str
    source: str

    def category(self, name: str) -> Rule | None:
        return self._by_name.get(name)

    def __post_init__(self) -> None:
        self._by_name = {rule.name: rule for rule in self.categories}


def _phrase(normalizer: Normalizer, text: str) -> tuple[str, ...]:
    words = tuple(normalizer.canonical(text).split())
    if not words:
        raise ValueError(f"keyword {text!r} has no letters or digits")
    return words


def _keyword(normalizer: Normalizer, text: str, weight: float, where: str) -> Keyword:
    if not _KEYWORD_SYNTAX.match(text.replace(" ... ", " ")) or ("*" in text and " ... " in text):
        raise ConfigError(f"{where}: kata kunci {text!r}: '*' hanya boleh di akhir kata kunci biasa")
    try:
        if " ... " in text:
            return Keyword(text, weight, tuple(_phrase(normalizer, part) for part in text.split(" ... ")))
        prefix = text.endswith("*")
        return Keyword(text, weight, (_phrase(normalizer, text.rstrip("*")),), prefix)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


class _Groups:
    """Collects keyword lists; each list becomes one numbered group of the phrase index."""

    def __init__(self, normalizer: Normalizer):
        self.normalizer = normalizer
        self.lists: list[list[Keyword]] = []

    def add(self, weighted: dict[float, list[str]], where: str) -> int | None:
        keywords = [_keyword(self.normalizer, text, weight, where)
                    for weight, texts in weighted.items() for text in texts]
        if not keywords:
            return None
        self.lists.append(keywords)
        return len(self.lists) - 1


def _vocabulary(spec: RulesSpec) -> set[str]:
    words: set[str] = set(spec.technical)
    for rule in [*spec.kinds, *spec.categories]:
        for group in rule.keywords.values():
            for keyword in group:
                words.update(re.findall(r"[^\W_]+", keyword.lower().replace("*", "")))
    kk = spec.kk_context
    for group in (kk.before, kk.after, kk.documents, kk.possessives, kk.address):
        words.update(group)
    return words


def compile_rules(spec: RulesSpec, source: str) -> RuleSet:
    kk = spec.kk_context
    normalizer = Normalizer(
        words={k.lower(): v.lower() for k, v in spec.lexicon.words.items()},
        phrases={k.lower(): v.lower() for k, v in spec.lexicon.phrases.items()},
        kk=KkContext(*(frozenset(w.lower() for w in group) for group in
                       (kk.before, kk.after, kk.documents, kk.possessives, kk.address))),
    )
    normalizer.learn(_vocabulary(spec))
    groups = _Groups(normalizer)
    kinds = []
    for rule in spec.kinds:
        where = f"{source}: kinds ({rule.name})"
        kinds.append(Rule(rule.name, rule.priority, rule.min_score, groups.add(rule.keywords, where),
                          groups.add({0: rule.exclude}, where), clears_category=rule.clears_category,
                          fallback=rule.fallback))
    categories = []
    for rule in spec.categories:
        where = f"{source}: categories ({rule.name})"
        categories.append(Rule(rule.name, rule.priority, rule.min_score, groups.add(rule.keywords, where),
                               groups.add({0: rule.exclude}, where), bidang=rule.bidang,
                               technical_bidang=rule.technical_bidang, flags=tuple(rule.flags), label=rule.label))
    if spec.default_kind not in {k.name for k in kinds}:
        raise ConfigError(f"{source}: default_kind {spec.default_kind!r} bukan salah satu jenis (kinds)")
    technical = groups.add({0: spec.technical}, f"{source}: technical")
    index = PhraseIndex(groups.lists, GAP_WORDS)
    return RuleSet(normalizer, kinds, categories, index, technical, spec.default_kind, source)


def _validation_message(exc: ValidationError, source: str) -> str:
    lines = [f"invalid routing rules in {source}:"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and compile a rules file (default: the one shipped with aduan)."""
    file = Path(path) if path else DEFAULT_RULES
    try:
        data: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"routing.rules_file {file} tidak ada; hapus kunci itu untuk memakai aturan bawaan") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} bukan YAML yang sah: {exc}") from None
    try:
        spec = RulesSpec.model_validate(data or {})
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc, str(file))) from None
    return compile_rules(spec, str(file))
