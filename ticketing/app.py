"""The application context: settings, database, calendar and the acting user, built lazily
so that a command pays only for what it uses."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from ticketing.clock import pinned_now, utcnow
from ticketing.config import Settings, load_settings
from ticketing.errors import ConfigError, PermissionDenied
from ticketing.workflow.roles import Actor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ticketing.intake.ingest import Classification, IngestPolicy
    from ticketing.sla.calendar import OfficeCalendar
    from ticketing.workflow.identity import Identity

class App:
    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None,
                 now: datetime | None = None, user: str | None = None, locale: str | None = None):
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self._now = now
        self._user = user
        self.locale = locale or settings.office.locale

    @classmethod
    def load(cls, config: str | None = None, user: str | None = None, locale: str | None = None,
             environ: Mapping[str, str] | None = None) -> App:
        environ = os.environ if environ is None else environ
        return cls(load_settings(config, environ, locale=locale), environ, user=user, locale=locale)

    def now(self) -> datetime:
        if self._now is not None:
            return self._now
        return pinned_now(self.environ) or utcnow()

    @cached_property
    def engine(self) -> Engine:
        from ticketing.store.db import open_database

        return open_database(self.settings.database.url, self.settings.database.busy_timeout_ms)

    @cached_property
    def calendar(self) -> OfficeCalendar:
        from ticketing.sla.calendar import OfficeCalendar

        try:
            return OfficeCalendar(self.settings.sla, self.settings.office.timezone)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    @property
    def warn_before(self) -> timedelta:
        return timedelta(hours=self.settings.sla.warn_before_hours)

    def working_days_for(self, found: Classification | None) -> int:
        sla = self.settings.sla
        if found is not None:
            if found.category and found.category in sla.by_category:
                return sla.by_category[found.category]
            if found.kind and found.kind in sla.by_kind:
                return sla.by_kind[found.kind]
        return sla.working_days

    def due_at(self, received_at: datetime, found: Classification | None = None) -> datetime:
        return self.calendar.due_at(received_at, self.working_days_for(found))

    def ingest_policy(self) -> IngestPolicy:
        from ticketing.intake.ingest import IngestPolicy

        return IngestPolicy(
            reopen_window=timedelta(days=self.settings.ingest.reopen_window_days),
            due_at=self.due_at,
            classify=self.classifier(),
            native_answers=self.native_replies_answer,
            timezone=self.settings.office.timezone,
        )

    def native_replies_answer(self, channel: str) -> bool:
        """Does an office reply made in this channel's own app answer the ticket? (default yes)"""
        found = next((c for c in self.settings.channels if c.name == channel), None)
        return found.native_replies_answer if found is not None else True

    def classifier(self):
        """The message classifier from the routing rules (`routing.rules_file`, else the shipped
        rules), or None when `routing.enabled` is false."""
        if not self.settings.routing.enabled:
            return None
        from ticketing.routing import load_classifier

        return load_classifier(self.settings.routing, self.settings.source)

    @cached_property
    def identity(self) -> Identity:
        from ticketing.workflow.identity import resolve

        return resolve(self.settings, self._user, self.environ)

    def routing_classifier(self):
        """The classifier whatever `routing.enabled` says (for `aduan classify` and `aduan route`)."""
        from ticketing.routing import load_classifier

        return load_classifier(self.settings.routing, self.settings.source)

    def username(self) -> str | None:
        return self.identity.username

    def audit_name(self) -> str:
        """Who to name in an audit event even when the identity itself was refused."""
        from ticketing.workflow.identity import os_account

        try:
            return self.identity.username or f"os:{self.identity.os_account}"
        except PermissionDenied:
            return f"os:{os_account()}"

    def actor(self) -> Actor:
        """The acting staff member; unknown users are refused with how to add them."""
        username = self.username()
        if username is None:
            from ticketing.workflow.identity import not_staff

            raise not_staff(self.identity.os_account)
        staff = self.settings.staff_member(username)
        if staff is None:
            from ticketing.i18n_cli import message

            raise PermissionDenied(message("not_staff", self.locale, user=username,
                                           source=self.settings.source or "config.yaml"))
        return Actor(staff.username, staff.role, staff.bidang, staff.name)
