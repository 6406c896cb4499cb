"""Outbound: what leaves the office, each item exactly once.

`outbox` (replies to citizens: rows first, channel calls second; unknown outcomes settled by an
admin) and `notify` (notices to staff: escalations, SLA warnings and breaches, re-authorisation).
May import the contract, the store, workflow and privacy; collectors only through the registry.
"""
