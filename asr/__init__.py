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

# Heavier pieces (pipeline, sources, engines) are imported from their modules:
# ``from asr.pipeline import Transcriber``, ``from asr.audio import FileSource``,
# ``from asr.select import create_engine`` — importing ``asr`` itself stays cheap.

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
