"""WAV files whose header lies about the audio length (issue 18, item 4).

The files are built here with the ``wave`` module and their header bytes patched:
a header announcing 1 s on 11.5 s of audio, a data size of 0 (what a recorder that
crashed before closing the file leaves), a header announcing more than the file holds.
Every case reads the audio that is really there and says so in a warning.
"""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest
from asr_fixtures import tone

from asr.audio import FileSource, probe_audio_file
from asr.events import TranscriptEvent

pytestmark = pytest.mark.timeout(60)

RATE = 16000


def _write_wav(
    path: Path,
    seconds: float,
    *,
    channels: int = 1,
    data_size: int | None = None,
    riff_size: int | None = None,
    trailer: bytes = b"",
) -> Path:
    """A PCM_16 WAV of ``seconds`` of tone with its size fields patched."""
    mono = (tone(440, seconds, RATE) * 32767).astype("<i2")
    pcm = np.repeat(mono[:, None], channels, axis=1) if channels > 1 else mono
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    raw = bytearray(path.read_bytes())
    assert raw[36:40] == b"data"  # the wave module writes a 44-byte header
    if data_size is not None:
        raw[40:44] = struct.pack("<I", data_size)
    if riff_size is not None:
        raw[4:8] = struct.pack("<I", riff_size)
    path.write_bytes(bytes(raw) + trailer)
    return path


def _seconds_read(source: FileSource) -> float:
    n = sum(len(c.samples) for c in source.chunks() if c.channel == 0)
    return n / source.sample_rate


def test_header_announcing_1s_of_11_5s_reads_all_of_it(tmp_path: Path) -> None:
    p = _write_wav(tmp_path / "short_header.wav", 11.5, data_size=RATE * 2)
    info = probe_audio_file(p)
    assert info.duration == pytest.approx(11.5, abs=0.01)
    assert info.warnings and "1.0 s" in info.warnings[0] and "11.5 s" in info.warnings[0]
    assert _seconds_read(FileSource(p)) == pytest.approx(11.5, abs=0.01)


def test_data_size_zero_from_a_crashed_recorder_reads_the_20s(tmp_path: Path) -> None:
    p = _write_wav(tmp_path / "crashed.wav", 20.0, data_size=0, riff_size=36)
    info = probe_audio_file(p)
    assert info.duration == pytest.approx(20.0, abs=0.01)
    assert info.warnings and "20.0 s" in info.warnings[0]
    assert _seconds_read(FileSource(p)) == pytest.approx(20.0, abs=0.01)


def test_header_claiming_more_than_the_file_holds_reads_what_is_there(tmp_path: Path) -> None:
    p = _write_wav(tmp_path / "cut.wav", 5.0, data_size=RATE * 2 * 10)
    info = probe_audio_file(p)
    assert info.duration == pytest.approx(5.0, abs=0.01)
    assert info.warnings and "10.0 s" in info.warnings[0] and "5.0 s" in info.warnings[0]
    assert _seconds_read(FileSource(p)) == pytest.approx(5.0, abs=0.01)


def test_stereo_with_a_torn_last_frame(tmp_path: Path) -> None:
    p = _write_wav(tmp_path / "stereo.wav", 3.0, channels=2, data_size=0, trailer=b"\x01\x02")
    info = probe_audio_file(p)
    assert info.channels == 2
    assert info.duration == pytest.approx(3.0, abs=0.01)
    src = FileSource(p, split_channels=True)
    per_channel: dict[int, int] = {}
    for c in src.chunks():
        per_channel[c.channel] = per_channel.get(c.channel, 0) + len(c.samples)
    assert per_channel[0] == per_channel[1] == pytest.approx(3.0 * RATE, abs=16)


def test_an_honest_header_with_a_chunk_after_the_data_gives_no_warning(tmp_path: Path) -> None:
    text = b"IARTtest\x00\x00"
    list_chunk = b"LIST" + struct.pack("<I", 4 + len(text)) + b"INFO" + text
    p = _write_wav(tmp_path / "tagged.wav", 2.0, trailer=list_chunk)
    raw = bytearray(p.read_bytes())
    raw[4:8] = struct.pack("<I", len(raw) - 8)
    p.write_bytes(bytes(raw))
    info = probe_audio_file(p)
    assert info.duration == pytest.approx(2.0, abs=0.001)
    assert info.warnings == ()


def test_a_correct_file_gives_no_warning(tmp_path: Path) -> None:
    p = _write_wav(tmp_path / "ok.wav", 2.0)
    assert probe_audio_file(p).warnings == ()


class _CountingFactory:
    """An engine that reports, as its one final, how many seconds it was fed."""

    name = "counting"
    model_description = "counting (test)"
    sample_rate = RATE

    def recognizer(self, speaker, channel: int = 0):  # type: ignore[no-untyped-def]
        return _CountingRecognizer(speaker, channel)


class _CountingRecognizer:
    sample_rate = RATE

    def __init__(self, speaker, channel: int) -> None:  # type: ignore[no-untyped-def]
        self.speaker, self.channel, self.samples = speaker, channel, 0

    def accept(self, chunk):  # type: ignore[no-untyped-def]
        self.samples += len(chunk.samples)
        return []

    def flush(self) -> list[TranscriptEvent]:
        secs = self.samples / RATE
        return [
            TranscriptEvent(
                self.speaker, f"听到{secs:.1f}秒", 0.0, secs, True, channel=self.channel
            )
        ]


def test_transcribe_cli_reads_the_whole_file_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import assistant.cli.asr_cmds as asr_cmds
    from assistant.cli import app

    monkeypatch.setattr(
        asr_cmds, "_load_engine", lambda *a, **k: (_CountingFactory(), "counting (test)")
    )
    p = _write_wav(tmp_path / "short_header.wav", 11.5, data_size=RATE * 2)
    r = CliRunner().invoke(app, ["transcribe", str(p)])
    assert r.exit_code == 0, r.output
    assert "听到11.5秒" in r.stdout
    assert "warning:" in r.stderr and "11.5 s" in r.stderr
