"""Call recording cost: what saving the audio adds to the recogniser's reader thread.

A live call's audio goes chunk by chunk through ``asr.recording.AudioTap`` into an
``AudioRecorder`` (WAV headers patched after every block, so a crash keeps a playable
file). The reader thread must never fall behind the microphone: the figure that matters
is the time per chunk against the chunk's own duration. Also measured: the catch-up when
the session folder appears after the first seconds of the call (the tap's backlog).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from asr.events import AudioChunk
from asr.recording import AudioRecorder, AudioTap

RATE = 16000
CHUNK_S = 0.1  # the microphone source's block size
MINUTES = 10


def _chunks(seconds: float, channels: int) -> list[AudioChunk]:
    rng = np.random.default_rng(0)
    n = int(CHUNK_S * RATE)
    out: list[AudioChunk] = []
    for i in range(int(seconds / CHUNK_S)):
        for ch in range(channels):
            samples = (rng.standard_normal(n) * 3000).astype(np.int16)
            out.append(AudioChunk(ch, samples, RATE, i * CHUNK_S))
    return out


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _steady(channels: int) -> dict[str, Any]:
    chunks = _chunks(MINUTES * 60, channels)
    with tempfile.TemporaryDirectory() as tmp:
        tap = AudioTap()
        tap.configure(RATE, channels)
        tap.attach(lambda rate, ch: AudioRecorder(tmp, sample_rate=rate, channels=ch))
        times: list[float] = []
        t_all = time.perf_counter()
        for c in chunks:
            t0 = time.perf_counter()
            tap.write_audio(c)
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - t_all
        tap.sink.close()
        size = (Path(tmp) / "audio.wav").stat().st_size
    per_block = [sum(times[i : i + channels]) for i in range(0, len(times), channels)]
    return {
        "case": f"steady, {channels} ch",
        "audio_min": MINUTES,
        "ms_per_0.1s_block_p50": round(_pct(per_block, 50) * 1000, 3),
        "ms_per_0.1s_block_p99": round(_pct(per_block, 99) * 1000, 3),
        "ms_per_0.1s_block_max": round(max(per_block) * 1000, 3),
        "share_of_realtime_%": round(100 * total / (MINUTES * 60), 3),
        "wav_MB": round(size / 1e6, 1),
    }


def _backlog(seconds: float, channels: int = 2) -> dict[str, Any]:
    """The session folder appears ``seconds`` into the call: the tap writes its backlog."""
    chunks = _chunks(seconds, channels)
    with tempfile.TemporaryDirectory() as tmp:
        tap = AudioTap()
        tap.configure(RATE, channels)
        for c in chunks:
            tap.write_audio(c)
        t0 = time.perf_counter()
        tap.attach(lambda rate, ch: AudioRecorder(tmp, sample_rate=rate, channels=ch))
        dt = time.perf_counter() - t0
        tap.sink.close()
    return {
        "case": f"backlog of {seconds:.0f} s, {channels} ch",
        "catch_up_ms": round(dt * 1000, 1),
        "note": "written once the session folder exists (knowledge engine loaded)",
    }


def run() -> list[dict[str, Any]]:
    return [_steady(1), _steady(2), _backlog(6.0), _backlog(60.0)]
