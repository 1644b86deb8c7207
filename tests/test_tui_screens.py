"""Pilot tests of the practice, review, tickets and home screens (real engine + SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static, TextArea

from assistant.files.recordings import find_calls, samples_dir
from assistant.settings import load_settings
from assistant.store import TicketDraft, TicketStore
from tests.tui_fixtures import (  # noqa: F401  (anyio_backend is a fixture)
    anyio_backend,
    fixed_clock,
    lexical_engine,
    wait_for,
)
from tui.app import create_app
from tui.feeds import ReplayFeed
from tui.screens.modals import ChooseTicket, ConfirmSubmit, MessageBox, NotesEditor
from tui.screens.practice import PracticeScreen
from tui.screens.review import ReviewScreen
from tui.screens.tickets import TicketsScreen

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


def review_app(tmp_path: Path, folder: Path, engine: Any) -> Any:
    settings = load_settings(data_dir=tmp_path)
    return create_app(
        settings, screen="review", target=str(folder), clock=fixed_clock, engine=engine
    )


def sample(name: str) -> Path:
    path = samples_dir() / name
    if not path.is_dir():
        pytest.skip(f"sample call {name} missing")
    return path


async def test_practice_plays_pauses_seeks_and_scores(tmp_path: Path, engine: Any) -> None:
    store = TicketStore.open(f"sqlite:///{tmp_path / 't.db'}")
    call = sample("01_rural_road")

    def factory(settings: Any, rec: Any) -> ReplayFeed:
        # the stored transcript at 3x real time (the pacing logic is the real one)
        return ReplayFeed(rec.events, times=rec.times, duration=rec.duration, speed=3.0)

    app = create_app(
        load_settings(data_dir=tmp_path),
        screen="practice",
        target=str(call),
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=factory,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        assert isinstance(screen, PracticeScreen)
        await wait_for(pilot, lambda: screen.feed.position > 2, what="playback")
        await pilot.press("space")
        assert screen.feed.paused
        frozen = screen.feed.position
        await pilot.pause(0.3)
        assert screen.feed.position == pytest.approx(frozen)
        await pilot.press("space", "right")
        assert not screen.feed.paused and screen.feed.position >= frozen + 5
        await wait_for(
            pilot,
            lambda: screen.feed.finished and screen.runner.pending == 0,
            what="end of recording",
        )
        await pilot.pause(0.1)
        # the trainee takes the suggestions, confirms and submits: scored, not stored
        await pilot.press("f6", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageBox), what="score report")
        score = screen.score
        assert score is not None
        by_field = {f.field: f.score for f in score.fields}
        assert by_field["phone"] == 1.0  # 13906127758 read back from the words
        assert by_field["name"] == 1.0
        assert 0 <= score.total <= 100
        assert score.category_ok is not None
        body = str(app.screen.query_one("#message-body").render())
        assert "总分" in body and "电话" in body
        practice_folder = Path(screen.session_path)
    assert store.list() == []  # practice never writes real tickets
    store.dispose()

    # ... but the run is saved as a session a trainer can open in the review screen
    from assistant.files.session_reader import load_session

    saved = load_session(practice_folder)
    assert saved.source == "practice" and saved.ended_at is not None
    assert saved.audio == (call / "call.wav").resolve()  # points at the recording, no copy
    assert saved.ticket is not None and saved.ticket["phone"] == "13906127758"
    assert saved.reference is not None and saved.suggestions
    assert len(saved.events) == len(screen.events)
    sessions_dir = practice_folder.parent
    assert practice_folder in find_calls(sessions_dir)  # the review list shows the run
    assert practice_folder not in find_calls(sessions_dir, skip_sources=frozenset({"practice"}))
    review = review_app(tmp_path, practice_folder, engine)
    async with review.run_test(size=(120, 36)) as pilot:
        rs: Any = review.screen
        await wait_for(pilot, lambda: bool(rs.moments), what="timeline")
        assert rs.practice is not None and rs.practice.total == pytest.approx(score.total)
        qa = str(rs.query_one("#qa", Static).render())
        assert "学员工单" in qa and f"练习得分 {score.total:.0f} / 100" in qa


async def test_review_replays_timeline_and_saves_notes(tmp_path: Path, engine: Any) -> None:
    import shutil

    folder = tmp_path / "call"
    shutil.copytree(sample("02_unpaid_wages_angry"), folder)
    app = review_app(tmp_path, folder, engine)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        assert isinstance(screen, ReviewScreen)
        await wait_for(pilot, lambda: bool(screen.moments), what="timeline")
        n = len(screen.moments)
        assert n == len(screen.finals) and screen.index == n - 1
        last = screen.moment_state
        await pilot.press("b")  # first moment: only the greeting, no fields yet
        assert screen.index == 0
        assert screen.moment_state is not last
        assert screen.moment_state is not None
        assert not screen.moment_state.fields.get("phone")
        await pilot.press("e", "left")
        assert screen.index == n - 2
        assert screen.card is not None and screen.card.items
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NotesEditor))
        app.screen.query_one(TextArea).insert("复述及时，结束语规范。")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NotesEditor))
    # a saved session: the notes (and the QA scorecard) go to its review.json
    from assistant.files.session_reader import load_session

    review = load_session(folder / "session").review
    assert review is not None and review["notes"] == "复述及时，结束语规范。"
    assert review["reviewer"] == app.ctx.settings.seat_id
    assert "scorecard" in review
    assert not (folder / "review_notes.md").exists()


async def test_review_shows_the_suggestions_as_recorded_not_recomputed(
    tmp_path: Path, engine: Any
) -> None:
    """A session recorded under an older catalogue: the review shows what the call-taker
    saw then, and names today's top choice beside it."""
    import json
    import shutil

    from tui.widgets.suggestions import SuggestionList

    folder = tmp_path / "call"
    shutil.copytree(sample("02_unpaid_wages_angry"), folder)
    path = folder / "session" / "suggestions.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    old = {"id": "99.99.99", "path": "旧目录 > 旧二级 > 旧叶子", "department": "人力资源和社会保障",
           "deadline": "7d", "score": 0.9}  # fmt: skip
    lines[-1]["categories"] = [old]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    app = review_app(tmp_path, folder, engine)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await wait_for(pilot, lambda: bool(screen.moments), what="timeline")
        pane = screen.query_one(SuggestionList)
        assert screen.recorded and pane.border_subtitle == "录制时所见"
        assert pane.get_option_at_index(0).id == "99.99.99"
        fields = str(screen.query_one("#moment-fields", Static).render())
        assert "现知识库首选" in fields
        qa = str(screen.query_one("#qa", Static).render())
        assert "提交工单" in qa and "改选（助手首选 旧目录 > 旧二级 > 旧叶子）" in qa
        await pilot.press("b")  # the first moment shows the record of that moment
        rec = screen.recorded_at()
        assert rec is None or rec.t <= screen.moments[0][0]
        expected = [c.id for c in rec.categories[:3]] if rec and rec.categories else [None]
        assert [pane.get_option_at_index(i).id for i in range(pane.option_count)] == expected
        assert expected != ["99.99.99"]


def _draft(**kw: str) -> TicketDraft:
    base = dict(
        name="王",
        phone="13900001111",
        address="海淀区中关村大街1号",
        category_id="01.01.01",
        category_path="城市管理 > 市容环境 > 占道经营",
        department="城市管理",
        deadline="7d",
        summary="门口摆摊占道",
    )
    base.update(kw)
    return TicketDraft(**base)  # type: ignore[arg-type]


async def test_tickets_list_search_audit_and_merge(tmp_path: Path, engine: Any) -> None:
    store = TicketStore.open(f"sqlite:///{tmp_path / 't.db'}")
    a = store.submit(_draft())
    b = store.submit(
        _draft(name="李", phone="13900002222"),
        suggestions={
            "name": "张",
            "category": "01.01.01",
            "urgency": "urgent",
            "verdict": "accept",
        },
    )
    store.submit(
        _draft(
            address="西城区金融街9号",
            summary="噪音扰民",
            category_id="01.01.03",
            category_path="城市管理 > 市容环境 > 露天烧烤",
        )
    )
    app = create_app(
        load_settings(data_dir=tmp_path),
        screen="tickets",
        clock=fixed_clock,
        engine=engine,
        store=store,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        assert isinstance(screen, TicketsScreen)
        await wait_for(pilot, lambda: len(screen.tickets) == 3 and bool(screen.audit))
        await pilot.press("slash", *"金融街", "enter")
        await wait_for(pilot, lambda: len(screen.tickets) == 1, what="search")
        await pilot.press("slash", "ctrl+u", "enter")
        await wait_for(pilot, lambda: len(screen.tickets) == 3)
        table = screen.query_one(DataTable)
        table.focus()
        # newest first: b is the second row; merge it into a (same address + category)
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.selected is not None and screen.selected.id == b.id)
        await wait_for(pilot, lambda: any(x.action == "created" for x in screen.audit))
        detail = _detail_text(screen)
        # codes are shown in Chinese: verdict, urgency, field names, actions, actors
        assert "受理     受理" in detail and "紧急     一般" in detail
        assert "助手建议" in detail and "已确认" in detail and "已修改" in detail
        assert "话务员" in detail and "助手 " in detail
        assert "姓名 张 → 李" in detail.replace("\n", "")
        assert "紧急程度 加急 → 一般" in detail and "受理结论 受理" in detail
        # the ticket's own leaf id reads as its catalogue path (folded, never cut off)
        flat = "".join(detail.split())
        assert flat.count("分类城市管理>市容环境>占道经营") >= 3  # field row, suggested, confirmed
        assert "01.01.01" not in detail and "…" not in detail
        for raw in ("accept", "normal", "urgent", "suggested", "confirmed", "call_taker", "name "):
            assert raw not in detail, raw
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseTicket), what="merge targets")
        await pilot.press("enter")
        await wait_for(pilot, lambda: store.get(b.id).status == "merged", what="merged")
        # the merged ticket's trail shows the merge and the status change in Chinese
        await wait_for(pilot, lambda: any(t.status == "merged" for t in screen.tickets))
        table.focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: any(x.action == "merged" for x in screen.audit))
        flat = "".join(_detail_text(screen).split())
        assert f"已合并→{a.number}" in flat
        assert f"话务员合并并入{a.number}" in flat and "状态变更状态办理中→已合并" in flat
    assert store.get(b.id).merged_into == a.id
    assert "merged" in {x.action for x in store.audit(b.id)}
    store.dispose()


def _detail_text(screen: Any) -> str:
    """The tickets screen's detail pane as plain text, at the pane's width."""
    import io

    from rich.console import Console

    body = screen.query_one("#detail-body", Static)
    console = Console(width=body.size.width, file=io.StringIO(), record=True, color_system=None)
    console.print(body.content)
    return console.export_text()


async def test_home_opens_each_screen_by_key(tmp_path: Path, engine: Any) -> None:
    store = TicketStore.open(f"sqlite:///{tmp_path / 't.db'}")
    app = create_app(
        load_settings(data_dir=tmp_path),
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed([], speed=0),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TicketsScreen")
        await pilot.press("f10", "p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CallListScreen")
        if find_calls(samples_dir()):
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "PracticeScreen")
            await pilot.press("f10")
        else:
            await pilot.press("f10")
        await pilot.press("l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LiveScreen")
        await pilot.press("f10")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
    store.dispose()


@pytest.mark.slow
async def test_practice_recognises_the_sample_live_with_whisper(
    tmp_path: Path, engine: Any
) -> None:
    """The `hotline demo` path: no injected feed; a Mandarin recogniser is installed, so the
    recording is recognised live through asr.pipeline at real-time pace."""
    import os

    from tests.conftest import need_real
    from tui.context import AppContext
    from tui.feeds import TranscriberFeed
    from tui.screens.factory import mandarin_recogniser

    models = Path(os.environ.get("HOTLINE_MODELS_DIR", ""))
    settings = load_settings(data_dir=tmp_path, models_dir=models, asr_engine="whisper")
    ok, what = mandarin_recogniser(AppContext(settings))
    need_real(f"a Mandarin recogniser ({what})", ok)
    app = create_app(
        settings,
        screen="practice",
        target=str(sample("03_water_outage_phone_fix")),
        clock=fixed_clock,
        engine=engine,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        assert isinstance(screen.feed, TranscriberFeed)
        await wait_for(
            pilot,
            lambda: any(e.final for e in screen.events),
            timeout=90,
            what="a final result recognised from the audio",
        )
        assert "识别中" in screen.recognition_status
        final = next(e for e in screen.events if e.final)
        assert final.engine and final.text
        assert screen.feed.position > 0
