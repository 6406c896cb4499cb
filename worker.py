"""The RQ worker: SLA timers, reply delivery and the periodic sweep (`aduan worker`).

Queues `sla`, `outbox` and `default`, with the RQ scheduler (timers are `enqueue_at` jobs).
Job functions take ids only; the JSON serializer keeps executable pickles out of Redis.

Why `SimpleWorker` (jobs run in the worker process) rather than the forking `Worker`:
measured here (200 no-op `worker.ping` jobs in burst mode, local Redis, 2 shared cores, after a
warm-up run), SimpleWorker took ~5 ms per job and the forking Worker ~20 ms, because it forks a
work horse per job; a real job would also rebuild its database connections after each fork.
Our jobs are short and I/O bound (one UPDATE, one HTTP call), so the fork would dominate. What
the fork buys, isolating a job that crashes the interpreter, matters less here: a dying process
loses at most one in-flight send, and the outbox turns that row into `unknown` instead of
resending it. Job timeouts still apply (SimpleWorker enforces them with SIGALRM).

The sweep does not depend on RQ: a thread in this process runs it every `sweep_every`
seconds against the database, so a flushed or restarted Redis delays timers by at most one
interval and the sweep puts the missing timers back.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("aduan.worker")

DEFAULT_SWEEP_EVERY = 60.0  # seconds between sweeps; the SLA unit is a working day, a minute is plenty
_state: dict[str, Any] = {}


def configure(app) -> None:
    """Give the job functions the application (settings, engine, calendar) of this process."""
    _state["app"] = app


def _app():
    app = _state.get("app")
    if app is None:
        from ticketing.app import App

        app = App.load()
        configure(app)
    return app


def _conn():
    from ticketing.background.jobs import app_redis

    return app_redis(_app())


# --- jobs (JSON-safe arguments, safe to run twice) ----------------------------------------------


def deliver(message_id: int) -> str:
    from ticketing.background.jobs import run_deliver

    return run_deliver(_app(), int(message_id), _conn())


def check_sla(ticket_id: int, kind: str) -> str:
    from ticketing.background.jobs import run_check_sla

    return run_check_sla(_app(), int(ticket_id), str(kind))


def sweep(now: str | None = None) -> dict:
    from ticketing.background.jobs import sweep_cycle
    from ticketing.clock import parse_instant

    app = _app()
    return sweep_cycle(app, parse_instant(now) if now else app.now(), _conn()).as_dict()


def ping() -> str:
    return "pong"


# --- the process ------------------------------------------------------------------------------


class Ticker(threading.Thread):
    """Runs the sweep every `interval` seconds until stopped; errors are logged, never fatal."""

    def __init__(self, app, interval: float):
        super().__init__(name="aduan-sweep", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from ticketing.background.jobs import app_redis, sweep_cycle
        from ticketing.privacy.redact import redact

        while not self.stopped.is_set():
            try:
                report = sweep_cycle(self.app, self.app.now(), app_redis(self.app))
                log.info("sweep: %s", report.as_dict())
            except Exception as exc:
                log.error("sweep failed: %s", redact(exc))
            self.stopped.wait(self.interval)


def redacting_worker_class(base: type) -> type:
    """RQ keeps a failed job's traceback in Redis for a year (`failure_ttl`) and exception text
    carries URLs with tokens: store it only after `redact`. (Its log line goes through the
    redacting handlers of ticketing.logging_setup.)"""
    from ticketing.privacy.redact import redact

    class RedactingWorker(base):
        def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
            return super().handle_job_failure(job, queue, started_job_registry=started_job_registry,
                                              exc_string=redact(exc_string or ""))

    RedactingWorker.__name__ = f"Redacting{base.__name__}"
    return RedactingWorker


def run(app, burst: bool = False, sweep_every: float = DEFAULT_SWEEP_EVERY, name: str | None = None) -> bool:
    """Start the worker on all aduan queues with the scheduler; returns when stopped (or burst ends)."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from ticketing.background.jobs import QUEUES, connect, queue

    configure(app)
    conn = connect(app.settings.redis.url)
    queues = [queue(conn, name_) for name_ in QUEUES]
    worker = redacting_worker_class(SimpleWorker)(queues, connection=conn, serializer=JSONSerializer, name=name)
    ticker = None
    if sweep_every > 0 and not burst:
        ticker = Ticker(app, sweep_every)
        ticker.start()
    try:
        return worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
    finally:
        if ticker is not None:
            ticker.stopped.set()
