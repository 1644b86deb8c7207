"""Exceptions of the speech package. Messages tell a call-taker or admin what to do."""

from __future__ import annotations


class ASRError(Exception):
    """Base class of every speech-recognition error."""


class ModelNotFoundError(ASRError):
    """The configured model folder does not exist."""


class InvalidModelError(ASRError):
    """The folder exists but is not a model of the expected kind."""


class SampleRateMismatchError(ASRError):
    """Audio at a rate the model cannot take (and no resampling was allowed)."""


class AudioFileError(ASRError):
    """An audio file is missing, empty, truncated or not audio."""


class AudioDeviceError(ASRError):
    """No input device, the device is busy, or PortAudio is missing."""


class EngineUnavailableError(ASRError):
    """The engine's Python package is not installed."""
