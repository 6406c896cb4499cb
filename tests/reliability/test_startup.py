"""Test plan row 21: bad configuration stops a command at start-up with one clear line, a non-zero
exit, no traceback, and no secret echoed (secrets are planted in the environment and in YAML)."""

from __future__ import annotations

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.fakes.telegram import TOKEN, TOKEN_ENV

SECRET_IN_YAML = "7000001:AAF-pasted-into-yaml-SECRET"


def telegram(**extra):
    return {"name": "tg", "type": "telegram", "base_url": "http://127.0.0.1:9", "bot_token_env": TOKEN_ENV, **extra}


CASES = [
    # (id, config sections, extra env, command, exit code, what stderr must name)
    ("missing-token", {"channels": [telegram(bot_token_env="ADUAN_TG_UNSET")]}, {}, ("collect",), 1,
     "ADUAN_TG_UNSET"),
    ("token-pasted-in-yaml", {"channels": [telegram(bot_token=SECRET_IN_YAML)]}, {}, ("collect",), 1, "bot_token"),
    ("sla-days-0", {"sla": {"working_days": 0}}, {}, ("inbox",), 2, "sla.working_days"),
    ("bad-timezone", {"office": {"timezone": "Asia/Brebes"}}, {}, ("inbox",), 2, "office.timezone"),
    ("bad-redis-url", {}, {"ADUAN_REDIS_URL": "http://127.0.0.1:6379"}, ("inbox",), 2, "redis.url"),
    ("poll-page-0", {"channels": [telegram(page_size=0)]}, {}, ("collect",), 1, "page_size"),
    ("bad-database-url", {"database": {"url": "mysql://root:hunter2pass@db/aduan"}}, {}, ("inbox",), 2,
     "database.url"),
    ("unwritable-log", {"logging": {"file": "/proc/aduan/aduan.log"}}, {}, ("inbox",), 2, "logging.file"),
    ("worker-without-redis", {}, {}, ("worker", "--burst"), 2, "redis.url"),
]


@pytest.mark.parametrize(("sections", "extra_env", "command", "code", "named"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_row21_startup_fails_clearly_without_echoing_secrets(tmp_path, sections, extra_env, command, code, named):
    config = make_config(tmp_path, **sections)
    if "database" in sections:  # make_config fills in a working database url; put the bad one back
        config.write_text(config.read_text().replace(f"sqlite:///{tmp_path / 'aduan.db'}",
                                                     sections["database"]["url"]))
    result = run_cli(config, *command, env={TOKEN_ENV: TOKEN, **extra_env})
    assert result.code == code, (result.out, result.err)
    text = result.out + result.err
    assert named in text and "Traceback" not in text
    for secret in (TOKEN.split(":")[1], SECRET_IN_YAML.split(":")[1], "hunter2pass"):
        assert secret not in text
