"""The CLI through its real entry point: help, db upgrade, inbox, show, demo."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

from tests.cli_helpers import ROOT, make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.factories import batch, inbound
from ticketing.app import App
from ticketing.config import load_settings
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import open_database, write_session

HEAVY = ("sqlmodel", "sqlalchemy", "redis", "rq", "tweepy", "facebook", "requests", "holidays", "psycopg")


def seed(url: str, messages) -> None:
    """Store messages the way `aduan collect` does, with the sample config's SLA policy."""
    policy = App(load_settings(str(ROOT / "config.yaml"), environ={}), environ={}).ingest_policy()
    engine = open_database(url, auto_upgrade=True)
    with write_session(engine) as session:
        ingest_batch(session, "x-test", messages, now=PINNED_NOW, channel_type="x", policy=policy)
    engine.dispose()


def test_help_imports_nothing_heavy():
    code = ("import sys, runpy; sys.argv = ['aduan', '--help']\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print('LOADED', loaded)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "inbox" in proc.stdout
    assert "LOADED []" in proc.stdout, proc.stdout[-500:]


def test_inbox_json_contract_and_urgency_order(tmp_path, db_url):
    config = make_config(tmp_path, db_url)
    seed(db_url, [*batch(3, base=PINNED_NOW - timedelta(days=10)), inbound(50, base=PINNED_NOW,
                                                                            text="NIK 3329010101900001 blm aktif")])
    result = run_cli(config, "inbox", "--json")
    assert result.code == 0, result.err
    items = result.json()
    assert len(items) == 4
    required = {"id", "ref", "contact_id", "channel", "status", "status_label", "kind", "category", "bidang", "contact",
                "summary", "received_at", "due_at", "sla_state", "message_count"}
    assert required <= set(items[0])
    assert items[0]["received_at"].endswith("+00:00")
    assert [i["sla_state"] for i in items] == ["breached", "breached", "breached", "ok"]
    assert items[0]["status_label"] == "Baru"
    assert "3329********0001" in items[-1]["summary"] and "3329010101900001" not in result.out
    ids = run_cli(config, "inbox", "--ids")
    assert ids.out.split() == [str(i["id"]) for i in items]


def test_show_json_has_messages_and_events(tmp_path, db_url):
    config = make_config(tmp_path, db_url)
    seed(db_url, [inbound(1, thread="T", base=PINNED_NOW - timedelta(hours=2)),
                  inbound(2, thread="T", base=PINNED_NOW - timedelta(hours=1), author="u1")])
    listed = run_cli(config, "inbox", "--json").json()
    result = run_cli(config, "show", listed[0]["ref"], "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [m["external_id"] for m in data["messages"]] == ["m1", "m2"]
    assert {"external_id", "direction", "author", "text", "sent_at"} <= set(data["messages"][0])
    assert data["events"][0]["action"] == "created"
    assert {"at", "actor", "action", "from_status", "to_status", "detail"} <= set(data["events"][0])


def test_unknown_ticket_and_unknown_user_are_refused_clearly(tmp_path):
    config = make_config(tmp_path)
    missing = run_cli(config, "show", "ADU-2026-999999")
    assert missing.code == 1 and "tidak ditemukan" in missing.err and "Traceback" not in missing.err
    stranger = run_cli(config, "show", "1", user="tamu")
    assert stranger.code == 1 and "staff" in stranger.err


def test_bad_config_exits_2_naming_the_key(tmp_path):
    config = make_config(tmp_path, sla={"working_days": "tiga"})
    result = run_cli(config, "inbox")
    assert result.code == 2 and "sla.working_days" in result.err


def test_db_upgrade_on_postgres(tmp_path, postgres_url):
    config = make_config(tmp_path, postgres_url)
    from ticketing.store.db import SCHEMA_REVISION

    result = run_cli(config, "db", "upgrade")
    assert result.code == 0 and SCHEMA_REVISION in result.out


def test_inbox_table_in_indonesian_and_english(tmp_path):
    config = make_config(tmp_path)
    seed(f"sqlite:///{tmp_path / 'aduan.db'}", batch(2, base=PINNED_NOW - timedelta(hours=1)))
    indonesian = run_cli(config, "inbox")
    assert "Kotak Masuk Pengaduan" in indonesian.out and "Baru" in indonesian.out
    english = run_cli(config, "--lang", "en", "inbox")
    assert "Complaint Inbox" in english.out and "New" in english.out


def test_demo_runs_on_the_embedded_default(tmp_path):
    config = make_config(tmp_path)
    result = run_cli(config, "demo", now=None, timeout=120)
    assert result.code == 0, result.err
    assert re.search(r"ADU-\d{4}-\d{6}", result.out) and (tmp_path / "aduan-demo.db").exists()
