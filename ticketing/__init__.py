"""Everything that is not channel-specific, one package per concept.

    contract/    the channel contract (ports): messages, cursors, the Collector base, the registry
    intake/      ingest and the collect runner          webhooks/   signed POSTs, stored then ingested
    store/       tables, sessions, migrations, SQL      workflow/   statuses, transitions, audit, roles
    sla/         calendar and the SLA clock             background/ worker jobs and inline mode
    outbound/    replies (outbox) and staff notices     reports/    recaps and the monthly report
    privacy/     masking, redaction, purge, export      routing/    kind, category and bidang
    config/      typed settings                         errors.py   the error tree, by what to do

Collectors (`collectors/`) import `ticketing.contract`; nothing here imports a collector module.
"""
