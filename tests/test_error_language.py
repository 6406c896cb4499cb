"""Every error sentence aduan raises on purpose exists in both languages.

Errors are raised in Indonesian (the office's language, also what the audit log keeps) and shown
in English through `ticketing.i18n_cli.error_text` when English is chosen. This walks every raise
of an aduan error or a Click usage error in the source, fills its placeholders, and checks that
English is not the Indonesian text unchanged and that the Indonesian text is not English.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ticketing import errors
from ticketing.i18n_cli import error_text

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for folder in ("ticketing", "commands", "collectors") for p in (ROOT / folder).rglob("*.py")]
SOURCES += [ROOT / "cli.py", ROOT / "worker.py"]
# What a person reads on the command line, a refused reply's reason included; channel payload problems
# (PayloadError: quarantine reasons) and connection diagnostics stay as the channel's own words.
SHOWN = {cls.__name__ for cls in vars(errors).values()
         if isinstance(cls, type) and issubclass(cls, errors.AduanError)
         and (not issubclass(cls, errors.CollectorError) or issubclass(cls, errors.SendRefused))
         and cls is not errors.SignatureError}  # answered to Meta's servers as HTTP 401, not shown to a person
SHOWN |= {"BadParameter", "UsageError"}
NOT_SENTENCES = {"id / en"}
ENGLISH_ONLY = re.compile(r"\b(is|are|the|cannot|needed|missing|not found|unknown|run|remove|use)\b")


def raised_sentences() -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in SHOWN:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
            elif isinstance(first, ast.JoinedStr):
                text = "".join(part.value if isinstance(part, ast.Constant)
                               else ("'x'" if part.conversion == ord("r") else "x") for part in first.values)
            else:
                continue  # a message built elsewhere (message(...)) is bilingual by construction
            if text in NOT_SENTENCES or re.sub(r"[x\s:()]", "", text) == "":  # only placeholders
                continue
            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


SENTENCES = raised_sentences()


def test_the_walk_finds_the_raises():
    assert len(SENTENCES) > 40


@pytest.mark.parametrize(("where", "text"), SENTENCES, ids=[where for where, _ in SENTENCES])
def test_raised_in_indonesian_and_shown_in_english(where, text):
    words = re.sub(r"--[\w-]+|'[^']*'|`[^`]*`", " ", text)  # option names, values and commands are not words
    assert not ENGLISH_ONLY.search(words), f"{where}: raised in English: {text}"
    assert error_text(text, "en") != text, f"{where}: no English for: {text}"


def delivery_reasons() -> list[str]:
    """The reasons a refused or unsettled reply shows, built from the tables they come from."""
    from collectors.graph_errors import SEND_REFUSALS
    from collectors.whatsapp import FAILURE_REASONS, failure_reason
    from ticketing.outbound.outbox import UNKNOWN_REASON
    from ticketing.workflow.delivery import SETTLE_HINT, office_reason

    return [*(failure_reason(code) for code in FAILURE_REASONS), failure_reason(999, "x"), failure_reason(None),
            *(f"{refusal} (x)" for refusal in SEND_REFUSALS.values()), UNKNOWN_REASON, SETTLE_HINT.format(id=7),
            office_reason("x", reauth=True, channel="tg"), office_reason(None)]


@pytest.mark.parametrize("text", delivery_reasons())
def test_a_refused_reply_reads_in_english(text):
    assert error_text(text, "en") != text
