"""Webhook receiver under load: 2,000 signed posts from 20 concurrent clients on loopback.

    python -m bench.webhook [--posts 2000] [--clients 20]

Starts `aduan webhook serve` with a throwaway SQLite database, posts distinct WhatsApp messages,
and reports lost/duplicated deliveries and response-time percentiles. The baseline is a GET of
/healthz measured in the same run (the server's floor). Budget: p99 under 100 ms, none lost.
Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa
import yaml

from bench.common import Row

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-app-secret"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["database"]["url"] = f"sqlite:///{tmp / 'bench.db'}"
    data["identity"] = "declared"  # the benchmark acts as the staff it names
    data["channels"] = [{"name": "wa-bench", "type": "whatsapp", "enabled": True, "phone_number_id": "1",
                         "access_token_env": "BENCH_WA_TOKEN", "app_secret_env": "BENCH_WA_SECRET",
                         "verify_token_env": "BENCH_WA_VERIFY", "base_url": "http://127.0.0.1:9"}]
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _payload(i: int) -> bytes:
    import json

    sender = f"62812{i % 500:07d}"
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
                                       "metadata": {"display_phone_number": "1", "phone_number_id": "1"},
                                       "contacts": [{"wa_id": sender, "profile": {"name": f"Warga {i}"}}],
                                       "messages": [{"from": sender, "id": f"wamid.BENCH{i:06d}",
                                                     "timestamp": str(1795400000 + i), "type": "text",
                                                     "text": {"body": f"min ktp sy blm jadi no {i}"}}]}}]}]}).encode()


def _timed(session: requests.Session, method: str, url: str, **kw) -> tuple[float, int]:
    started = time.perf_counter()
    response = session.request(method, url, timeout=10, **kw)
    return time.perf_counter() - started, response.status_code


def _client(url: str, secret: str | None, indices: range) -> list[tuple[float, int]]:
    """One client process: a keep-alive session posting its share sequentially (or GET /healthz)."""
    from collectors.meta_webhook import sign

    session = requests.Session()
    results = []
    for i in indices:
        if secret is None:
            results.append(_timed(session, "GET", f"{url}/healthz"))
        else:
            body = _payload(i)
            results.append(_timed(session, "POST", f"{url}/webhook/wa-bench", data=body, headers={
                "X-Hub-Signature-256": sign(body, secret), "Content-Type": "application/json"}))
    return results


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(posts: int, clients: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp))
        port = _port()
        env = {**os.environ, "ADUAN_CONFIG": str(config), "BENCH_WA_TOKEN": "t" * 20, "BENCH_WA_SECRET": SECRET,
               "BENCH_WA_VERIFY": "v" * 10}
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "webhook", "serve", "--port", str(port)],
                                env=env, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    requests.get(f"{url}/healthz", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.05)
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(clients) as pool:
                floor = [t for part in pool.starmap(_client, [(url, None, range(k, posts // 4, clients))
                                                              for k in range(clients)]) for t, _c in part]
                started = time.perf_counter()
                timed = [r for part in pool.starmap(_client, [(url, SECRET, range(k, posts, clients))
                                                              for k in range(clients)]) for r in part]
                elapsed = time.perf_counter() - started
            engine = sa.create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    pending = conn.execute(sa.text(
                        "SELECT count(*) FROM webhook_delivery WHERE processed_at IS NULL")).scalar()
                if pending == 0:
                    break
                time.sleep(0.2)
            with engine.connect() as conn:
                stored = conn.execute(sa.text("SELECT count(*) FROM webhook_delivery")).scalar()
                messages = conn.execute(sa.text("SELECT count(*) FROM message")).scalar()
                distinct = conn.execute(sa.text("SELECT count(DISTINCT external_id) FROM message")).scalar()
            engine.dispose()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    latencies = [t for t, _code in timed]
    return {"posts": posts, "ok": sum(1 for _t, c in timed if c == 200), "stored": stored, "messages": messages,
            "duplicates": messages - distinct, "lost": posts - distinct, "p50": statistics.median(latencies),
            "p99": _percentile(latencies, 0.99), "floor_p99": _percentile(floor, 0.99),
            "rate": posts / elapsed}


def rows(posts: int, clients: int) -> list[Row]:
    r = run(posts, clients)
    return [
        Row(f"webhook p99, {posts:,} signed posts from {clients} clients (vs GET /healthz)", r["p99"], "s",
            r["floor_p99"], 0.100, check="value<=",
            note=f"p50 {r['p50'] * 1000:.1f} ms, {r['rate']:,.0f} posts/s, {r['ok']}/{posts} accepted"),
        Row("webhook posts lost or duplicated", r["lost"] + r["duplicates"], "msgs", None, 0, check="value<=",
            note=f"{r['stored']} deliveries stored, {r['messages']} messages"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    r = run(args.posts, args.clients)
    print(f"webhook: {r['ok']}/{r['posts']} accepted, {r['stored']} stored, {r['messages']} messages, "
          f"lost {r['lost']}, duplicated {r['duplicates']}, {r['rate']:,.0f} posts/s")
    print(f"p50 {r['p50'] * 1000:.1f} ms, p99 {r['p99'] * 1000:.1f} ms (budget 100 ms), "
          f"/healthz p99 {r['floor_p99'] * 1000:.1f} ms, ratio {r['p99'] / r['floor_p99']:.1f}x")


if __name__ == "__main__":
    main()
