"""The Transcriber: threads, ordering, flushing, errors, progress (fake engine + real Vosk)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from asr_fixtures import CLIP_A, CLIP_B, check_channel_times, korean_engine, write_stereo

from asr.audio import ArraySource, FileSource, Pacer
from asr.errors import AudioFileError, PipelineError
from asr.events import AudioChunk, Speaker, TranscriptEvent
from asr.pipeline import Transcriber

pytestmark = pytest.mark.timeout(60)


class CountingRecognizer:
    """Emits a partial per chunk and a final per second of audio; flush emits the rest."""

    def __init__(self, speaker: Speaker, channel: int, fail_at: float | None, delay: float) -> None:
        self.speaker = speaker
        self.channel = channel
        self.sample_rate = 16000
        self.fail_at = fail_at
        self.delay = delay
        self.samples = 0
        self.seg_start = 0.0
        self.flushed = False

    def _ev(self, end: float, final: bool) -> TranscriptEvent:
        return TranscriptEvent(
            self.speaker,
            f"{self.channel}:{end:.1f}",
            self.seg_start,
            end,
            final,
            raw=f"{end:.1f}",
            channel=self.channel,
            engine="fake",
        )

    def accept(self, chunk: AudioChunk) -> list[TranscriptEvent]:
        if self.delay:
            time.sleep(self.delay)
        end = chunk.t0 + chunk.duration
        if self.fail_at is not None and end > self.fail_at:
            raise RuntimeError("decoder exploded")
        self.samples += len(chunk.samples)
        if end - self.seg_start >= 1.0 - 1e-9:
            ev = self._ev(end, True)
            self.seg_start = end
            return [ev]
        return [self._ev(end, False)]

    def flush(self) -> list[TranscriptEvent]:
        self.flushed = True
        end = self.samples / 16000
        return [self._ev(end, True)] if end > self.seg_start else []


class FakeEngine:
    name = "fake"
    model_description = "fake model"
    sample_rate = 16000

    def __init__(self, fail_at: float | None = None, delay: float = 0.0) -> None:
        self.fail_at = fail_at
        self.delay = delay
        self.made: list[CountingRecognizer] = []

    def recognizer(self, speaker: Speaker, channel: int = 0) -> CountingRecognizer:
        rec = CountingRecognizer(
            speaker, channel, self.fail_at if channel == 1 else None, self.delay
        )
        self.made.append(rec)
        return rec


def _stereo(seconds: float) -> np.ndarray:
    n = int(seconds * 16000)
    return np.full((n, 2), 0.1, np.float32)


def test_two_channels_all_audio_all_events_flushed() -> None:
    engine = FakeEngine()
    seen: list[TranscriptEvent] = []
    progress: list[tuple[float, float | None]] = []
    t = Transcriber(
        ArraySource(_stereo(3.55), 16000),
        engine,
        on_event=seen.append,
        on_progress=lambda d, total: progress.append((d, total)),
    )
    events = t.run()
    assert t.finished and t.join(5)
    assert events == seen or sorted(map(id, events)) == sorted(map(id, seen))
    for ch, speaker in ((0, "caller"), (1, "agent")):
        evs = [e for e in events if e.channel == ch]
        assert all(e.speaker == speaker for e in evs)
        finals = [e for e in evs if e.final]
        assert [f.end for f in finals] == pytest.approx([1.0, 2.0, 3.0, 3.55])
        assert evs[-1].final  # flushed last
    assert all(r.flushed and r.samples == int(3.55 * 16000) for r in engine.made)
    assert progress[-1] == (pytest.approx(3.55), pytest.approx(3.55))
    assert [p for p, _ in progress] == sorted(p for p, _ in progress)


def test_mono_is_caller_and_channel_map_is_applied() -> None:
    events = Transcriber(
        ArraySource(np.full(16000, 0.1, np.float32), 16000),
        FakeEngine(),
        channel_map=("agent", "caller"),
    ).run()
    assert {e.speaker for e in events} == {"agent"}
    events = Transcriber(ArraySource(np.full(16000, 0.1, np.float32), 16000), FakeEngine()).run()
    assert {e.speaker for e in events} == {"caller"}
    with pytest.raises(ValueError, match="channel_map"):
        Transcriber(ArraySource(_stereo(1), 16000), FakeEngine(), channel_map=("caller", "boss"))


def test_worker_error_reaches_the_consumer() -> None:
    t = Transcriber(ArraySource(_stereo(5.0), 16000), FakeEngine(fail_at=2.0))
    with pytest.raises(PipelineError, match="decoder exploded") as err:
        t.run()
    assert isinstance(err.value.__cause__, RuntimeError)
    assert t.join(5)


def test_source_error_reaches_the_consumer(tmp_path: Path) -> None:
    p = tmp_path / "x.wav"
    import soundfile as sf

    sf.write(str(p), np.full(16000, 0.2, np.float32), 16000)
    src = FileSource(p)
    p.write_bytes(b"garbage")  # the file is replaced after the check
    with pytest.raises(AudioFileError):
        Transcriber(src, FakeEngine()).run()


def test_slow_consumer_never_blocks_recognition() -> None:
    t = Transcriber(ArraySource(_stereo(20.0), 16000), FakeEngine()).start()
    assert t.join(timeout=20)  # everything recognised without anyone reading
    events = t.poll()
    assert t.finished
    assert sum(e.final for e in events) == 2 * 20


def test_stop_flushes_finals_of_a_live_source() -> None:
    pacer = Pacer(speed=1.0)
    t = Transcriber(ArraySource(_stereo(30.0), 16000, pacer=pacer), FakeEngine())
    got: list[TranscriptEvent] = []
    threading.Timer(0.5, t.stop).start()
    start = time.monotonic()
    for ev in t.events(timeout=5):
        got.append(ev)
    assert time.monotonic() - start < 3
    last = {ch: [e for e in got if e.channel == ch][-1] for ch in (0, 1)}
    assert all(ev.final for ev in last.values())
    assert 0.3 <= last[0].end <= 1.5


def test_real_vosk_stereo_pipeline_with_progress(tmp_path: Path) -> None:
    pytest.importorskip("vosk")
    path = write_stereo(CLIP_A, CLIP_B, tmp_path / "call.wav", right_delay=1.0, rate=16000)
    engine = korean_engine()
    src = FileSource(path, sample_rate=engine.sample_rate, split_channels=True)
    progress: list[float] = []
    callback: list[TranscriptEvent] = []
    events = Transcriber(
        src, engine, on_event=callback.append, on_progress=lambda d, total: progress.append(d)
    ).run()
    check_channel_times(events)
    assert len(callback) == len(events)
    assert {e.speaker for e in events if e.final} == {"caller", "agent"}
    assert progress[-1] == pytest.approx(src.duration)
    assert len(progress) >= 5
