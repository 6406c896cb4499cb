"""Property: one hostile item anywhere in the webhook queue leaves every other item stored.

The hostile item is random: a whole body of any shape, a WhatsApp value or message of the wrong
types, a Messenger event with lone surrogates, huge numbers, strings where objects belong. It is
put at a random place among good deliveries (or inside one, next to good messages). It goes the
real way: the receiver's body check, `store_delivery`, then `process_pending` until the queue
is drained. Every good message must then be in the database, with valid text.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import make_config
from tests.fakes import whatsapp as wa
from tests.fakes.graph_api import PAGE_ID, FacebookFake

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
T = 1795400000
KEYS = ["object", "entry", "changes", "field", "value", "messages", "statuses", "contacts", "metadata", "from",
        "from_user_id", "id", "timestamp", "type", "text", "body", "context", "errors", "messaging", "standby",
        "sender", "recipient", "message", "mid", "attachments", "payload", "message_edit", "postback", "time",
        "media", "parent_id", "interactive", "nfm_reply", "response_json", "reaction", "emoji", "image"]
hostile_text = st.text(st.characters(categories=["Cs", "Ll", "Lu", "Nd", "Po", "Zs", "Cc", "So"]), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | hostile_text
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(KEYS) | hostile_text, inner, max_size=5), max_leaves=25)
counter = itertools.count(1)


def good_wa(n: int) -> dict:
    return {"from": f"62812{n:07d}", "id": f"wamid.P{n}", "timestamp": str(T), "type": "text",
            "text": {"body": f"KTP nomor antrean {n}"}}


def wa_body(messages: list) -> dict:
    envelope = wa.envelope([], [])
    envelope["entry"][0]["changes"][0]["value"]["messages"] = messages
    return envelope


def good_fb(n: int) -> dict:
    return {"sender": {"id": f"PSID{n}"}, "recipient": {"id": PAGE_ID}, "timestamp": T * 1000,
            "message": {"mid": f"m_P{n}", "text": f"akta kelahiran {n}"}}


def fb_body(events: list) -> dict:
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": T * 1000, "messaging": events}]}


@st.composite
def hostile(draw):
    """(channel, body) of one hostile delivery, or (channel, None, item) for a hostile item inside a good body."""
    form = draw(st.sampled_from(["body", "wa_value", "wa_message", "wa_field", "fb_event", "fb_field", "wa_inside",
                                 "fb_inside", "wa_beside", "wa_optional", "fb_optional"]))
    tree = draw(trees)
    if form == "body":
        return draw(st.sampled_from(["wa-test", "fb-test"])), tree, None
    if form == "wa_value":
        body = wa_body([])
        body["entry"][0]["changes"][0]["value"] = tree
        return "wa-test", body, None
    if form == "wa_message":
        return "wa-test", wa_body([tree]), None
    if form == "wa_field":
        message = good_wa(0)
        message[draw(st.sampled_from(sorted(message)))] = tree
        return "wa-test", wa_body([message]), None
    if form == "fb_event":
        return "fb-test", fb_body([tree]), None
    if form == "fb_field":
        event = good_fb(0)
        path = draw(st.sampled_from(["sender", "recipient", "timestamp", "message", "mid", "text"]))
        (event["message"] if path in ("mid", "text") else event)[path] = tree
        return "fb-test", fb_body([event]), None
    if form == "wa_beside":  # a value key next to a good message: contacts, statuses, errors...
        return "wa-test", None, (draw(st.sampled_from(["contacts", "statuses", "errors", "metadata"])), tree)
    if form == "wa_optional":  # an optional key of the good message itself
        return "wa-test", None, (draw(st.sampled_from(["context", "errors", "referral", "identity"])), tree)
    if form == "fb_optional":
        return "fb-test", None, (draw(st.sampled_from(["reply_to", "attachments", "quick_reply", "is_echo",
                                                        "nlp"])), tree)
    return ("wa-test" if form == "wa_inside" else "fb-test"), None, tree


def beside(channel: str, extra: int, position: int, hostile_item) -> dict:
    """A body holding one good item and the hostile item (next to it, or inside it)."""
    good = good_wa(extra) if channel == "wa-test" else good_fb(extra)
    if isinstance(hostile_item, tuple):
        key, tree = hostile_item
        if channel == "fb-test":
            good["message"][key] = tree
            return fb_body([good])
        if key in ("context", "errors", "referral", "identity"):
            good[key] = tree
            return wa_body([good])
        body = wa_body([good])
        body["entry"][0]["changes"][0]["value"][key] = tree
        return body
    items = [good]
    items.insert(min(position, 1), hostile_item)
    return wa_body(items) if channel == "wa-test" else fb_body(items)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with FacebookFake() as facebook:
        tmp = tmp_path_factory.mktemp("property")
        channels = [wa.channel_config("http://127.0.0.1:9"), facebook.channel_config()]
        config = make_config(tmp, channels=channels)
        from ticketing.app import App
        from ticketing.config import load_settings

        app = App(load_settings(str(config), {}), {**wa.ENV, **facebook.env()}, now=NOW)
        yield app


def deliver(app, channel: str, payload) -> None:
    """What the receiver does with a signed body: check it, store it (or refuse it at the door)."""
    from ticketing.store.db import run_write
    from ticketing.webhooks.body import BodyRefused, parse_body
    from ticketing.webhooks.queue import store_delivery

    body = json.dumps(payload).encode()
    try:
        text, _value = parse_body(body)
    except BodyRefused:
        return
    run_write(app.engine, lambda s: store_delivery(s, channel, body, app.now(), text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(item=hostile(), position=st.integers(0, 5), goods=st.integers(1, 5))
# The shapes that stuck a row before (issue 16), always tried besides the random ones:
@example(item=("wa-test", None, ("contacts", "Rina")), position=0, goods=3)
@example(item=("wa-test", None, ("context", "wamid.X")), position=1, goods=2)
@example(item=("wa-test", None, {"from": "628", "id": "wamid.H", "timestamp": "9" * 30, "type": "text"}),
         position=0, goods=2)
@example(item=("wa-test", {"object": "whatsapp_business_account", "entry": {"changes": []}}, None), position=0,
         goods=2)
@example(item=("fb-test", None, {"sender": {"id": "P"}, "recipient": {"id": PAGE_ID}, "timestamp": 10**40,
                                 "message": {"mid": "m_H", "text": "\ud83d"}}), position=1, goods=2)
def test_one_hostile_item_anywhere_leaves_every_other_item_stored(world, item, position, goods):
    from ticketing.webhooks.queue import process_pending

    app = world
    channel, hostile_body, hostile_item = item
    numbers = [next(counter) for _ in range(goods)]
    deliveries = [("wa-test", wa_body([good_wa(n)])) if n % 2 else ("fb-test", fb_body([good_fb(n)]))
                  for n in numbers]
    wanted = {f"wamid.P{n}" if n % 2 else f"m_P{n}" for n in numbers}
    if hostile_body is not None:
        deliveries.insert(min(position, len(deliveries)), (channel, hostile_body))
    else:  # the hostile item sits inside a body, next to a good item of the same channel
        extra = next(counter)
        body = beside(channel, extra, position, hostile_item)
        deliveries.insert(min(position, len(deliveries)), (channel, body))
        wanted.add(f"wamid.P{extra}" if channel == "wa-test" else f"m_P{extra}")
    for source, payload in deliveries:
        deliver(app, source, payload)
    for _ in range(20):
        if not process_pending(app, limit=20).attempted:
            break
    else:
        raise AssertionError("the queue did not drain")
    with app.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(sa.column("external_id"), sa.column("text"))
                                   .select_from(sa.table("message"))
                                   .where(sa.column("external_id").in_(sorted(wanted)))).all())
    assert set(stored) == wanted
    assert all(text.encode("utf-8") for text in stored.values())
