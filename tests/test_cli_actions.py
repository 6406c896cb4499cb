"""The admin's actions through the real `aduan` entry point, with an isolated config and DB."""

from __future__ import annotations

import json
import sys
import zlib
from datetime import timedelta

import sqlalchemy as sa

from tests.cli_helpers import ROOT, make_config, run_cli, run_in_pty
from tests.conftest import PINNED_NOW
from tests.factories import inbound
from ticketing.app import App
from ticketing.config import load_settings
from ticketing.intake.ingest import ingest_batch
from ticketing.store.db import open_database, write_session


def sandbox_id(key: str) -> str:
    """The numeric chat/user id a seeded author or thread gets on the sandbox channel (stable)."""
    return str(zlib.crc32(key.encode()) % 1_000_000_000 + 1)


def seed(url: str, messages, channel: str = "sandbox") -> None:
    """Tickets on the bundled sandbox channel, so inline delivery really reaches a channel
    (the sandbox's Telegram-shaped server needs numeric chat and user ids)."""
    if channel == "sandbox":
        for message in messages:
            message.channel = channel
            message.thread_key = sandbox_id(message.thread_key)
            message.author_id = sandbox_id(message.author_id)
    policy = App(load_settings(str(ROOT / "config.yaml"), environ={}), environ={}).ingest_policy()
    engine = open_database(url, auto_upgrade=True)
    with write_session(engine) as session:
        ingest_batch(session, channel, messages, now=PINNED_NOW, channel_type="x", policy=policy)
    engine.dispose()


def rows(url: str, sql: str, **params) -> list[tuple]:
    engine = open_database(url)
    with engine.connect() as conn:
        result = [tuple(r) for r in conn.execute(sa.text(sql), params)]
    engine.dispose()
    return result


def events_of(url: str, ticket_id: int) -> list[tuple]:
    return rows(url, "SELECT actor, action, from_status, to_status, detail FROM event WHERE ticket_id = :t "
                     "ORDER BY id", t=ticket_id)


def human_actions(url: str, ticket_id: int) -> list[tuple[str, str]]:
    """Staff actions only (inline delivery and SLA sweeps add `system` events of their own)."""
    return [(actor, action) for actor, action, *_ in events_of(url, ticket_id) if actor != "system"]


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'aduan.db'}"


def test_scripted_session_reply_escalate_answer_forward_resolve(tmp_path):
    url = sqlite_url(tmp_path)
    config = make_config(tmp_path)
    base = PINNED_NOW - timedelta(hours=1)
    seed(url, [inbound(1, base=base, text="min ktp sy blm jadi"),
               inbound(2, base=base, text="akta kelahiran anak blm jadi", is_private=True)])
    first, second = 1, 2

    replied = run_cli(config, "reply", str(first), "--template", "ktp-belum-cetak", "--json")
    assert replied.code == 0, replied.err
    assert replied.json()["ticket"]["status"] == "answered"
    sent = rows(url, "SELECT text, direction FROM message WHERE ticket_id = :t AND direction = 'out'", t=first)
    assert len(sent) == 1 and "ADU-2026-000001" in sent[0][0] and "{ref}" not in sent[0][0]

    escalated = run_cli(config, "escalate", str(second), "--to", "capil", "-m", "mohon dicek", "--json")
    assert escalated.code == 0 and escalated.json()["ticket"]["status"] == "escalated"

    refused = run_cli(config, "answer", str(second), "-m", "bukan urusan saya", user="dafduk1")
    assert refused.code == 1
    assert "DAFDUK" in refused.err and "CAPIL" in refused.err and "Traceback" not in refused.err

    answered = run_cli(config, "answer", str(second), "-m", "Akta sudah terbit, silakan ambil.", user="capil1")
    assert answered.code == 0, answered.err
    forwarded = run_cli(config, "reply", str(second), "--use-answer", "--json")
    assert forwarded.code == 0, forwarded.err
    assert forwarded.json()["used_answer"] is True
    out = rows(url, "SELECT text FROM message WHERE ticket_id = :t AND direction = 'out'", t=second)
    assert out == [("Akta sudah terbit, silakan ambil.",)]
    resolved = run_cli(config, "resolve", str(second), "--json")
    assert resolved.code == 0 and resolved.json()["ticket"]["status"] == "closed"

    trail = events_of(url, second)
    assert human_actions(url, second) == [("admin1", "escalated"), ("dafduk1", "refused"),
                                          ("capil1", "answered_by_bidang"), ("admin1", "replied"),
                                          ("admin1", "resolved")]
    statuses = [(a, f, t) for _, a, f, t, _ in trail if f != t]
    assert statuses == [("created", None, "new"), ("escalated", "new", "escalated"),
                        ("answered_by_bidang", "escalated", "followed_up"),
                        ("answer_delivered", "followed_up", "answered"), ("resolved", "answered", "closed")]
    refusal = next(json.loads(d) for _, a, *_, d in trail if a == "refused")
    assert refusal["action"] == "answer" and "teknis" in refusal["reason"]
    assert rows(url, "SELECT status FROM ticket ORDER BY id") == [("answered",), ("closed",)]


def test_actions_json_exit_codes_and_audit(tmp_path):
    url = sqlite_url(tmp_path)
    config = make_config(tmp_path)
    seed(url, [inbound(i, base=PINNED_NOW - timedelta(days=6)) for i in range(1, 4)])
    ids = [1, 2, 3]

    closed = run_cli(config, "close", str(ids[0]), "--reason", "spam", "--json")
    assert closed.code == 0 and closed.json()["ticket"]["status"] == "dismissed"
    assert closed.json()["reason"] == "spam"
    reopened = run_cli(config, "reopen", str(ids[0]), "--json").json()
    # a new due date from the moment of reopening: Monday 10:00 WIB + 3 working days = Thursday 16:00 WIB
    assert reopened["ticket"]["status"] == "new"
    assert reopened["ticket"]["due_at"] == "2026-11-26T09:00:00+00:00"

    stranger = run_cli(config, "assign", str(ids[1]), "--to", "siapa", "--json")
    assert stranger.code == 1 and "admin1" in stranger.err and stranger.json()["ok"] is False
    assigned = run_cli(config, "assign", str(ids[1]), "--to", "admin1", "--json")
    assert assigned.code == 0 and assigned.json()["ticket"]["assignee"] == "admin1"
    mine = run_cli(config, "inbox", "--mine", "--ids")
    assert mine.out.split() == [str(ids[1])]

    noted = run_cli(config, "note", str(ids[1]), "-m", "telepon pelapor besok", "--json")
    assert noted.code == 0 and noted.json()["message_id"]
    tagged = run_cli(config, "tag", str(ids[1]), "KTP", "blangko", "--json")
    assert tagged.json()["ticket"]["tags"] == ["ktp", "blangko"]
    merged = run_cli(config, "merge", str(ids[2]), str(ids[1]), "--json", "--force")  # u3 and u2 differ
    assert merged.code == 0 and merged.json()["ticket"]["status"] == "dismissed"
    assert merged.json()["into"] == "ADU-2026-000002"

    not_allowed = run_cli(config, "tag", str(ids[1]), "x", user="capil1")
    assert not_allowed.code == 1 and "perlu peran" in not_allowed.err
    assert human_actions(url, ids[1]) == [("admin1", "assigned"), ("admin1", "noted"), ("admin1", "tagged"),
                                          ("admin1", "merged_in"), ("capil1", "refused")]
    assert human_actions(url, ids[0]) == [("admin1", "dismissed"), ("admin1", "reopened")]


def test_usage_errors_exit_2(tmp_path):
    config = make_config(tmp_path)
    seed(sqlite_url(tmp_path), [inbound(1, base=PINNED_NOW)])
    assert run_cli(config, "reply", "1", "-m", "a", "--template", "pindah-ke-dm").code == 2
    assert run_cli(config, "close", "1", "--reason", "bosan").code == 2
    assert run_cli(config, "inbox", "--status", "beres").code == 2
    assert run_cli(config, "inbox", "--since", "kemarin").code == 2
    assert run_cli(config, "escalate", "1").code == 2
    unknown = run_cli(config, "escalate", "1", "--to", "KUA")
    assert unknown.code == 2 and "CAPIL" in unknown.err  # a usage error, like a bad --reason


def test_templates_listing_preview_and_unknown_placeholder(tmp_path):
    config = make_config(tmp_path, templates={"jam-layanan": "Halo {nama}, loket buka 07.30 ({ref}).",
                                               "salah": "Halo {nma}"})
    seed(sqlite_url(tmp_path), [inbound(1, base=PINNED_NOW, text="jam buka?")])
    listed = run_cli(config, "templates", "--json")
    assert listed.code == 1  # the broken template is reported, with the exit code scripts see
    names = {t["name"]: t for t in listed.json()}
    assert {"ktp-belum-cetak", "ubah-kk", "syarat-akta-lahir", "pindah-ke-dm", "bukan-kewenangan",
            "jam-layanan"} <= set(names)
    assert names["salah"]["error"] and "{nama}" in names["salah"]["error"]
    assert names["jam-layanan"]["builtin"] is False and names["ubah-kk"]["builtin"] is True
    preview = run_cli(config, "templates", "jam-layanan", "--ticket", "1", "--json")
    assert preview.json()["text"] == "Halo Warga 1, loket buka 07.30 (ADU-2026-000001)."
    broken = run_cli(config, "reply", "1", "--template", "salah")
    assert broken.code == 1 and "{nma}" in broken.err and "tidak dikenal" in broken.err
    missing = run_cli(config, "reply", "1", "--template", "tidak-ada")
    assert missing.code == 1 and "aduan templates" in missing.err
    assert run_cli(config, "inbox", "--json").json()[0]["status"] == "new"  # nothing was sent
    table = run_cli(config, "templates")
    assert "Templat Balasan" in table.out and "{batas_waktu}" in table.out


def test_reply_in_editor_and_empty_editor_sends_nothing(tmp_path):
    url = sqlite_url(tmp_path)
    config = make_config(tmp_path)
    seed(url, [inbound(1, base=PINNED_NOW, text="kk saya hilang \x1b[2J"), inbound(2, base=PINNED_NOW)])
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\nseen = p.read_text()\n"
                      "assert '\\x1b' not in seen and '# kk saya hilang' in seen\n"
                      "p.write_text(seen + '\\nSilakan datang ke loket dengan membawa surat kehilangan.\\n')\n")
    code, output = run_in_pty(config, "reply", "1", "--json", env={"EDITOR": f"{sys.executable} {script}"})
    assert code == 0, output
    assert rows(url, "SELECT text FROM message WHERE direction = 'out'") == [
        ("Silakan datang ke loket dengan membawa surat kehilangan.",)]
    blank = tmp_path / "blank.py"
    blank.write_text("import sys\nopen(sys.argv[1], 'w').write('# nothing\\n')\n")
    code, output = run_in_pty(config, "reply", "2", env={"EDITOR": f"{sys.executable} {blank}"})
    assert code == 1 and b"kosong" in output
    assert len(rows(url, "SELECT id FROM message WHERE direction = 'out'")) == 1


def test_public_reply_with_nik_is_refused(tmp_path):
    url = sqlite_url(tmp_path)
    config = make_config(tmp_path)
    seed(url, [inbound(1, base=PINNED_NOW, text="nik sy ga aktif")])
    result = run_cli(config, "reply", "1", "-m", "NIK 3329010101900001 sudah aktif")
    assert result.code == 1 and "pindah-ke-dm" in result.err and "3329010101900001" not in result.err
    assert rows(url, "SELECT count(*) FROM message WHERE direction = 'out'") == [(0,)]


def test_reveal_needs_supervisor_and_is_audited(tmp_path):
    url = sqlite_url(tmp_path)
    config = make_config(tmp_path)
    seed(url, [inbound(1, base=PINNED_NOW, text="NIK 3329010101900001 tidak padan")])
    masked = run_cli(config, "show", "1")
    assert "3329********0001" in masked.out and "3329010101900001" not in masked.out
    refused = run_cli(config, "show", "1", "--reveal")
    assert refused.code == 1 and "supervisor" in refused.err and "3329010101900001" not in refused.out
    shown = run_cli(config, "show", "1", "--reveal", "--json", user="kabid1")
    assert shown.code == 0 and "3329010101900001" in shown.json()["messages"][0]["text"]
    assert shown.json()["revealed_by"] == "kabid1"
    trail = [(actor, action) for actor, action, *_ in events_of(url, 1)]
    assert ("admin1", "refused") in trail and ("kabid1", "revealed") in trail


def test_teknis_sees_only_tickets_escalated_to_their_bidang(tmp_path):
    config = make_config(tmp_path)
    seed(sqlite_url(tmp_path), [inbound(i, base=PINNED_NOW) for i in (1, 2, 3)])
    assert run_cli(config, "escalate", "2", "--to", "CAPIL").code == 0
    assert run_cli(config, "inbox", "--ids", user="capil1").out.split() == ["2"]
    assert run_cli(config, "inbox", "--ids", user="dafduk1").out.split() == []
    other = run_cli(config, "show", "1", user="capil1")
    assert other.code == 1 and "CAPIL" in other.err


def test_english_output_and_remaining_working_time(tmp_path):
    config = make_config(tmp_path)
    seed(sqlite_url(tmp_path), [inbound(1, base=PINNED_NOW - timedelta(minutes=45))])  # Monday 09:15 WIB
    item = run_cli(config, "inbox", "--json").json()[0]
    assert item["sla_remaining"] == {"working_days": 3, "hours": 6, "minutes": 0, "overdue": False,
                                     "at_least": False}
    assert "3 HK 6 jam" in run_cli(config, "inbox").out
    english = run_cli(config, "--lang", "en", "escalate", "1", "--to", "PIAK")
    assert "escalated to PIAK" in english.out and "Escalated" in english.out
    late = run_cli(config, "--lang", "en", "inbox", now="2026-11-27T02:30:00+00:00")  # Fri 09:30, due Thu 16:00
    assert "over 2 h 0 min" in late.out


def test_search_is_verbatim_and_indexed(tmp_path, db_url):
    from ticketing.store.db import read_session
    from ticketing.workflow.views import InboxFilter, inbox

    config = make_config(tmp_path, db_url)
    texts = ["'); DROP TABLE ticket;-- tolong", "diskon 50% untuk akta?", "nama_ibu salah di akta",
             "biasa saja tanpa simbol", "KTP-el belum dicetak"]
    seed(db_url, [inbound(i, base=PINNED_NOW, text=t) for i, t in enumerate(texts, 1)])
    through_cli = run_cli(config, "inbox", "--search", "'); DROP TABLE ticket;--", "--json")
    assert through_cli.code == 0, through_cli.err
    assert [t["ref"] for t in through_cli.json()] == ["ADU-2026-000001"]
    assert run_cli(config, "inbox", "--search", "%", "--ids").out.split() == ["2"]

    engine = open_database(db_url)

    def found(term: str) -> list[int]:
        with read_session(engine) as session:
            return sorted(t["id"] for t in inbox(session, InboxFilter(search=term), PINNED_NOW, timedelta(0)))

    assert found("_") == [3] and found("a_a") == [] and found("50%") == [2]
    assert found("50") == [2] and found("a_") == [3]  # shorter than a trigram: the LIKE fallback
    assert found("ktp-EL") == [5] and found('"dicetak') == [] and found("belum dicetak") == [5]
    assert found("AND") == [] and found("OR akta") == [] and found("akta") == [2, 3]
    assert found("  \x00 ") == [1, 2, 3, 4, 5]  # nothing left to search for: no filter
    with engine.begin() as conn:  # the index follows edits of message text
        conn.execute(sa.text("UPDATE message SET text = 'blangko habis' WHERE external_id = 'm4'"))
    assert found("blangko") == [4] and found("tanpa simbol") == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM ticket")).scalar() == 5
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(sa.text(
                "EXPLAIN QUERY PLAN SELECT rowid FROM message_fts WHERE message_fts MATCH '\"blangko\"'")))
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            assert conn.execute(sa.text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_message_text_trgm'"
                                        )).scalar() == 1
    engine.dispose()


def test_inbox_and_show_queries_use_indexes(tmp_path):
    """The benchmark's generator and plan check, small: no statement of inbox/show scans a table."""
    from bench.cli import full_scans, generate, query_plans

    path = tmp_path / "bench.db"
    generate(path, 3000)
    plans = dict(query_plans(path))
    assert "ix_ticket_status_due" in plans["inbox"] and "message_fts" in plans["inbox --search"]
    assert {name: full_scans(plan) for name, plan in plans.items() if full_scans(plan)} == {}
    assert full_scans("SCAN ticket") == ["SCAN ticket"]  # the check itself notices a table scan
