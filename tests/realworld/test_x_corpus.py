"""The X corpus (tests/data/realworld/x/) through tweepy, the real collector and the runner, twice.

Post and DM shapes from the X API v2 reference: replies, quotes, retweets, long posts
(`note_tweet`), escaped entities, media, withheld posts, deleted authors, edits, every DM event
type, partial `errors` and broken items, each with its expected outcome. The fake serves them as
X does (only the fields and expansions asked for), the runner stores them; then the cursor is
lost and everything is read again: the second pass adds nothing.
"""

from __future__ import annotations

import copy
import json

import sqlalchemy as sa

from tests.conftest import PINNED_NOW
from tests.fakes.x_api import XFake
from tests.realworld.expect import check, load, snapshot
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import collect
from ticketing.store.db import read_session

CASES = load("x")
DM_EVENT_TYPES = {"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"}


def _load(fake: XFake) -> None:
    for case in CASES:
        body = copy.deepcopy(case.payload)
        for user in body["users"]:
            fake.users[user["id"]] = user
        for media in body["media"]:
            fake.media[media["media_key"]] = media
        item = body["item"]
        if body["kind"] == "mention":
            key = str(item.get("id"))
            fake.tweets[key] = item
            fake.mention_ids.add(key)
        elif body["kind"] == "dm":
            fake.dm_events.append(item)
        else:
            fake.page_errors.append(item)


def _owner(stored: str) -> object:
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    return str(data.get("id")) if isinstance(data, dict) else None


def test_the_corpus_covers_the_documented_shapes():
    assert len(CASES) >= 20
    kinds = {case.payload["kind"] for case in CASES}
    assert kinds == {"mention", "dm", "page_error"}
    types = {case.payload["item"].get("event_type") for case in CASES if case.payload["kind"] == "dm"}
    assert types >= DM_EVENT_TYPES
    references = {r["type"] for case in CASES for r in case.payload["item"].get("referenced_tweets", [])}
    assert references == {"replied_to", "quoted", "retweeted"}
    assert {"message", "skipped", "quarantined"} <= {case.expected["outcome"] for case in CASES}


def test_replayed_twice_every_case_has_its_outcome_and_the_second_pass_adds_nothing(tmp_path):
    with XFake(clock=lambda: PINNED_NOW) as fake:
        _load(fake)
        config = dict(fake.channel_config(), page_size=10)
        settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / 'x.db'}"},
                                            "channels": [config]})
        app = App(settings, environ=fake.env(), now=PINNED_NOW)
        [run] = collect(app)
        assert run.outcome == "ok", run.error
        ids = {case.name: str(case.payload["item"].get("id")) for case in CASES}
        with read_session(app.engine) as session:
            problems = [p for case in CASES for p in check(session, case,
                                                           lambda stored, name: _owner(stored) == ids[name])]
            before = snapshot(session)
        assert problems == [], "\n".join(problems)
        assert run.result.new_messages == before["message"]

        with app.engine.begin() as conn:  # the cursor is lost: every page is read again
            conn.execute(sa.text("UPDATE collector_state SET cursor = NULL"))
        [again] = collect(app)
        assert again.outcome == "ok" and again.reads >= len(CASES) - 1
        assert again.result.new_messages == 0 and again.result.edits == 0
        with read_session(app.engine) as session:
            assert snapshot(session) == before
        app.engine.dispose()
