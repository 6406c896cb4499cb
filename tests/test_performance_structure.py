"""Performance by structure, not by timing (issue 11): what makes the budgets reachable at all.

* `aduan --help` and each command's own help load none of the heavy libraries (the start-up
  budget is 2x a bare `import typer, rich`); tests/test_cli_seed.py checks the top-level help.
* The queries behind the inbox, the SLA sweep and timers, and the monthly recap read `ticket`
  and `message` through indexes: every statement they really execute (captured from the
  engine) is run through EXPLAIN QUERY PLAN, and no step may be a full SCAN of either table.
  A query that drops its index keeps passing every functional test and only gets slow at a
  million rows; this catches it on a table of a few dozen.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from tests.cli_helpers import ROOT
from tests.conftest import PINNED_NOW
from tests.factories import batch
from tests.test_cli_seed import HEAVY

BIG_TABLES = ("ticket", "message")


@pytest.mark.parametrize("args", [["inbox", "--help"], ["show", "--help"], ["recap", "monthly", "--help"],
                                  ["worker", "--help"], ["collect", "--help"]])
def test_command_help_imports_nothing_heavy(args):
    code = (f"import sys, runpy; sys.argv = ['aduan', *{args!r}]\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print('LOADED', loaded)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Penggunaan" in proc.stdout, proc.stdout[-500:] + proc.stderr[-500:]  # the checkout's config: id
    assert "LOADED []" in proc.stdout, proc.stdout[-500:]


MODEL_MODULES = ("ticketing.routing.model", "ticketing.routing.hybrid", "ticketing.routing.training",
                 "sklearn", "numpy", "scipy")


@pytest.mark.parametrize("args", [["--help"], ["inbox"], ["inbox", "--json"], ["classify", "--help"]])
def test_inbox_and_help_import_no_model_library(tmp_path, args):
    """The routing model is loaded by classifying commands only (issue 19); the inbox never pays for it."""
    from tests.cli_helpers import make_config

    config = make_config(tmp_path)
    code = (f"import sys, runpy; sys.argv = ['aduan', '--config', {str(config)!r}, *{args!r}]\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"loaded = [m for m in {MODEL_MODULES!r} if m in sys.modules]\n"
            "print('LOADED', loaded)")
    env = {"ADUAN_USER": "admin1", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert "LOADED []" in proc.stdout, proc.stdout[-500:] + proc.stderr[-500:]


def test_classifying_does_load_the_model(tmp_path):
    """The check above has teeth: `aduan classify TEXT` imports the model module."""
    from tests.cli_helpers import make_config

    config = make_config(tmp_path)
    code = (f"import sys, runpy; sys.argv = ['aduan', '--config', {str(config)!r}, 'classify', 'ktp saya hilang']\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('LOADED', 'ticketing.routing.model' in sys.modules)")
    env = {"ADUAN_USER": "admin1", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert "LOADED True" in proc.stdout, proc.stdout[-500:] + proc.stderr[-500:]


def full_scans(plan_rows) -> list[str]:
    """Plan steps reading all of `ticket` or `message`: SCAN without an index (a covering index is fine)."""
    steps = [row[-1] for row in plan_rows]
    return [step for step in steps
            if step.startswith("SCAN ") and step.split()[1] in BIG_TABLES and "USING" not in step]


def test_full_scans_helper_tells_scan_from_search():
    assert full_scans([(0, 0, 0, "SCAN ticket")]) == ["SCAN ticket"]
    assert full_scans([(0, 0, 0, "SCAN message")]) == ["SCAN message"]
    assert full_scans([(0, 0, 0, "SCAN ticket USING COVERING INDEX ix_ticket_received")]) == []
    assert full_scans([(0, 0, 0, "SEARCH ticket USING INDEX ix_ticket_status_due (status=?)")]) == []
    assert full_scans([(0, 0, 0, "SCAN notification")]) == []


@pytest.fixture
def seeded(sqlite_engine):
    """A migrated SQLite inbox with open, answered and closed tickets (plans need the schema, not volume)."""
    from ticketing.intake.ingest import IngestPolicy, ingest_batch
    from ticketing.store.db import write_session

    policy = IngestPolicy(due_at=lambda received, _c: received + timedelta(days=3))
    with write_session(sqlite_engine) as session:
        ingest_batch(session, "x-test", batch(40, base=PINNED_NOW - timedelta(days=20), threads=20), now=PINNED_NOW,
                     policy=policy, channel_type="x")
        session.connection().exec_driver_sql(
            "UPDATE ticket SET status = 'answered', answered_at = received_at WHERE id % 3 = 0")
        session.connection().exec_driver_sql(
            "UPDATE ticket SET status = 'closed', answered_at = received_at, closed_at = received_at "
            "WHERE id % 3 = 1")
    return sqlite_engine


def captured_statements(engine, work) -> list[tuple[str, object]]:
    """Every single-row statement `work(session)` executes, with its parameters."""
    import sqlalchemy as sa
    from sqlmodel import Session

    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            work(session)
            session.rollback()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return seen


def assert_indexed(engine, statements) -> None:
    assert statements, "nothing was captured: the check would pass vacuously"
    problems = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            problems += [f"{step}\n    in: {' '.join(statement.split())[:300]}" for step in full_scans(plan)]
    assert not problems, "full table scans:\n" + "\n".join(problems)


def test_inbox_queries_use_indexes(seeded):
    from ticketing.workflow.views import InboxFilter, inbox_query

    def work(session):
        for filters in (InboxFilter(limit=50), InboxFilter(limit=50, overdue=True),
                        InboxFilter(limit=50, search="ktp"), InboxFilter(limit=50, statuses=["answered"])):
            assert session.exec(inbox_query(filters, PINNED_NOW, session)).all() is not None

    statements = captured_statements(seeded, work)
    assert any("FROM ticket" in s for s, _p in statements)
    assert_indexed(seeded, statements)


def test_sla_sweep_and_timer_queries_use_indexes(seeded):
    from ticketing.sla import tracking as sla

    def work(session):
        result = sla.sweep(session, PINNED_NOW, timedelta(hours=4))
        assert result.breached, "the seeded tickets are overdue: the sweep must claim them"
        sla.timers_due_within(session, PINNED_NOW - timedelta(days=19), timedelta(hours=24), timedelta(hours=4))
        sla.at_risk(session, PINNED_NOW, timedelta(hours=4))

    statements = captured_statements(seeded, work)
    assert any(s.lstrip().upper().startswith("UPDATE TICKET") for s, _p in statements)
    assert_indexed(seeded, statements)


def test_monthly_recap_queries_use_indexes(seeded):
    from ticketing.config import SlaSettings
    from ticketing.reports.recap import monthly_recap
    from ticketing.sla.calendar import OfficeCalendar

    def work(session):
        report = monthly_recap(session, OfficeCalendar(SlaSettings()), 2026, 11, PINNED_NOW)
        assert report["total"] > 0

    statements = captured_statements(seeded, work)
    assert len(statements) >= 3  # cube, answer times, backlog
    assert_indexed(seeded, statements)


def test_a_dropped_index_is_caught(seeded):
    """The check has teeth: without the received_at index the recap's month filter scans `ticket`."""
    from ticketing.config import SlaSettings
    from ticketing.reports.recap import monthly_recap
    from ticketing.sla.calendar import OfficeCalendar

    with seeded.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_ticket_received")
    statements = captured_statements(
        seeded, lambda session: monthly_recap(session, OfficeCalendar(SlaSettings()), 2026, 11, PINNED_NOW))
    with pytest.raises(AssertionError, match="SCAN ticket"):
        assert_indexed(seeded, statements)
