"""Exceptions of the assistant core. Messages tell a call-taker or admin what to do.

::

    AssistantError
    ├── ConfigError        settings or a config file are invalid
    ├── ModelSetupError    a model is missing, failed verification, or could not be downloaded
    ├── StoreError         the ticket database cannot be opened or written
    ├── ValidationError    a ticket field is invalid (``field`` names it)
    ├── SessionFileError   a saved call session (or a draft being read) is missing or malformed
    └── DraftWriteError    the crash journal of the call in progress cannot be written
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every core error."""


class ConfigError(AssistantError):
    """Settings or a config file are invalid."""


class ModelSetupError(AssistantError):
    """A model is missing, failed verification, or could not be downloaded."""


class StoreError(AssistantError):
    """The ticket database cannot be opened or written (locked, unreachable, ...)."""


class ValidationError(AssistantError):
    """A ticket field is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class SessionFileError(AssistantError):
    """A saved call session is missing or malformed."""


class DraftWriteError(AssistantError):
    """The crash journal (draft) of the call in progress cannot be written: the call is NOT
    protected against a crash. Deliberately not a :class:`StoreError` (whose advice is "the
    draft is saved, submit again later")."""
