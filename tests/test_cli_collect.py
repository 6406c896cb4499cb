"""`aduan collect`, `aduan channels status|check` and `aduan demo` through the real entry point."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.conftest import PINNED_NOW
from tests.fakes.telegram import TOKEN, TelegramFake


@pytest.fixture
def fake():
    with TelegramFake() as server:
        yield server


def configure(tmp_path, *channels):
    return make_config(tmp_path, channels=list(channels))


def cli(config, fake, *args, **kw):
    return run_cli(config, *args, env={**fake.env(), **kw.pop("env", {})}, **kw)


def sql(tmp_path, query: str):
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        return conn.execute(query).fetchall()


def test_collect_prints_one_line_per_channel_and_a_second_run_adds_nothing(tmp_path, fake):
    config = configure(tmp_path, fake.channel_config())
    fake.add_citizen_messages(3)
    fake.add_malformed_item()
    first = cli(config, fake, "collect")
    assert first.code == 0, first.err
    assert "tg-test: 3 pesan baru, 3 tiket baru, 0 duplikat, 1 karantina, 0 gagal" in first.out
    english = cli(config, fake, "--lang", "en", "collect")  # a second run adds nothing
    assert english.code == 0 and "tg-test: 0 new messages, 0 new tickets, 0 duplicates" in english.out
    inbox = cli(config, fake, "inbox", "--json").json()
    assert len(inbox) == 3 and {t["channel"] for t in inbox} == {"tg-test"}


def test_quiet_is_silent_on_success_and_on_a_rate_limit(tmp_path, fake):
    config = configure(tmp_path, fake.channel_config())
    fake.add_citizen_messages(1)
    quiet = cli(config, fake, "collect", "--quiet")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    fake.rate_limit_next(120)
    limited = cli(config, fake, "collect", "--quiet")
    assert (limited.code, limited.out, limited.err) == (0, "", "")
    loud = cli(config, fake, "collect")
    assert loud.code == 0 and "masih dibatasi" in loud.out
    [(next_allowed,)] = sql(tmp_path, "SELECT next_allowed_at FROM collector_state")
    assert next_allowed.startswith("2026-11-23 03:02:00")


def test_a_failing_channel_fails_the_run_but_not_the_others(tmp_path, fake):
    broken = {"name": "tg-broken", "type": "telegram", "base_url": fake.base_url, "bot_token_env": "ADUAN_UNSET"}
    config = configure(tmp_path, broken, fake.channel_config())
    fake.add_citizen_messages(2)
    result = cli(config, fake, "collect", "--quiet")
    assert result.code == 1 and result.out == ""
    assert "tg-broken" in result.err and "ADUAN_UNSET" in result.err and "tg-test" not in result.err
    assert sql(tmp_path, "SELECT count(*) FROM message WHERE channel = 'tg-test'") == [(2,)]


def test_expired_token_flags_reauth_in_status_inbox_and_check(tmp_path, fake):
    config = configure(tmp_path, fake.channel_config())
    fake.expire_token()
    result = cli(config, fake, "collect")
    assert result.code == 1 and "PERLU OTORISASI ULANG" in result.out
    assert TOKEN.split(":")[1] not in result.out + result.err
    [status] = cli(config, fake, "channels", "status", "--json").json()
    assert status["needs_reauth"] is True and "401" in status["last_error"]
    assert "PERLU OTORISASI ULANG" in cli(config, fake, "inbox").out
    check = cli(config, fake, "channels", "check")
    assert check.code == 1 and "tg-test: GAGAL" in check.out
    fake.clear_faults()
    check = cli(config, fake, "channels", "check")
    assert check.code == 0 and "tg-test: OK" in check.out and "@dukcapilbrebes_bot" in check.out
    assert sql(tmp_path, "SELECT needs_reauth FROM collector_state") == [(0,)]
    assert sql(tmp_path, "SELECT key FROM notification") == [("reauth:tg-test:2026-11-23",)]


def test_channels_status_json_and_table(tmp_path, fake):
    disabled = {"name": "sandbox", "type": "sandbox", "enabled": False}
    config = configure(tmp_path, fake.channel_config(), disabled)
    fake.add_citizen_messages(2)
    assert cli(config, fake, "collect").code == 0
    rows = {r["channel"]: r for r in cli(config, fake, "channels", "status", "--json").json()}
    telegram = rows["tg-test"]
    assert telegram["last_success_at"] == PINNED_NOW.isoformat()
    assert telegram["messages_today"] == 2 and telegram["needs_reauth"] is False
    assert telegram["cursor"] == {"offset": fake.updates[-1]["update_id"] + 1}
    assert telegram["enabled"] is True and telegram["locked_by"] is None and telegram["budget_limit"] is None
    assert rows["sandbox"]["last_success_at"] is None and rows["sandbox"]["enabled"] is False
    tomorrow = (PINNED_NOW + timedelta(days=1)).isoformat()
    assert cli(config, fake, "channels", "status", "--json", now=tomorrow).json()[0]["messages_today"] == 0
    table = cli(config, fake, "channels", "status")
    assert table.code == 0 and "Status Kanal" in table.out and "tg-test" in table.out
    assert f"offset {telegram['cursor']['offset']}" in table.out and '{"offset"' not in table.out  # no JSON


def test_a_cursor_reads_as_name_value_pairs():
    from commands.collect import cursor_text

    assert cursor_text({"offset": 7}) == "offset 7"
    assert cursor_text({"newest_id": None, "since": "123", "read": True}) == "since 123 · read true"
    assert cursor_text({"threads": {"ids": ["a", "b"], "pending": None}}) == "threads ids 2"
    assert cursor_text(None) == "-" and cursor_text({}) == "-"


def test_a_channel_held_by_another_run_is_skipped(tmp_path, fake):
    config = configure(tmp_path, fake.channel_config())
    assert cli(config, fake, "collect").code == 0  # creates the database
    held_until = (PINNED_NOW + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S.000000")
    with sqlite3.connect(tmp_path / "aduan.db") as conn:
        conn.execute("UPDATE collector_state SET lock_owner = 'server2:77:abc', lock_expires_at = ?", (held_until,))
    calls = len(fake.server.requests)
    fake.add_citizen_messages(1)
    result = cli(config, fake, "collect")
    assert result.code == 0 and "proses lain" in result.out and len(fake.server.requests) == calls
    assert cli(config, fake, "channels", "status", "--json").json()[0]["locked_by"] == "server2:77:abc"


def test_roles_cron_user_and_bad_dates(tmp_path, fake):
    config = configure(tmp_path, fake.channel_config())
    assert cli(config, fake, "collect", user="capil1").code == 1  # teknis may not run collectors
    assert cli(config, fake, "collect", "--quiet", user="aduan-cron").code == 0  # not staff: runs as system
    bad = cli(config, fake, "collect", "--since", "kemarin")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.err


def test_no_enabled_channel_is_not_an_error(tmp_path):
    config = make_config(tmp_path)
    result = run_cli(config, "collect")
    assert result.code == 0 and "Tidak ada kanal aktif" in result.out


def test_sandbox_channel_collects_the_sample_messages(tmp_path):
    config = make_config(tmp_path)  # the sample config's sandbox channel, enabled: false
    result = run_cli(config, "collect", "--channel", "sandbox")
    assert result.code == 0, result.err
    assert "sandbox: 7 pesan baru, 3 tiket baru" in result.out
    tickets = run_cli(config, "inbox", "--json").json()
    assert len(tickets) == 3 and {t["channel"] for t in tickets} == {"sandbox"}
    again = run_cli(config, "collect", "--channel", "sandbox")
    assert "sandbox: 0 pesan baru" in again.out


def test_demo_shows_tickets_with_threads_from_every_loadable_channel(tmp_path):
    from commands.demo_run import loadable

    config = make_config(tmp_path)
    result = run_cli(config, "demo", now=None, timeout=60)
    assert result.code == 0, result.err + result.out
    assert "ADU-2026-" in result.out or "ADU-2027-" in result.out
    assert "demo-telegram: 7 pesan baru, 3 tiket baru" in result.out
    assert "Kantor" in result.out and "Warga" in result.out  # a thread with the office's reply
    with sqlite3.connect(tmp_path / "aduan-demo.db") as conn:
        types = {t for (t,) in conn.execute("SELECT DISTINCT channel_type FROM ticket")}
        threads = conn.execute("SELECT max(message_count) FROM ticket").fetchone()[0]
    assert {"sandbox", "sandbox-email"} <= types and threads >= 3  # demo channels are the sandbox's
    # one reply the sandbox refuses (the citizen blocked the bot): visible, counted, not answered
    assert "Gagal kirim: 1" in result.out and "Gagal kirim" in result.out.split("Kotak Masuk")[1].splitlines()[3]
    with sqlite3.connect(tmp_path / "aduan-demo.db") as conn:
        failed = conn.execute("SELECT status, answered_at FROM ticket WHERE reply_state = 'failed'").fetchall()
        native = conn.execute("SELECT count(*) FROM event WHERE actor LIKE 'aplikasi:%' "
                              "AND action = 'answer_delivered'").fetchone()[0]
    assert failed == [("new", None)] and native >= 1  # office replies made in the channel's app count
    lines = [line for line in " ".join(result.out.split()).split("Laporan Bulanan")[1:]]
    assert lines and all(" = Terbuka akhir " in line for line in lines)
    for line in lines:  # every printed month reconciles
        numbers = [int(n) for n in re.findall(r"(?:awal|Masuk|kembali|Selesai|akhir) (\d+)", line)]
        *added, done, closing = numbers
        assert sum(added) - done == closing
    if loadable("x") and loadable("facebook"):
        assert {"sandbox", "sandbox-x", "sandbox-facebook"} <= types
        assert "demo-x: 6 pesan baru, 4 tiket baru" in result.out
        assert "demo-facebook: 6 pesan baru, 4 tiket baru" in result.out


def test_backfill_progress_is_drawn_on_a_terminal(tmp_path, fake):
    import io
    from datetime import datetime

    from rich.console import Console

    from commands.collect import _progress
    from ticketing.app import App
    from ticketing.config import Settings
    from ticketing.intake.collect import collect

    settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / 'p.db'}"},
                                        "channels": [dict(fake.channel_config(), page_size=1)]})
    app = App(settings, environ=fake.env(), now=PINNED_NOW)
    fake.add_citizen_messages(3)
    screen = io.StringIO()
    bar, update = _progress(Console(file=screen, force_terminal=True, width=100))
    with bar:
        [run] = collect(app, since=datetime(2026, 11, 1, tzinfo=PINNED_NOW.tzinfo), progress=update)
    app.engine.dispose()
    assert run.batches == 4 and run.result.new_messages == 3
    assert "tg-test: 3 pesan, 4 halaman" in screen.getvalue()
