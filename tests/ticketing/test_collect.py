"""The collect runner's own duties: the lease, back-off, isolation, read budgets, backfill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pydantic import ConfigDict

from collectors.telegram import TelegramCollector, TelegramSettings
from tests.fakes.telegram import TelegramFake
from ticketing.app import App
from ticketing.config import Settings
from ticketing.contract import registry
from ticketing.intake import channel_state
from ticketing.intake.collect import BUDGET_SPENT, FAILED, LOCKED, OK, collect
from ticketing.store.db import read_session, write_session
from ticketing.store.models import CollectorState, Message

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_lease_is_exclusive_until_it_expires(engine, now):
    with write_session(engine) as session:
        assert channel_state.acquire_lease(session, "tg", "run-a", now)
    with write_session(engine) as session:
        assert not channel_state.acquire_lease(session, "tg", "run-b", now + timedelta(minutes=5))
    with write_session(engine) as session:
        channel_state.renew_lease(session, "tg", "run-a", now + timedelta(minutes=5))
    later = now + timedelta(minutes=5) + channel_state.LEASE_TTL
    with write_session(engine) as session:
        assert channel_state.acquire_lease(session, "tg", "run-b", later)  # run-a crashed: taken over
    with pytest.raises(channel_state.LeaseLost), write_session(engine) as session:
        channel_state.renew_lease(session, "tg", "run-a", later)
    with write_session(engine) as session:
        channel_state.release_lease(session, "tg", "run-a")  # not ours any more: no effect
    with read_session(engine) as session:
        assert session.get(CollectorState, "tg").lock_owner == "run-b"
    with write_session(engine) as session:
        channel_state.release_lease(session, "tg", "run-b")
        assert channel_state.acquire_lease(session, "tg", "run-c", later)


def test_reauth_notification_is_queued_once_per_office_day(engine, now):
    with write_session(engine) as session:
        assert channel_state.record_auth_expired(session, "fb", now, "token expired", "Asia/Jakarta")
        assert not channel_state.record_auth_expired(session, "fb", now + timedelta(hours=3), "again",
                                                     "Asia/Jakarta")
    with write_session(engine) as session:  # 18:00 UTC is already the next day in WIB
        assert channel_state.record_auth_expired(session, "fb", now.replace(hour=18), "x", "Asia/Jakarta")
    with read_session(engine) as session:
        keys = sorted(session.execute(sa.text("SELECT key FROM notification")).scalars())
    assert keys == ["reauth:fb:2026-11-23", "reauth:fb:2026-11-24"]


@pytest.fixture
def fake():
    with TelegramFake(page_size=2) as server:
        yield server


def make_app(tmp_path, channels: list[dict], environ: dict[str, str], now: datetime = NOW,
             engine=None) -> App:
    settings = Settings.model_validate({"database": {"url": f"sqlite:///{tmp_path / 'runner.db'}"},
                                        "channels": channels})
    app = App(settings, environ=environ, now=now)
    if engine is not None:
        app.__dict__["engine"] = engine
    return app


def test_a_held_lease_skips_the_channel_without_calling_it(fake, tmp_path):
    app = make_app(tmp_path, [fake.channel_config()], fake.env())
    with write_session(app.engine) as session:
        assert channel_state.acquire_lease(session, "tg-test", "other-host:1:abc", NOW)
    fake.add_citizen_messages(1)
    [run] = collect(app)
    assert run.outcome == LOCKED and not run.failed and fake.server.requests == []
    later = make_app(tmp_path, [fake.channel_config()], fake.env(), NOW + channel_state.LEASE_TTL, app.engine)
    [run] = collect(later)
    assert run.outcome == OK and run.result.new_messages == 1
    with read_session(app.engine) as session:
        assert session.get(CollectorState, "tg-test").lock_owner is None


def test_one_failing_channel_does_not_stop_the_others(fake, tmp_path):
    broken = {"name": "tg-broken", "type": "telegram", "base_url": fake.base_url, "bot_token_env": "UNSET_VAR"}
    unknown = {"name": "mystery", "type": "carrier-pigeon"}
    app = make_app(tmp_path, [broken, unknown, fake.channel_config()], fake.env())
    fake.add_citizen_messages(2)
    runs = {r.channel: r for r in collect(app)}
    assert runs["tg-broken"].outcome == FAILED and "UNSET_VAR" in runs["tg-broken"].error
    assert runs["mystery"].outcome == FAILED and "carrier-pigeon" in runs["mystery"].error
    assert runs["tg-test"].outcome == OK and runs["tg-test"].result.new_messages == 2
    with read_session(app.engine) as session:
        assert session.get(CollectorState, "tg-broken").last_error


def test_a_run_that_lost_its_lease_stops_without_writing(fake, tmp_path):
    app = make_app(tmp_path, [fake.channel_config()], fake.env())
    fake.add_citizen_messages(5)

    def steal(run) -> None:  # another run takes over after our first page
        with write_session(app.engine) as session:
            session.execute(sa.text("UPDATE collector_state SET lock_owner = 'thief'"))

    [run] = collect(app, progress=steal)
    assert run.outcome == FAILED and "mengambil alih" in run.error
    with read_session(app.engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Message)).scalar_one() == 2
        assert session.get(CollectorState, "tg-test").lock_owner == "thief"


class BudgetedSettings(TelegramSettings):
    model_config = ConfigDict(extra="forbid")
    monthly_read_budget: int | None = None


class BudgetedCollector(TelegramCollector):
    """A Telegram collector that accepts a read budget, like X's configuration does."""

    type_name = "budgeted"
    settings_model = BudgetedSettings


def test_monthly_read_budget_stops_reading_and_resets_next_month(fake, tmp_path, monkeypatch):
    original = registry.collector_class
    monkeypatch.setattr(registry, "collector_class",
                        lambda name: BudgetedCollector if name == "budgeted" else original(name))
    channel = dict(fake.channel_config(), type="budgeted", monthly_read_budget=5)
    app = make_app(tmp_path, [channel], fake.env())
    fake.add_citizen_messages(9)
    [run] = collect(app)
    assert run.outcome == OK and run.note == "budget" and run.reads == 6 and run.result.new_messages == 6
    calls = len(fake.server.requests)
    [spent] = collect(app)
    assert spent.outcome == BUDGET_SPENT and not spent.failed and len(fake.server.requests) == calls
    with read_session(app.engine) as session:
        state = session.get(CollectorState, "tg-test")
        assert (state.budget_used, state.budget_month) == (6, "2026-11")
    december = make_app(tmp_path, [channel], fake.env(), datetime(2026, 12, 1, 1, 0, tzinfo=UTC), app.engine)
    [resumed] = collect(december)
    assert resumed.outcome == OK and resumed.result.new_messages == 3
    with read_session(app.engine) as session:
        state = session.get(CollectorState, "tg-test")
        assert (state.budget_used, state.budget_month) == (3, "2026-12")


def test_backfill_since_keeps_only_newer_messages(fake, tmp_path):
    app = make_app(tmp_path, [fake.channel_config()], fake.env())
    ids = fake.add_citizen_messages(4)  # dated a second apart from 01:00:00 UTC
    [run] = collect(app, since=datetime(2026, 11, 23, 1, 0, 2, tzinfo=UTC))
    assert run.outcome == OK
    with read_session(app.engine) as session:
        stored = set(session.execute(sa.select(Message.external_id)).scalars())
    assert stored == set(ids[2:])


def test_a_named_disabled_channel_runs_and_unnamed_runs_skip_it(fake, tmp_path):
    app = make_app(tmp_path, [dict(fake.channel_config(), enabled=False)], fake.env())
    fake.add_citizen_messages(1)
    assert collect(app) == []
    [run] = collect(app, channel="tg-test")
    assert run.outcome == OK and run.result.new_messages == 1


def test_x_stops_inside_a_fetch_when_the_monthly_budget_is_spent(tmp_path):
    """X bills per item read: the runner hands the collector what is left of the budget."""
    from tests.fakes.x_api import XFake

    with XFake() as x_fake:
        x_fake.add_citizen_messages(30)  # six pages of five
        channel = dict(x_fake.channel_config(), monthly_read_budget=12, read_dms=False)
        app = make_app(tmp_path, [channel], x_fake.env())
        [run] = collect(app)
        assert run.outcome == OK
        with read_session(app.engine) as session:
            state = session.get(CollectorState, channel["name"])
            stored = session.exec(sa.select(sa.func.count()).select_from(Message)).one()[0]
        assert state.budget_used <= 12
        assert 0 < stored <= 12
