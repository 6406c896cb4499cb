"""What an idle X run costs in billed reads: `python -m bench --only x_reads`.

X bills every post and DM event a read returns, and a monthly budget of 10,000 reads polled
every five minutes leaves about one read per endpoint per run. The collector runs against the
fake X API (tweepy's real code path) with an inbox of `dms` DM events and `mentions` mentions:
the first run reads them all (the baseline), then idle runs follow. The figure is the billed
reads of one idle run; the budget is two (one per endpoint), as a ratio to the first run and as
a value. A count, not a timing, so the figure is exact on any machine.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench.common import Row

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
IDLE_RUNS = 5


def _drain(collector, cursor):
    reads = 0
    while True:
        batch = collector.fetch(cursor)
        reads += batch.reads
        cursor = batch.next_cursor
        if not batch.more:
            return cursor, reads


def measure(dms: int, mentions: int) -> tuple[int, list[int]]:
    """(billed reads of the first run, billed reads of each idle run after it)."""
    from collectors.x import XCollector
    from tests.fakes.x_api import OFFICE_ID, XFake

    with XFake(clock=lambda: NOW) as fake:
        fake.add_citizen_messages(mentions)
        citizen = fake.add_user("warga_bench", "Warga Bench")
        for n in range(dms):
            fake.add_dm(citizen, f"pesan {n}", f"{OFFICE_ID}-{citizen}")
        section = {k: v for k, v in fake.channel_config().items() if k not in ("name", "type", "enabled")}
        section.update(page_size=100, max_pages=100)
        collector = XCollector(fake.name, section, fake.env(), clock=lambda: NOW)
        cursor, first = _drain(collector, None)
        idle = []
        for _ in range(IDLE_RUNS):
            cursor, reads = _drain(collector, cursor)
            idle.append(reads)
        return first, idle


def rows(dms: int = 100, mentions: int = 100) -> list[Row]:
    first, idle = measure(dms, mentions)
    worst = max(idle)
    return [
        Row("X idle run: billed reads (first run = baseline)", worst, "reads", first, 2 / first, "ratio<=",
            note=f"{dms} DM events + {mentions} mentions; worst of {IDLE_RUNS} idle runs"),
        Row("X idle run: billed reads per run", worst, "reads", None, 2, "value<=",
            note="one per endpoint at most"),
    ]


if __name__ == "__main__":
    from bench.common import print_rows

    print_rows(rows(), title="X idle-run read cost")
