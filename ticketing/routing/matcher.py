"""Find every rule's keywords in a token list in one pass.

A regex alternation per rule tried every keyword at every position (about 1 ms a message); this
index looks each position up by its first word, so a message costs a few dictionary lookups per
word whatever the number of rules. Semantics per rule, as a regex alternation would give: the
longest keyword wins at a position, matches of one rule do not overlap, and a gapped keyword
(`nik ... tidak ditemukan`) takes precedence over the plain keywords inside its span.
"""

from __future__ import annotations

from dataclasses import dataclass

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Keyword:
    text: str  # as written in the rules file, shown as evidence
    weight: float
    parts: tuple[Phrase, ...]  # one phrase, or several for `a ... b`
    prefix: bool = False  # `antri*`: the last word of a single-phrase keyword is a prefix


Match = tuple[Keyword, str]


class PhraseIndex:
    """Keywords of numbered groups (one group per rule), indexed by their first word."""

    def __init__(self, groups: list[list[Keyword]], gap: int):
        self.groups = groups
        self.gap = gap
        self._exact: dict[Phrase, list[tuple[int, int]]] = {}
        self._prefixes: list[tuple[Phrase, str, int, int]] = []
        self._gapped: dict[Phrase, list[tuple[int, int]]] = {}  # first part -> gapped keywords
        self._parts: set[Phrase] = set()
        lengths: dict[str, set[int]] = {}
        for group, keywords in enumerate(groups):
            for number, keyword in enumerate(keywords):
                if len(keyword.parts) > 1:
                    self._gapped.setdefault(keyword.parts[0], []).append((group, number))
                    for part in keyword.parts:
                        self._parts.add(part)
                        lengths.setdefault(part[0], set()).add(len(part))
                elif keyword.prefix:
                    phrase = keyword.parts[0]
                    self._prefixes.append((phrase[:-1], phrase[-1], group, number))
                else:
                    phrase = keyword.parts[0]
                    self._exact.setdefault(phrase, []).append((group, number))
                    lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {word: tuple(sorted(found, reverse=True)) for word, found in lengths.items()}
        self._any_prefix = tuple(sorted({prefix for _before, prefix, _group, _number in self._prefixes}))

    def find(self, tokens: list[str]) -> dict[int, list[Match]]:
        """Group number -> the distinct keywords it matched, with the words each one matched."""
        candidates, positions = self._scan(tokens)
        found: dict[int, dict[int, Match]] = {}
        spans: dict[int, list[tuple[int, int]]] = {}
        for head in [head for head in positions if head in self._gapped]:
            for group, number in self._gapped[head]:
                span = self._gapped_span(self.groups[group][number].parts, positions)
                if span is not None:
                    spans.setdefault(group, []).append(span)
                    found.setdefault(group, {})[number] = (self.groups[group][number],
                                                           " ".join(tokens[span[0]:span[1]]))
        candidates.sort(key=lambda c: (c[0], c[0] - c[1]))  # leftmost first, then the longest
        covered: dict[int, int] = {}
        for start, end, group, number in candidates:
            if start < covered.get(group, 0):
                continue
            inside = spans.get(group)
            if inside and any(s <= start < e for s, e in inside):
                continue
            covered[group] = end
            matches = found.setdefault(group, {})
            if number not in matches:
                matches[number] = (self.groups[group][number], " ".join(tokens[start:end]))
        return {group: list(matches.values()) for group, matches in found.items()}

    def _scan(self, tokens: list[str]) -> tuple[list[tuple[int, int, int, int]], dict[Phrase, list[int]]]:
        candidates: list[tuple[int, int, int, int]] = []
        positions: dict[Phrase, list[int]] = {}
        count = len(tokens)
        exact, parts, prefixes, any_prefix = self._exact, self._parts, self._prefixes, self._any_prefix
        lengths_of = self._lengths.get
        for i, token in enumerate(tokens):
            lengths = lengths_of(token)
            if lengths:
                for length in lengths:
                    if length == 1:
                        key: Phrase = (token,)
                    elif i + length > count:
                        continue
                    else:
                        key = tuple(tokens[i:i + length])
                    hits = exact.get(key)
                    if hits:
                        for group, number in hits:
                            candidates.append((i, i + length, group, number))
                    if key in parts:
                        positions.setdefault(key, []).append(i)
            if any_prefix and token.startswith(any_prefix):  # one C call rules out most words
                for before, prefix, group, number in prefixes:
                    start = i - len(before)
                    if token.startswith(prefix) and start >= 0 and tuple(tokens[start:i]) == before:
                        candidates.append((start, i + 1, group, number))
        return candidates, positions

    def _gapped_span(self, parts: tuple[Phrase, ...], positions: dict[Phrase, list[int]]) -> tuple[int, int] | None:
        """The first place where each part follows the previous one within `gap` words."""
        for part in parts:
            if part not in positions:
                return None
        for start in positions[parts[0]]:
            end = start + len(parts[0])
            for part in parts[1:]:
                following = next((p for p in positions[part] if end <= p <= end + self.gap), None)
                if following is None:
                    break
                end = following + len(part)
            else:
                return start, end
        return None
