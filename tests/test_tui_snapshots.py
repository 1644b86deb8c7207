"""Snapshot tests (pytest-textual-snapshot) of every screen at 120x36, deterministic:
fixed clock, the real lexical engine (no embeddings), a fixed-clock SQLite store, events
replayed instantly, no blinking cursor. Update with `pytest --snapshot-update`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.files.recordings import samples_dir
from assistant.settings import load_settings
from assistant.store import TicketStore
from tests.tui_fixtures import (
    fixed_clock,
    lexical_engine,
    scripted_events,
    wait_for,
    wait_stable,
)
from tui.app import create_app
from tui.feeds import ReplayFeed
from tui.screenshots import seed_demo_ticket

SIZE = (120, 36)


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


def store_with_tickets(tmp_path: Path) -> Any:
    store = TicketStore.open(f"sqlite:///{tmp_path / 't.db'}", clock=fixed_clock)
    seed_demo_ticket(store)
    return store


def app_for(tmp_path: Path, engine: Any, screen: Any, target: str | None = None) -> Any:
    settings = load_settings(data_dir=tmp_path / "data", recordings_dir=tmp_path / "sessions")

    def feed(_settings: Any, call: Any) -> ReplayFeed:
        if call is None:
            return ReplayFeed(scripted_events(), speed=0, description="回放测试转写")
        return ReplayFeed(
            call.events,
            times=call.times,
            duration=call.duration,
            speed=0,
            description="回放脚本转写",
            start_paused=False,
        )

    return create_app(
        settings,
        screen=screen,
        target=target,
        clock=fixed_clock,
        engine=engine,
        store=store_with_tickets(tmp_path),
        asr_factory=feed,
    )


async def settled(pilot: Any) -> None:
    screen = pilot.app.screen
    runner = getattr(screen, "runner", None)
    if runner is not None:
        await wait_for(
            pilot,
            lambda: (
                screen.state is not None
                and runner.pending == 0
                and len(screen.events) == len(getattr(screen.feed, "events", []))
            ),
        )
    if hasattr(screen, "moments"):
        await wait_for(pilot, lambda: bool(screen.moments))
    if hasattr(screen, "tickets") and hasattr(screen, "audit"):
        await wait_for(pilot, lambda: bool(screen.tickets) and bool(screen.audit))
    from tui.widgets.transcript import TranscriptView

    for view in screen.query(TranscriptView):  # auto-scroll has caught up with the last line
        # every final has at least one row on screen (the layout has caught up)
        await wait_for(pilot, lambda v=view: v.rendered_rows >= len(v.finals))
        await wait_for(pilot, lambda v=view: v.scroll_y >= v.max_scroll_y - 1)
    # toasts time out after a few seconds: whether one is still up would depend on the
    # machine's speed, so snapshots are taken without them (tests assert notifications)
    pilot.app.clear_notifications()
    await wait_stable(pilot)


def test_snapshot_home(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    assert snap_compare(app_for(tmp_path, engine, "home"), terminal_size=SIZE, run_before=settled)


def test_snapshot_live(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    assert snap_compare(app_for(tmp_path, engine, "live"), terminal_size=SIZE, run_before=settled)


def test_snapshot_live_100x30(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    assert snap_compare(
        app_for(tmp_path, engine, "live"), terminal_size=(100, 30), run_before=settled
    )


def test_snapshot_practice(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    target = samples_dir() / "04_gas_smell"
    if not target.is_dir():
        pytest.skip("sample call missing")
    assert snap_compare(
        app_for(tmp_path, engine, "practice", str(target)), terminal_size=SIZE, run_before=settled
    )


def test_snapshot_practice_100x30_with_emergency_banner(
    snap_compare: Any, tmp_path: Path, engine: Any
) -> None:
    """The smallest supported size with a banner on top: transcript still follows, footer fits."""
    target = samples_dir() / "04_gas_smell"
    if not target.is_dir():
        pytest.skip("sample call missing")
    assert snap_compare(
        app_for(tmp_path, engine, "practice", str(target)),
        terminal_size=(100, 30),
        run_before=settled,
    )


def test_snapshot_review(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    target = samples_dir() / "02_unpaid_wages_angry"
    if not target.is_dir():
        pytest.skip("sample call missing")
    assert snap_compare(
        app_for(tmp_path, engine, "review", str(target)), terminal_size=SIZE, run_before=settled
    )


def test_snapshot_tickets(snap_compare: Any, tmp_path: Path, engine: Any) -> None:
    assert snap_compare(
        app_for(tmp_path, engine, "tickets"), terminal_size=SIZE, run_before=settled
    )
