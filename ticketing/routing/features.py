"""Features of a normalised message for the statistical model: words, word pairs, word pieces.

The model reads the rules' normaliser output (dialect words already mapped, `kk` resolved), so
`durung dadi` and `teu acan jadi` are the same feature `w:belum`. Word pairs carry negation and
phrases (`b:belum|jadi`). Four-letter pieces of longer words (which survive typos) are
implemented but off: see MIN_PIECE_WORD. Digits are dropped: NIKs and dates say
nothing about the topic and would only bloat the vocabulary.
"""

from __future__ import annotations

PIECE = 4  # character n-gram length, when pieces are on
MIN_PIECE_WORD = 99  # pieces off: measured, they cost naive Bayes 3 points of category accuracy in
# cross-validation (overlapping pieces are the correlated evidence it double counts); set 5 to try
BIGRAMS = True  # word pairs: +1.5 points in cross-validation


def features(tokens: list[str]) -> list[str]:
    """Distinct feature names, in first-seen order (presence, not counts: short texts)."""
    words = [t for t in tokens if not t.isdigit()]
    seen: dict[str, None] = {}
    previous = "^"
    for word in words:
        seen[f"w:{word}"] = None
        if BIGRAMS:
            seen[f"b:{previous}|{word}"] = None
        previous = word
        if len(word) >= MIN_PIECE_WORD and word.isalpha():
            padded = f"<{word}>"
            for i in range(len(padded) - PIECE + 1):
                seen[f"c:{padded[i:i + PIECE]}"] = None
    return list(seen)


def readable(feature: str) -> str:
    """A feature as an admin reads it: `b:belum|jadi` -> `belum jadi`, `c:<kel` -> `kel…`."""
    kind, _, value = feature.partition(":")
    if kind == "b":
        return " ".join(part for part in value.split("|") if part != "^")
    if kind == "c":
        core = value.strip("<>")
        return ("" if value.startswith("<") else "…") + core + ("" if value.endswith(">") else "…")
    return value
