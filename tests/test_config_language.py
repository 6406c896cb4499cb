"""Configuration problems in the chosen language: Pydantic's and aduan's validators' wording
(English) is shown in Indonesian by default, with the key's path and the value kept as written."""

from __future__ import annotations

import re

import pytest

from ticketing.config import load_settings
from ticketing.errors import ConfigError

ENGLISH = re.compile(r"\b(input|should|valid|must|use|unknown|is|are|required|needs|needed|the|or|of|twice|"
                     r"greater|less|than|equal|one)\b", re.IGNORECASE)

CASES = [
    (("sla", "working_days"), 0),
    (("sla", "working_days"), "tiga"),
    (("sla", "working_days"), 2.5),
    (("sla", "receipt_day_counts"), "mungkin"),
    (("office", "timezone"), "Mars/Olympus"),
    (("database", "url"), "mysql://localhost/aduan"),
    (("redis", "url"), "http://localhost:6379"),
    (("routing", "queue_bidang"), "CAPIL"),
    (("routing", "not_ours_bidang"), "DINSOS"),
    (("routing", "not_ours_template"), "tidak-ada"),
    (("staff",), [{"username": "capil1", "name": "Capil", "role": "teknis"}]),
    (("staff",), [{"name": "Tanpa Username", "role": "admin"}]),
    (("staff",), [{"username": "a", "role": "admin"}, {"username": "a", "role": "admin"}]),
    (("staff",), [{"username": "a", "role": "raja"}]),
]


def problem_lines(key, value, locale):
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={}, overrides={key: value}, locale=locale)
    return str(info.value).splitlines()[1:]


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{'.'.join(k)}={v!r}"[:60] for k, v in CASES])
def test_a_config_problem_reads_in_indonesian_and_in_english(key, value):
    indonesian = problem_lines(key, value, "id")
    english = problem_lines(key, value, "en")
    assert indonesian and len(indonesian) == len(english)
    for line in indonesian:
        said = line
        words = re.sub(r"\(nilai: [^)]*\)|'[^']*'|\S+://\S*|[\w.]+_[\w.]+|\b[A-Z]{2,}\b|\([^)]*\.md[^)]*\)", " ", said)
        assert not ENGLISH.search(words), line
    assert any(ENGLISH.search(line) for line in english)
