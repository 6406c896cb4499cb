"""The collect run behind `aduan collect`: every enabled channel, each on its own.

For one channel: respect a stored back-off (`next_allowed_at`) and the monthly read budget,
take the channel's lease, load the typed cursor, then fetch and ingest batch after batch
while the collector says there is more. Each batch is stored with its cursor in one
transaction, so a crash at any point loses nothing and duplicates nothing. A failing
channel is recorded and the run goes on with the next one; only the caller decides the exit
code from the outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ticketing.contract import AuthExpired, Batch, CollectorError, RateLimited, encode_cursor
from ticketing.errors import AduanError
from ticketing.faults import crash_point
from ticketing.intake import channel_state
from ticketing.intake.ingest import IngestResult
from ticketing.privacy.redact import redact

if TYPE_CHECKING:
    from ticketing.app import App
    from ticketing.config import ChannelSettings

MAX_BATCHES = 10_000  # a collector that keeps saying "more" this often is broken, not busy

OK = "ok"
RATE_LIMITED = "rate_limited"  # the channel asked us to wait: not a failure, the next run resumes
WAITING = "waiting"  # an earlier rate limit is still in force: skipped without a request
LOCKED = "locked"  # another run holds the channel: skipped, overlapping cron runs are harmless
BUDGET_SPENT = "budget_spent"  # the monthly read budget is used up: skipped until next month
AUTH_EXPIRED = "auth_expired"
FAILED = "failed"
FAILURES = frozenset({AUTH_EXPIRED, FAILED})


@dataclass
class ChannelRun:
    """What happened to one channel in one run; `aduan collect` prints one line from it."""

    channel: str
    type: str
    outcome: str = OK
    result: IngestResult = field(default_factory=IngestResult)
    error: str | None = None
    retry_at: datetime | None = None
    batches: int = 0
    reads: int = 0
    budget: channel_state.BudgetView | None = None
    note: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES


ProgressHook = Callable[[ChannelRun], None]


def collect(app: App, channel: str | None = None, since: datetime | None = None,
            progress: ProgressHook | None = None, owner: str | None = None) -> list[ChannelRun]:
    """Run every enabled channel (or the named one, enabled or not); never raise for one channel."""
    if channel is not None:
        channels = [app.settings.channel(channel)]
    else:
        channels = [c for c in app.settings.channels if c.enabled]
    owner = owner or channel_state.new_owner()
    runs = []
    for settings in channels:
        runs.append(run_channel(app, settings, since=since, progress=progress, owner=owner))
    return runs


def run_channel(app: App, settings: ChannelSettings, *, since: datetime | None = None,
                progress: ProgressHook | None = None, owner: str | None = None) -> ChannelRun:
    """Collect one channel; every error ends up in the returned `ChannelRun`, never raised."""
    from ticketing.store.db import read_session, run_write

    owner = owner or channel_state.new_owner()
    run = ChannelRun(settings.name, settings.type)
    now = app.now()
    try:
        with read_session(app.engine) as session:
            state = channel_state.get_state(session, settings.name)
            stored_cursor = state.cursor if state is not None else None
            next_allowed = state.next_allowed_at if state is not None else None
        run.budget = channel_state.budget_view(state, settings.section().get("monthly_read_budget"), now)
        if next_allowed is not None and next_allowed > now:
            run.outcome, run.retry_at = WAITING, next_allowed
            return run
        if run.budget is not None and run.budget.spent:
            run.outcome = BUDGET_SPENT
            return run
        if not run_write(app.engine, lambda s: channel_state.acquire_lease(s, settings.name, owner, now)):
            run.outcome = LOCKED
            return run
    except Exception as exc:  # the database itself failed: report it for this channel
        return _failed(run, exc)
    try:
        _collect_batches(app, settings, run, owner, None if since else stored_cursor, since, progress)
        _finish(app, run, owner, lambda s, at: channel_state.record_success(s, settings.name, at))
    except RateLimited as exc:
        run.outcome, run.retry_at, run.error = RATE_LIMITED, exc.retry_at, redact(exc)
        retry_at, error = exc.retry_at, run.error
        _finish(app, run, owner, lambda s, at: channel_state.record_rate_limit(s, settings.name, at, retry_at, error))
    except AuthExpired as exc:
        run.outcome, run.error = AUTH_EXPIRED, redact(exc)
        error, zone = run.error, app.settings.office.timezone
        _finish(app, run, owner, lambda s, at: channel_state.record_auth_expired(s, settings.name, at, error, zone))
    except Exception as exc:
        error = _failed(run, exc).error or ""
        _finish(app, run, owner, lambda s, at: channel_state.record_error(s, settings.name, at, error))
    return run


def _failed(run: ChannelRun, exc: BaseException) -> ChannelRun:
    run.outcome = FAILED
    if isinstance(exc, AduanError):
        run.error = redact(exc)
    else:  # a bug or a library error: keep its type so it can be found
        run.error = f"{type(exc).__name__}: {redact(exc)}"
    return run


def _finish(app: App, run: ChannelRun, owner: str, record: Callable[[Any, datetime], None]) -> None:
    """Record the outcome and free the lease in one transaction."""
    from ticketing.store.db import run_write

    now = app.now()

    def work(session) -> None:
        record(session, now)
        channel_state.release_lease(session, run.channel, owner)

    try:
        run_write(app.engine, work)
    except Exception as exc:  # the lease expires by itself; say why the state was not saved
        run.outcome = FAILED
        run.error = f"{run.error + '; ' if run.error else ''}state not saved: {redact(exc)}"


def _collect_batches(app: App, settings: ChannelSettings, run: ChannelRun, owner: str,
                     stored_cursor: str | None, since: datetime | None, progress: ProgressHook | None) -> None:
    from ticketing.contract.registry import build_collector

    collector = build_collector(settings, app.environ, clock=app.now, locale=app.settings.office.locale)
    policy = app.ingest_policy()
    try:
        cursor = collector.load_cursor(stored_cursor)
        while True:
            if run.budget is not None:
                # A channel that bills per item read stops inside a fetch once the month's budget is spent.
                collector.read_allowance = max(run.budget.limit - run.budget.used, 0)
            batch = collector.fetch(cursor)
            _store(app, settings, run, owner, batch, since, policy)
            if progress is not None:
                progress(run)
            if not batch.more:
                return
            if collector.dump_cursor(batch.next_cursor) == collector.dump_cursor(cursor):
                raise CollectorError(f"{settings.name}: the collector asked for more without moving its cursor "
                                     "(stuck pagination); stopping instead of looping")
            if run.budget is not None and run.budget.spent:
                run.note = "budget"
                return
            if run.batches >= MAX_BATCHES:
                raise CollectorError(f"{settings.name}: more than {MAX_BATCHES} batches in one run; stopping")
            cursor = batch.next_cursor
    finally:
        collector.close()


def _store(app: App, settings: ChannelSettings, run: ChannelRun, owner: str, batch: Batch,
           since: datetime | None, policy) -> None:
    """One batch, its cursor, its reads and the lease renewal in one transaction."""
    from ticketing.intake.ingest import ingest_batch
    from ticketing.store.db import run_write

    now = app.now()
    messages = batch.messages if since is None else [m for m in batch.messages if m.sent_at >= since]
    cursor_json = encode_cursor(batch.next_cursor)
    budget = run.budget

    def work(session) -> IngestResult:
        channel_state.renew_lease(session, settings.name, owner, now)
        result = ingest_batch(session, settings.name, messages, now=now, policy=policy, channel_type=settings.type,
                              cursor=cursor_json, quarantined=batch.quarantined)
        if budget is not None:
            channel_state.add_reads(session, settings.name, budget.month, batch.reads)
        crash_point("collect_before_commit")  # the fault tests kill the run here: nothing may be half-stored
        return result

    result = run_write(app.engine, work)
    run.result.add(result)
    run.batches += 1
    run.reads += batch.reads
    if budget is not None:
        run.budget = channel_state.BudgetView(budget.limit, budget.used + batch.reads, budget.month)


def check_channels(app: App, channel: str | None = None) -> list[tuple[str, bool, str]]:
    """Ask each enabled channel (or the named one) who we are: credentials and reachability.

    An expired credential flags the channel exactly as a collect run would (needs_reauth and one
    notification a day); a successful check clears the flag.
    """
    from ticketing.contract.registry import build_collector
    from ticketing.store.db import run_write

    if channel is not None:
        channels = [app.settings.channel(channel)]
    else:
        channels = [c for c in app.settings.channels if c.enabled]
    results = []
    for settings in channels:
        name = settings.name
        try:
            collector = build_collector(settings, app.environ, clock=app.now, locale=app.settings.office.locale)
            try:
                detail = collector.check()
            finally:
                collector.close()
            run_write(app.engine, lambda s, n=name: channel_state.clear_reauth(s, n))
            results.append((name, True, redact(detail)))
        except AuthExpired as exc:
            run_write(app.engine, lambda s, n=name, e=exc: channel_state.record_auth_expired(
                s, n, app.now(), str(e), app.settings.office.timezone))
            results.append((name, False, redact(exc)))
        except Exception as exc:
            results.append((name, False, _failed(ChannelRun(name, settings.type), exc).error or ""))
    return results
