"""Issue 21: who acts is proven (`identity: os`), or declared as before (`identity: declared`).

Every test runs the real CLI as this test process's own OS account (root in CI), which is not in
the sample staff list, and sets the user-controlled variables an attacker would set.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

import pytest
import sqlalchemy as sa
import yaml

from tests.cli_helpers import PINNED_NOW_ISO, ROOT, make_config
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from tests.test_cli_actions import rows, seed

ME = pwd.getpwuid(os.getuid()).pw_name


def configure(tmp_path, identity: str | None, extra_staff: list[dict] | None = None):
    config = make_config(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    if identity is None:
        data.pop("identity", None)
    else:
        data["identity"] = identity
    assert all(s.get("os_user") != ME and s["username"] != ME for s in data["staff"])
    data["staff"] = [*data["staff"], *(extra_staff or [])]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = data["database"]["url"]
    seed(url, [inbound(1, base=PINNED_NOW, text="KTP-el saya belum jadi")])
    return config, url


def aduan(config, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The CLI with only what a user controls in the environment: no ADUAN_USER unless given."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_") and k not in ("USER", "LOGNAME")}
    environ.update({"ADUAN_CONFIG": str(config), "ADUAN_NOW": PINNED_NOW_ISO, "COLUMNS": "160", "NO_COLOR": "1"})
    environ.update(env)
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=config.parent, env=environ,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("how", ["flag", "ADUAN_USER", "USER/LOGNAME"])
def test_an_os_account_that_is_no_staff_cannot_claim_a_staff_name(tmp_path, how):
    config, url = configure(tmp_path, "os")
    if how == "flag":
        result = aduan(config, "--as", "kabid1", "audit", "verify")
    elif how == "ADUAN_USER":
        result = aduan(config, "audit", "verify", ADUAN_USER="kabid1")
    else:
        result = aduan(config, "audit", "verify", USER="kabid1", LOGNAME="kabid1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"akun OS {ME!r} tidak terdaftar" in result.stderr
    refused = rows(url, "SELECT actor, os_account FROM event WHERE action = 'refused'")
    assert refused and refused[-1] == (f"os:{ME}", ME)  # the refusal names the account, not the claim


def test_an_os_account_in_staff_acts_as_itself_and_events_carry_both_names(tmp_path):
    config, url = configure(tmp_path, "os", [{"username": "budi", "name": "Budi", "role": "admin", "os_user": ME}])
    result = aduan(config, "note", "1", "-m", "sudah dicek di loket")
    assert result.returncode == 0, result.stderr
    assert rows(url, "SELECT actor, os_account FROM event WHERE action = 'noted'") == [("budi", ME)]
    assert aduan(config, "--as", "kabid1", "audit", "verify").returncode == 1  # may_act_as is empty


def test_may_act_as_allows_exactly_the_names_listed(tmp_path):
    config, url = configure(tmp_path, "os", [{"username": "loket", "role": "admin", "os_user": ME,
                                               "may_act_as": ["kabid1"]}])
    assert aduan(config, "--as", "kabid1", "note", "1", "-m", "dicek kabid").returncode == 0
    assert rows(url, "SELECT actor, os_account FROM event WHERE action = 'noted'") == [("kabid1", ME)]
    refused = aduan(config, "--as", "capil1", "note", "1", "-m", "x")
    assert refused.returncode == 1 and "may_act_as" in refused.stderr


def test_the_username_matches_when_no_os_user_is_given(tmp_path):
    config, _url = configure(tmp_path, "os", [{"username": ME, "role": "supervisor"}])
    assert aduan(config, "audit", "verify").returncode == 0


def test_declared_mode_keeps_trusting_the_name_given(tmp_path):
    config, url = configure(tmp_path, "declared")
    assert aduan(config, "--as", "kabid1", "note", "1", "-m", "catatan").returncode == 0
    assert aduan(config, "audit", "verify", ADUAN_USER="kabid1").returncode == 0
    assert rows(url, "SELECT actor, os_account FROM event WHERE action = 'noted'") == [("kabid1", ME)]


def test_cron_as_an_account_that_is_no_staff_still_collects(tmp_path):
    config, _url = configure(tmp_path, "os")
    result = aduan(config, "collect", "--quiet")
    assert result.returncode == 0, result.stderr  # runs as the system, as before


def test_health_warns_when_the_identity_key_is_missing(tmp_path):
    config, _url = configure(tmp_path, None)
    result = aduan(config, "--as", "kabid1", "health", "--json")
    import json

    warnings = {w["code"] for w in json.loads(result.stdout)["warnings"]}
    assert "identity_unset" in warnings
    (tmp_path / "b").mkdir()
    configured, _ = configure(tmp_path / "b", "declared")
    result = aduan(configured, "--as", "kabid1", "health", "--json")
    assert "identity_unset" not in {w["code"] for w in json.loads(result.stdout)["warnings"]}


def test_the_sample_config_proves_identity():
    assert yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["identity"] == "os"


def test_old_events_without_an_os_account_still_verify(tmp_path):
    from ticketing.store.db import open_database, write_session
    from ticketing.workflow.audit import EventDraft, record_event, verify_database

    engine = open_database(f"sqlite:///{tmp_path / 'a.db'}", auto_upgrade=True)
    with write_session(engine) as session:
        record_event(session, EventDraft(None, PINNED_NOW, "system", "created"))
    with engine.begin() as conn:  # a row written before migration 0003: no account, hashed without it
        from ticketing.workflow.audit import event_hash

        row = conn.execute(sa.text("SELECT id, at, prev_hash FROM event")).one()
        digest = event_hash(row.prev_hash, None, PINNED_NOW, "system", "created", None, None, "")
        conn.execute(sa.text("UPDATE event SET os_account = NULL, hash = :h"), {"h": digest})
    assert verify_database(engine)["ok"]
    with engine.begin() as conn:  # and the account is covered by the hash once it is there
        conn.execute(sa.text("UPDATE event SET os_account = 'mallory'"))
    assert not verify_database(engine)["ok"]
    engine.dispose()
