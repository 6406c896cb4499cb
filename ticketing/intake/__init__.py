"""Intake: how a channel's messages become stored messages and tickets.

`ingest` (idempotent batches, threading, reopening), `collect` (the runner behind `aduan
collect`: leases, cursors saved with their messages, one failing channel never stops another),
`channel_state` (lease, errors, back-off, re-authorisation, read budget), `reply_threads`
(finding the ticket of a reply), `bounces` (delivery reports that arrive as messages), `quarantine`
(items that could not be read, kept for an admin, and their handling). May import
the contract, the store, workflow (statuses, audit) and privacy; never a collector module.
"""
