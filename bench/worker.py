"""Reply delivery through the RQ worker against the same workers running no-op jobs, real Redis.

    python -m bench.worker [--jobs 10000] [--workers 2] [--fork-jobs 2000]

Seeds N pending replies on N tickets (PostgreSQL: the shape that runs workers), queues one
`worker.deliver` job per reply, and lets W worker processes (burst mode) deliver them to a fake
channel over HTTP on loopback (tests/fakes/echo_channel.py: a real collector `send`, a real HTTP
call). The baseline is the same W workers running N `worker.ping` jobs in the same run. Both
runs include the workers' start-up; a run with empty queues measures it and it is taken off
both. Budget: delivery at no less than half the no-op rate. Shown for SimpleWorker (what
worker.py uses) and the forking Worker (on fewer jobs: a fork per job makes it slow).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, postgres_database, print_rows, redis_url

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CLASSES = {"simple": "SimpleWorker", "fork": "Worker"}


def _config(tmp: Path, db_url: str, redis: str, echo_url: str) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = db_url
    data["identity"] = "declared"  # the benchmark acts as the staff it names
    data["redis"] = {**(data.get("redis") or {}), "url": redis}
    data["channels"] = [{"name": "echo-bench", "type": "echo", "enabled": True, "base_url": echo_url}]
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def seed_replies(engine, count: int) -> list[int]:
    """`count` tickets, each with the citizen's message and one pending reply; the reply ids."""
    from ticketing.intake.ingest import MESSAGE_COLUMNS, TICKET_COLUMNS
    from ticketing.store import bulk
    from ticketing.store.db import write_session
    from ticketing.store.models import Message, Ticket

    tickets, messages = [], []
    with write_session(engine) as session:
        first = bulk.allocate_ids(session, Ticket.__table__, count)
        for tid in first:
            received = NOW - timedelta(minutes=tid % 600)
            tickets.append({"id": tid, "ref": f"ADU-2026-{tid:06d}", "channel": "echo-bench", "channel_type": "echo",
                            "thread_key": f"t{tid}", "contact_id": None, "is_public": False, "kind": None,
                            "category": None, "bidang": None, "classification_confidence": None,
                            "classification_locked": False, "status": "new", "summary": "ktp blm jadi", "tags": "",
                            "message_count": 2, "received_at": received, "last_message_at": received,
                            "due_at": received + timedelta(days=3), "sla_state": "ok", "flags": "",
                            "sla_paused_seconds": 0})
            for direction, ext in (("in", f"in-{tid}"), ("out", None)):
                messages.append({"ticket_id": tid, "channel": "echo-bench", "external_id": ext, "thread_key": f"t{tid}",
                                 "direction": direction, "author_id": f"u{tid}" if direction == "in" else "admin1",
                                 "author_handle": "", "author_name": "", "is_private": True, "in_reply_to": None,
                                 "subject": None, "text": "min ktp sy blm jadi" if direction == "in" else
                                 "Terima kasih, KTP-el Anda sudah dapat diambil di kecamatan.", "flags": "",
                                 "raw": None, "sent_at": received, "created_at": NOW, "delivery_attempts": 0})
        bulk.insert_rows(session, Ticket.__table__, TICKET_COLUMNS, tickets)
        bulk.insert_rows(session, Message.__table__, MESSAGE_COLUMNS, messages)
        session.connection().exec_driver_sql(
            "UPDATE message SET delivery_state = 'pending' WHERE direction = 'out' AND delivery_state IS NULL")
        return [row[0] for row in session.connection().exec_driver_sql(
            "SELECT id FROM message WHERE direction = 'out' AND delivery_state = 'pending' ORDER BY id")]


def _run_workers(config: Path, kind: str, workers: int) -> float:
    """Start `workers` burst workers and wait for all of them; wall seconds."""
    env_cmd = [sys.executable, "-m", "bench.worker", "--child", str(config), kind]
    started = time.perf_counter()
    procs = [subprocess.Popen(env_cmd, cwd=ROOT, stderr=subprocess.PIPE) for _ in range(workers)]
    for proc in procs:
        _out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"worker failed: {err.decode()[-800:]}")
    return time.perf_counter() - started


def _enqueue(conn, function: str, ids: list[int]) -> None:
    from ticketing.background.jobs import JOB_TIMEOUT, QUEUE_OUTBOX, RESULT_TTL, queue

    q = queue(conn, QUEUE_OUTBOX)
    data = [q.prepare_data(function, (i,), job_id=f"bench-{function.replace('.', '-')}-{i}", timeout=JOB_TIMEOUT,
                           result_ttl=RESULT_TTL) for i in ids]
    for start in range(0, len(data), 1000):
        q.enqueue_many(data[start:start + 1000])


def _delivered(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM message WHERE delivery_state = 'sent'").scalar()


def measure(jobs: int, workers: int, kind: str, db_url: str, redis: str, echo) -> dict[str, float]:
    from ticketing.background.jobs import connect
    from ticketing.store.db import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE message, ticket, event, notification RESTART IDENTITY CASCADE")
    ids = seed_replies(engine, jobs)
    conn = connect(redis)
    conn.flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp), db_url, redis, echo.base_url)
        startup = _run_workers(config, kind, workers)
        _enqueue(conn, "worker.ping", ids)
        noop = _run_workers(config, kind, workers)
        sent_before = len(echo.sent)
        _enqueue(conn, "worker.deliver", ids)
        deliver = _run_workers(config, kind, workers)
    delivered, calls = _delivered(engine), len(echo.sent) - sent_before
    engine.dispose()
    if delivered != jobs or calls != jobs:
        raise AssertionError(f"{delivered} replies marked sent and {calls} channel calls for {jobs} jobs")
    # Both runs include the workers' start-up (measured alone as `startup`): subtracting it made the
    # no-op time vanish into noise on small runs, and a rate against ~0 s means nothing.
    return {"startup": startup, "noop": noop, "deliver": deliver}


def rows(jobs: int, workers: int = 2, fork_jobs: int | None = None) -> list[Row]:
    from tests.fakes.echo_channel import EchoServer

    fork_jobs = fork_jobs or max(jobs // 5, 1)
    result = []
    with postgres_database() as db_url, redis_url() as redis, EchoServer() as echo:
        from ticketing.store.db import open_database

        open_database(db_url, auto_upgrade=True).dispose()
        for kind, count in (("simple", jobs), ("fork", fork_jobs)):
            t = measure(count, workers, kind, db_url, redis, echo)
            rate, floor = count / t["deliver"], count / t["noop"]
            result.append(Row(f"worker ({CLASSES[kind]} x{workers}): {count:,} replies (vs no-op jobs)", rate,
                              "jobs/s", floor, 0.5, check="ratio>=", informational=kind == "fork",
                              note=f"{t['deliver'] * workers / count * 1000:.1f} ms per reply per worker, no-op "
                                   f"{t['noop'] * workers / count * 1000:.1f} ms "
                                   f"(start-up {t['startup']:.2f} s included in both); "
                                   "PostgreSQL, real Redis, echo channel over HTTP"))
    return result


def _child(config: str, kind: str) -> None:
    """One burst worker, built like worker.run builds it, with the fake `echo` channel registered."""
    import rq
    from rq.serializers import JSONSerializer

    import worker as worker_module
    from tests.fakes.echo_channel import register
    from ticketing.app import App
    from ticketing.background.jobs import QUEUES, connect, queue

    register()
    app = App.load(config)
    worker_module.configure(app)
    conn = connect(app.settings.redis.url)
    wrap = getattr(worker_module, "redacting_worker_class", lambda base: base)  # as worker.run wraps it
    cls = wrap(getattr(rq, CLASSES[kind]))
    w = cls([queue(conn, name) for name in QUEUES], connection=conn, serializer=JSONSerializer)
    w.work(burst=True, with_scheduler=True, logging_level="WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fork-jobs", type=int, default=200)
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print_rows(rows(args.jobs, args.workers, args.fork_jobs))


if __name__ == "__main__":
    main()
