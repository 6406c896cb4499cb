"""Smaller truths: the reference year is the office's, and a reopened ticket's new deadline
follows the ticket's own policy (per category), exactly as `sla recompute` computes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.factories import inbound
from ticketing.app import App
from ticketing.config import Settings
from ticketing.intake.ingest import Classification, ingest_batch
from ticketing.sla.deadlines import new_due
from ticketing.store.db import read_session, write_session
from ticketing.store.models import Ticket
from ticketing.workflow import transitions as workflow
from ticketing.workflow.roles import Actor

ADMIN = Actor("admin1", "admin")


def _app(db_url: str, now: datetime) -> App:
    settings = Settings.model_validate({"database": {"url": db_url},
                                        "sla": {"working_days": 3, "by_category": {"akta-kelahiran": 7}}})
    return App(settings, environ={}, now=now)


def test_a_message_at_0630_wib_on_1_january_gets_that_years_number(db_url):
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 06:30 WIB, Friday 1 January 2027
    app = _app(db_url, new_year)
    with write_session(app.engine) as session:
        # 23:30 WIB on 31 December, then 06:30 WIB on 1 January (still 2026 in UTC)
        ingest_batch(session, "x-test", [inbound(1, base=new_year - timedelta(hours=7, seconds=1)),
                                         inbound(2, base=new_year - timedelta(seconds=2))],
                     now=new_year, policy=app.ingest_policy())
    with read_session(app.engine) as session:
        refs = sorted(session.exec(select(Ticket.ref)).all())
    assert refs == ["ADU-2026-000001", "ADU-2027-000002"]
    app.engine.dispose()


def test_reopen_uses_the_categorys_policy_on_both_paths(db_url):
    received = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
    app = _app(db_url, received)
    policy = app.ingest_policy()
    with write_session(app.engine) as session:
        ingest_batch(session, "x-test", [inbound(1, base=received, text="akta kelahiran anak sy blm jadi")],
                     now=received, policy=policy)
        ticket = session.exec(select(Ticket)).one()
        assert ticket.category == "akta-kelahiran"
        ticket.status, ticket.answered_at = "answered", received + timedelta(hours=2)
    again = received + timedelta(days=1)  # the citizen writes again the next day: ingest reopens
    with write_session(app.engine) as session:
        ingest_batch(session, "x-test", [inbound(2, base=again, thread="t1", author="u1", text="sudah 2 minggu")],
                     now=again, policy=policy)
    expected = new_due(app, again + timedelta(seconds=2), None, "akta-kelahiran", 0)
    default = app.due_at(again + timedelta(seconds=2), Classification(None, None, None))
    assert expected != default
    with read_session(app.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        assert ticket.status == "new" and ticket.due_at == expected
    with write_session(app.engine) as session:  # the admin path: answered, then `aduan reopen`
        ticket = session.exec(select(Ticket)).one()
        ticket.status = "answered"
        later = again + timedelta(days=1)
        workflow.reopen(session, ticket, ADMIN, later, due_at=new_due(app, later, ticket.kind, ticket.category, 0))
        assert ticket.due_at == app.due_at(later, Classification(None, "akta-kelahiran", None))
    app.engine.dispose()


def test_a_template_never_promises_a_date_that_has_passed(db_url):
    from ticketing.workflow.templates import promised_date

    now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB
    app = _app(db_url, now)
    overdue = now - timedelta(days=2)
    promised = promised_date(app.calendar, overdue, now)
    assert promised == app.calendar.closing_time(datetime(2026, 11, 30).date())  # Monday, the next working day
    ahead = now + timedelta(days=1)
    assert promised_date(app.calendar, ahead, now) == ahead
    app.engine.dispose()
