"""Speech recognition: audio sources, streaming recognisers (Vosk, faster-whisper),
Mandarin text normalisation and session recording. Imports neither ``knowledge`` nor
``textual``."""

from asr.errors import (
    ASRError,
    AudioDeviceError,
    AudioFileError,
    EngineUnavailableError,
    InvalidModelError,
    ModelNotFoundError,
    SampleRateMismatchError,
)
from asr.events import AudioChunk, TranscriptEvent, Word

__all__ = [
    "ASRError",
    "AudioChunk",
    "AudioDeviceError",
    "AudioFileError",
    "EngineUnavailableError",
    "InvalidModelError",
    "ModelNotFoundError",
    "SampleRateMismatchError",
    "TranscriptEvent",
    "Word",
]
