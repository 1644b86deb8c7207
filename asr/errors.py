"""Exceptions of the speech package. Messages tell a call-taker or admin what to do.

Every error ``asr`` raises on purpose derives from :class:`ASRError`::

    ASRError
    ├── ModelNotFoundError        the configured model folder does not exist
    ├── InvalidModelError         the folder is not a model of the expected kind
    ├── ModelDownloadError        downloading/installing a model failed (asr.models)
    ├── SampleRateMismatchError   audio at a rate the model cannot take
    ├── AudioFileError            an audio file is missing, empty, truncated or not audio
    ├── AudioDeviceError          no input device, device busy, or PortAudio missing
    ├── EngineUnavailableError    the engine's Python package / model is not installed
    ├── PipelineError             an unexpected error inside the recognition threads
    └── RecordingFormatError      an events.jsonl file not in the expected format
                                  (asr.recording)

``ValueError`` is raised for programming errors (an unknown engine name, a bad channel
count); ``OSError`` from the disk passes through where the caller words it.
"""

from __future__ import annotations

__all__ = [
    "ASRError",
    "AudioDeviceError",
    "AudioFileError",
    "EngineUnavailableError",
    "InvalidModelError",
    "ModelDownloadError",
    "ModelNotFoundError",
    "PipelineError",
    "RecordingFormatError",
    "SampleRateMismatchError",
]


class ASRError(Exception):
    """Base class of every speech-recognition error."""


class ModelNotFoundError(ASRError):
    """The configured model folder does not exist."""


class InvalidModelError(ASRError):
    """The folder exists but is not a model of the expected kind."""


class ModelDownloadError(ASRError):
    """Downloading or installing a model failed (offline, bad checksum, damaged zip)."""


class SampleRateMismatchError(ASRError):
    """Audio at a rate the model cannot take (and no resampling was allowed)."""


class AudioFileError(ASRError):
    """An audio file is missing, empty, truncated or not audio."""


class AudioDeviceError(ASRError):
    """No input device, the device is busy, or PortAudio is missing."""


class EngineUnavailableError(ASRError):
    """The engine's Python package is not installed."""


class PipelineError(ASRError):
    """An unexpected error inside the recognition threads (the original is ``__cause__``)."""


class RecordingFormatError(ASRError):
    """An ``events.jsonl`` file that is not in the expected format."""
