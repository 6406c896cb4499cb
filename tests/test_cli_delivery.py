"""`aduan reply` tells the truth about delivery: a reply the channel refused is a failure
(exit 1, `ok: false`), the ticket shows *Gagal kirim*, and `aduan health` fails until it is settled."""

from __future__ import annotations

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.fakes.telegram import TelegramFake

NOW = "2026-11-23T03:00:00+00:00"


@pytest.fixture
def fake():
    with TelegramFake() as server:
        yield server


def test_reply_to_a_blocked_chat_fails_loudly(tmp_path, fake):
    config = make_config(tmp_path, channels=[fake.channel_config()])
    fake.add_citizen_messages(1, chat_id=880_901)
    fake.add_citizen_messages(1, chat_id=880_902)
    assert run_cli(config, "collect", "--quiet", env=fake.env(), now=NOW).code == 0
    fake.blocked_chats.add(880_901)

    refused = run_cli(config, "reply", "1", "-m", "KTP-el sudah bisa diambil.", "--json", env=fake.env(), now=NOW)
    assert refused.code == 1, refused.err
    payload = refused.json()
    assert payload["ok"] is False and payload["delivery_state"] == "failed"
    assert payload["ticket"]["status"] == "new" and payload["ticket"]["status_label"] == "Gagal kirim"
    assert payload["ticket"]["sla_state"] != "met" and "memblokir" in payload["delivery_error"]

    inbox = run_cli(config, "inbox", env=fake.env(), now=NOW)
    assert inbox.code == 0 and "Gagal kirim: 1" in inbox.out
    health = run_cli(config, "health", "--json", env=fake.env(), now=NOW)
    assert health.code != 0 and "reply_failed" in {p["code"] for p in health.json()["problems"]}

    delivered = run_cli(config, "reply", "2", "-m", "KK sudah jadi.", "--json", env=fake.env(), now=NOW)
    assert delivered.code == 0, delivered.err
    assert delivered.json()["ok"] is True and delivered.json()["ticket"]["status"] == "answered"


def test_plain_reply_on_an_escalated_ticket_needs_final_or_interim(tmp_path, fake):
    config = make_config(tmp_path, channels=[fake.channel_config()])
    fake.add_citizen_messages(1, chat_id=880_911)
    assert run_cli(config, "collect", "--quiet", env=fake.env(), now=NOW).code == 0
    assert run_cli(config, "escalate", "1", "--to", "capil", env=fake.env(), now=NOW).code == 0
    plain = run_cli(config, "reply", "1", "-m", "Sedang kami cek.", env=fake.env(), now=NOW)
    assert plain.code == 1 and "--interim" in plain.err and "--final" in plain.err
    interim = run_cli(config, "reply", "1", "-m", "Sedang kami cek.", "--interim", "--json", env=fake.env(),
                      now=NOW)
    assert interim.code == 0, interim.err
    assert interim.json()["ticket"]["status"] == "escalated" and interim.json()["delivery_state"] == "sent"


def test_at_a_terminal_a_plain_reply_on_an_escalated_ticket_asks_final_or_interim(tmp_path, fake):
    from tests.cli_helpers import run_in_pty

    config = make_config(tmp_path, channels=[fake.channel_config()])
    fake.add_citizen_messages(1, chat_id=880_921)
    assert run_cli(config, "collect", "--quiet", env=fake.env(), now=NOW).code == 0
    assert run_cli(config, "escalate", "1", "--to", "capil", env=fake.env(), now=NOW).code == 0
    code, screen = run_in_pty(config, "reply", "1", "-m", "Sedang kami cek ke bidang.", env=fake.env(),
                              typed=b"i\n")
    text = screen.decode("utf-8", "replace")
    assert code == 0, text
    assert "[f]inal, [i]nterim" in text
    shown = run_cli(config, "show", "1", "--json", env=fake.env(), now=NOW).json()
    assert shown["status"] == "escalated" and shown["messages"][-1]["flags"] == ["interim"]
