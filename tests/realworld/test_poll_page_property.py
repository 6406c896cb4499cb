"""Property: one hostile item anywhere in a poll page costs only itself.

A page of well-formed items (Telegram `getUpdates`, X mentions) gets one hostile item at a random
position: a random JSON value, or a well-formed item with random fields replaced by random values
of the wrong type, with lone surrogates and control characters in its strings. Collected through
the real runner into a real database, every other item of the page is stored and the cursor
moves past the whole page. The hostile item keeps the id the server gave its position (or none,
or one of the wrong type): servers number items, the hostile part is what is inside.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.fakes.telegram import TelegramFake
from tests.fakes.x_api import OFFICE_USERNAME, XFake
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import collect
from ticketing.store.db import read_session
from ticketing.store.models import Message

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))

TEXT = st.text(st.characters(exclude_categories=()), max_size=20)  # lone surrogates, C0/C1 controls, RTL
SCALAR = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=12)
TELEGRAM_FIELDS = ["message_id", "from", "chat", "date", "text", "caption", "entities", "photo", "document",
                   "voice", "sticker", "location", "contact", "poll", "forward_origin", "reply_to_message",
                   "edit_date", "business_connection_id"]
TELEGRAM_KINDS = ["message", "edited_message", "business_message", "edited_business_message", "channel_post"]
X_FIELDS = ["id", "text", "author_id", "created_at", "conversation_id", "referenced_tweets", "entities",
            "note_tweet", "attachments", "edit_history_tweet_ids", "withheld"]


@st.composite
def spoiled(draw, base: dict, fields: list[str]) -> dict:
    """A well-formed item with some fields replaced by random values (or removed)."""
    item = copy.deepcopy(base)
    for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=6, unique=True)):
        if draw(st.booleans()):
            item[name] = draw(JSON)
        else:
            item.pop(name, None)
    return item


def _app(fake, tmp_path, name: str, **overrides) -> App:
    config = dict(fake.channel_config(), **overrides)
    settings_ = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / name}"}, "channels": [config]})
    return App(settings_, environ=fake.env(), now=NOW)


def _stored(app) -> set[str]:
    with read_session(app.engine) as session:
        return set(session.exec(select(Message.external_id)))


def _lose_cursor(app) -> None:
    with app.engine.begin() as conn:
        conn.execute(sa.text("UPDATE collector_state SET cursor = NULL"))


@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    with TelegramFake(page_size=100) as fake:
        app = _app(fake, tmp_path_factory.mktemp("tg-prop"), "tg.db")
        yield fake, app
        app.engine.dispose()


@pytest.fixture(scope="module")
def x(tmp_path_factory):
    with XFake(clock=lambda: NOW) as fake:
        app = _app(fake, tmp_path_factory.mktemp("x-prop"), "x.db", page_size=100)
        yield fake, app
        app.engine.dispose()


CHATS = itertools.count(7_700_001)


@given(data=st.data(), good=st.integers(2, 6))
@EXAMPLES
def test_a_hostile_update_anywhere_in_a_getupdates_page_costs_only_itself(telegram, data, good):
    fake, app = telegram
    fake.updates.clear()
    _lose_cursor(app)
    expected = fake.add_citizen_messages(good, chat_id=next(CHATS))
    position = data.draw(st.integers(0, good), label="position")
    base = fake.updates[0]["update_id"]
    update_id = base + position  # the server numbers the hostile item in order
    for index, update in enumerate(fake.updates):
        update["update_id"] = base + index + (index >= position)
    good_ids = [u["update_id"] for u in fake.updates]
    template = fake.message(next(CHATS), "templat", entities=[{"type": "bot_command", "offset": 0, "length": 2}],
                            photo=[{"file_id": "x", "file_size": 10}])
    kind = data.draw(st.sampled_from(TELEGRAM_KINDS), label="kind")
    shape = data.draw(st.sampled_from(["random", "spoiled", "spoiled", "spoiled-update"]), label="shape")
    if shape == "random":
        hostile = data.draw(JSON, label="hostile")
    elif shape == "spoiled":
        hostile = {"update_id": update_id, kind: data.draw(spoiled(template, TELEGRAM_FIELDS), label="message")}
    else:
        hostile = data.draw(spoiled({"update_id": update_id, kind: template}, ["update_id", kind]), label="update")
    fake.updates.insert(position, json.loads(json.dumps(hostile)))  # as it goes over the wire
    [run] = collect(app)
    assert run.outcome == "ok", run.error
    assert set(expected) <= _stored(app)
    with read_session(app.engine) as session:
        cursor = json.loads(session.execute(sa.text("SELECT cursor FROM collector_state")).scalar_one())
    assert cursor["offset"] >= max(good_ids) + 1  # past the whole page, the hostile item included


@given(data=st.data(), good=st.integers(2, 6))
@EXAMPLES
def test_a_hostile_post_anywhere_in_a_mentions_page_costs_only_itself(x, data, good):
    fake, app = x
    fake.tweets.clear()
    fake.mention_ids.clear()
    _lose_cursor(app)
    expected = fake.add_citizen_messages(good)
    position = data.draw(st.integers(0, good), label="position")
    author = fake.add_user("warga_templat", "Templat")
    template_id = fake.add_mention(author, f"@{OFFICE_USERNAME} templat", attachments={"media_keys": ["3_1"]})
    template = fake.tweets.pop(template_id)
    fake.mention_ids.discard(template_id)
    shape = data.draw(st.sampled_from(["random", "spoiled"]), label="shape")
    hostile = data.draw(JSON, label="hostile") if shape == "random" else data.draw(
        spoiled(template, X_FIELDS), label="post")
    fake.inject = {position: json.loads(json.dumps(hostile))}
    [run] = collect(app)
    assert run.outcome == "ok", run.error
    assert set(expected) <= _stored(app)
    with read_session(app.engine) as session:
        cursor = json.loads(session.execute(sa.text("SELECT cursor FROM collector_state")).scalar_one())
    assert int(cursor["mentions_since_id"]) >= max(int(i) for i in expected)
