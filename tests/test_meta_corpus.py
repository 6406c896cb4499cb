"""The Meta real-world corpus (tests/data/realworld/meta): every payload ends where its expected file says.

Each `NN-name.json` is a body as Meta posts it (WhatsApp Cloud API, Messenger, Instagram), written
here from Meta's webhook reference; `NN-name.expected.json` says what becomes of it: messages
with this text, revisions, delivery statuses, quarantines with this reason, skips with this
reason. The corpus is checked at the parser and replayed, twice, through the running receiver
over the HTTP fakes: the second pass adds nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from collectors.meta_webhook import sign
from tests.cli_helpers import make_config
from tests.fakes import whatsapp as wa
from tests.fakes.graph_api import FacebookFake, InstagramFake
from tests.test_webhook import processed, receiver, wait_until

CORPUS = Path(__file__).parent / "data" / "realworld" / "meta"
CHANNELS = {"whatsapp": "wa-test", "messenger": "fb-test", "instagram": "ig-test"}
CASES = sorted((p for p in CORPUS.glob("*/*.json") if not p.name.endswith(".expected.json")), key=lambda p: p.name)


def expected_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name.removesuffix(".json") + ".expected.json").read_text("utf-8"))


def test_the_corpus_is_large_and_every_payload_has_an_outcome():
    kinds = {p.parent.name for p in CASES}
    assert len(CASES) >= 40 and kinds == set(CHANNELS)
    for path in CASES:
        expected = expected_of(path)
        assert expected["about"] and set(expected) - {"about"} <= {"messages", "revisions", "statuses",
                                                                   "quarantined", "skipped"}
        assert set(expected) - {"about"}, f"{path.name}: no outcome"


@pytest.fixture(scope="module")
def fakes():
    with wa.WhatsAppCloudFake() as cloud, FacebookFake() as facebook, InstagramFake() as instagram:
        yield cloud, facebook, instagram


@pytest.fixture
def config(tmp_path, fakes):
    cloud, facebook, instagram = fakes
    whatsapp = wa.channel_config(cloud.base_url)
    whatsapp["attachments_dir"] = str(tmp_path / "attachments")
    return make_config(tmp_path, channels=[whatsapp, facebook.channel_config(), instagram.channel_config()])


@pytest.fixture
def environment(fakes):
    _cloud, facebook, instagram = fakes
    return {**wa.ENV, **facebook.env(), **instagram.env()}


def collectors(config: Path, environment: dict) -> dict:
    from ticketing.config import load_settings
    from ticketing.contract.registry import build_collector

    settings = load_settings(str(config), {})
    return {kind: build_collector(settings.channel(name), environment) for kind, name in CHANNELS.items()}


def _message_view(message, media_counts: dict[str, int]) -> dict:
    return {"external_id": message.external_id, "text": message.text, "thread_key": message.thread_key,
            "author_name": message.author_name, "author_handle": message.author_handle,
            "in_reply_to": message.in_reply_to, "direction": message.direction, "flags": message.flags,
            "attachments": len(message.attachments) + media_counts.get(message.external_id, 0),
            "sent_at": message.sent_at.isoformat()}


def _matches(actual: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "flags":
            if not set(value) <= set(actual["flags"]):
                return False
        elif actual.get(key) != value:
            return False
    return True


def _contains_in_order(reasons: list[str], wanted: list[str]) -> bool:
    return len(reasons) == len(wanted) and all(w in r for r, w in zip(reasons, wanted, strict=True))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_payload_parses_to_its_expected_outcome(path, config, environment):
    collector = collectors(config, environment)[path.parent.name]
    expected = expected_of(path)
    parsed = collector.parse_webhook(json.loads(path.read_text("utf-8")))
    media = {}
    for ref in parsed.media:
        media[ref.external_id] = media.get(ref.external_id, 0) + 1
    fresh = [_message_view(m, media) for m in parsed.messages if not m.is_edit]
    edits = [{"external_id": m.external_id, "text": m.text} for m in parsed.messages if m.is_edit]
    wanted = expected.get("messages", [])
    assert len(fresh) == len(wanted), fresh
    for actual, want in zip(fresh, wanted, strict=True):
        assert _matches(actual, want), (actual, want)
    assert edits == expected.get("revisions", [])
    assert [{"external_id": s.external_id, "status": s.status} for s in parsed.statuses] == expected.get("statuses", [])
    assert _contains_in_order([q.reason for q in parsed.quarantined], expected.get("quarantined", [])), \
        [q.reason for q in parsed.quarantined]
    assert _contains_in_order(parsed.skipped, expected.get("skipped", [])), parsed.skipped
    for message in parsed.messages:  # nothing the office would read is an English type name
        assert not any(word in message.text for word in ("[image]", "[audio]", "[sticker]", "[file]"))


def _seed_our_replies(config: Path) -> None:
    from ticketing.store.db import open_database, write_session
    from ticketing.store.models import Message

    engine = open_database(f"sqlite:///{config.parent / 'aduan.db'}")
    with write_session(engine) as session:
        for wamid, phone in (("wamid.OUT1", "6281234500001"), ("wamid.OUT2", "6287734500003")):
            session.add(Message(channel="wa-test", external_id=wamid, thread_key=f"wa:{phone}", direction="out",
                                text="Baik, kami cek dulu", sent_at=datetime(2026, 11, 23, 1, tzinfo=UTC),
                                delivery_state="sent"))
    engine.dispose()


def _counts(conn) -> dict[str, int]:
    return {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("message", "message_revision", "quarantine", "ticket", "attachment")}


def test_the_corpus_replayed_twice_through_the_receiver_lands_once(config, environment):
    from ticketing.store.db import open_database

    with receiver(config, **environment) as (url, _proc):  # migrates the database before the seed
        _seed_our_replies(config)
        for replay in (1, 2):
            for path in CASES:
                body = json.dumps(json.loads(path.read_text("utf-8"))).encode()  # Meta escapes non-ASCII
                secret_env = "ADUAN_TEST_WA_SECRET" if path.parent.name == "whatsapp" else "ADUAN_TEST_FB_APP_SECRET"
                secret = environment[secret_env]
                answer = requests.post(f"{url}/webhook/{CHANNELS[path.parent.name]}", data=body, timeout=10,
                                       headers={"X-Hub-Signature-256": sign(body, secret),
                                                "Content-Type": "application/json"})
                assert answer.status_code == 200, (path.name, answer.text)
            wait_until(lambda replay=replay: processed(config, replay * len(CASES)), timeout=60)
            engine = open_database(f"sqlite:///{config.parent / 'aduan.db'}")
            with engine.connect() as conn:
                if replay == 1:
                    first = _counts(conn)
                    _check_landed(conn)
                else:
                    assert _counts(conn) == first
                assert conn.execute(sa.text("SELECT count(*) FROM webhook_delivery WHERE processed_at IS NULL"
                                            )).scalar() == 0
            engine.dispose()


def _check_landed(conn) -> None:
    wanted_messages = [m for p in CASES for m in expected_of(p).get("messages", [])]
    wanted_quarantines = sum(len(expected_of(p).get("quarantined", [])) for p in CASES)
    rows = {r.external_id: r for r in conn.execute(sa.text(
        "SELECT m.external_id, m.text, m.thread_key, m.direction, (SELECT count(*) FROM attachment a "
        "WHERE a.message_id = m.id) AS attachments FROM message m"))}
    for want in wanted_messages:
        row = rows.get(want["external_id"])
        assert row is not None, want
        edited = [r["text"] for p in CASES for r in expected_of(p).get("revisions", [])
                  if r["external_id"] == want["external_id"]]
        assert row.text == (edited[-1] if edited else want["text"])
        assert row.thread_key == want["thread_key"]
        assert row.direction == want.get("direction", "in")
        assert row.attachments == want.get("attachments", 0), want
    assert len(rows) == len(wanted_messages) + 2  # and our two seeded replies
    revisions = conn.execute(sa.text("SELECT m.external_id, r.previous_text FROM message_revision r "
                                     "JOIN message m ON m.id = r.message_id")).all()
    assert [tuple(r) for r in revisions] == [("m_FB01", "Halo admin, e-KTP saya rusak")]
    assert conn.execute(sa.text("SELECT count(*) FROM quarantine")).scalar() == wanted_quarantines
    statuses = dict(conn.execute(sa.text("SELECT external_id, coalesce(provider_status, '') || '/' || "
                                         "coalesce(delivery_state, '') FROM message WHERE direction = 'out' "
                                         "AND external_id LIKE 'wamid.OUT%'")).all())
    assert statuses == {"wamid.OUT1": "read/sent", "wamid.OUT2": "failed/failed"}
