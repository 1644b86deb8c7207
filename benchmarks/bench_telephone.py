"""Whisper base on real speech, wideband and telephone band: anchor, second pass, live.

One run prints, for each clip set (``real``, ``real/tel``, ``real_more``, ``real_more/tel``;
see :mod:`benchmarks.telephone_clips`), scored the same way (punctuation dropped, numerals as
digits on both sides, :func:`asr.text.normalize_for_scoring`):

* ``anchor`` — the plain model offline: faster-whisper ``transcribe`` (beam 5, no VAD, the
  Simplified prompt, OpenCC t2s), the file decoded by faster-whisper itself; its temperature
  fallback samples with a fixed seed per clip, so runs agree;
* ``second pass`` — :mod:`asr.whisper.offline`, what ``hotline transcribe FILE`` runs;
* ``live`` — the streaming recogniser, paced in real time: the set's clips alternate on
  two channels of one call with 1 s gaps, fed at the clips' own rate (8 kHz for ``tel``);
  CER, two-channel real-time factor (CPU seconds / audio seconds) and final-event latency
  after the end of speech (p50 / p95).

Columns: CER, deletion rate, digit strings exactly right (on the clips with numbers),
real-time factor, prompt text in any output. ``BENCH_TELEPHONE_LIVE=0`` skips the paced
runs (they take as long as the audio).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.telephone_clips import Clip, clip_sets

GAP_S = 1.0


def _audio_dir() -> Path | None:
    d = os.environ.get("HOTLINE_TEST_AUDIO_DIR")
    return Path(d) if d and Path(d).is_dir() else None


def _models_dir() -> Path:
    return Path(os.environ.get("HOTLINE_MODELS_DIR") or Path(__file__).parent.parent / ".models")


def _score(clips: list[Clip], hyps: list[str]) -> dict[str, Any]:
    from asr.text import EditCounts, digit_strings, edit_counts, normalize_for_scoring
    from asr.whisper import DEFAULT_PROMPT
    from asr.whisper.filters import strip_prompt_echo

    total = EditCounts(0, 0, 0, 0)
    right = numbers = echoes = 0
    for clip, hyp in zip(clips, hyps, strict=True):
        total = total + edit_counts(
            normalize_for_scoring(clip.reference), normalize_for_scoring(hyp)
        )
        got = digit_strings(hyp)
        for d in digit_strings(clip.reference):
            numbers += 1
            right += d in got
        echoes += strip_prompt_echo(hyp, DEFAULT_PROMPT) != hyp.strip()
    return {
        "CER": total.cer,
        "deletions": total.deletion_rate,
        "digits exact": f"{right}/{numbers}" if numbers else "-",
        "prompt echoes": echoes,
    }


def _anchor(folder: Path, clips: list[Clip]) -> tuple[list[str], float]:
    import ctranslate2
    from faster_whisper import decode_audio

    from asr.text import to_simplified
    from asr.whisper import DEFAULT_PROMPT

    model = _anchor_model(folder)
    hyps, busy = [], 0.0
    for clip in clips:
        audio = decode_audio(str(clip.path), sampling_rate=16000)
        # the temperature fallback samples: seeded per clip, so the anchor is one fixed figure
        ctranslate2.set_random_seed(1)
        t = time.perf_counter()
        segments, _ = model.transcribe(
            audio, language="zh", beam_size=5, vad_filter=False, initial_prompt=DEFAULT_PROMPT
        )
        hyps.append(to_simplified("".join(s.text for s in segments)))
        busy += time.perf_counter() - t
    return hyps, busy


_ANCHOR: dict[str, Any] = {}
_LIVE: dict[int, Any] = {}  # live engines by input rate


def _anchor_model(folder: Path) -> Any:
    if "model" not in _ANCHOR:
        from faster_whisper import WhisperModel

        _ANCHOR["model"] = WhisperModel(str(folder), device="cpu", compute_type="int8")
    return _ANCHOR["model"]


def _second_pass(engine: Any, clips: list[Clip]) -> tuple[list[str], float]:
    import soundfile as sf

    from asr.whisper.offline import transcribe_array

    hyps, busy = [], 0.0
    for clip in clips:
        pcm, rate = sf.read(str(clip.path), dtype="int16", always_2d=True)
        t = time.perf_counter()
        events = transcribe_array(engine, pcm[:, 0], rate, ("caller",))
        busy += time.perf_counter() - t
        hyps.append("".join(e.raw for e in events))
    return hyps, busy


def _live(folder: Path, clips: list[Clip]) -> tuple[list[str], float, list[float]]:
    """The clips alternating on two channels, paced at their own rate (the engine is made
    for that rate, as for a telephone line); hypotheses assigned back by time."""
    import soundfile as sf

    from asr.audio import ArraySource, Pacer
    from asr.pipeline import Transcriber
    from asr.whisper import WhisperEngine

    audio = [sf.read(str(c.path), dtype="float32", always_2d=True) for c in clips]
    rate = audio[0][1]
    spans: list[tuple[int, float, float]] = []
    t = 0.5
    for i, (data, r) in enumerate(audio):
        if r != rate:
            raise RuntimeError(f"{clips[i].path}: {r} Hz in a set at {rate} Hz")
        spans.append((i % 2, t, t + len(data) / rate))
        t += len(data) / rate + GAP_S
    call = np.zeros((int((t + 1.5) * rate), 2), np.float32)
    for (ch, start, _end), (data, _r) in zip(spans, audio, strict=True):
        s = int(start * rate)
        call[s : s + len(data), ch] = data[:, 0]
    engine = _LIVE.get(rate) or _LIVE.setdefault(rate, WhisperEngine(folder, sample_rate=rate))
    pacer = Pacer()
    emitted: list[tuple[Any, float]] = []
    tr = Transcriber(
        ArraySource(call, rate, pacer=pacer),
        engine,
        ("caller", "agent"),
        on_event=lambda e: emitted.append((e, time.monotonic())),
    )
    cpu0 = time.process_time()
    tr.run()
    cpu = time.process_time() - cpu0
    hyps = ["" for _ in clips]
    lat: list[float] = []
    pad = engine.vad_config.speech_pad_s
    for ev, at in emitted:
        if not ev.final or not ev.raw:
            continue
        for i, (ch, start, end) in enumerate(spans):
            if ch == ev.channel and start - 0.6 <= ev.start <= end:
                hyps[i] += ev.raw
                break
        lat.append(at - pacer.wall_time_of(ev.end - pad))
    return hyps, cpu / (len(call) / rate), lat


def run() -> list[dict[str, Any]]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    audio_dir = _audio_dir()
    if audio_dir is None:
        return [{"set": "-", "system": "skipped", "notes": "HOTLINE_TEST_AUDIO_DIR not set"}]
    import soundfile as sf

    from asr.whisper import WhisperEngine
    from asr.whisper.model import install_whisper_base

    folder = install_whisper_base(_models_dir())
    engine = WhisperEngine(folder)
    live = os.environ.get("BENCH_TELEPHONE_LIVE", "1") != "0"
    rows: list[dict[str, Any]] = []
    for name, clips in clip_sets(audio_dir).items():
        seconds = sum(sf.info(str(clip.path)).duration for clip in clips)
        systems: list[tuple[str, list[str], float, str]] = []
        hyps, busy = _anchor(folder, clips)
        systems.append(("anchor (plain model)", hyps, busy / seconds, ""))
        hyps, busy = _second_pass(engine, clips)
        systems.append(("second pass", hyps, busy / seconds, ""))
        if live:
            hyps, rtf, lat = _live(folder, clips)
            p50, p95 = (float(np.percentile(lat, q)) for q in (50, 95)) if lat else (0.0, 0.0)
            note = f"2 channels paced; final latency p50 {p50:.2f} s, p95 {p95:.2f} s"
            systems.append(("live (streaming)", hyps, rtf, note))
        for system, hyps, rtf, note in systems:
            rows.append(
                {
                    "set": f"{name} ({len(clips)})",
                    "system": system,
                    **_score(clips, hyps),
                    "RTF": rtf,
                    "notes": note,
                }
            )
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    raise SystemExit(main(["telephone"]))
