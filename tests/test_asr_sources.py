"""Audio sources: file checks, resampling, channel handling, pacing, microphone queue."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from asr_fixtures import dominant_freq, tone

from asr.audio import (
    ArraySource,
    FileSource,
    InputDevice,
    MicrophoneSource,
    Pacer,
    probe_audio_file,
    resolve_input_device,
)
from asr.errors import AudioDeviceError, AudioFileError

pytestmark = pytest.mark.timeout(30)


def _collect(source) -> dict[int, list]:
    out: dict[int, list] = {}
    for c in source.chunks():
        out.setdefault(c.channel, []).append(c)
    return out


def _contiguous(chunks, rate: int) -> None:
    pos = 0
    for c in chunks:
        assert c.samples.dtype == np.int16
        assert c.sample_rate == rate
        assert abs(c.t0 - pos / rate) < 1e-9
        pos += len(c.samples)


# ------------------------------------------------------------------ bad files


@pytest.fixture()
def good_wav(tmp_path: Path) -> Path:
    path = tmp_path / "good.wav"
    sf.write(str(path), tone(300, 2.0, 16000), 16000, subtype="PCM_16")
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="not found"):
        probe_audio_file(tmp_path / "nope.wav")


def test_zero_byte_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(AudioFileError, match="empty"):
        FileSource(p)


def test_header_only_wav_has_no_audio(tmp_path: Path) -> None:
    p = tmp_path / "header.wav"
    sf.write(str(p), np.zeros(0, np.int16), 16000)
    with pytest.raises(AudioFileError, match="no audio"):
        FileSource(p)


def test_silent_file_rejected_unless_allowed(tmp_path: Path) -> None:
    p = tmp_path / "silent.wav"
    sf.write(str(p), np.zeros(8000, np.int16), 8000)
    with pytest.raises(AudioFileError, match="silent"):
        FileSource(p)
    src = FileSource(p, allow_silent=True)
    assert sum(len(c.samples) for c in src.chunks()) == 16000


def test_corrupt_file(tmp_path: Path) -> None:
    p = tmp_path / "noise.wav"
    p.write_bytes(os.urandom(4000))
    with pytest.raises(AudioFileError, match="not a readable audio file"):
        FileSource(p)


def test_text_file_named_flac(tmp_path: Path) -> None:
    p = tmp_path / "notes.flac"
    p.write_text("这不是音频文件\n" * 50, encoding="utf-8")
    with pytest.raises(AudioFileError):
        FileSource(p)


def test_truncated_flac(tmp_path: Path) -> None:
    full = tmp_path / "full.flac"
    sf.write(str(full), tone(440, 3.0, 16000) + tone(1234, 3.0, 16000, 0.1), 16000)
    data = full.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioFileError, match=r"truncated|damaged"):
        FileSource(cut)


def test_truncated_wav_reads_what_is_there_with_a_warning(tmp_path: Path) -> None:
    full = tmp_path / "full.wav"
    sf.write(str(full), tone(440, 3.0, 16000), 16000, subtype="PCM_16")
    data = full.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: 44 + 16000 * 2])  # the header announces 3 s, 1 s is there
    src = FileSource(cut)
    assert src.duration == pytest.approx(1.0)
    assert "3.0 s" in src.info.warnings[0] and "1.0 s" in src.info.warnings[0]
    assert sum(len(c.samples) for c in src.chunks()) == 16000


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="folder"):
        FileSource(tmp_path)


# ------------------------------------------------------------------ resampling


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_any_rate_resampled_to_target(tmp_path: Path, rate: int) -> None:
    p = tmp_path / f"tone{rate}.flac"
    sf.write(str(p), tone(440, 1.5, rate), rate)
    src = FileSource(p, sample_rate=16000)
    assert src.channels == 1 and src.duration == pytest.approx(1.5, abs=1e-3)
    chunks = _collect(src)[0]
    _contiguous(chunks, 16000)
    audio = np.concatenate([c.samples for c in chunks]).astype(np.float32) / 32768
    assert abs(len(audio) - 24000) <= 2
    assert dominant_freq(audio[2000:-2000], 16000) == pytest.approx(440, abs=3)
    assert np.abs(audio).max() == pytest.approx(0.3, abs=0.02)  # no gain change


def test_stereo_split_and_mixdown(tmp_path: Path) -> None:
    rate = 44100
    stereo = np.stack([tone(440, 1.0, rate), tone(1000, 1.0, rate)], axis=1)
    p = tmp_path / "call.wav"
    sf.write(str(p), stereo, rate)
    split = _collect(FileSource(p, sample_rate=16000, split_channels=True))
    assert set(split) == {0, 1}
    for ch, freq in ((0, 440), (1, 1000)):
        _contiguous(split[ch], 16000)
        audio = np.concatenate([c.samples for c in split[ch]]).astype(np.float32)
        assert dominant_freq(audio, 16000) == pytest.approx(freq, abs=3)
    assert [c.t0 for c in split[0]] == [c.t0 for c in split[1]]
    mixed = _collect(FileSource(p, sample_rate=16000, split_channels=False))
    assert set(mixed) == {0}


def test_more_than_two_channels_rejected_for_calls(tmp_path: Path) -> None:
    p = tmp_path / "4ch.wav"
    sf.write(str(p), np.tile(tone(440, 0.5, 8000)[:, None], (1, 4)), 8000)
    with pytest.raises(AudioFileError, match="4 channels"):
        FileSource(p, split_channels=True)
    assert FileSource(p).channels == 1


# ------------------------------------------------------------------ pacing


def test_pacer_realtime_pause_resume() -> None:
    audio = tone(440, 1.0, 16000)
    pacer = Pacer(speed=4.0)  # 1 s of audio in ~0.25 s
    src = ArraySource(audio, 16000, pacer=pacer)
    times: list[tuple[float, float]] = []
    t_start = time.monotonic()

    def control() -> None:
        time.sleep(0.1)
        pacer.pause()
        time.sleep(0.3)
        pacer.resume()

    threading.Thread(target=control).start()
    for c in src.chunks():
        times.append((c.t0 + c.duration, time.monotonic() - t_start))
    elapsed = time.monotonic() - t_start
    assert 0.25 + 0.3 - 0.05 <= elapsed < 2.0
    # never released before it was "spoken"
    for audio_end, wall in times:
        assert wall >= audio_end / 4.0 - 0.02
    assert pacer.position >= 1.0 - 1e-6


def test_pacer_seek_jumps_the_timeline() -> None:
    audio = tone(440, 3.0, 16000)
    pacer = Pacer(speed=20.0)
    src = ArraySource(audio, 16000, pacer=pacer)
    t0s: list[float] = []
    for c in src.chunks():
        t0s.append(c.t0)
        if len(t0s) == 3:
            pacer.seek(2.5)
    assert t0s[:3] == pytest.approx([0.0, 0.1, 0.2])
    assert t0s[3] == pytest.approx(2.5)
    assert t0s[-1] == pytest.approx(2.9)


def test_file_source_seek(tmp_path: Path) -> None:
    p = tmp_path / "t.wav"
    sf.write(str(p), tone(440, 2.0, 8000), 8000)
    pacer = Pacer(speed=50.0)
    src = FileSource(p, sample_rate=16000, pacer=pacer)
    t0s = []
    for c in src.chunks():
        t0s.append(c.t0)
        if len(t0s) == 2:
            pacer.seek(1.5)
    assert t0s[2] == pytest.approx(1.5)
    assert t0s[-1] < 2.0


def test_close_stops_a_paused_source() -> None:
    pacer = Pacer()
    src = ArraySource(tone(440, 5.0, 16000), 16000, pacer=pacer)
    pacer.pause()
    threading.Timer(0.2, src.close).start()
    assert list(src.chunks()) == []


# ------------------------------------------------------------------ microphone


class FakeStream:
    """Calls the PortAudio-style callback from its own thread, like PortAudio does."""

    def __init__(self, callback, samplerate, channels, blocksize, device, n_blocks=300):
        self.callback = callback
        self.channels = channels
        self.blocksize = blocksize
        self.n_blocks = n_blocks
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for i in range(self.n_blocks):
            # block i holds the value i/32768 so the consumer can identify it
            block = np.full((self.blocksize, self.channels), i / 32768.0, np.float32)
            self.callback(block, self.blocksize, None, None)
        self.done.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.join()

    def close(self) -> None:
        pass


def test_microphone_backpressure_counts_every_dropped_block() -> None:
    streams: list[FakeStream] = []

    def factory(**kw):
        s = FakeStream(**kw)
        streams.append(s)
        return s

    mic = MicrophoneSource(sample_rate=16000, max_queue_seconds=2.0, stream_factory=factory)
    it = mic.chunks()
    first = next(it)  # starts the stream
    streams[0].done.wait(5)  # the producer ran far ahead of us: the 20-block queue overflowed
    mic.close()
    chunks = [first, *it]
    stats = mic.stats
    assert stats.captured_blocks == 300
    assert stats.dropped_blocks > 0
    assert stats.queued_blocks == stats.captured_blocks - stats.dropped_blocks
    assert stats.delivered_blocks == stats.queued_blocks == len(chunks)
    assert stats.dropped_frames == stats.dropped_blocks * 1600
    ids = [round(float(c.samples[0])) for c in chunks]
    assert ids == sorted(set(ids))  # kept blocks in order, none duplicated
    for c, i in zip(chunks, ids, strict=True):
        assert np.all(c.samples == i)  # content intact
        assert c.t0 == pytest.approx(i * 0.1)  # true capture time despite the gap
    assert len(ids) + stats.dropped_blocks == 300


def test_microphone_without_backpressure_loses_nothing() -> None:
    def factory(**kw):
        return FakeStream(**kw, n_blocks=50)

    mic = MicrophoneSource(sample_rate=16000, max_queue_seconds=10.0, stream_factory=factory)
    chunks = []
    for c in mic.chunks():
        chunks.append(c)
        if len(chunks) == 50:
            mic.close()
    assert mic.stats.dropped_blocks == 0
    assert [c.t0 for c in chunks] == pytest.approx([i * 0.1 for i in range(50)])


def _devices() -> list[InputDevice]:
    return [
        InputDevice(0, "HDA Intel PCH: ALC3246 Analog", 2, 48000.0, "ALSA", False),
        InputDevice(3, "Jabra EVOLVE 20 MS", 1, 16000.0, "ALSA", True),
    ]


def test_resolve_input_device() -> None:
    assert resolve_input_device(None, _devices()).index == 3
    assert resolve_input_device("jabra", _devices()).index == 3
    assert resolve_input_device("0", _devices()).index == 0
    assert resolve_input_device(0, _devices()).index == 0
    with pytest.raises(AudioDeviceError, match="No input device name contains"):
        resolve_input_device("usb", _devices())
    with pytest.raises(AudioDeviceError, match="#7"):
        resolve_input_device(7, _devices())
    with pytest.raises(AudioDeviceError, match="No audio input device"):
        resolve_input_device(None, [])


def test_missing_portaudio_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sounddevice.py").write_text(
        "raise OSError('PortAudio library not found')\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    from asr.audio import list_input_devices

    with pytest.raises(AudioDeviceError, match="libportaudio2"):
        list_input_devices()
    with pytest.raises(AudioDeviceError, match="PortAudio"):
        MicrophoneSource().start()


def test_closing_the_pacer_ends_the_source(tmp_path: Path) -> None:
    pacer = Pacer()
    threading.Timer(0.25, pacer.close).start()
    assert len(list(ArraySource(tone(440, 5.0, 16000), 16000, pacer=pacer).chunks())) <= 4
    p = tmp_path / "t.wav"
    sf.write(str(p), tone(440, 5.0, 8000), 8000)
    pacer = Pacer()
    threading.Timer(0.25, pacer.close).start()
    assert len(list(FileSource(p, pacer=pacer).chunks())) <= 4


def test_paced_waits_for_each_item_on_a_virtual_or_real_clock() -> None:
    from asr.audio import paced

    slept: list[float] = []
    out = list(paced([0.5, 0.5, 2.0], lambda t: t, speed=2.0, sleep=slept.append))
    assert out == [0.5, 0.5, 2.0] and slept == pytest.approx([0.25, 0.75])
    now = [10.0]

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    slept.clear()
    list(paced([1.0, 3.0], lambda t: t, sleep=sleep, clock=lambda: now[0]))
    assert slept == pytest.approx([1.0, 2.0])


def test_pacer_set_position_moves_without_a_pending_seek() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    pacer.start()
    now[0] = 1.0
    pacer.set_position(5.0)
    assert pacer.take_seek() is None and pacer.position == pytest.approx(5.0)
    pacer.seek(2.0)
    assert pacer.take_seek() == 2.0
