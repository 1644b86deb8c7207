"""Exceptions of the assistant core. Messages tell a call-taker or admin what to do."""

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
