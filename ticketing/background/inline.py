"""Inline mode: with no Redis configured, commands do the worker's jobs themselves."""

from __future__ import annotations

import logging

from ticketing.privacy.redact import redact

log = logging.getLogger("aduan.inline")


def run_inline_work(app) -> None:
    """Deliver pending replies and sweep SLA timers synchronously when no worker runs.

    With Redis configured the worker owns that work: this only nudges it (enqueue a sweep and
    the pending deliveries), and a Redis outage is logged, not raised: the command's own change
    is already committed and the worker catches up from the database later. Failures here never
    turn a successful command into a failed one.
    """
    from ticketing.background import jobs

    try:
        if app.settings.redis.url:
            jobs.kick(app)
            return
        jobs.sweep_cycle(app, app.now(), inline=True)
    except Exception as exc:  # the user's change is committed; background work retries next time
        log.error("background work after the command failed: %s", redact(exc))
