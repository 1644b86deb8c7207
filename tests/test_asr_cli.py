"""`hotline transcribe` / `hotline devices` through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asr_fixtures import CLIP_A, CLIP_B, korean_model, write_resampled, write_stereo

pytestmark = pytest.mark.timeout(120)


def hotline(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        timeout=110,
        env=full_env,
    )


def test_corrupt_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "call.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEgarbage" * 10)
    r = hotline("transcribe", str(bad), "--engine", "vosk", "--model", str(tmp_path / "nomodel"))
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "call.wav" in lines[0]
    assert r.stdout == ""


def test_missing_model_exits_1_with_the_fix(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    import numpy as np
    import soundfile as sf

    sf.write(str(wav), (0.3 * np.sin(np.arange(8000) / 5)).astype("float32"), 8000)
    r = hotline("transcribe", str(wav), "--engine", "vosk", "--model", str(tmp_path / "none"))
    assert r.returncode == 1
    assert "hotline models download vosk-small-cn" in r.stderr


@pytest.mark.slow
def test_json_contract_stereo(tmp_path: Path) -> None:
    call = write_stereo(CLIP_A, CLIP_B, tmp_path / "call.wav", right_delay=0.3, rate=8000)
    r = hotline(
        "transcribe",
        str(call),
        "--stereo",
        "--json",
        "--engine",
        "vosk",
        "--model",
        str(korean_model()),
    )
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows
    speakers = set()
    for row in rows:
        assert set(row) == {"speaker", "start", "end", "text", "raw"}
        assert isinstance(row["start"], float) and row["start"] <= row["end"]
        assert row["text"] and row["raw"]
        speakers.add(row["speaker"])
    assert speakers == {"caller", "agent"}
    for sp in speakers:
        starts = [row["start"] for row in rows if row["speaker"] == sp]
        assert starts == sorted(starts)


@pytest.mark.slow
def test_json_mono_flac_44k_auto_engine(tmp_path: Path) -> None:
    wav = write_resampled(CLIP_A, tmp_path / "clip.flac", 44100)
    r = hotline("transcribe", str(wav), "--model", str(korean_model()), "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and {row["speaker"] for row in rows} == {"caller"}


def test_plain_line_format() -> None:
    from asr.events import TranscriptEvent
    from assistant.cli.asr_cmds import _segment_line

    ev = TranscriptEvent("agent", "您好", 61.5, 63.25, True, raw="您好")
    assert _segment_line(ev) == "[01:01.50 - 01:03.25] 话务员：您好"


def test_devices_reports_clearly() -> None:
    r = hotline("devices")
    if r.returncode == 0:
        assert "#" in r.stdout  # a machine with microphones: a table
    else:
        assert r.returncode == 1
        assert r.stderr.startswith("error: ")
        assert "input device" in r.stderr or "PortAudio" in r.stderr


def test_listen_without_input_device_fails_fast() -> None:
    r = hotline("devices")
    if r.returncode == 0:
        pytest.skip("this machine has an input device")
    r = hotline("listen", "--device", "no-such-microphone", "--engine", "vosk")
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_stereo_follows_the_configured_channel_map(tmp_path: Path) -> None:
    """Only the right channel has speech; with the map swapped it is the caller's."""
    import numpy as np
    import soundfile as sf
    from asr_fixtures import load_clip

    clip, rate = load_clip(CLIP_A)
    stereo = np.zeros((len(clip), 2), np.float32)
    stereo[:, 1] = clip
    call = tmp_path / "right_only.wav"
    sf.write(str(call), stereo, rate)
    args = ("transcribe", str(call), "--stereo", "--json", "--engine", "vosk")
    args += ("--model", str(korean_model()))
    default = hotline(*args)
    swapped = hotline(*args, env={"HOTLINE_CHANNEL_MAP": '["agent", "caller"]'})
    assert default.returncode == 0 and swapped.returncode == 0, (default.stderr, swapped.stderr)
    speakers = [
        {json.loads(x)["speaker"] for x in r.stdout.splitlines()} for r in (default, swapped)
    ]
    assert speakers == [{"agent"}, {"caller"}]


@pytest.mark.slow
def test_second_pass_of_a_saved_session_is_kept_beside_the_original(tmp_path: Path) -> None:
    import shutil

    from asr.recording import load_events

    sample = Path(__file__).resolve().parent.parent / "audio_samples" / "08_rude_agent"
    shutil.copytree(sample, tmp_path / "call")
    session = tmp_path / "call" / "session"
    original = (session / "events.jsonl").read_bytes()
    r = hotline("transcribe", str(session), "--json", "--engine", "vosk", "--model",
                str(korean_model()))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "second pass saved" in r.stderr
    assert (session / "events.jsonl").read_bytes() == original  # untouched
    second = load_events(session / "events.vosk.jsonl")
    assert second.complete and second.header["engine"] == "vosk"
    printed = [json.loads(x) for x in r.stdout.splitlines()]
    assert [e.text for e in second.finals] == [row["text"] for row in printed]
    assert {e.speaker for e in second.finals} == {"caller", "agent"}


def test_a_folder_that_is_not_a_session_is_refused(tmp_path: Path) -> None:
    r = hotline("transcribe", str(tmp_path), "--engine", "vosk")
    assert r.returncode == 2 and "not a saved session" in r.stderr
