"""Webhooks: signed POSTs stored first, ingested afterwards from the stored copy.

`receiver` (the Starlette app behind `aduan webhook serve`; finds webhook channels through the
registry and lets each collector verify its own signature) and `queue` (stored deliveries turned
into messages through intake). May import the contract, the store, intake and privacy.
"""
