"""Turn a citizen's WhatsApp-style message into canonical lower-case Indonesian tokens.

Keyword rules are only as good as the text they match: `blm jadi2`, `durung dadi`, `teu acan
jadi` and `BELUM JADIIII` must all read `belum jadi`. The lexicon (abbreviations, Javanese
ngapak and Sundanese function words, multi-word phrases) comes from the rules file so the office
can extend it without a release; this module only knows the mechanics.

"kk" is both *kakak* (an address form) and *Kartu Keluarga*: it stays `kk` only with document
context (upper-case KK, `nomor kk`, `pecah kk`, `kk saya hilang`, `ktp dan kk`) and becomes
`kakak` otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_CHARS = 4000  # long e-mails: the topic is in the first screens, and matching stays fast
CACHE_LIMIT = 50_000  # distinct raw tokens remembered; a day's traffic fits, memory stays small

_TOKEN = re.compile(r"[^\W_]+|\?", re.UNICODE)
_ELONGATED = re.compile(r"([a-z])\1{2,}")  # tolongggg -> tolong
_DOUBLED = re.compile(r"([a-z])\1")  # tolongg -> tolong, tried only when it yields a known word
_REPEAT = re.compile(r"^([a-z]{2,})2$")  # jadi2 -> jadi jadi (reduplication written with a 2)
_SUFFIXES = ("nya", "ny", "kah", "lah", "ne", "na", "e")  # ktpnya, aktane (ngapak -ne/-e), syaratna (Sundanese
# -na): stripped only onto known words
KK = "kk"
KAKAK = "kakak"


@dataclass(frozen=True)
class KkContext:
    """Words that make a lower-case `kk` the document rather than *kakak*."""

    before: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    possessives: frozenset[str] = frozenset()
    address: frozenset[str] = frozenset()  # greetings and thanks that make it *kakak* even in capitals


@dataclass
class Normalizer:
    words: Mapping[str, str]
    phrases: Mapping[str, str]
    kk: KkContext = field(default_factory=KkContext)
    vocabulary: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}
        self.vocabulary = set(self.vocabulary) | set(self.words.values()) | set(self.words)
        for value in list(self.words.values()) + list(self.phrases.values()):
            self.vocabulary.update(value.split())
        # Phrase keys are written the way citizens write them; match them after word mapping.
        self._phrases = sorted(
            ((f" {self.canonical(k)} ", f" {v} ") for k, v in self.phrases.items()),
            key=lambda item: -len(item[0]),
        )
        # One C-level search rules out most messages before the phrase-by-phrase replacement loop.
        self._any_phrase = re.compile("|".join(re.escape(k) for k, _v in self._phrases)) if self._phrases else None

    def learn(self, words: Iterable[str]) -> None:
        """Add the rules' keyword tokens, so fuzzy repairs only ever produce words that matter."""
        self.vocabulary.update(words)
        self._cache.clear()

    def token(self, raw: str) -> tuple[str, ...]:
        """One lower-case token to its canonical words (memoised: the same slang recurs all day)."""
        found = self._cache.get(raw)
        if found is not None:
            return found
        result = self._token(raw)
        if len(self._cache) < CACHE_LIMIT:
            self._cache[raw] = result
        return result

    def _token(self, raw: str) -> tuple[str, ...]:
        if raw.isdigit():
            return (self.words.get(raw, raw),)
        repeated = _REPEAT.match(raw)
        if repeated:
            one = self.token(repeated.group(1))
            return one + one
        word = _ELONGATED.sub(r"\1", raw)
        if word not in self.words and word not in self.vocabulary:
            word = self._repair(word)
        mapped = self.words.get(word, word)
        return tuple(mapped.split()) if " " in mapped else (mapped,)

    def _repair(self, word: str) -> str:
        single = _DOUBLED.sub(r"\1", word)
        if single != word and (single in self.words or single in self.vocabulary):
            return single
        for suffix in _SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 2 and (stem in self.words or stem in self.vocabulary):
                return stem
        return word

    def canonical(self, text: str) -> str:
        """Normalise a keyword from the rules file: same mapping, no *kakak* guessing."""
        tokens = [t for raw in _TOKEN.findall(unicodedata.normalize("NFKC", text).lower()) for t in self.token(raw)]
        return " ".join(tokens)

    def __call__(self, text: str | None) -> str:
        return " ".join(self.tokens(text))

    def tokens(self, text: str | None) -> list[str]:
        """The canonical words of a message, in order (`?` is kept as a word: a question cue)."""
        if not text:
            return []
        value = unicodedata.normalize("NFKC", text[:MAX_CHARS])
        shouting = value.upper() == value
        tokens: list[str] = []
        kk_upper: list[bool] = []  # for each `kk` produced, in order: was it written in capitals?
        cached, token = self._cache.get, self.token
        for raw in _TOKEN.findall(value):
            lower = raw.lower()
            mapped = cached(lower) or token(lower)
            if KK in mapped:
                kk_upper.extend([raw[:2] == "KK" and not shouting] * mapped.count(KK))
            tokens.extend(mapped)
        joined = f" {' '.join(tokens)} "
        if self._any_phrase is not None and self._any_phrase.search(joined):
            for key, replacement in self._phrases:
                if key in joined:
                    joined = joined.replace(key, replacement)
        if " kk " in joined:
            return self._resolve_kk(joined.split(), kk_upper)
        return joined.split()

    def _resolve_kk(self, tokens: list[str], kk_upper: list[bool]) -> list[str]:
        ctx = self.kk
        out = list(tokens)
        rank = -1
        for i, token in enumerate(tokens):
            if token != KK:
                continue
            rank += 1
            prev = tokens[i - 1] if i > 0 else ""
            prev2 = tokens[i - 2] if i > 1 else ""
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            nxt2 = tokens[i + 2] if i + 2 < len(tokens) else ""
            if prev in ctx.address or (i == 0 and nxt in ctx.address):
                document = False
            elif rank < len(kk_upper) and kk_upper[rank]:
                document = True
            else:
                document = (
                    prev in ctx.before or nxt in ctx.after or prev in ctx.documents or nxt in ctx.documents
                    or (prev in ("dan", "atau") and prev2 in ctx.documents)
                    or (nxt in ("dan", "atau") and nxt2 in ctx.documents)
                    or (nxt in ctx.possessives and nxt2 in ctx.after)
                )
            if not document:
                out[i] = KAKAK
        return out

