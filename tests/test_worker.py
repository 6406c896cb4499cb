"""The RQ worker against a real Redis: timers fire, rescheduling replaces, a SIGKILLed delivery is
never sent twice, a Redis outage loses nothing, and the sweep rebuilds lost timers."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli_helpers import ROOT, make_config
from tests.conftest import count
from tests.fakes.echo_channel import EchoCollector, EchoServer, seed_ticket, settings_for
from tests.servers import free_port, wait_for_port
from ticketing.app import App
from ticketing.background import jobs
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Message, Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.roles import Actor

pytestmark = pytest.mark.redis
TEST_DB = 5  # a Redis database of its own, flushed per test
ADMIN = Actor("admin1", "admin")


def wait_until(condition: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout}s")


@pytest.fixture
def rurl(redis_url: str) -> str:
    url = redis_url.rsplit("/", 1)[0] + f"/{TEST_DB}"
    jobs.connect(url).flushdb()
    return url


@pytest.fixture
def echo():
    with EchoServer() as server:
        yield server


class Workers:
    """Worker subprocesses of one test; each in its own process group (the RQ scheduler is a child)."""

    def __init__(self, config: Path, redis: str):
        self.config, self.redis = config, redis
        self.procs: list[subprocess.Popen] = []

    def start(self, *args: str, now: datetime | None = None, fault: str | None = None) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
        env.update({"ADUAN_CONFIG": str(self.config), "ADUAN_REDIS_URL": self.redis, "ADUAN_USER": "admin1"})
        if now is not None:
            env["ADUAN_NOW"] = now.isoformat()
        if fault:
            env["ADUAN_FAULT"] = fault
        proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.echo_channel", "worker", *args], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=10)


@pytest.fixture
def setup(tmp_path, rurl, echo):
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    config = make_config(tmp_path, db_url, channels=[echo.channel_config()], redis={"url": rurl})
    workers = Workers(config, rurl)
    yield db_url, config, workers
    workers.stop()


def app_for(db_url: str, rurl: str, echo: EchoServer, now: datetime | None = None) -> App:
    return App(settings_for(db_url, echo, redis={"url": rurl}), environ={}, now=now)


def ticket(app: App, ticket_id: int) -> Ticket:
    with read_session(app.engine) as session:
        return session.get(Ticket, ticket_id)


def scheduled(rurl: str) -> dict[str, float]:
    from rq.registry import ScheduledJobRegistry

    conn = jobs.connect(rurl)
    key = ScheduledJobRegistry(queue=jobs.queue(conn, jobs.QUEUE_SLA)).key
    return {k.decode(): score for k, score in conn.zrange(key, 0, -1, withscores=True)}


def test_a_timer_fires_on_time_and_marks_the_ticket(setup, rurl, echo):
    db_url, _config, workers = setup
    app = app_for(db_url, rurl, echo)
    ticket_id = seed_ticket(app, datetime.now(UTC) - timedelta(hours=1))
    due = datetime.now(UTC) + timedelta(seconds=3)
    with write_session(app.engine) as session:
        session.execute(sa.update(Ticket).where(Ticket.id == ticket_id).values(due_at=due))
    jobs.schedule_timer(jobs.connect(rurl), ticket_id, "breach", due)
    workers.start("--sweep-every", "0")  # no sweep: only the timer can mark it
    marked = wait_until(lambda: ticket(app, ticket_id).breach_notified_at, what="breach claimed by the timer")
    assert marked >= due - timedelta(seconds=1)
    assert ticket(app, ticket_id).sla_state == "breached"
    assert count(app.engine, "notification", f"WHERE key = 'sla-breach:{ticket_id}'") == 1
    assert count(app.engine, "event", "WHERE action = 'sla_breached'") == 1
    app.engine.dispose()


def test_rescheduling_replaces_the_timer(rurl):
    conn = jobs.connect(rurl)
    first = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)
    jobs.schedule_timer(conn, 42, "breach", first)
    jobs.schedule_timer(conn, 42, "breach", first + timedelta(hours=5))
    jobs.schedule_timer(conn, 42, "warn", first - timedelta(hours=8))
    timers = scheduled(rurl)
    assert set(timers) == {"sla-breach-42", "sla-warn-42"}
    assert timers["sla-breach-42"] == (first + timedelta(hours=5)).timestamp()
    from rq.job import Job

    job = Job.fetch("sla-breach-42", connection=conn, serializer=jobs.queue(conn, "sla").serializer)
    assert job.func_name == "worker.check_sla" and job.args == [42, "breach"]  # ids only, JSON


def test_sigkill_mid_delivery_never_sends_twice(setup, rurl, echo):
    """Test plan rows 27 and 28: the worker dies after the channel accepted the reply."""
    db_url, config, workers = setup
    app = app_for(db_url, rurl, echo)
    ticket_id = seed_ticket(app, datetime.now(UTC) - timedelta(hours=1))
    with write_session(app.engine) as session:
        message_id = workflow.reply(session, session.get(Ticket, ticket_id), "Sudah aktif.", ADMIN, app.now()).id
    assert jobs.kick(app)  # what `aduan reply` does after its commit with Redis configured
    crashed = workers.start("--sweep-every", "0", fault="after_send")
    assert crashed.wait(timeout=30) == -signal.SIGKILL
    assert len(echo.sent) == 1 and _state(app, message_id) == "sending"
    # RQ may run the abandoned job again (at-least-once), and a reply can be enqueued twice
    conn = jobs.connect(rurl)
    jobs.queue(conn, jobs.QUEUE_OUTBOX).enqueue("worker.deliver", message_id, job_id=f"deliver-{message_id}")
    jobs.queue(conn, jobs.QUEUE_OUTBOX).enqueue("worker.deliver", message_id, job_id=f"deliver-{message_id}-again")
    after_lease = datetime.now(UTC) + timedelta(minutes=11)
    survivor = workers.start("--burst", now=after_lease)
    assert survivor.wait(timeout=30) == 0, survivor.stderr.read()
    assert len(echo.sent) == 1 and _state(app, message_id) == "sending"  # claims refused; the lease is the sweep's
    sweep = subprocess.run([sys.executable, str(ROOT / "cli.py"), "sla", "sweep", "--json"], cwd=ROOT, env={
        **{k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}, "ADUAN_CONFIG": str(config),
        "ADUAN_USER": "admin1", "ADUAN_NOW": after_lease.isoformat()}, capture_output=True, text=True, timeout=60)
    assert sweep.returncode == 0, sweep.stderr
    assert _state(app, message_id) == "unknown" and len(echo.sent) == 1
    app.engine.dispose()


def test_a_fresh_reply_is_delivered_by_the_worker(setup, rurl, echo):
    db_url, _config, workers = setup
    app = app_for(db_url, rurl, echo)
    ticket_id = seed_ticket(app, datetime.now(UTC) - timedelta(hours=1))
    with write_session(app.engine) as session:
        message_id = workflow.reply(session, session.get(Ticket, ticket_id), "Sudah aktif.", ADMIN, app.now()).id
    assert ticket(app, ticket_id).status == "new"  # queued is not answered: the clock still runs
    assert jobs.kick(app) and jobs.kick(app)  # kicked twice: still one job, one send
    assert workers.start("--burst").wait(timeout=30) == 0
    assert _state(app, message_id) == "sent" and len(echo.sent) == 1
    answered = ticket(app, ticket_id)  # the worker's delivery answered the ticket, at the send's time
    assert answered.status == "answered" and answered.reply_state is None
    with read_session(app.engine) as session:
        delivered_at = session.get(Message, message_id).delivered_at
    assert answered.answered_at == delivered_at
    app.engine.dispose()


def test_a_refused_reply_leaves_the_ticket_gagal_kirim_through_the_worker(setup, rurl, echo):
    db_url, _config, workers = setup
    app = app_for(db_url, rurl, echo)
    ticket_id = seed_ticket(app, datetime.now(UTC) - timedelta(hours=1))
    with write_session(app.engine) as session:
        message_id = workflow.reply(session, session.get(Ticket, ticket_id), "Sudah aktif.", ADMIN, app.now()).id
    echo.fail_with = [403]
    assert jobs.kick(app)
    assert workers.start("--burst").wait(timeout=30) == 0
    assert _state(app, message_id) == "failed"
    refused = ticket(app, ticket_id)
    assert refused.status == "new" and refused.answered_at is None
    assert refused.reply_state == "failed" and "reply window" in refused.reply_error
    app.engine.dispose()


def test_a_retry_is_scheduled_under_its_own_job_id(tmp_path, rurl, echo, monkeypatch):
    """The running `deliver-<id>` job is deleted by RQ when it returns, so its retry needs another id."""
    from rq.registry import ScheduledJobRegistry

    import worker

    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    app = app_for(f"sqlite:///{tmp_path / 'aduan.db'}", rurl, echo, now=now)
    ticket_id = seed_ticket(app, now - timedelta(hours=1))
    with write_session(app.engine) as session:
        message_id = workflow.reply(session, session.get(Ticket, ticket_id), "Sudah aktif.", ADMIN, now).id
    echo.fail_with = [503]
    monkeypatch.setitem(registry_of_collectors(), "echo", type("E", (), {"load": staticmethod(lambda: EchoCollector)}))
    worker.configure(app)
    try:
        assert worker.deliver(message_id) == "pending"
    finally:
        worker.configure(None)
    retry_at = now + timedelta(seconds=30)
    registry = ScheduledJobRegistry(queue=jobs.queue(jobs.connect(rurl), jobs.QUEUE_OUTBOX))
    assert registry.get_job_ids() == [f"deliver-{message_id}-at-{int(retry_at.timestamp())}"]
    assert _state(app, message_id) == "pending" and echo.sent == []
    app.engine.dispose()


def registry_of_collectors() -> dict:
    from ticketing.contract import registry

    return registry.available()


def _state(app: App, message_id: int) -> str:
    with read_session(app.engine) as session:
        return session.get(Message, message_id).delivery_state


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen]:
    base = Path(tempfile.mkdtemp(prefix="aduan-redis-h6-"))
    proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--dir",
                             str(base), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


def test_redis_down_during_ingest_loses_nothing_and_the_sweep_catches_up(tmp_path, echo):
    """Test plan row 4: tickets and replies commit while Redis is down; timers appear after it returns."""
    from ticketing.background.inline import run_inline_work

    port = free_port()
    rurl = f"redis://127.0.0.1:{port}/0"
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 10:00 WIB
    app = app_for(f"sqlite:///{tmp_path / 'aduan.db'}", rurl, echo, now=now)
    with private_redis(port):
        assert jobs.kick(app)
    # Redis is down now
    started = time.monotonic()
    due_today = seed_ticket(app, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), n=1)  # due Thursday 16:00 WIB
    seed_ticket(app, datetime(2026, 11, 17, 3, 0, tzinfo=UTC), n=2)  # overdue
    answered = seed_ticket(app, datetime(2026, 11, 26, 2, 0, tzinfo=UTC), n=3)
    with write_session(app.engine) as session:
        message_id = workflow.reply(session, session.get(Ticket, answered), "Sudah aktif.", ADMIN, now).id
    run_inline_work(app)  # logs the outage, raises nothing
    assert not jobs.kick(app)
    assert time.monotonic() - started < 10  # a dead Redis costs seconds, not a hung cron job
    assert count(app.engine, "ticket") == 3 and _state(app, message_id) == "pending"
    with private_redis(port):
        report = jobs.sweep_cycle(app, now, jobs.connect(rurl))
        assert report.redis_error is None
        assert report.sweep["breached"] == 1 and report.deliveries == {"enqueued": 1}
        assert set(scheduled(rurl)) == {f"sla-breach-{due_today}"}
        assert scheduled(rurl)[f"sla-breach-{due_today}"] == ticket(app, due_today).due_at.timestamp()
        assert jobs.queue(jobs.connect(rurl), jobs.QUEUE_OUTBOX).get_job_ids() == [f"deliver-{message_id}"]
    app.engine.dispose()


def test_the_sweep_rebuilds_timers_lost_from_redis(tmp_path, rurl, echo):
    """Test plan row 5: after FLUSHALL the database still knows every deadline."""
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    app = app_for(f"sqlite:///{tmp_path / 'aduan.db'}", rurl, echo, now=now)
    ids = [seed_ticket(app, datetime(2026, 11, 23, 3, i, tzinfo=UTC), n=i) for i in range(1, 4)]
    overdue = seed_ticket(app, datetime(2026, 11, 17, 3, 0, tzinfo=UTC), n=9)
    conn = jobs.connect(rurl)
    assert jobs.sweep_cycle(app, now, conn).timers_added == 3
    assert jobs.sweep_cycle(app, now, conn).timers_added == 0  # nothing missing, nothing rescheduled
    from rq.job import Job

    Job.fetch(f"sla-breach-{ids[1]}", connection=conn, serializer=jobs.queue(conn, "sla").serializer).delete()
    assert jobs.sweep_cycle(app, now, conn).timers_added == 1
    conn.flushdb()
    assert jobs.sweep_cycle(app, now, conn).timers_added == 3
    assert set(scheduled(rurl)) == {f"sla-breach-{i}" for i in ids}
    # the overdue ticket needs no timer: the sweep notified it, once
    assert ticket(app, overdue).sla_state == "breached"
    assert count(app.engine, "notification", "WHERE key LIKE 'sla-breach:%'") == 1
    app.engine.dispose()
