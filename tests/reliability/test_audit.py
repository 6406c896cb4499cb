"""Test plan rows 25 and 26, and the data-subject export: refusals, reveals and exports are audited,
`aduan audit verify` finds the first edited event, and on PostgreSQL the application role cannot
change the audit trail at all."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW, env
from tests.factories import inbound
from tests.test_cli_actions import rows, sandbox_id, seed
from ticketing.contract import Attachment

NIK = "3329014507880001"


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'aduan.db'}"
    base = PINNED_NOW - timedelta(hours=2)
    first = dataclasses.replace(inbound(1, base=base, author="warga1", text=f"NIK saya {NIK}, KTP belum jadi"),
                                attachments=[Attachment("ktp foto.jpg", "image/jpeg", 2048, "ab" * 32,
                                                        str(tmp_path / "secret-path.jpg"))])
    seed(url, [first, inbound(2, base=base, author="warga1", thread="t1", text="sudah seminggu"),
               inbound(3, base=base, author="warga2", text="akta kelahiran")])
    return make_config(tmp_path), url


def events(url: str, action: str) -> list[tuple]:
    return rows(url, "SELECT actor, detail FROM event WHERE action = :a ORDER BY id", a=action)


def test_row26_every_change_reveal_and_export_is_one_event_and_the_chain_verifies(seeded, tmp_path):
    config, url = seeded
    assert run_cli(config, "reply", "1", "-m", "Sedang kami proses.").code == 0
    assert run_cli(config, "show", "1", "--reveal", user="kabid1").code == 0
    assert run_cli(config, "recap", "daily", "--format", "csv", "-o", str(tmp_path / "r.csv"), user="kabid1").code == 0
    assert [len(events(url, a)) for a in ("replied", "revealed", "exported")] == [1, 1, 1]
    total = rows(url, "SELECT count(*) FROM event")[0][0]
    ok = run_cli(config, "audit", "verify", user="kabid1")
    assert ok.code == 0 and ok.out.strip() == f"ok: rantai audit utuh ({total} peristiwa diperiksa)"
    assert events(url, "audit_verified")[0][0] == "kabid1"  # the check itself is on the record
    victim = rows(url, "SELECT id FROM event WHERE action = 'revealed'")[0][0]
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # someone with file access rewrites history
        conn.execute(sa.text("UPDATE event SET actor = 'admin1' WHERE id = :i"), {"i": victim})
    engine.dispose()
    broken = run_cli(config, "audit", "verify", "--json", user="kabid1")
    assert broken.code == 1
    data = broken.json()
    assert data["ok"] is False and data["first_broken_event"] == victim and data["problems"] == 1
    assert f"event {victim}: content does not match" in data["first_problem"]
    text = run_cli(config, "audit", "verify", user="kabid1")
    assert text.code == 1 and text.out.startswith(f"RUSAK: event {victim}:")


def test_row25_refusals_of_supervisor_actions_are_audited_once(seeded, tmp_path):
    config, url = seeded
    for user, args in [("admin1", ("audit", "verify")), ("capil1", ("recap", "daily")),
                       ("admin1", ("privacy", "export", "--contact", "1")),
                       ("admin1", ("privacy", "purge", "--older-than", "30")), ("admin1", ("show", "1", "--reveal"))]:
        result = run_cli(config, *args, user=user)
        assert result.code == 1 and "tidak boleh" in result.err, (args, result.err)
    refused = [(actor, json.loads(detail)["action"]) for actor, detail in events(url, "refused")]
    assert refused == [("admin1", "audit verify"), ("capil1", "recap daily"), ("admin1", "privacy_export"),
                       ("admin1", "privacy_purge"), ("admin1", "reveal")]  # one each, never twice
    assert run_cli(config, "audit", "verify", user="kabid1").code == 0  # refusals are chained like the rest


def test_privacy_export_gives_the_citizens_data_and_trail_and_is_audited(seeded, tmp_path):
    config, url = seeded
    assert run_cli(config, "note", "1", "-m", "cek SIAK dulu").code == 0
    contact = rows(url, "SELECT contact_id FROM ticket WHERE id = 1")[0][0]
    out = tmp_path / "export.json"
    result = run_cli(config, "privacy", "export", "--contact", str(contact), "--output", str(out), user="kabid1")
    assert result.code == 0, result.err
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [h["external_user_id"] for h in data["handles"]] == [sandbox_id("warga1")]
    assert [t["id"] for t in data["tickets"]] == [1]  # not warga2's ticket
    texts = [m["text"] for m in data["messages"]]
    assert f"NIK saya {NIK}, KTP belum jadi" in texts and "sudah seminggu" in texts  # their own data, unmasked
    assert "cek SIAK dulu" not in json.dumps(data)  # internal notes appear only as trail events
    assert [e["action"] for e in data["events"]] == ["created", "noted"]
    [attachment] = data["attachments"]
    assert attachment["filename"] == "ktp foto.jpg" and "path" not in attachment
    assert "secret-path" not in out.read_text(encoding="utf-8")
    [(actor, detail)] = events(url, "privacy_export")
    assert actor == "kabid1" and json.loads(detail)["messages"] == len(data["messages"])
    screen = run_cli(config, "privacy", "export", "--contact", str(contact), user="kabid1")
    assert screen.code == 0 and screen.json()["contact"]["id"] == contact
    assert len(events(url, "privacy_export")) == 2
    missing = run_cli(config, "privacy", "export", "--contact", "999", user="kabid1")
    assert missing.code == 1 and "999" in missing.err


@pytest.mark.postgres
def test_row26_on_postgresql_the_app_role_cannot_update_or_delete_events(postgres_url):
    from ticketing.store.db import open_database, write_session
    from ticketing.workflow.audit import EventDraft, record_event

    admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS aduan_grants")
        conn.execute("CREATE DATABASE aduan_grants")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'aduan_app'").fetchone():
            conn.execute("CREATE ROLE aduan_app LOGIN")
    owner_url = postgres_url.rsplit("/", 1)[0] + "/aduan_grants"
    with env(ADUAN_DB_APP_ROLE="aduan_app"):
        open_database(owner_url, auto_upgrade=True).dispose()  # `aduan db upgrade` run by the owner role
    app_url = owner_url.replace("://aduan@", "://aduan_app@")
    engine = open_database(app_url)
    try:
        with write_session(engine) as session:  # the application works normally, audit events included
            record_event(session, EventDraft(None, PINNED_NOW, "admin1", "noted", None, None, {"x": 1}))
            session.execute(sa.text("INSERT INTO contact (display_name) VALUES ('a')"))
            session.execute(sa.text("UPDATE contact SET display_name = 'b'"))
        for statement in ("UPDATE event SET actor = 'x'", "DELETE FROM event", "TRUNCATE event",
                          "UPDATE alembic_version SET version_num = '0001'"):
            with pytest.raises(sa.exc.ProgrammingError) as info, engine.begin() as conn:
                conn.execute(sa.text(statement))
            assert "permission denied" in str(info.value)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT actor FROM event")).scalars().all() == ["admin1"]
    finally:
        engine.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS aduan_grants")
