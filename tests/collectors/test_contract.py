"""The one collector contract, run against every channel fake in tests/fakes/ through the real
collect runner (ticketing/collect.py), so the runner is tested with every channel too.

Fakes are discovered: every module in tests/fakes/ (except base) is imported and each class
that offers the whole `ChannelFake` protocol (or the module's `CHANNEL_FAKES` list) is a case.
A fault a channel cannot have (no rate limit over IMAP, ...) is declared by raising
NotImplementedError from its switch, and that one case is skipped with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

import tests.fakes
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.collect import AUTH_EXPIRED, FAILED, OK, RATE_LIMITED, WAITING, ChannelRun, collect
from ticketing.store.db import read_session
from ticketing.store.models import CollectorState, Message, Notification, Quarantine

PROTOCOL = ("channel_config", "env", "add_citizen_messages", "add_own_message", "add_malformed_item",
            "rate_limit_next", "expire_token", "repeat_next_page", "stick_pagination", "clear_faults")
REQUIRED_FAKES = {"telegram"}  # channel types whose fake must exist; the others join as they land


def _is_channel_fake(cls: type) -> bool:
    return isinstance(getattr(cls, "channel_type", None), str) and all(
        callable(getattr(cls, name, None)) for name in PROTOCOL)


def discover() -> list[Any]:
    params = []
    for info in sorted(pkgutil.iter_modules(tests.fakes.__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"tests.fakes.{info.name}")
        factories = getattr(module, "CHANNEL_FAKES", None) or [
            cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__ and _is_channel_fake(cls)
        ]
        for factory in factories:
            params.append(pytest.param(factory, id=f"{getattr(factory, 'channel_type', '?')}-{info.name}"))
    return params


FAKES = discover()


def test_every_required_fake_is_discovered():
    found = {p.values[0].channel_type for p in FAKES}
    assert found >= REQUIRED_FAKES, found


class Harness:
    """One fake channel, one fresh SQLite database, and the runner with a chosen clock."""

    def __init__(self, fake: Any, tmp_path: Path):
        self.fake = fake
        self.config = fake.channel_config()
        self.name = self.config["name"]
        self.settings = Settings.model_validate({
            "database": {"url": f"sqlite:///{tmp_path / 'contract.db'}"},
            "channels": [self.config],
            "staff": [{"username": "admin1", "role": "admin"}],
        })
        self.now = datetime.now(UTC).replace(microsecond=0)
        self._app: App | None = None

    def app(self, now: datetime | None = None) -> App:
        app = App(self.settings, environ=dict(self.fake.env()), now=now or self.now)
        if self._app is not None:
            app.__dict__["engine"] = self._app.engine  # one engine per test, like one process
        else:
            self._app = app
        return app

    def run(self, now: datetime | None = None) -> ChannelRun:
        runs = collect(self.app(now), channel=self.name)
        assert len(runs) == 1
        return runs[0]

    def messages(self) -> dict[str, Message]:
        with read_session(self.app().engine) as session:
            rows = session.exec(select(Message).where(Message.channel == self.name))
            return {m.external_id: m for m in rows}

    def state(self) -> CollectorState:
        with read_session(self.app().engine) as session:
            state = session.get(CollectorState, self.name)
            assert state is not None
            return state

    def count(self, model, *where) -> int:
        with read_session(self.app().engine) as session:
            return session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()

    def requests_made(self) -> int | None:
        server = getattr(self.fake, "server", None)
        return len(server.requests) if server is not None and hasattr(server, "requests") else None


@pytest.fixture(params=FAKES)
def channel(request, tmp_path: Path):
    fake = request.param()
    with fake:
        harness = Harness(fake, tmp_path)
        yield harness
        if harness._app is not None:
            harness._app.engine.dispose()


def fault(call, *args) -> None:
    try:
        call(*args)
    except NotImplementedError as exc:
        pytest.skip(f"not applicable to this channel: {exc}")


def ok(run: ChannelRun) -> ChannelRun:
    assert run.outcome == OK, (run.outcome, run.error)
    return run


def test_messages_are_normalised_and_the_cursor_advances(channel: Harness):
    citizen = channel.fake.add_citizen_messages(3)
    own = channel.fake.add_own_message()
    run = ok(channel.run())
    stored = channel.messages()
    assert set(citizen) | {own} <= set(stored)
    assert run.result.new_messages >= 4 and run.result.new_tickets >= 1
    for external_id in citizen:
        message = stored[external_id]
        assert message.direction == "in" and message.ticket_id is not None
        assert message.thread_key and message.text.strip() and message.author_id
        assert message.sent_at.tzinfo is not None
    assert stored[own].direction == "out"
    first_cursor = channel.state().cursor
    assert first_cursor is not None
    more = channel.fake.add_citizen_messages(2)
    ok(channel.run())
    assert set(more) <= set(channel.messages())
    assert channel.state().cursor != first_cursor
    assert channel.state().last_success_at is not None


def test_a_second_run_adds_nothing(channel: Harness):
    channel.fake.add_citizen_messages(3)
    ok(channel.run())
    before = channel.count(Message)
    again = ok(channel.run())
    assert again.result.new_messages == 0 and again.result.new_tickets == 0
    assert channel.count(Message) == before


def test_a_repeated_page_adds_nothing(channel: Harness):
    first = channel.fake.add_citizen_messages(2)
    ok(channel.run())
    fault(channel.fake.repeat_next_page)
    repeated = ok(channel.run())
    assert repeated.result.new_messages == 0 and repeated.result.new_tickets == 0
    channel.fake.clear_faults()
    later = channel.fake.add_citizen_messages(1)
    ok(channel.run())
    stored = channel.messages()
    assert set(first) | set(later) <= set(stored)
    assert channel.count(Message) == len(stored)


def test_a_rate_limit_stops_the_channel_and_the_run_resumes_later(channel: Harness):
    waiting = channel.fake.add_citizen_messages(2)
    fault(channel.fake.rate_limit_next, 30)
    limited = channel.run()
    assert limited.outcome == RATE_LIMITED and not limited.failed, limited.error
    assert limited.retry_at is not None and limited.retry_at > channel.now
    assert channel.state().next_allowed_at == limited.retry_at
    calls = channel.requests_made()
    skipped = channel.run()
    assert skipped.outcome == WAITING and not skipped.failed
    if calls is not None:
        assert channel.requests_made() == calls, "a waiting channel must not call the API"
    ok(channel.run(limited.retry_at + timedelta(seconds=1)))
    assert set(waiting) <= set(channel.messages())


def test_an_expired_token_flags_the_channel_once_a_day(channel: Harness):
    waiting = channel.fake.add_citizen_messages(1)
    fault(channel.fake.expire_token)
    expired = channel.run()
    assert expired.outcome == AUTH_EXPIRED and expired.failed
    assert channel.state().needs_reauth is True
    assert channel.run().outcome == AUTH_EXPIRED
    assert channel.count(Notification, Notification.kind == "reauth") == 1
    secrets = [v for v in channel.fake.env().values() if len(v) >= 6]
    assert not any(s in (channel.state().last_error or "") for s in secrets)
    channel.fake.clear_faults()
    ok(channel.run())
    assert channel.state().needs_reauth is False
    assert set(waiting) <= set(channel.messages())


def test_a_malformed_item_is_quarantined_and_the_rest_stored(channel: Harness):
    fault(channel.fake.add_malformed_item)
    good = channel.fake.add_citizen_messages(2)
    ok(channel.run())
    assert channel.count(Quarantine, Quarantine.channel == channel.name) >= 1
    assert set(good) <= set(channel.messages())


def test_stuck_pagination_is_an_error_not_a_loop(channel: Harness):
    channel.fake.add_citizen_messages(1)
    fault(channel.fake.stick_pagination)
    started = time.monotonic()
    stuck = channel.run()
    assert stuck.outcome == FAILED and stuck.error, stuck
    assert time.monotonic() - started < 30
    assert channel.state().last_error
