"""Builders for test data."""

from __future__ import annotations

from datetime import datetime, timedelta

from ticketing.contract import InboundMessage


def inbound(n: int, *, channel: str = "x-test", thread: str | None = None, base: datetime,
            author: str | None = None, text: str | None = None, **extra) -> InboundMessage:
    return InboundMessage(
        channel=channel, external_id=f"m{n}", thread_key=thread or f"t{n}",
        text=text if text is not None else f"pesan nomor {n} tentang ktp", sent_at=base + timedelta(seconds=n),
        author_id=author or f"u{n}", author_handle=f"@{author or f'u{n}'}", author_name=f"Warga {n}", **extra,
    )


def batch(count: int, *, base: datetime, threads: int | None = None, channel: str = "x-test",
          start: int = 0) -> list[InboundMessage]:
    threads = threads or count
    return [inbound(i, channel=channel, thread=f"t{i % threads}", author=f"u{i % threads}", base=base)
            for i in range(start, start + count)]
