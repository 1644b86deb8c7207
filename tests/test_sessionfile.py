"""Session folders: writer (incremental, crash-safe), the one loader and its error messages,
listing, review notes, and the committed sample sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from e2e_fixtures import SAMPLE_IDS, SAMPLES
from session_fixtures import FakeEngine

from asr.events import AudioChunk, TranscriptEvent
from assistant.errors import SessionFileError
from assistant.files.samples import run_events
from assistant.files.session_reader import SavedSession, list_sessions, load_session
from assistant.files.session_writer import SessionWriter, save_review_notes
from assistant.store import TicketDraft

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _ev(speaker: str, text: str, start: float, end: float) -> TranscriptEvent:
    return TranscriptEvent(speaker=speaker, text=text, start=start, end=end, final=True,  # type: ignore[arg-type]
                           raw=text, engine="typed")  # fmt: skip


EVENTS = [
    _ev("agent", "您好，12345热线，请问有什么可以帮您？", 0.5, 3.0),
    _ev("caller", "我们小区停水了，从昨天晚上开始一直没水", 3.5, 7.0),
    _ev("agent", "请问您怎么称呼？", 7.5, 8.5),
    _ev("caller", "我叫王建国，电话13812345678，朝阳区幸福小区3号楼", 9.0, 14.0),
]


@pytest.fixture(scope="module")
def engine() -> FakeEngine:
    return FakeEngine()


def _write(folder: Path, engine: FakeEngine, *, close: bool = True) -> SessionWriter:
    w = SessionWriter(folder, call_id="c1", started_at=T0, source="practice", title="停水",
                      seat_id="seat-9", engine="typed", sample_rate=16000)  # fmt: skip
    run = run_events(engine, EVENTS, call_id="c1", started_at=T0, writer=w)
    w.write_ticket(TicketDraft.from_session_state(run.session.state))
    w.write_reference({"phone": "13812345678", "department": "水务"})
    if close:
        w.close(datetime(2025, 3, 3, 9, 1, tzinfo=UTC), duration=14.0)
    return w


def test_roundtrip(tmp_path: Path, engine: FakeEngine) -> None:
    _write(tmp_path / "s", engine)
    s = load_session(tmp_path / "s")
    assert isinstance(s, SavedSession)
    assert (s.call_id, s.title, s.seat_id, s.source) == ("c1", "停水", "seat-9", "practice")
    assert s.started_at == T0 and s.ended_at == datetime(2025, 3, 3, 9, 1, tzinfo=UTC)
    assert s.events == tuple(EVENTS) and s.events_complete
    assert s.audio is None and not s.audio_missing
    assert s.ticket is not None and s.ticket["phone"] == "13812345678"
    assert s.reference == {"phone": "13812345678", "department": "水务"}
    # one record per change: the agent's first turn changes nothing worth a second line
    assert 1 <= len(s.suggestions) <= len(EVENTS)
    last = s.final_state
    assert last is not None and last.fields["phone"] == "13812345678"
    assert last.top is not None and last.top.department == "水务"
    assert s.state_at(0.0) is None and s.state_at(14.0) == last
    assert s.duration == 14.0
    # loading the session.json path works too
    assert load_session(tmp_path / "s" / "session.json").call_id == "c1"


def test_record_state_deduplicates(tmp_path: Path, engine: FakeEngine) -> None:
    w = SessionWriter(tmp_path, call_id="c", started_at=T0)
    run = run_events(engine, EVENTS[:2], call_id="c", started_at=T0)
    assert w.record_state(run.session.state, 7.0) is True
    assert w.record_state(run.session.state, 8.0) is False  # same content, later time
    w.close()
    assert len(load_session(tmp_path).suggestions) == 1


def test_audio_session_uses_the_asr_recorder(tmp_path: Path) -> None:
    w = SessionWriter(tmp_path, call_id="live1", started_at=T0, source="live",
                      record_audio=True, engine="vosk", sample_rate=16000)  # fmt: skip
    assert w.recorder is not None
    tone = (np.sin(np.arange(1600) / 5.0) * 8000).astype(np.int16)
    for i in range(5):
        w.recorder.write_audio(AudioChunk(0, tone, 16000, i * 0.1))
        w.recorder.write_audio(AudioChunk(1, tone // 2, 16000, i * 0.1))
    w.write_event(EVENTS[0])
    w.close()
    s = load_session(tmp_path)
    assert s.audio == (tmp_path / "audio.wav").resolve()
    data, rate = sf.read(str(s.audio), dtype="int16")
    assert rate == 16000 and data.shape == (8000, 2)
    assert s.events == (EVENTS[0],)


def test_audio_opened_later_for_a_live_call(tmp_path: Path) -> None:
    """The live screen's case: the session exists first, the audio starts once the
    microphone's format is known; a crash before close still leaves a playable WAV."""
    w = SessionWriter(tmp_path, call_id="live2", started_at=T0, source="live", engine="vosk")
    w.write_event(EVENTS[0])
    assert load_session(tmp_path).audio is None
    rec = w.open_audio(8000, 1)
    with pytest.raises(SessionFileError, match="already"):
        w.open_audio(8000, 1)
    tone = (np.sin(np.arange(800) / 5.0) * 8000).astype(np.int16)
    for i in range(10):
        rec.write_audio(AudioChunk(0, tone, 8000, i * 0.1))
    crashed = load_session(tmp_path)  # not closed yet
    assert crashed.audio == (tmp_path / "audio.wav").resolve()
    assert sf.info(str(crashed.audio)).frames == 8000
    w.close()
    s = load_session(tmp_path)
    assert s.header["sample_rate"] == 8000 and s.events == (EVENTS[0],)
    data, rate = sf.read(str(s.audio), dtype="int16")
    assert rate == 8000 and data.shape == (8000,)
    with pytest.raises(SessionFileError, match="closed"):
        w.open_audio(8000, 1)


def test_crash_before_close_is_readable(tmp_path: Path, engine: FakeEngine) -> None:
    _write(tmp_path, engine, close=False)  # never closed: the process "died"
    with (tmp_path / "suggestions.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"t": 20.0, "categories": [{"id": "x", "pa')  # torn last line
    s = load_session(tmp_path)
    assert s.ended_at is None and not s.events_complete
    assert len(s.events) == len(EVENTS)
    assert all(r.t < 20.0 for r in s.suggestions)


def test_errors_name_file_and_line(tmp_path: Path, engine: FakeEngine) -> None:
    with pytest.raises(SessionFileError, match=r"no session\.json"):
        load_session(tmp_path / "nowhere")
    _write(tmp_path / "s", engine)
    sj = tmp_path / "s" / "session.json"
    good = sj.read_text(encoding="utf-8")

    sj.write_text(good.replace('"call_id": "c1",', '"call_id": "c1"'), encoding="utf-8")
    with pytest.raises(SessionFileError, match=r"session\.json:\d+: the session header is not"):
        load_session(tmp_path / "s")
    sj.write_text(good.replace('"version": 1', '"version": 99'), encoding="utf-8")
    with pytest.raises(SessionFileError, match="version 99"):
        load_session(tmp_path / "s")
    sj.write_text(good.replace("hotline-session", "something-else"), encoding="utf-8")
    with pytest.raises(SessionFileError, match="format is 'something-else'"):
        load_session(tmp_path / "s")
    sj.write_text(good, encoding="utf-8")

    sug = tmp_path / "s" / "suggestions.jsonl"
    lines = sug.read_text(encoding="utf-8").splitlines()
    sug.write_text("\n".join(["{broken", *lines]) + "\n", encoding="utf-8")
    with pytest.raises(SessionFileError, match=r"suggestions\.jsonl:1: malformed"):
        load_session(tmp_path / "s")
    sug.write_text("\n".join(lines) + "\n", encoding="utf-8")

    (tmp_path / "s" / "ticket.json").write_text('{\n  "phone": 1,\n  oops\n}', encoding="utf-8")
    with pytest.raises(SessionFileError, match=r"ticket\.json:3: the ticket is not valid JSON"):
        load_session(tmp_path / "s")
    (tmp_path / "s" / "ticket.json").unlink()

    ev = tmp_path / "s" / "events.jsonl"
    ev_lines = ev.read_text(encoding="utf-8").splitlines()
    ev.write_text("\n".join([ev_lines[0], "not json", *ev_lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(SessionFileError, match=r"events\.jsonl:2"):
        load_session(tmp_path / "s")
    ev.unlink()
    with pytest.raises(SessionFileError, match=r"events\.jsonl: missing"):
        load_session(tmp_path / "s")


def test_list_sessions_and_review_notes(tmp_path: Path, engine: FakeEngine) -> None:
    _write(tmp_path / "a", engine)
    (tmp_path / "b").mkdir()
    _write(tmp_path / "b" / "session", engine)  # the sample layout <id>/session
    (tmp_path / "not-a-session").mkdir()
    found = list_sessions(tmp_path)
    assert [f.path for f in found] == [tmp_path / "a", tmp_path / "b" / "session"]
    assert found[0].has_ticket and not found[0].has_review

    class Card:
        def to_dict(self) -> dict[str, object]:
            return {"total": 85.0}

    p = save_review_notes(tmp_path / "a", "开场规范，复述到位", reviewer="质检员甲",
                          scorecard=Card())  # fmt: skip
    p2 = save_review_notes(tmp_path / "a", "补充：语速偏快")
    assert p == p2
    review = json.loads(p.read_text(encoding="utf-8"))
    assert review["notes"] == "补充：语速偏快" and review["reviewer"] == "质检员甲"
    assert review["scorecard"] == {"total": 85.0}
    assert load_session(tmp_path / "a").review == review
    assert list_sessions(tmp_path)[0].has_review
    with pytest.raises(SessionFileError):
        save_review_notes(tmp_path / "not-a-session", "x")


@pytest.mark.parametrize("call_id", SAMPLE_IDS)
def test_committed_sample_sessions_load(call_id: str) -> None:
    s = load_session(SAMPLES / call_id / "session")
    assert s.source == "sample" and s.engine == "script"
    assert s.audio == (SAMPLES / call_id / "call.wav").resolve()
    script = json.loads((SAMPLES / call_id / "script.json").read_text(encoding="utf-8"))
    assert [e.raw for e in sorted(s.events, key=lambda e: e.start)] == [
        t["text"] for t in sorted(script["turns"], key=lambda t: t["start"])
    ]
    assert s.ticket is not None and s.reference is not None and s.suggestions
    assert sum(p.stat().st_size for p in s.path.iterdir()) < 200_000  # small, commit-friendly


def test_replay_paces_with_realtime_and_speed() -> None:
    from assistant.cli.session_cmds import replay_session

    s = load_session(SAMPLES / "08_rude_agent" / "session")
    lines: list[str] = []
    slept: list[float] = []
    replay_session(s, lines.append, realtime=True, speed=2.0, sleep=slept.append)
    last_final = max(e.end for e in s.finals)
    assert sum(slept) == pytest.approx(last_final / 2.0, abs=0.01)
    text = "\n".join(lines)
    assert text.index("[00:00.6] 话务员：喂，说吧。") < text.index("→ 建议分类：城市管理")
    assert "→ 情绪：情绪激动" in text and "电话：13501234567" in text
    fast: list[float] = []
    replay_session(s, lambda _: None, sleep=fast.append)
    assert fast == []
