"""Personal data: what is masked, redacted, purged and exported (UU 27/2022 PDP).

`safety` (terminal-safe text, NIK/KK, phone and e-mail masking), `redact` (secrets out of logs and
errors), `rules` (public-reply guard, retention purge), `subject_export` (a citizen's access
request). May import the store and the contract; `redact` and `safety` import nothing of aduan.
"""
