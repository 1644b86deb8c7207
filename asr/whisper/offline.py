"""The second pass: a whole recording decoded offline, as well as the model can hear it.

The live path (:mod:`asr.whisper.recogniser`) must give each utterance's final within a
second of its end, so it decodes VAD-cut utterances one at a time without timestamps. A
recording that is already complete (``hotline transcribe FILE``, a reviewer's
re-transcription of a saved session) has no such limit: here each channel goes through
faster-whisper's own long-form ``transcribe`` — 30-second windows advanced by the model's
timestamps, beam search, temperature fallback driven by the compression ratio and the
average log-probability, the previous window's text as context — which is exactly how the
plain model is run offline, so the second pass is as good as the model.

On a call channel (longer than one window, or with speech apart by long silences),
faster-whisper's Silero VAD (``vad_filter``) first removes the long silences — the other
party's turns, where Whisper otherwise invents subtitles or stops decoding — with low
thresholds (telephone speech scores low with Silero's 16 kHz model) and ``min_silence_ms``
long enough that a pause inside a sentence never splits it. A single utterance is decoded
whole, exactly as the plain model does. The
same guards as the live path apply to every segment (prompt echo, loops, known
hallucinations, improbable text), and each kept segment becomes a final
:class:`~asr.events.TranscriptEvent` with its own times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from asr.audio import AudioSource
from asr.errors import ASRError
from asr.events import Speaker, TranscriptEvent
from asr.text import normalize_text
from asr.whisper.filters import compression_ratio
from asr.whisper.recogniser import ENGINE_NAME
from asr.whisper.vad import SAMPLE_RATE

if TYPE_CHECKING:
    from asr.whisper.decoder import WhisperEngine

__all__ = ["OfflineConfig", "transcribe_array", "transcribe_channel", "transcribe_source"]


@dataclass(frozen=True, slots=True)
class OfflineConfig:
    """Decoding settings of the second pass (the defaults are the plain model's)."""

    beam_size: int = 5
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    vad_filter: bool = True
    vad_min_recording_s: float = 30.0  # shorter, with one stretch of speech: decoded whole
    vad_threshold: float = 0.25  # low: only long silences are removed, never quiet speech
    vad_neg_threshold: float = 0.1
    min_silence_ms: int = 2000
    speech_pad_ms: int = 600
    seed: int = 0  # temperature fallback samples: seeded, so a re-run gives the same text


def transcribe_channel(
    engine: WhisperEngine,
    audio: np.ndarray,
    speaker: Speaker = "caller",
    channel: int = 0,
    *,
    t0: float = 0.0,
    config: OfflineConfig | None = None,
) -> list[TranscriptEvent]:
    """Decode one channel (16 kHz float32 mono) offline; one final event per kept segment."""
    import ctranslate2

    cfg = config or OfflineConfig()
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if not audio.size:
        return []
    ctranslate2.set_random_seed(cfg.seed)
    vad = {
        "threshold": cfg.vad_threshold,
        "neg_threshold": cfg.vad_neg_threshold,
        "min_silence_duration_ms": cfg.min_silence_ms,
        "speech_pad_ms": cfg.speech_pad_ms,
    }
    use_vad = cfg.vad_filter and _has_long_silence(audio, vad, cfg.vad_min_recording_s)
    with engine.decoder_lock():
        segments, _info = engine.model.transcribe(
            audio,
            language=engine.language,
            beam_size=cfg.beam_size,
            temperature=list(cfg.temperatures),
            compression_ratio_threshold=engine.compression_ratio_threshold,
            log_prob_threshold=engine.log_prob_threshold,
            no_speech_threshold=engine.no_speech_threshold,
            condition_on_previous_text=cfg.condition_on_previous_text,
            initial_prompt=engine.initial_prompt or None,
            hotwords=engine.hotwords,
            vad_filter=use_vad,
            vad_parameters=vad if use_vad else None,
        )
        decoded = list(segments)
    events: list[TranscriptEvent] = []
    for seg in decoded:
        result = engine.guard(
            seg.text,
            float(seg.avg_logprob),
            float(seg.no_speech_prob),
            compression_ratio(seg.text),
            float(seg.temperature or 0.0),
        )
        if not result.raw:
            continue
        events.append(
            TranscriptEvent(
                speaker=speaker,
                text=normalize_text(result.raw),
                start=round(t0 + float(seg.start), 3),
                end=round(t0 + float(seg.end), 3),
                final=True,
                raw=result.raw,
                words=(),
                channel=channel,
                engine=ENGINE_NAME,
            )
        )
    return events


def _has_long_silence(audio: np.ndarray, vad: dict[str, float], window_s: float) -> bool:
    """Whether the VAD should cut ``audio``: always for a recording longer than one window;
    for a shorter one only when it holds two or more stretches of speech apart by a long
    silence (a call channel: Whisper's long-form decoding loses the speech after a long
    silence). A single utterance is decoded whole, as the plain model decodes it: the 16 kHz
    VAD misses quiet telephone-band speech there."""
    if len(audio) / SAMPLE_RATE > window_s:
        return True
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return len(get_speech_timestamps(audio, VadOptions(**vad))) >= 2


def transcribe_array(
    engine: WhisperEngine,
    samples: np.ndarray,
    sample_rate: int,
    speakers: Sequence[Speaker] = ("caller", "agent"),
    *,
    config: OfflineConfig | None = None,
) -> list[TranscriptEvent]:
    """Decode a whole recording (``(n,)`` mono or ``(n, channels)``; int16 or float; any
    rate, resampled with soxr) channel by channel; events in time order."""
    if sample_rate <= 0:
        raise ASRError(f"invalid sample rate {sample_rate}")
    data = np.asarray(samples)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ASRError(f"expected (samples,) or (samples, channels) audio, got {data.shape}")
    if np.issubdtype(data.dtype, np.integer):
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max + 1)
    data = data.astype(np.float32, copy=False)
    events: list[TranscriptEvent] = []
    for ch in range(data.shape[1]):
        mono = data[:, ch]
        if sample_rate != SAMPLE_RATE:
            import soxr

            mono = soxr.resample(mono, sample_rate, SAMPLE_RATE).astype(np.float32)
        speaker = speakers[ch] if ch < len(speakers) else speakers[-1]
        events.extend(transcribe_channel(engine, mono, speaker, ch, config=config))
    return sorted(events, key=lambda e: (e.start, e.channel))


def transcribe_source(
    engine: WhisperEngine,
    source: AudioSource,
    speakers: Sequence[Speaker] = ("caller", "agent"),
    *,
    config: OfflineConfig | None = None,
) -> list[TranscriptEvent]:
    """Read a whole :class:`~asr.audio.AudioSource` (a file) and decode it offline."""
    parts: dict[int, list[np.ndarray]] = {}
    rate = SAMPLE_RATE
    try:
        for chunk in source.chunks():
            parts.setdefault(chunk.channel, []).append(np.asarray(chunk.samples))
            rate = chunk.sample_rate
    finally:
        source.close()
    if not parts:
        return []
    n = max(sum(len(p) for p in chans) for chans in parts.values())
    data = np.zeros((n, max(parts) + 1), dtype=np.int16)
    for ch, chans in parts.items():
        mono = np.concatenate(chans).astype(np.int16, copy=False)
        data[: len(mono), ch] = mono
    return transcribe_array(engine, data, rate, speakers, config=config)
