"""Inline mode: with no Redis configured, commands do the worker's jobs themselves."""

from __future__ import annotations


def run_inline_work(app) -> None:
    """Deliver pending replies and sweep SLA timers synchronously when no worker runs.

    Filled in by the outbox and SLA modules; with Redis configured this does nothing because
    `aduan worker` owns that work.
    """
    if app.settings.redis.url:
        return
