"""Crash points for fault tests: one switch, `ADUAN_FAULT=<point>`, kills the process there.

Production code calls `crash_point("name")` at the few places where a crash must lose nothing
and duplicate nothing (between a channel call and its commit, before a webhook batch commits).
With the variable unset (always, outside tests) a call costs one dictionary lookup. The kill is
SIGKILL: no cleanup, no `except`, no `finally`, exactly what a power cut or an OOM kill does.

Points: `after_send` (the outbox, after the channel accepted and before the commit),
`after_part` (the outbox, after one part of a multi-part reply was recorded), `collect_before_commit`
(the collect runner, after a batch and its cursor were written and before their commit),
`webhook_before_commit` (the webhook queue, before a processed batch commits), `sla_before_claim`
and `sla_after_claim` (the SLA timer job, around its claim).
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "ADUAN_FAULT"


def crash_point(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
