"""Test plan row 3: the worker is SIGKILLed inside an SLA timer job, before and after its claim.

Real Redis and a real worker process (`aduan worker` with the `ADUAN_FAULT` hook); the notice goes
to a fake Telegram group chat, so "exactly one breach notice" is counted at the provider.
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.cli_helpers import make_config
from tests.conftest import count
from tests.fakes.echo_channel import EchoServer, seed_ticket
from tests.fakes.telegram import TOKEN_ENV, TelegramFake
from tests.test_worker import Workers, app_for, rurl, ticket  # noqa: F401  (rurl is a fixture)
from ticketing.background import jobs
from ticketing.config import NotificationSettings
from ticketing.store.db import write_session
from ticketing.store.models import Ticket

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def group_chat():
    with TelegramFake(name="notify") as server:
        yield server


@pytest.mark.parametrize("fault", ["sla_before_claim", "sla_after_claim"])
def test_row3_worker_killed_in_the_sla_job_gives_exactly_one_breach_notice(tmp_path, rurl, group_chat, fault):  # noqa: F811
    notifications = {"telegram": {"base_url": group_chat.base_url, "bot_token_env": TOKEN_ENV, "chat_id": "-100"}}
    with EchoServer() as echo:
        db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
        config = make_config(tmp_path, db_url, channels=[echo.channel_config()], redis={"url": rurl},
                             notifications=notifications)
        workers = Workers(config, rurl)
        app = app_for(db_url, rurl, echo)
        app.settings.notifications = NotificationSettings.model_validate(notifications)
        app.environ = group_chat.env()
        try:
            ticket_id = seed_ticket(app, datetime.now(UTC) - timedelta(days=10))
            due = datetime.now(UTC) - timedelta(minutes=1)
            with write_session(app.engine) as session:
                session.execute(sa.update(Ticket).where(Ticket.id == ticket_id).values(due_at=due))
            conn = jobs.connect(rurl)
            jobs.queue(conn, jobs.QUEUE_SLA).enqueue("worker.check_sla", ticket_id, "breach",
                                                     job_id=f"sla-breach-{ticket_id}")
            crashed = workers.start("--sweep-every", "0", fault=fault)
            assert crashed.wait(timeout=30) == -signal.SIGKILL
            claimed = ticket(app, ticket_id).breach_notified_at is not None
            assert claimed == (fault == "sla_after_claim")
            assert group_chat.sent == []  # died before any notice went out
            # the sweep (cron or the worker's ticker) reconciles from the database
            report = jobs.sweep_cycle(app, app.now(), conn)
            assert report.notices_sent == 1
            # RQ is at-least-once: the abandoned job may run again; it must not notify again
            import worker

            worker.configure(app)
            try:
                assert worker.check_sla(ticket_id, "breach") == "done"
            finally:
                worker.configure(None)
            jobs.sweep_cycle(app, app.now(), conn)
            assert len(group_chat.sent) == 1 and "MELEWATI batas waktu" in group_chat.sent[0]["text"]
            assert count(app.engine, "notification", f"WHERE key = 'sla-breach:{ticket_id}'") == 1
            assert count(app.engine, "event", "WHERE action = 'sla_breached'") == 1
            assert ticket(app, ticket_id).sla_state == "breached"
        finally:
            workers.stop()
            app.engine.dispose()
