"""Scrub secrets from text before it reaches a log, an error message, the database or Redis.

NIK/KK numbers in the text become keyed pseudonyms (`NIK#<hmac8>`, see ticketing.privacy.safety).
Tokens travel in URLs (Graph `access_token=`, `appsecret_proof=`, Telegram `/bot<id>:<token>/`)
and `requests` puts the full URL into its exception text. Every configured secret value is also
registered here when it is read from the environment.
"""

from __future__ import annotations

import re

from ticketing.privacy.safety import pseudonymise

_PATTERNS = [
    (re.compile(r"(access_token|appsecret_proof|client_secret|input_token|debug_token|hub\.verify_token|"
                r"password|api_key|token)=([^&\s\"']+)", re.I), r"\1=[REDACTED]"),
    (re.compile(r"/bot\d+:[A-Za-z0-9_-]+"), "/bot[REDACTED]"),
    (re.compile(r"(Authorization['\"]?\s*[:=]\s*['\"]?(?:Bearer|OAuth|Basic)?\s*)[^\s'\",}]+", re.I),
     r"\1[REDACTED]"),
    (re.compile(r"(oauth_(?:token|signature|consumer_key)=\")[^\"]+"), r"\1[REDACTED]"),
    # a password in a URL's userinfo (database and Redis URLs): scheme://user:PASSWORD@host
    (re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s'\"]*:)[^@\s'\"]+@", re.I), r"\1[REDACTED]@"),
]
_known_secrets: set[str] = set()
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def register_secret(value: str) -> None:
    if value and len(value) >= MIN_SECRET_LENGTH:
        _known_secrets.add(value)


def redact(text: object) -> str:
    result = str(text)
    for secret in sorted(_known_secrets, key=len, reverse=True):
        if secret in result:
            result = result.replace(secret, "[REDACTED]")
    for pattern, replacement in _PATTERNS:
        result = pattern.sub(replacement, result)
    return pseudonymise(result)  # NIK/KK numbers become NIK#<hmac8>: joinable, not readable
