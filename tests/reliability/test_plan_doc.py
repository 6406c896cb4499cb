"""docs/reliability.md lists all 29 rows of the test plan, and every test it names exists."""

from __future__ import annotations

import re

from tests.cli_helpers import ROOT

DOC = ROOT / "docs" / "reliability.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_row_is_documented_with_existing_tests():
    text = DOC.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(line.split("|")[1]) for line in rows] == list(range(1, 30))
    for line in rows:
        references = REFERENCE.findall(line)
        assert references, f"row without a test: {line[:60]}"
        for path, name in references:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{path}::{name} does not exist"
