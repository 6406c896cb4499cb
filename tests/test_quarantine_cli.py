"""`aduan quarantine`: an item a channel could not read is shown to an admin with its reason, its payload
inert and masked, and marked handled by an admin or supervisor (who, when, a note), after which
`aduan health` no longer reports it. Items come from the real path: a fake Telegram serves a malformed
update and `aduan collect` quarantines it; a mail-like raw-text reject goes through intake's own writer.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.cli_helpers import make_config, run_cli, run_here
from tests.conftest import PINNED_NOW
from tests.reliability.helpers import HeldTelegram
from tests.test_cli_language import INDONESIAN

NIK = "3329010101900001"
HOSTILE_TEXT = f"[red]x[/red] \x1b[2J lapor NIK {NIK} hp 081234567890 budi@mail.co.id \u202eevil"


def at(minutes: float) -> str:
    return (PINNED_NOW + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def fake():
    with HeldTelegram() as server:
        yield server


def collected(tmp_path, fake, *, hostile: bool = False, db_url: str | None = None):
    """A config whose database holds item 1 (the fake's malformed update) and, with `hostile`, item 2."""
    config = make_config(tmp_path, db_url, channels=[fake.channel_config()])
    fake.add_malformed_item()
    if hostile:
        fake.push({"message": {"message_id": "[red]x[/red]\x1b[2J", "date": 1795399200,
                               "chat": {"id": 5, "type": "private"},
                               "from": {"id": 5, "is_bot": False, "first_name": "[bold]Budi[/bold]"},
                               "text": HOSTILE_TEXT, "nik_as_number": int(NIK)}})
    result = run_cli(config, "collect", env=fake.env())
    assert result.code == 0 and (" 2 karantina" if hostile else " 1 karantina") in result.out, result.out
    return config


def cli(config, fake, *args, env: dict[str, str] | None = None, **kwargs):
    return run_here(config, "quarantine", *args, env={**fake.env(), **(env or {})}, **kwargs)


def store_raw_reject(url: str, reason: str, payload: str, channel: str = "mail-test") -> None:
    """A reject whose payload is raw text, as the email collector keeps an unreadable mail."""
    from ticketing.contract import QuarantinedItem
    from ticketing.intake.quarantine import store_quarantined
    from ticketing.store.db import open_database, run_write

    engine = open_database(url)
    run_write(engine, lambda s: store_quarantined(s, [QuarantinedItem(channel, reason, payload, "<m1@mail.co.id>")],
                                                  PINNED_NOW + timedelta(minutes=1)))
    engine.dispose()


def events(url: str, action: str) -> list[tuple[str, dict]]:
    from ticketing.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT actor, detail FROM event WHERE action = :a ORDER BY id"), {"a": action})
        found = [(actor, json.loads(detail) if detail else {}) for actor, detail in rows]
    engine.dispose()
    return found


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'aduan.db'}"


# --- list ------------------------------------------------------------------------------------------

def test_list_shows_the_unhandled_item_with_its_reason_newest_first(tmp_path, fake):
    config = collected(tmp_path, fake)
    bare = cli(config, fake)
    listed = cli(config, fake, "list")
    assert bare.code == listed.code == 0 and bare.out == listed.out  # `aduan quarantine` is `... list`
    row = next(line for line in listed.out.splitlines() if "tg-test" in line)
    assert re.search(r"│ 1\s+│ tg-test\s+│ 23 Nov 2026 10\.00 WIB │ -\s+│ update 500000001: 'chat'", row), row
    assert listed.out.splitlines()[-1].startswith("Lihat isinya: aduan quarantine show ID")
    store_raw_reject(sqlite_url(tmp_path), "mail UID INBOX/7/3 unreadable: bad header", "From: x\n\nisi")
    both = cli(config, fake, "list").out
    assert both.index("mail-test") < both.index("tg-test")  # received a minute later: on top
    assert "mail UID INBOX/7/3 unreadable: bad header" in both and "m***@mail.co.id" in both
    newest = cli(config, fake, "list", "--limit", "1").out
    assert "mail-test" in newest and "tg-test" not in newest
    by_type = cli(config, fake, "list", "--channel", "telegram")  # a channel's type, as `aduan inbox --channel`
    assert "tg-test" in by_type.out and "mail-test" not in by_type.out
    only_db = cli(config, fake, "list", "--channel", "mail-test")  # removed from config: still a choice
    assert only_db.code == 0 and "mail-test" in only_db.out and "tg-test" not in only_db.out
    unknown = cli(config, fake, "list", "--channel", "nope")
    assert unknown.code == 2 and "'nope' tidak dikenal; pilih: tg-test" in unknown.err


def test_an_empty_quarantine_says_so_in_one_line(tmp_path, fake):
    config = make_config(tmp_path, channels=[fake.channel_config()])
    empty = cli(config, fake)
    assert empty.code == 0 and empty.out == "Tidak ada item karantina yang belum ditangani.\n"
    never = cli(config, fake, "list", "--all")
    assert never.code == 0 and never.out == "Karantina kosong: belum pernah ada item yang dikarantina.\n"
    assert cli(config, fake, "list", "--json").out == "[]\n"


# --- show: hostile text, masking, --reveal ----------------------------------------------------------

def test_a_hostile_payload_is_shown_inert_and_masked(tmp_path, fake):
    config = collected(tmp_path, fake, hostile=True)
    shown = cli(config, fake, "show", "2")
    assert shown.code == 0, shown.err
    out = shown.out
    assert '"text": "[red]x[/red] \\u001b[2J lapor NIK 3329********0001 hp 08*******890 b***@mail.co.id ' \
           '\\u202eevil"' in out  # pretty-printed JSON; markup literal, ESC and bidi visible, numbers masked
    assert '"first_name": "[bold]Budi[/bold]"' in out and '"nik_as_number": "3329********0001"' in out
    assert NIK not in out and "081234567890" not in out and "budi@mail.co.id" not in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "update 500000002: chat.id and message_id must be integers" in out and "belum ditangani" in out
    as_json = cli(config, fake, "show", "2", "--json")
    assert NIK not in as_json.out and "\x1b" not in as_json.out and "\u202e" not in as_json.out
    payload = as_json.json()["payload"]
    assert payload["message"]["text"] == HOSTILE_TEXT.replace(NIK, "3329********0001").replace(
        "081234567890", "08*******890").replace("budi@mail.co.id", "b***@mail.co.id")
    assert payload["message"]["nik_as_number"] == "3329********0001" and payload["update_id"] == 500000002


def test_a_raw_text_payload_and_its_reason_are_shown_inert_and_masked(tmp_path, fake):
    config = collected(tmp_path, fake)
    store_raw_reject(sqlite_url(tmp_path), f"mail UID INBOX/7/3 unreadable: [bold]{NIK}\x1b]52;c;ZXZpbA==\x07",
                     f"Subject: [blink]tolong[/blink]\n\n{HOSTILE_TEXT}\n")
    listed = cli(config, fake, "list")
    assert "mail UID INBOX/7/3 unreadable: [bold]3329********0001␛]52;c;ZXZpbA==␇" in listed.out
    assert NIK not in listed.out and "\x1b" not in listed.out and "\x07" not in listed.out
    shown = cli(config, fake, "show", "2")
    assert shown.code == 0, shown.err
    assert "Subject: [blink]tolong[/blink]" in shown.out
    assert "[red]x[/red] ␛[2J lapor NIK 3329********0001 hp 08*******890 b***@mail.co.id \\u202eevil" in shown.out
    assert NIK not in shown.out and "\x1b" not in shown.out and "\u202e" not in shown.out
    assert "m***@mail.co.id" in shown.out  # the external id (a Message-ID) is masked like an address
    data = cli(config, fake, "show", "2", "--json").json()
    assert data["payload_format"] == "text" and NIK not in data["payload"] and NIK not in data["reason"]


def test_reveal_is_refused_for_an_admin_and_audited_for_a_supervisor(tmp_path, fake):
    config = collected(tmp_path, fake, hostile=True)
    url = sqlite_url(tmp_path)
    refused = cli(config, fake, "show", "2", "--reveal")
    assert refused.code == 1 and "admin1 (admin) tidak boleh 'reveal': perlu peran supervisor" in refused.err
    assert NIK not in refused.out and events(url, "revealed") == []
    assert [(actor, detail["action"]) for actor, detail in events(url, "refused")] == [("admin1", "reveal")]
    revealed = cli(config, fake, "show", "2", "--reveal", user="kabid1")
    assert revealed.code == 0, revealed.err
    assert revealed.out.startswith("Isi ditampilkan tanpa sensor (NIK/KK, nomor HP, email) atas permintaan kabid1; "
                                   "tercatat di log audit.")
    assert NIK in revealed.out and "081234567890" in revealed.out and "budi@mail.co.id" in revealed.out
    assert "\x1b" not in revealed.out and "\u202e" not in revealed.out  # unmasked, still inert
    assert events(url, "revealed") == [("kabid1", {"what": "quarantine_payload", "quarantine_id": 2})]
    data = cli(config, fake, "show", "2", "--reveal", "--json", user="kabid1").json()
    assert data["revealed_by"] == "kabid1" and data["payload"]["message"]["nik_as_number"] == int(NIK)
    assert len(events(url, "revealed")) == 2
    missing = cli(config, fake, "show", "99", "--reveal", user="kabid1")
    assert missing.code == 1 and len(events(url, "revealed")) == 2  # nothing shown, nothing audited as shown


# --- resolve ---------------------------------------------------------------------------------------

def test_an_admin_resolves_then_the_list_is_empty_all_shows_who_when_and_health_is_clear(tmp_path, fake, db_url):
    config = collected(tmp_path, fake, db_url=db_url)
    before = run_cli(config, "health", env=fake.env(), now=at(5))
    assert before.code == 1 and before.out.startswith("karantina: 1 item belum ditangani")
    done = cli(config, fake, "resolve", "1", "--note", "dimasukkan ulang sebagai ADU-2026-000001", now=at(5))
    assert done.code == 0 and done.out == "item karantina 1 ditandai sudah ditangani\n", done.err
    assert cli(config, fake, now=at(6)).out == "Tidak ada item karantina yang belum ditangani.\n"
    every = cli(config, fake, "list", "--all", now=at(6), env={"COLUMNS": "250"})  # one line a row
    row = next(line for line in every.out.splitlines() if "tg-test" in line)
    assert "oleh admin1, 23 Nov 2026 10.05 WIB" in row and "dimasukkan ulang sebagai ADU-2026-000001" in row
    assert "Lihat isinya" not in every.out  # nothing left to handle: no hint
    after = run_cli(config, "health", env=fake.env(), now=at(6))
    assert after.code == 0 and after.out.startswith("ok: 1 kanal aktif sehat"), after.out
    again = cli(config, fake, "resolve", "1", "--note", "lagi", now=at(10))
    assert again.code == 0
    assert again.out == "item karantina 1 sudah ditangani sebelumnya (admin1, 23 Nov 2026 10.05 WIB); tidak diubah\n"
    [item] = cli(config, fake, "list", "--all", "--json").json()
    assert (item["resolved_at"], item["resolved_by"], item["resolution_note"]) == (
        at(5), "admin1", "dimasukkan ulang sebagai ADU-2026-000001")  # the second call changed nothing
    assert events(db_url, "quarantine_resolved") == [("admin1", {"quarantine_ids": [1]})]


def test_a_teknis_is_refused_and_a_supervisor_may_resolve(tmp_path, fake):
    config = collected(tmp_path, fake)
    for args in (("resolve", "1", "--note", "sampah"), ("list",), ("show", "1")):
        refused = cli(config, fake, *args, user="capil1")
        assert refused.code == 1, args
        assert "capil1 (teknis) tidak boleh 'quarantine': perlu peran admin atau supervisor" in refused.err
        assert "update 500000001" not in refused.out
    assert [d["action"] for _a, d in events(sqlite_url(tmp_path), "refused")] == ["quarantine"] * 3
    assert cli(config, fake, "list", "--json").json()[0]["resolved_at"] is None
    by_supervisor = cli(config, fake, "resolve", "1", "--note", "sampah", user="kabid1")
    assert by_supervisor.code == 0 and cli(config, fake, "list", "--all", "--json").json()[0]["resolved_by"] == "kabid1"


def test_an_unknown_id_exits_1_naming_it_and_changes_nothing(tmp_path, fake):
    config = collected(tmp_path, fake)
    unknown = cli(config, fake, "resolve", "1", "999", "--note", "sampah")
    assert unknown.code == 1 and "item karantina 999 tidak ditemukan" in unknown.err and unknown.out == ""
    assert cli(config, fake, "list", "--json").json()[0]["resolved_at"] is None  # 1 was not resolved either
    assert events(sqlite_url(tmp_path), "quarantine_resolved") == []
    shown = cli(config, fake, "show", "999")
    assert shown.code == 1 and "item karantina 999 tidak ditemukan" in shown.err
    assert cli(config, fake, "resolve", "satu", "--note", "x").code == 2
    blank = cli(config, fake, "resolve", "1", "--note", "  ")
    assert blank.code == 2 and "catatan kosong" in blank.err
    assert cli(config, fake, "resolve", "1").code == 2  # --note is required


# --- language and JSON -----------------------------------------------------------------------------

def _indonesian_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)} & INDONESIAN


def test_english_output_has_no_indonesian_sentence(tmp_path, fake):
    config = collected(tmp_path, fake, hostile=True)
    outputs = [cli(config, fake, "--lang", "en"), cli(config, fake, "list", "--all", "--lang", "en"),
               cli(config, fake, "show", "1", "--lang", "en"),
               cli(config, fake, "show", "2", "--reveal", "--lang", "en", user="kabid1"),
               cli(config, fake, "show", "1", "--reveal", "--lang", "en"),
               cli(config, fake, "resolve", "1", "--note", "junk", "--lang", "en"),
               cli(config, fake, "resolve", "1", "--note", "junk", env={"ADUAN_LOCALE": "en"}),
               cli(config, fake, "resolve", "1", "999", "--note", "junk", "--lang", "en"),
               cli(config, fake, "resolve", "1", "--note", " ", "--lang", "en"),
               cli(config, fake, "resolve", "2", "--note", "junk", "--lang", "en", user="capil1"),
               cli(config, fake, "list", "--all", "--lang", "en"),
               cli(config, fake, "resolve", "2", "--note", "junk", "--lang", "en"),
               cli(config, fake, "--lang", "en")]
    text = "\n".join(r.out + r.err for r in outputs)
    assert "Received" in text and "Reason" in text and "not handled yet" in text and "Raw payload" in text
    assert "See its payload: aduan quarantine show ID" in text
    assert "Payload shown unmasked (NIK/KK, phone numbers, e-mail) at the request of kabid1" in text
    assert "admin1 (admin) may not 'reveal': needs the role supervisor" in text
    assert "quarantine item 1 marked as handled" in text
    assert "quarantine item 1 was already handled (admin1, 23 Nov 2026 10:00 WIB); left unchanged" in text
    assert "quarantine item 999 not found (see aduan quarantine list --all); nothing was changed" in text
    assert "empty note: say what was done" in text and "Invalid value for '--note'" in text
    assert "capil1 (teknis) may not 'quarantine': needs the role admin or supervisor" in text
    assert "by admin1, 23 Nov 2026 10:00 WIB" in text
    assert "No quarantined item is waiting to be handled." in text
    assert _indonesian_words(_without_payloads(text)) == set(), text


def _without_payloads(text: str) -> str:
    """The output without the payload panels: a citizen's own words may well be Indonesian."""
    kept, inside = [], False
    for line in text.splitlines():
        inside = (inside or line.startswith("╭─")) and not line.startswith("╰")
        if not inside and not line.startswith("╰"):
            kept.append(line)
    return "\n".join(kept)


def test_json_output_is_stable(tmp_path, fake):
    config = collected(tmp_path, fake)
    listed = cli(config, fake, "list", "--json")
    assert listed.out == cli(config, fake, "list", "--json").out
    assert listed.json() == [{"id": 1, "channel": "tg-test", "external_id": None, "reason": "update 500000001: 'chat'",
                              "received_at": "2026-11-23T03:00:00+00:00", "resolved_at": None, "resolved_by": None,
                              "resolution_note": None}]
    shown = cli(config, fake, "show", "1", "--json").json()
    assert shown == {**listed.json()[0], "payload_format": "json", "payload": {
        "update_id": 500000001, "message": {"message_id": "not-a-number", "date": "kemarin", "text": "rusak"}}}
    done = cli(config, fake, "resolve", "1", "--note", "sampah", "--json", now=at(5))
    assert done.json() == {"ok": True, "action": "quarantine_resolve", "resolved": [1], "already_resolved": []}
    again = cli(config, fake, "resolve", "1", "--note", "sampah", "--json").json()
    assert again["resolved"] == [] and again["already_resolved"] == [
        {"id": 1, "resolved_at": at(5), "resolved_by": "admin1"}]
    refused = cli(config, fake, "resolve", "1", "--note", "x", "--json", user="capil1")
    assert refused.code == 1 and refused.json()["ok"] is False and refused.json()["kind"] == "refused"


# --- the schema --------------------------------------------------------------------------------------

def test_an_install_at_the_previous_schema_keeps_its_quarantine_through_the_upgrade(tmp_path, fake, db_url):
    from alembic import command

    from ticketing.store.db import make_engine, open_database
    from ticketing.store.migrate import alembic_config, upgrade_to_head

    open_database(db_url, auto_upgrade=True).dispose()
    engine = make_engine(db_url)
    try:
        command.downgrade(alembic_config(engine), "0007_issue18")
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO quarantine (channel, reason, payload, received_at) "
                                 "VALUES ('tg-test', 'lama', '{}', :at)"), {"at": PINNED_NOW})
        config = make_config(tmp_path, db_url, channels=[fake.channel_config()])
        upgraded = run_cli(config, "db", "upgrade", env=fake.env())
        assert upgraded.code == 0 and "0007_issue18 -> 0008_quarantine" in upgraded.out, upgraded.err
        assert cli(config, fake, "list", "--json").json()[0]["reason"] == "lama"
        assert cli(config, fake, "resolve", "1", "--note", "sampah").code == 0
    finally:
        upgrade_to_head(engine)
        engine.dispose()
