"""Hand-written mails (tests/data/mail/*.eml) with their expectations (*.yaml)."""
