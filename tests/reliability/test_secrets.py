"""Test plan rows 23 and 24: tokens never reach a log, stderr, the database or Redis.

Canary secrets are planted in the environment; the fake Telegram server then fails with 500 and
401 answers that echo the request URL (the bot token sits in its path) plus Graph-style query
tokens and a configured secret in plain text. `aduan collect` and `aduan reply` run at DEBUG with a
log file, an RQ job fails with the secrets in its exception, and every log file, every stderr and
stdout, a dump of the database and every Redis key and value are searched for the canaries.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import sqlite3
import zlib

import pytest

from tests.cli_helpers import make_config, run_cli
from tests.fakes.telegram import TOKEN
from tests.reliability.helpers import HeldTelegram
from ticketing.background import jobs
from ticketing.logging_setup import configure_logging

GRAPH_CANARY = "EAAGcanaryGRAPHtoken0123456789"
PROOF_CANARY = "proofcanary9876543210abcdef"
PLAIN_CANARY = "plain-canary-secret-7f3a9c"
PLAIN_ENV = "CANARY_NOTIFY_TOKEN"
TG_SECRET = TOKEN.split(":", 1)[1]
CANARIES = (TG_SECRET, GRAPH_CANARY, PROOF_CANARY, PLAIN_CANARY)
NIK = "3329014507880001"
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
TEST_DB = 6


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def test_the_log_filter_scrubs_messages_arguments_and_tracebacks(tmp_path, restore_logging):
    from ticketing.config import Settings

    log_file = tmp_path / "logs" / "aduan.log"
    settings = Settings.model_validate({
        "logging": {"file": str(log_file), "level": "DEBUG"},
        "channels": [{"name": "tg", "type": "telegram", "bot_token_env": PLAIN_ENV}],
    })
    stream = io.StringIO()
    configure_logging(settings, {PLAIN_ENV: PLAIN_CANARY}, stream=stream)
    log = logging.getLogger("aduan.test")
    url = f"https://graph.example/v23.0/me?access_token={GRAPH_CANARY}&appsecret_proof={PROOF_CANARY}"
    log.debug("GET %s", url)
    log.warning("telegram said no: https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.info("header Authorization: Bearer %s", GRAPH_CANARY)
    log.info("configured secret %s seen raw; citizen NIK %s", PLAIN_CANARY, NIK)
    try:
        raise RuntimeError(f"boom at {url}")
    except RuntimeError:
        log.exception("request failed")
    logging.getLogger("urllib3.connectionpool").debug('"GET /bot%s/getUpdates HTTP/1.1" 200', TOKEN)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text(encoding="utf-8")
    assert "request failed" in written and "RuntimeError: boom" in written and "[REDACTED]" in written
    assert "NIK#" in written and not SIXTEEN_DIGITS.search(written)
    assert "HTTP/1.1" not in written  # urllib3 stays at WARNING even when aduan logs at DEBUG
    assert _leaks(written) == [] and _leaks(stream.getvalue()) == []
    assert "telegram said no" in stream.getvalue() and "GET https" not in stream.getvalue()  # stderr: warnings


def _dump_database(path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def _dump_redis(conn) -> str:
    parts = []
    for key in conn.scan_iter(count=500):
        kind = conn.type(key).decode()
        if kind == "string":
            value = conn.get(key)
        elif kind == "hash":
            value = conn.hgetall(key)
        elif kind == "list":
            value = conn.lrange(key, 0, -1)
        elif kind == "set":
            value = conn.smembers(key)
        elif kind == "zset":
            value = conn.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            value = conn.xrange(key)
        else:
            value = kind
        parts.append(f"{key!r} {_readable(value)}")
    return "\n".join(parts)


def _readable(value) -> str:
    """RQ compresses job data (zlib) and exception text (base64 of zlib): search them decompressed."""
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
        for decode in (lambda v: v, base64.b64decode):  # results keep exc_string as base64(zlib(text))
            try:
                text += " " + zlib.decompress(decode(value)).decode("utf-8", "replace")
            except (zlib.error, ValueError):
                continue
        return text
    if isinstance(value, dict):
        return " ".join(f"{_readable(k)}={_readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return " ".join(_readable(v) for v in value)
    return repr(value)


def failing_job() -> None:
    """An RQ job whose exception carries every kind of secret (as `requests` errors do)."""
    import os

    raise RuntimeError(f"GET https://graph.example/me?access_token={GRAPH_CANARY}&appsecret_proof={PROOF_CANARY} "
                       f"via https://api.telegram.org/bot{TOKEN}/sendMessage with {os.environ.get(PLAIN_ENV)}")


def test_canary_secrets_leak_nowhere(tmp_path, redis_url, monkeypatch, restore_logging):
    """Rows 23/24 end to end: collect and deliver through 500 and 401 answers at DEBUG, an RQ job failure."""
    with HeldTelegram() as fake:
        logs = tmp_path / "log"
        config = make_config(
            tmp_path, channels=[fake.channel_config()], logging={"file": str(logs / "aduan.log"), "level": "DEBUG"},
            notifications={"telegram": {"base_url": fake.base_url, "bot_token_env": PLAIN_ENV, "chat_id": "-100"}})
        env = {**fake.env(), PLAIN_ENV: PLAIN_CANARY}
        outputs = []

        def cli(*args, user="admin1"):
            result = run_cli(config, *args, env=env, user=user)
            outputs.extend([result.out, result.err])
            return result

        fake.add_citizen_messages(1)
        assert cli("collect").code == 0
        fake.echo_extra = f"?access_token={GRAPH_CANARY}&appsecret_proof={PROOF_CANARY} key={PLAIN_CANARY} NIK {NIK}"
        fake.echo_status = 500
        assert cli("collect").code == 1
        reply = cli("reply", "1", "-m", "Mohon tunggu, sedang kami cek.")  # inline delivery meets the 500
        assert reply.code == 0, reply.err
        fake.echo_status = 401
        assert cli("collect").code == 1  # token rejected: reauth flagged, staff notified (the notice fails too)
        assert cli("channels", "check").code == 1

    # RQ: a job failing with secrets in its exception; the worker stores only redacted text
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    import worker as worker_module
    from ticketing.config import load_settings

    monkeypatch.setenv(PLAIN_ENV, PLAIN_CANARY)
    configure_logging(load_settings(str(config), {**env, "ADUAN_LOG_FILE": str(logs / "worker.log")}),
                      env, stderr_level="DEBUG", stream=(worker_err := io.StringIO()))
    rurl = redis_url.rsplit("/", 1)[0] + f"/{TEST_DB}"
    conn = jobs.connect(rurl)
    conn.flushdb()
    job = jobs.queue(conn, jobs.QUEUE_DEFAULT).enqueue(f"{__name__}.failing_job", job_id="canary-job")
    rq_worker = worker_module.redacting_worker_class(SimpleWorker)([jobs.queue(conn, jobs.QUEUE_DEFAULT)],
                                                                   connection=conn, serializer=JSONSerializer)
    rq_worker.work(burst=True, logging_level="DEBUG")
    job.refresh()
    assert job.get_status(refresh=False).value == "failed"
    stored = job.latest_result().exc_string
    assert "RuntimeError" in stored and "[REDACTED]" in stored
    for handler in logging.getLogger().handlers:
        handler.flush()

    database = _dump_database(tmp_path / "aduan.db")
    redis_text = _dump_redis(conn)
    log_text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(logs.iterdir()))
    outputs.append(worker_err.getvalue())
    assert "[REDACTED]" in log_text and "[REDACTED]" in database  # the errors were really there, scrubbed
    assert "canary-job" in redis_text and "[REDACTED]" in redis_text
    assert _leaks(log_text) == [], "secret in a log file"
    assert _leaks("\n".join(outputs)) == [], "secret on stdout/stderr"
    assert _leaks(database) == [], "secret in the database"
    assert _leaks(redis_text) == [], "secret in Redis"
    assert not SIXTEEN_DIGITS.search(log_text) and NIK not in redis_text
    with sqlite3.connect(tmp_path / "aduan.db") as db:
        [(last_error,)] = db.execute("SELECT last_error FROM collector_state").fetchall()
        [(delivery_error,)] = db.execute("SELECT delivery_error FROM message WHERE direction = 'out'").fetchall()
    assert "[REDACTED]" in last_error and "[REDACTED]" in delivery_error
    conn.flushdb()
