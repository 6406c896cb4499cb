"""The SOP workflow: statuses, transitions, the audit trail, roles, templates and read views.

`statuses` (the status machine as data), `transitions` (every change of a ticket, each with its
audit event), `audit` (the hash-chained event log), `roles` (who may do what), `templates`
(canned replies), `views` (read models for the inbox and the ticket view, stable for `--json`).
May import the store, sla, outbound and privacy.
"""
