"""Least privileges on PostgreSQL: one database role per part of aduan, the audit log append-only.

`aduan db grants` prints (or, with --apply, runs) the GRANTs below. Each role reads every table;
it writes only the tables its part writes; none of them may UPDATE, DELETE or TRUNCATE `event`
or change `alembic_version` (migrations run as the owner). So the audit trail is append-only
in the database itself, whatever code runs under those roles. Tables a later migration adds get
no write privilege until the grants are run again, which fails safe.
"""

from __future__ import annotations

from collections.abc import Iterable

AUDIT_TABLE = "event"
VERSION_TABLE = "alembic_version"
INTAKE_TABLES = ("contact", "contact_handle", "ticket", "message", "message_revision", "attachment",
                 "quarantine", "collector_state", "notification", "webhook_delivery")
WRITES: dict[str, tuple[str, ...]] = {
    # `aduan collect` and `aduan webhook serve`: new messages and tickets, cursors, alerts
    "collector": INTAKE_TABLES,
    # `aduan worker`: deliveries, SLA timers, notifications, webhook processing (ingest too)
    "worker": (*INTAKE_TABLES, "escalation"),
    # admins, teknis and supervisors at the terminal: the workflow, and purges (DELETE)
    "cli": (*INTAKE_TABLES, "escalation"),
}
DELETES: dict[str, tuple[str, ...]] = {
    "collector": (),
    "worker": ("notification",),
    "cli": ("contact", "contact_handle", "message_revision", "attachment", "quarantine", "notification",
            "webhook_delivery"),
}
DEFAULT_PREFIX = "aduan_"


def role_name(part: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}{part}"


def _quote(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"role name {name!r}: use letters, digits and _")
    return f'"{name}"'


def grant_statements(tables: Iterable[str], prefix: str = DEFAULT_PREFIX, create: bool = True) -> list[str]:
    """The SQL for every role; `tables` are the tables that exist (grants on others would fail)."""
    existing = set(tables)
    sql: list[str] = []
    for part in WRITES:
        role = _quote(role_name(part, prefix))
        if create:
            sql.append(f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        sql.append(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        sql.append(f"GRANT USAGE ON SCHEMA public TO {role}")
        sql.append(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        sql.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        if AUDIT_TABLE in existing:
            sql.append(f"GRANT INSERT ON {AUDIT_TABLE} TO {role}")
        writes = [t for t in WRITES[part] if t in existing]
        if writes:
            sql.append(f"GRANT INSERT, UPDATE ON {', '.join(writes)} TO {role}")
        deletes = [t for t in DELETES[part] if t in existing]
        if deletes:
            sql.append(f"GRANT DELETE ON {', '.join(deletes)} TO {role}")
    if AUDIT_TABLE in existing:
        sql.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM PUBLIC")
    return sql
