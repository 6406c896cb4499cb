"""Every benchmark, one table: `python -m bench` (full size) or `python -m bench --small`.

Each figure is printed next to a baseline measured in the same run, with the ratio and the
budget it is held to (docs/performance.md lists them and the latest full table). Large data
sets are generated once, seeded, and cached (bench/data.py, ADUAN_BENCH_CACHE).

Exit status: 2 if a benchmark crashed; at full size 1 if a budget was missed; `--small` is a
smoke run (CI) and only fails on a crash.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from bench.common import FULL, SMALL, Row, Size, print_rows


def suites(size: Size, postgres: bool = True) -> dict[str, Callable[[], list[Row]]]:
    """Name -> a function returning that benchmark's rows at this size (imports deferred)."""
    def ingest() -> list[Row]:
        from bench import ingest as mod
        return mod.rows(size.ingest, postgres=postgres)

    def cli() -> list[Row]:
        from bench import cli as mod
        return mod.rows(size.tickets, size.process_runs)

    def recap() -> list[Row]:
        from bench import recap as mod
        return mod.rows(size.tickets, size.repeat)

    def search() -> list[Row]:
        from bench import search as mod
        return mod.rows(size.tickets, size.repeat)

    def dedupe() -> list[Row]:
        from bench import dedupe as mod
        return mod.rows(size.dedupe_small, size.tickets, repeat=max(size.repeat * 5, 11))

    def sla() -> list[Row]:
        from bench import sla as mod
        return mod.rows(size.sla_tickets, size.timestamps)

    def routing() -> list[Row]:
        from bench import routing as mod
        return mod.rows(size.routing, size.process_runs)

    def worker() -> list[Row]:
        from bench import worker as mod
        return mod.rows(size.worker_jobs, 2, max(min(size.worker_jobs // 50, 200), 20))

    def webhook() -> list[Row]:
        from bench import webhook as mod
        return mod.rows(size.webhook_posts, size.webhook_clients)

    def x_reads() -> list[Row]:
        from bench import x_reads as mod
        return mod.rows()

    found = {"ingest": ingest, "cli": cli, "recap": recap, "search": search, "dedupe": dedupe, "sla": sla,
             "routing": routing, "worker": worker, "webhook": webhook, "x_reads": x_reads}
    if not postgres:
        found.pop("worker")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="quick smoke sizes; budgets shown, never fatal")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only these (repeatable)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL (ingest and worker figures)")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    available = suites(size, postgres=not args.no_postgres)
    unknown = set(args.only or ()) - set(available)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(available)}")
    rows: list[Row] = []
    crashed: list[str] = []
    started = time.perf_counter()
    for name, run in available.items():
        if args.only and name not in args.only:
            continue
        began = time.perf_counter()
        print(f"[{name}] ...", file=sys.stderr, flush=True)
        try:
            rows += run()
        except Exception:
            crashed.append(name)
            traceback.print_exc()
        print(f"[{name}] {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    print_rows(rows, title=f"aduan benchmarks, {size.name} size ({time.perf_counter() - started:.0f} s)")
    missed = [row.figure for row in rows if not row.informational and not row.passed]
    if crashed:
        print(f"CRASHED: {', '.join(crashed)}")
        return 2
    if missed:
        print(f"over budget: {len(missed)} figure(s)" + (" (small size: not fatal)" if args.small else ""))
        return 0 if args.small else 1
    print("all budgets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
