"""The root of aduan's error tree, importable without any heavy dependency."""

from __future__ import annotations


class AduanError(Exception):
    """Base of every error aduan raises on purpose; its text is safe to show a user."""


class ConfigError(AduanError):
    """The configuration is invalid; the message names the key, the value and the fix."""


class NotFound(AduanError):
    """A ticket, message or user that does not exist."""


class InvalidTransition(AduanError):
    """A status change the SOP does not allow."""


class PermissionDenied(AduanError):
    """The acting user's role does not allow this action."""
