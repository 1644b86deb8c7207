"""Transcript pane: auto-scroll follows fast events, pauses when the user scrolls back,
and resumes at the bottom (real Textual app driven by Pilot)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from asr.events import TranscriptEvent
from tests.tui_fixtures import anyio_backend  # noqa: F401  (fixture)
from tui.widgets.transcript import TranscriptView

pytestmark = pytest.mark.anyio


class _Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield TranscriptView(id="t")


def _event(i: int) -> TranscriptEvent:
    speaker = "caller" if i % 2 else "agent"
    return TranscriptEvent(
        speaker,
        f"第{i}句：我们小区门口的路灯坏了好几天了，晚上特别黑。",
        float(i),
        i + 0.8,
        final=True,
    )


async def test_follows_bursts_pauses_on_user_scroll_and_resumes() -> None:
    app = _Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TranscriptView)
        for i in range(30):  # a burst faster than the deferred scroll_end
            view.add(_event(i))
        await pilot.pause(0.2)
        assert view.max_scroll_y > 0
        assert view.scroll_y >= view.max_scroll_y - 1, "burst of events lost auto-scroll"

        view.focus()
        await pilot.press("pageup")
        await pilot.pause(0.1)
        held = view.scroll_y
        assert not view.following
        view.add(_event(30))
        await pilot.pause(0.2)
        assert view.scroll_y == held, "auto-scroll must pause while the user reads back"
        assert "1 条新内容" in str(view.border_subtitle)

        await pilot.press("end")
        await pilot.pause(0.2)
        assert view.following
        view.add(_event(31))
        await pilot.pause(0.2)
        assert view.scroll_y >= view.max_scroll_y - 1
        assert not view.border_subtitle


async def test_speaker_labels_are_not_truncated() -> None:
    app = _Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TranscriptView)
        view.add(_event(1))
        view.add(_event(2))
        await pilot.pause(0.2)
        text = app.export_screenshot()
        assert "来电人" in text and "话务员" in text and "来电人…" not in text


async def test_highlight_scrolls_to_the_turn_and_a_new_final_resumes_following() -> None:
    app = _Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TranscriptView)
        events = [_event(i) for i in range(30)]
        for ev in events:
            view.add(ev)
        await pilot.pause(0.2)
        assert view.following and view.max_scroll_y > 0

        assert view.highlight(events[3])
        await pilot.pause(0.2)
        assert view.highlighted == events[3]
        assert not view.following  # looking back: a partial does not pull the view away
        top = view.scroll_y
        assert top < view.max_scroll_y - 1
        assert "第3句" in app.export_screenshot()  # the row is on screen (with its neighbour)
        view.add(TranscriptEvent("caller", "还有一件事", 40.0, 40.5, final=False))
        await pilot.pause(0.2)
        assert view.scroll_y == top and view.highlighted == events[3]

        view.add(TranscriptEvent("caller", "还有一件事要说。", 40.0, 41.0, final=True))
        await pilot.pause(0.2)
        assert view.highlighted is None
        assert view.following and view.scroll_y >= view.max_scroll_y - 1
        assert not view.border_subtitle

        # clearing by hand after the user had scrolled back keeps the view where it is
        await pilot.press("pageup")
        await pilot.pause(0.1)
        assert not view.following
        assert view.highlight(events[10])
        await pilot.pause(0.1)
        view.clear_highlight()
        await pilot.pause(0.1)
        assert not view.following and view.highlighted is None
        assert not view.highlight(TranscriptEvent("agent", "不在转写里", 99.0, 99.5, final=True))
