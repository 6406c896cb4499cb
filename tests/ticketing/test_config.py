"""Configuration: the sample works, mistakes name the key and the fix, secrets stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing.config import load_settings, secret_from_env
from ticketing.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_sample_config_is_valid_and_complete():
    settings = load_settings(str(ROOT / "config.yaml"), environ={})
    assert settings.database.url.startswith("sqlite:///") and settings.redis.url is None
    assert settings.sla.working_days == 3 and settings.sla.hours["fri"] == "07:30-16:30"
    assert [c.name for c in settings.channels] == ["sandbox"]
    assert {s.role for s in settings.staff} == {"admin", "teknis", "supervisor"}


@pytest.mark.parametrize(("text", "expected"), [
    ("sla:\n  working_days: 0\n", "sla.working_days (value: 0)"),
    ("office:\n  timezone: Mars/Olympus\n", "office.timezone (value: 'Mars/Olympus')"),
    ("redis:\n  url: http://localhost\n", "redis.url"),
    ("sla:\n  workng_days: 3\n", "sla.workng_days: unknown key"),
    ("staff:\n  - {username: c, role: teknis, bidang: XYZ}\n", "staff[0] (c)"),
    ("channels:\n  - {name: a, type: x}\n  - {name: a, type: x}\n", "used twice"),
    ("database:\n  url: mysql://x\n", "database.url"),
])
def test_bad_values_name_the_key(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), environ={}, locale="en")
    assert expected in str(info.value)


def test_config_errors_speak_indonesian_by_default(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "sla:\n  workng_days: 0\n"), environ={})
    assert "konfigurasi tidak sah" in str(info.value) and "kunci tidak dikenal; maksudnya 'working_days'?" \
        in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "office: {locale: en}\nsla:\n  working_days: 0\n"), environ={})
    assert "invalid configuration" in str(info.value) and "(value: 0)" in str(info.value)


def test_precedence_flag_over_environment_over_file(tmp_path):
    path = write(tmp_path, "database:\n  url: sqlite:///from-file.db\nredis:\n  url: redis://file:6379/0\n")
    from_file = load_settings(path, environ={})
    assert from_file.database.url == f"sqlite:///{tmp_path / 'from-file.db'}"
    from_env = load_settings(path, environ={"ADUAN_DATABASE_URL": "sqlite:///env.db",
                                            "ADUAN_REDIS_URL": "redis://env:6379/0"})
    assert from_env.database.url.endswith("/env.db") and from_env.redis.url == "redis://env:6379/0"
    via_env_config = load_settings(None, environ={"ADUAN_CONFIG": path})
    assert via_env_config.source == path


def test_missing_explicit_file_says_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="ADUAN_CONFIG"):
        load_settings(str(tmp_path / "nope.yaml"), environ={})


def test_secret_values_never_show(tmp_path):
    canary = "CANARY-s3cr3t-token-value"
    section = {"bearer_token_env": "ADUAN_X_BEARER_TOKEN"}
    secret = secret_from_env(section, "bearer_token_env", "x-test", environ={"ADUAN_X_BEARER_TOKEN": canary})
    assert secret.get() == canary
    for shown in (repr(secret), str(secret), f"{secret}", repr({"token": secret})):
        assert canary not in shown and "ADUAN_X_BEARER_TOKEN" in shown
    with pytest.raises(ConfigError) as info:
        secret_from_env(section, "bearer_token_env", "x-test", environ={})
    assert "ADUAN_X_BEARER_TOKEN" in str(info.value) and "export" in str(info.value)


def test_secret_in_yaml_is_not_how_it_works(tmp_path):
    # A value put straight into the file is a variable *name*; it is looked up, never used as the secret.
    section = {"bearer_token_env": "AAAAliteral-token-pasted-by-mistake"}
    with pytest.raises(ConfigError) as info:
        secret_from_env(section, "bearer_token_env", "x-test", environ={})
    assert "belum diisi" in str(info.value)
