"""The Telegram corpus (tests/data/realworld/telegram/) through the real collector and runner, twice.

Every update kind of the Bot API's Update object that a bot can receive, the message kinds
citizens send, commands in private chats and groups, business chats, and broken or hostile
payloads, each with its expected outcome. The updates are served by the fake Bot API (getUpdates,
getFile and the file URL), collected into a real database, checked case by case; then the cursor
is lost and everything is delivered again: the second pass adds nothing.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.fakes.telegram import TelegramFake
from tests.realworld.expect import check, load, snapshot
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import collect
from ticketing.store.db import read_session

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CASES = load("telegram")
UPDATE_KINDS = {"message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
                "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
                "message_reaction_count", "inline_query", "callback_query", "poll", "poll_answer",
                "my_chat_member", "chat_member", "chat_join_request"}


def _update_id(text: str) -> object:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("update_id") if isinstance(data, dict) else None


@pytest.fixture
def fake():
    with TelegramFake(page_size=100) as server:
        for case in CASES:
            for file_id, data in case.payload.get("files", {}).items():
                server.files[file_id] = base64.b64decode(data)
        yield server


def _deliver(fake: TelegramFake) -> None:
    fake.updates.extend(json.loads(json.dumps(case.payload["update"])) for case in CASES)


def test_the_corpus_is_large_and_covers_every_update_kind():
    assert len(CASES) >= 40
    kinds = {key for case in CASES for key in case.payload["update"] if key != "update_id"}
    assert kinds >= UPDATE_KINDS, UPDATE_KINDS - kinds
    outcomes = {case.expected["outcome"] for case in CASES}
    assert outcomes == {"message", "revision", "skipped", "quarantined"}


def test_replayed_twice_every_case_has_its_outcome_and_the_second_pass_adds_nothing(fake, tmp_path):
    settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / 'corpus.db'}"},
                                        "channels": [fake.channel_config()]})
    app = App(settings, environ=fake.env(), now=NOW)
    _deliver(fake)
    runs = collect(app)
    assert all(run.outcome == "ok" for run in runs), [(r.outcome, r.error) for r in runs]
    ids = {case.name: case.payload["update"].get("update_id") for case in CASES}
    with read_session(app.engine) as session:
        problems = [p for case in CASES for p in check(
            session, case, lambda stored, name: _update_id(stored) == ids[name])]
        before = snapshot(session)
    assert problems == [], "\n".join(problems)
    highest = max(i for i in ids.values() if isinstance(i, int))
    with read_session(app.engine) as session:  # the offset moved past every update, kept or not
        [cursor] = session.execute(sa.text("SELECT cursor FROM collector_state")).one()
    assert json.loads(cursor) == {"offset": highest + 1}

    with app.engine.begin() as conn:  # the cursor is lost: Telegram delivers everything again
        conn.execute(sa.text("UPDATE collector_state SET cursor = NULL"))
    _deliver(fake)
    [again] = collect(app)
    assert again.outcome == "ok" and again.reads >= len(CASES)  # all of it was read again
    assert again.result.new_messages == 0 and again.result.edits == 0
    with read_session(app.engine) as session:
        assert snapshot(session) == before
    app.engine.dispose()
