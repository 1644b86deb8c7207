"""Session recording: audio + events.jsonl, crash safety, replay (fake and real Vosk)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from asr_fixtures import CLIP_A, CLIP_B, korean_engine, write_stereo

from asr.audio import FileSource
from asr.errors import RecordingFormatError
from asr.events import AudioChunk, TranscriptEvent, Word
from asr.pipeline import Transcriber
from asr.recording import (
    AudioRecorder,
    AudioTap,
    SessionRecorder,
    load_events,
    replay_events,
)

pytestmark = pytest.mark.timeout(60)


def _ev(i: int, final: bool, speaker: str = "caller", channel: int = 0) -> TranscriptEvent:
    return TranscriptEvent(
        speaker=speaker,  # type: ignore[arg-type]
        text=f"第{i}句",
        start=float(i),
        end=i + 0.5,
        final=final,
        raw=f"第 {i} 句",
        words=(Word("第", float(i), i + 0.2, 0.9), Word("句", i + 0.2, i + 0.5, 1.0)),
        channel=channel,
        engine="vosk",
    )


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_round_trip_stereo_with_gap_and_backward_seek(tmp_path: Path) -> None:
    clock = Clock()
    rec = SessionRecorder(
        tmp_path / "s1",
        sample_rate=8000,
        channels=2,
        engine="vosk",
        model="m",
        metadata={"source": "call.wav"},
        clock=clock,
    )
    left = np.arange(800, dtype=np.int16)
    right = -np.arange(800, dtype=np.int16)
    rec.write_audio(AudioChunk(0, left, 8000, 0.0))
    rec.write_audio(AudioChunk(1, right, 8000, 0.0))
    rec.write_audio(AudioChunk(0, left, 8000, 0.2))  # 0.1 s gap (dropped block)
    rec.write_audio(AudioChunk(1, right, 8000, 0.2))
    rec.write_audio(AudioChunk(0, left, 8000, 0.0))  # backward seek: not written again
    rec.write_audio(AudioChunk(1, right, 8000, 0.0))
    events = [_ev(0, False), _ev(0, True), _ev(1, True, "agent", 1)]
    for i, ev in enumerate(events):
        clock.t += 0.25 * (i + 1)
        rec.write_event(ev)
    rec.close()
    audio, sr = sf.read(str(tmp_path / "s1" / "audio.wav"), dtype="int16")
    assert sr == 8000 and audio.shape == (2400, 2)
    assert np.array_equal(audio[:800, 0], left) and np.array_equal(audio[:800, 1], right)
    assert not audio[800:1600].any()
    assert np.array_equal(audio[1600:, 0], left)
    loaded = load_events(tmp_path / "s1")
    assert loaded.complete and loaded.events == tuple(events)
    assert loaded.emitted_at == pytest.approx((0.25, 0.75, 1.5))
    h = loaded.header
    assert h["format"] == "hotline-asr-events" and h["version"] == 1
    assert h["engine"] == "vosk" and h["sample_rate"] == 8000
    assert h["channel_map"] == ["caller", "agent"] and h["audio"]["files"] == ["audio.wav"]
    assert h["metadata"] == {"source": "call.wav"}
    assert loaded.end is not None and loaded.end["audio_seconds"] == pytest.approx(0.3)


def test_split_layout(tmp_path: Path) -> None:
    with SessionRecorder(tmp_path, sample_rate=16000, channels=2, layout="split") as rec:
        rec.write_audio(AudioChunk(0, np.ones(1600, np.int16), 16000, 0.0))
        rec.write_audio(AudioChunk(1, np.full(3200, 2, np.int16), 16000, 0.0))
    caller, _ = sf.read(str(tmp_path / "caller.wav"), dtype="int16")
    agent, _ = sf.read(str(tmp_path / "agent.wav"), dtype="int16")
    assert len(caller) == 1600 and (caller == 1).all()
    assert len(agent) == 3200 and (agent == 2).all()
    assert load_events(tmp_path).header["audio"] == {
        "layout": "split",
        "files": ["caller.wav", "agent.wav"],
    }


def test_crash_safe_while_writing(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path, sample_rate=16000, channels=1)
    for i in range(5):
        rec.write_audio(AudioChunk(0, np.full(1600, i + 1, np.int16), 16000, i * 0.1))
        rec.write_event(_ev(i, True))
    # the process "dies" here: nothing closed, yet both files are readable
    audio, _ = sf.read(str(tmp_path / "audio.wav"), dtype="int16")
    assert len(audio) == 8000 and audio[-1] == 5
    loaded = load_events(tmp_path / "events.jsonl")
    assert len(loaded.events) == 5 and not loaded.complete
    # a line torn in the middle of writing is ignored
    with (tmp_path / "events.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"kind": "event", "speaker": "cal')
    assert len(load_events(tmp_path).events) == 5
    # ... also when the cut falls inside a Chinese character (disk full mid-line)
    with (tmp_path / "events.jsonl").open("ab") as fh:
        fh.write('ler", "text": "我们小区'.encode()[:-1])
    assert len(load_events(tmp_path).events) == 5
    rec.close()


def test_bad_files_are_reported(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    with pytest.raises(RecordingFormatError, match="No events file"):
        load_events(p)
    p.write_text('{"kind": "header", "format": "other"}\n')
    with pytest.raises(RecordingFormatError, match="not a hotline-asr-events"):
        load_events(p)
    p.write_text(
        json.dumps({"kind": "header", "format": "hotline-asr-events", "version": 1})
        + "\nnot json\n"
        + json.dumps({"kind": "end"})
        + "\n"
    )
    with pytest.raises(RecordingFormatError, match=":2:"):
        load_events(p)
    p.write_text(json.dumps({"kind": "header", "format": "hotline-asr-events", "version": 9}))
    with pytest.raises(RecordingFormatError, match="version 9"):
        load_events(p)


def test_replay_realtime_follows_emission_times(tmp_path: Path) -> None:
    clock = Clock()
    rec = SessionRecorder(tmp_path, sample_rate=16000, channels=1, clock=clock)
    for i, at in enumerate((0.5, 0.7, 2.0)):
        clock.t = 100.0 + at
        rec.write_event(_ev(i, i == 2))
    rec.close()
    assert list(replay_events(tmp_path)) == list(load_events(tmp_path).events)
    fake_now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        fake_now[0] += s

    out = list(
        replay_events(tmp_path, realtime=True, speed=2.0, sleep=sleep, clock=lambda: fake_now[0])
    )
    assert len(out) == 3
    assert sleeps == pytest.approx([0.25, 0.1, 0.65])


def test_real_session_recorded_and_replayed_without_model(tmp_path: Path) -> None:
    pytest.importorskip("vosk")
    call = write_stereo(CLIP_A, CLIP_B, tmp_path / "call.wav", right_delay=0.5, rate=8000)
    engine = korean_engine()
    src = FileSource(call, sample_rate=engine.sample_rate, split_channels=True)
    folder = tmp_path / "session"
    with SessionRecorder(
        folder,
        sample_rate=engine.sample_rate,
        channels=2,
        engine=engine.name,
        model=engine.model_description,
    ) as rec:
        live = Transcriber(src, engine, recorder=rec).run()
    replayed = list(replay_events(folder))
    assert replayed == live and any(e.final for e in live)
    loaded = load_events(folder)
    assert loaded.complete and loaded.header["model"] == engine.model_description
    # the recording holds exactly the audio the recognisers heard
    heard = {0: [], 1: []}  # type: dict[int, list[np.ndarray]]
    for c in FileSource(call, sample_rate=engine.sample_rate, split_channels=True).chunks():
        heard[c.channel].append(c.samples)
    audio, sr = sf.read(str(folder / "audio.wav"), dtype="int16")
    assert sr == 16000
    for ch in (0, 1):
        assert np.array_equal(audio[:, ch], np.concatenate(heard[ch]))


# ---------------------------------------------------------------------- AudioTap


def _chunk(ch: int, t0: float, value: int, seconds: float = 0.5, rate: int = 8000) -> AudioChunk:
    return AudioChunk(ch, np.full(int(seconds * rate), value, np.int16), rate, t0)


def test_audio_tap_keeps_audio_until_the_session_folder_exists(tmp_path: Path) -> None:
    tap = AudioTap()
    # recognition starts before the session folder exists: nothing is lost meanwhile
    for i in range(4):
        tap.write_audio(_chunk(0, i * 0.5, 100 + i))
        tap.write_audio(_chunk(1, i * 0.5, 200 + i))
    tap.write_event(_ev(1, True))  # events are the session's job: ignored here
    opened: list[tuple[int, int]] = []

    def opener(rate: int, channels: int) -> AudioRecorder:
        opened.append((rate, channels))
        return AudioRecorder(tmp_path, sample_rate=rate, channels=channels)

    tap.attach(opener)
    assert opened == []  # the format is not known yet
    tap.configure(8000, 2)
    assert opened == [(8000, 2)]
    tap.write_audio(_chunk(0, 2.0, 104))
    tap.write_audio(_chunk(1, 2.0, 204))
    sink = tap.sink
    tap.detach()
    tap.write_audio(_chunk(0, 2.5, 999))  # after the call was closed: discarded
    sink.close()
    audio, rate = sf.read(tmp_path / "audio.wav", dtype="int16")
    assert rate == 8000 and audio.shape == (5 * 4000, 2)
    assert [int(audio[i * 4000, 0]) for i in range(5)] == [100, 101, 102, 103, 104]
    assert [int(audio[i * 4000, 1]) for i in range(5)] == [200, 201, 202, 203, 204]
    assert not (tmp_path / "events.jsonl").exists()


def test_audio_tap_is_bounded_while_waiting() -> None:
    tap = AudioTap(max_seconds=2.0)
    for i in range(10):
        tap.write_audio(_chunk(0, i * 0.5, i))
    assert tap.dropped_chunks == 6  # 5 s offered, 2 s kept


def test_audio_tap_failure_is_reported_once_and_recognition_goes_on(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    tap = AudioTap(on_error=errors.append)
    tap.configure(8000, 1)

    def opener(rate: int, channels: int) -> AudioRecorder:
        raise OSError("No space left on device")

    tap.attach(opener)
    tap.write_audio(_chunk(0, 0.0, 1))  # no exception reaches the pipeline
    assert len(errors) == 1 and "No space" in str(errors[0])
    assert tap.sink is None


def test_transcriber_records_audio_through_a_tap_with_real_vosk(tmp_path: Path) -> None:
    """The real pipeline and the real Vosk engine write the audio into a tap."""
    factory = korean_engine()
    wav = write_stereo(CLIP_A, CLIP_B, tmp_path / "call.wav", right_delay=1.0)
    tap = AudioTap()
    source = FileSource(wav, sample_rate=factory.sample_rate, split_channels=True)
    tap.configure(factory.sample_rate, source.channels)
    out = tmp_path / "rec"
    tap.attach(lambda rate, ch: AudioRecorder(out, sample_rate=rate, channels=ch))
    events = Transcriber(source, factory, recorder=tap).run()
    tap.sink.close()
    assert any(e.final for e in events)
    rec, _ = sf.read(out / "audio.wav", dtype="int16")
    orig, _ = sf.read(wav, dtype="int16")
    assert rec.shape == orig.shape
    assert np.array_equal(rec, orig)
