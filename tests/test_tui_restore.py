"""Crash restore and session recording of the live screen (real Textual Pilot, real
CallSession + DraftJournal, real lexical knowledge engine, real SQLite store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from asr.events import Speaker
from assistant.core.session import CallSession
from assistant.files.drafts import DraftJournal, find_unfinished, read_ops
from assistant.files.session_reader import load_session
from assistant.settings import load_settings
from assistant.store import TicketStore
from tests.tui_fixtures import (  # noqa: F401  (anyio_backend is a fixture)
    SCRIPT,
    anyio_backend,
    fixed_clock,
    lexical_engine,
    scripted_events,
    wait_for,
)
from tui.app import create_app
from tui.feeds import ReplayFeed
from tui.screens.live import LiveScreen
from tui.screens.modals import ConfirmSubmit, RestoreDraft
from tui.widgets.transcript import TranscriptView

pytestmark = pytest.mark.anyio

BEFORE_CRASH = SCRIPT[:6]  # complaint, name, phone
AFTER_RESTORE: list[tuple[Speaker, str, float, float]] = [
    ("caller", "地址是朝阳区建国路88号小区门口。", 30.0, 33.0)
]


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


@pytest.fixture()
def store(tmp_path: Path) -> Any:
    s = TicketStore.open(f"sqlite:///{tmp_path / 'tickets.db'}")
    yield s
    s.dispose()


def crashed_call(drafts_dir: Path, engine: Any) -> CallSession:
    """A call journalled through DraftJournal, then abandoned as by kill -9 (never completed)."""
    session = CallSession(engine, clock=fixed_clock)
    journal = DraftJournal(drafts_dir, session.call_id)
    journal.attach(session)
    for ev in scripted_events(BEFORE_CRASH):
        session.feed(ev)
    session.set_field("name", "张三")
    journal.close()  # the file handle goes away; the draft stays on disk
    return session


def make_app(tmp_path: Path, engine: Any, store: Any) -> Any:
    settings = load_settings(data_dir=tmp_path / "data", recordings_dir=tmp_path / "sessions")
    return create_app(
        settings,
        screen="live",
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed(scripted_events(AFTER_RESTORE), speed=0.0),
    )


async def test_restore_unfinished_call_after_crash(tmp_path: Path, engine: Any, store: Any) -> None:
    app = make_app(tmp_path, engine, store)
    drafts = app.ctx.settings.drafts_dir
    old = crashed_call(drafts, engine)
    # what the crashed run had already saved (its audio, say) must survive the restore
    crashed_folder = tmp_path / "sessions" / old.call_id
    crashed_folder.mkdir(parents=True)
    (crashed_folder / "audio.wav").write_bytes(b"RIFF-before-the-crash")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RestoreDraft), what="restore modal")
        summary = str(app.screen.query_one("#restore-summary", Static).render())
        assert "张三" in summary
        assert "138****5678" in summary and "13812345678" not in summary  # phone masked
        assert "2025-03-05 09:30" in summary
        live: Any = app.screen_stack[-2]
        assert isinstance(live, LiveScreen) and not live.call_started  # nothing runs yet
        await pilot.press("enter")  # 恢复
        await wait_for(
            pilot,
            lambda: (
                live.state is not None
                and live.runner is not None
                and live.runner.pending == 0
                and len(live.state.transcript) == len(BEFORE_CRASH) + len(AFTER_RESTORE)
            ),
            what="restored call continued",
        )
        await pilot.pause(0.1)
        assert app.screen is live
        assert live.state.call_id == old.call_id
        # the transcript from before the crash is shown, then the new words
        texts = [e.text for e in live.query_one(TranscriptView).finals]
        assert texts == [t for _, t, _, _ in BEFORE_CRASH + AFTER_RESTORE]
        assert live.query_one("#f-name", Input).value == "张三"
        assert str(live.query_one("#tag-name").render()) == "已修改"
        assert live.query_one("#f-phone", Input).value == "13812345678"
        assert "建国路88号" in live.query_one("#f-address", Input).value
        # still journalled: the new final went into the same draft file
        _header, ops = read_ops(drafts / f"{old.call_id}.jsonl")
        finals = [o["event"]["text"] for o in ops if o.get("op") == "event"]
        assert finals[-1] == AFTER_RESTORE[0][1]
        assert [d.call_id for d in find_unfinished(drafts)] == [old.call_id]
        # the saved session holds the whole call (restored finals + new events)
        saved = load_session(tmp_path / "sessions" / old.call_id)
        assert [e.text for e in saved.finals] == texts
        assert saved.suggestions  # recorded after the finals
        kept = tmp_path / "sessions" / f"{old.call_id}.before-restore" / "audio.wav"
        assert kept.read_bytes() == b"RIFF-before-the-crash"


async def test_discard_unfinished_call(tmp_path: Path, engine: Any, store: Any) -> None:
    app = make_app(tmp_path, engine, store)
    drafts = app.ctx.settings.drafts_dir
    old = crashed_call(drafts, engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RestoreDraft), what="restore modal")
        await pilot.press("d")  # 放弃
        assert isinstance(app.screen, LiveScreen)
        live: Any = app.screen
        await wait_for(
            pilot,
            lambda: live.state is not None and len(live.state.transcript) == len(AFTER_RESTORE),
            what="new call",
        )
        assert live.state.call_id != old.call_id
        texts = [e.text for e in live.query_one(TranscriptView).finals]
        assert texts == [AFTER_RESTORE[0][1]]
        assert not (drafts / f"{old.call_id}.jsonl").exists()
        assert [d.call_id for d in find_unfinished(drafts)] == [live.state.call_id]


async def test_live_call_is_saved_as_a_session(tmp_path: Path, engine: Any, store: Any) -> None:
    settings = load_settings(data_dir=tmp_path / "data", recordings_dir=tmp_path / "sessions")
    app = create_app(
        settings,
        screen="live",
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed(scripted_events(SCRIPT), speed=0.0),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        assert not isinstance(app.screen, RestoreDraft)  # no drafts: no prompt
        screen: Any = app.screen
        await wait_for(
            pilot,
            lambda: (
                screen.state is not None
                and screen.runner.pending == 0
                and len(screen.state.transcript) == len(SCRIPT)
            ),
            what="analysed",
        )
        await pilot.press("f3", "f6", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit), what="confirm")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.submitted_number is not None, what="stored")
        await wait_for(pilot, lambda: screen.runner.pending == 0)
        call_id = screen.state.call_id
    folder = tmp_path / "sessions" / call_id
    saved = load_session(folder)
    assert saved.source == "live" and saved.ended_at is not None and saved.events_complete
    assert len(saved.events) == 2 * len(SCRIPT)  # partials and finals, as they arrived
    assert saved.suggestions[-1].fields["phone"] == "13812345678"
    assert saved.ticket is not None and saved.ticket["phone"] == "13812345678"
    ticket = store.list()[0]
    calls = store.calls(ticket.id)
    assert [c.session_path for c in calls] == [str(folder)]
    assert json.loads((folder / "session.json").read_text(encoding="utf-8"))["call_id"] == call_id


async def test_home_offers_the_unfinished_call(tmp_path: Path, engine: Any, store: Any) -> None:
    settings = load_settings(data_dir=tmp_path / "data", recordings_dir=tmp_path / "sessions")
    app = create_app(
        settings,
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed([], speed=0.0),
    )
    old = crashed_call(settings.drafts_dir, engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RestoreDraft), what="restore modal")
        assert type(app.screen_stack[-2]).__name__ == "HomeScreen"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen), what="live screen")
        live: Any = app.screen
        await wait_for(
            pilot,
            lambda: live.state is not None and len(live.state.transcript) == len(BEFORE_CRASH),
            what="restored",
        )
        assert live.state.call_id == old.call_id
        assert len(live.query_one(TranscriptView).finals) == len(BEFORE_CRASH)
        assert live.query_one("#f-phone", Input).value == "13812345678"
        assert not isinstance(app.screen, RestoreDraft)  # not asked a second time


async def test_a_damaged_draft_is_offered_with_its_damage_on_screen(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    """A line ``[1,2,3]`` crashed the app at start-up on every launch (issue 18 #3)."""
    app = make_app(tmp_path, engine, store)
    drafts = app.ctx.settings.drafts_dir
    old = crashed_call(drafts, engine)
    path = drafts / f"{old.call_id}.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[2:2] = [b"[1,2,3]", b'{"op":"event","event":{"speaker":"caller"}}']
    path.write_bytes(b"\n".join(lines) + '{"op":"event","event":{"text":"我'.encode()[:-1])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RestoreDraft), what="restore modal")
        summary = str(app.screen.query_one("#restore-summary", Static).render())
        assert "张三" in summary
        assert "2 行损坏已跳过（第 3 行起）" in summary and "最后一行不完整" in summary
        live: Any = app.screen_stack[-2]
        await pilot.press("enter")  # 恢复
        await wait_for(
            pilot,
            lambda: live.state is not None and len(live.state.transcript) >= len(BEFORE_CRASH),
            what="damaged call restored",
        )
        assert [e.text for e in live.state.transcript][: len(BEFORE_CRASH)] == [
            t for _, t, _, _ in BEFORE_CRASH
        ]
