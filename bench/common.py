"""What every benchmark shares: the result row, the size presets, interleaved timing, servers.

Machines here are small and shared, so no figure stands alone: each row carries a baseline
measured in the same run (a raw driver call, a bare query, a bare interpreter start), and runs
that are compared are interleaved so a busy neighbour slows both sides alike.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# How a row's budget is checked: on the ratio to the baseline, or on the value itself.
CHECKS = {
    "none": lambda row: True,
    "ratio<=": lambda row: row.ratio is not None and row.ratio <= row.budget,
    "ratio>=": lambda row: row.ratio is not None and row.ratio >= row.budget,
    "value<=": lambda row: row.value <= row.budget,
    "value>=": lambda row: row.value >= row.budget,
}


@dataclass
class Row:
    """One line of the table: a figure, its same-run baseline and the budget it is held to."""

    figure: str
    value: float
    unit: str
    baseline: float | None
    budget: float | None
    check: str = "ratio<="
    note: str = ""
    ratio: float | None = None
    informational: bool = False  # shown for context, never fails the run

    def __post_init__(self) -> None:
        if self.budget is None:
            self.check = "none"
        if self.check not in CHECKS:
            raise ValueError(f"unknown budget check {self.check!r}")
        if self.ratio is None and self.baseline:
            self.ratio = self.value / self.baseline

    @property
    def passed(self) -> bool:
        return CHECKS[self.check](self)

    def budget_text(self) -> str:
        if self.budget is None or self.check == "none":
            return "-"
        op = "≤" if self.check.endswith("<=") else "≥"
        if self.check.startswith("ratio"):
            return f"ratio {op} {self.budget:g}x"
        return f"{op} {fmt(self.budget, self.unit)}"

    def verdict(self) -> str:
        if self.informational:
            return "info"
        return "pass" if self.passed else "FAIL"


def fmt(value: float | None, unit: str) -> str:
    """A value with its unit, at a precision a person reads (ms below a second, thousands separated)."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if float(value).is_integer() and unit not in ("%",):
        return f"{value:,.0f} {unit}"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:,.2f} {unit}"


@dataclass(frozen=True)
class Size:
    """Counts for one run. `full` is what the budgets are written for; `small` is a smoke run."""

    name: str
    ingest: int  # messages per ingest run (SQLite and PostgreSQL)
    tickets: int  # tickets in the large inbox (inbox, show, recap, search, dedupe)
    dedupe_small: int  # tickets in the smaller inbox the dedupe figure compares with
    sla_tickets: int
    timestamps: int
    routing: int
    worker_jobs: int
    webhook_posts: int
    webhook_clients: int
    process_runs: int  # interleaved runs of each whole-process command
    repeat: int  # repetitions of in-process timings (best or median of)


FULL = Size("full", ingest=100_000, tickets=1_000_000, dedupe_small=100_000, sla_tickets=100_000,
            timestamps=100_000, routing=20_000, worker_jobs=10_000, webhook_posts=2000, webhook_clients=20,
            process_runs=11, repeat=5)
SMALL = Size("small", ingest=5_000, tickets=20_000, dedupe_small=2_000, sla_tickets=10_000, timestamps=10_000,
             routing=2_000, worker_jobs=300, webhook_posts=200, webhook_clients=5, process_runs=3, repeat=3)


@dataclass
class Samples:
    """Timings of several competitors, collected interleaved."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.values[name])

    def best(self, name: str) -> float:
        return min(self.values[name])


def interleaved(work: dict[str, Callable[[], object]], runs: int, warmup: int = 1) -> Samples:
    """Time each callable `runs` times, round-robin, after `warmup` untimed rounds."""
    for _ in range(warmup):
        for fn in work.values():
            fn()
    samples = Samples({name: [] for name in work})
    for _ in range(runs):
        for name, fn in work.items():
            started = time.perf_counter()
            fn()
            samples.values[name].append(time.perf_counter() - started)
    return samples


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of our own: a scratch database on ADUAN_TEST_POSTGRES_URL's server when
    set (never its tables: the test suite truncates those), else a throwaway cluster."""
    shared = os.environ.get("ADUAN_TEST_POSTGRES_URL")
    if not shared:
        from tests.servers import postgres_server

        with postgres_server() as url:
            yield url
        return
    import psycopg

    base, _, _db = shared.rpartition("/")
    name = f"aduan_bench_{os.getpid()}"
    admin_dsn = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_url() -> Iterator[str]:
    """Redis for the worker figure: ADUAN_TEST_REDIS_URL's server on a spare db number, else our own."""
    shared = os.environ.get("ADUAN_TEST_REDIS_URL")
    if shared:
        yield shared.rsplit("/", 1)[0] + "/9"
        return
    from tests.servers import redis_server

    with redis_server() as (url, _proc):
        yield url


def print_rows(rows: list[Row], title: str | None = None) -> None:
    """The table every benchmark prints: figure, value, baseline, ratio, budget, verdict."""
    if title:
        print(title)
    header = f"{'figure':<58} {'value':>16} {'baseline':>16} {'ratio':>8}  {'budget':<16} result"
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        print(f"{row.figure:<58} {fmt(row.value, row.unit):>16} {fmt(row.baseline, row.unit):>16} {ratio:>8}  "
              f"{row.budget_text():<16} {row.verdict()}")
        if row.note:
            print(f"    {row.note}")
