"""Valid Unicode at the contract's edge.

Channels send JSON that may hold lone UTF-16 surrogates (`"\ud83d"`, a half emoji cut by a
client) and bytes in charsets nobody declared. Python keeps a lone surrogate in a `str`, but
it cannot be encoded as UTF-8: the database driver, the log file or the terminal then fails,
and the item that holds it blocks every later one. Each string is repaired once, here.
"""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


def valid_text(value: str) -> str:
    """`value` with every lone surrogate replaced by U+FFFD (a valid pair is joined first)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    # A correctly paired surrogate (from json.loads of "\ud83d\ude4f") becomes its character;
    # what is left unpaired becomes U+FFFD.
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def valid_tree(value: Any) -> Any:
    """A JSON-like tree (dicts, lists, strings) with every string, key included, made valid."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_tree(k) if isinstance(k, str) else k: valid_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [valid_tree(item) for item in value]
    return value
