"""Speech recognition: audio sources, streaming recognisers (Vosk, faster-whisper),
Mandarin text normalisation and session recording. Imports neither ``knowledge`` nor
``textual``.

Importing ``asr`` loads only its errors, result types and the recogniser interface (and
numpy); the rest is imported from where it lives:

* :mod:`asr.errors` — the exception tree (drawn in its docstring).
* :mod:`asr.events` — :class:`Word`, :class:`TranscriptEvent`, :class:`AudioChunk`.
* :mod:`asr.engine` — the :class:`Recognizer` / :class:`EngineFactory` protocols.
* :mod:`asr.select` — THE engine choice (``choose_engine``) and ``create_engine``.
* :mod:`asr.models` — Vosk model checks and downloads.
* :mod:`asr.vosk_engine` — the Vosk engine.
* :mod:`asr.whisper` — the faster-whisper engine (model, VAD, guards, decoder, recogniser).
* :mod:`asr.audio` — file / array / microphone sources and THE pacing clock.
* :mod:`asr.pipeline` — ``Transcriber``: source -> per-channel recognisers -> events.
* :mod:`asr.recording` — save a session as audio + ``events.jsonl``; read and replay it.
* :mod:`asr.jsonl` — THE JSON Lines writer and reader.
* :mod:`asr.text` — Mandarin text normalisation, numerals, phone validity and CER.
"""

from asr.engine import EngineFactory, Recognizer
from asr.errors import (
    ASRError,
    AudioDeviceError,
    AudioFileError,
    EngineUnavailableError,
    InvalidModelError,
    ModelDownloadError,
    ModelNotFoundError,
    PipelineError,
    RecordingFormatError,
    SampleRateMismatchError,
)
from asr.events import AudioChunk, Speaker, TranscriptEvent, Word

__all__ = [
    "ASRError",
    "AudioChunk",
    "AudioDeviceError",
    "AudioFileError",
    "EngineFactory",
    "EngineUnavailableError",
    "InvalidModelError",
    "ModelDownloadError",
    "ModelNotFoundError",
    "PipelineError",
    "Recognizer",
    "RecordingFormatError",
    "SampleRateMismatchError",
    "Speaker",
    "TranscriptEvent",
    "Word",
]
