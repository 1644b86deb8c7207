"""Pilot tests of the call-level verdict on the live screen (issue 14, item 3): the banners
follow the latched verdict and say which turn caused it, F7 / a click shows that turn, F9
overrides the verdict (audited in the stored ticket), and the suggestions stay put while
the caller gives a phone number or an address. Real lexical engine, real CallSession, real
SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from assistant.settings import load_settings
from assistant.store import TicketStore
from tests.tui_fixtures import (  # noqa: F401  (anyio_backend is a fixture)
    anyio_backend,
    fixed_clock,
    lexical_engine,
    scripted_events,
    wait_for,
)
from tui.app import create_app
from tui.feeds import ReplayFeed
from tui.screens.live import LiveScreen
from tui.screens.modals import ConfirmSubmit, VerdictPicker, verdict_choices
from tui.widgets.suggestions import SuggestionList
from tui.widgets.transcript import TranscriptView

pytestmark = pytest.mark.anyio

FIRE = [
    ("agent", "您好，一二三四五热线，请问有什么可以帮您？", 0.5, 3.0),
    ("caller", "快来人啊，我们楼道里着火了，好多烟，我和孩子被困在家里出不去！", 3.5, 8.0),
    ("agent", "您别着急，我现在帮您转接119。", 8.5, 10.0),
    ("caller", "好的好的，谢谢。", 10.5, 11.5),
    ("agent", "请问具体地址是哪里？", 12.0, 13.0),
    ("caller", "朝阳区建国路88号3号楼。", 13.5, 15.0),
    ("agent", "您的联系电话是多少？", 15.5, 16.5),
    ("caller", "13812345678。", 17.0, 18.5),
]


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


@pytest.fixture()
def store(tmp_path: Path) -> Any:
    s = TicketStore.open(f"sqlite:///{tmp_path / 'tickets.db'}")
    yield s
    s.dispose()


def make_app(tmp_path: Path, engine: Any, store: Any, script: Any) -> Any:
    settings = load_settings(data_dir=tmp_path / "data")
    return create_app(
        settings,
        screen="live",
        clock=fixed_clock,
        engine=engine,
        store=store,
        asr_factory=lambda s, src: ReplayFeed(scripted_events(script), speed=0.0),
    )


async def played(pilot: Any, screen: LiveScreen, n_turns: int) -> None:
    await wait_for(
        pilot,
        lambda: (
            len(screen.events) == 2 * n_turns
            and screen.runner is not None
            and screen.runner.pending == 0
            and screen.state is not None
            and len(screen.state.transcript) == n_turns
        ),
        what="all events analysed",
    )
    await pilot.pause(0.1)


async def settle(pilot: Any, screen: LiveScreen) -> None:
    await wait_for(pilot, lambda: screen.runner is not None and screen.runner.pending == 0)
    await pilot.pause(0.1)


def banner_text(screen: LiveScreen, which: str) -> str:
    banner = screen.query_one(f"#{which}", Static)
    return str(banner.render()) if banner.display else ""


async def test_emergency_banner_says_which_turn_and_f7_shows_it(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    app = make_app(tmp_path, engine, store, FIRE)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, len(FIRE))
        state = screen.state
        # the agent's transfer (the 3rd segment) latched the call as refer/119: the address,
        # the thanks and the phone number after it did not undo it
        assert (state.verdict, state.channel) == ("refer", "119")
        assert state.verdict_cause.turn == 2 and state.verdict_cause.source == "agent"
        text = banner_text(screen, "emergency")
        assert "119" in text
        assert "依据：第3句 话务员：「您别着急，我现在帮您转接119。」" in text
        assert not screen.query_one("#referral", Static).display

        view = screen.query_one(TranscriptView)
        assert view.highlighted is None
        await pilot.press("f7")
        await pilot.pause(0.2)
        assert view.highlighted == state.transcript[2]
        # the next key ends the look back; the view follows new text again
        await pilot.press("end")
        await pilot.pause(0.2)
        assert view.highlighted is None and view.following

        # a click on the banner does the same as F7
        await pilot.click("#emergency")
        await pilot.pause(0.2)
        assert view.highlighted == state.transcript[2]


async def test_f9_override_to_accept_takes_the_banner_down_and_is_audited(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    app = make_app(tmp_path, engine, store, FIRE)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, len(FIRE))
        assert screen.query_one("#emergency", Static).display

        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, VerdictPicker), what="改判 modal")
        picker: Any = app.screen
        options = picker.query_one("#verdict-list", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == "受理（派单）"
        assert [k for k, _ in verdict_choices()][options.highlighted or 0] == "refer:119"
        assert "（当前）" in labels[options.highlighted or 0]
        for want in ("转 110", "转 122", "引导至 人民法院", "引导至 劳动人事争议仲裁"):
            assert any(lab.startswith(want) for lab in labels), want
        assert any("不予受理：涉及封建迷信" in lab for lab in labels)
        await pilot.press("home", "enter")
        await wait_for(pilot, lambda: app.screen is screen, what="modal closed")
        await settle(pilot, screen)

        state = screen.state
        assert (state.verdict, state.channel) == ("accept", None)
        assert state.verdict_cause.source == "override"
        assert any(op["op"] == "set_verdict" for op in screen.controller.session.ops)
        # an alert of the earlier verdict does not keep a banner up
        assert any(a.kind == "emergency" for a in state.alerts)
        assert not screen.query_one("#emergency", Static).display
        assert not screen.query_one("#referral", Static).display

        # an accepted ticket needs a category: take the top suggestion, then submit
        await pilot.press("f3")
        await settle(pilot, screen)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit), what="confirm")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.submitted_number is not None, what="stored")

    (ticket,) = store.list()
    assert ticket.verdict == "accept"
    rows = [(a.actor, a.action, a.field, a.old_value, a.new_value) for a in store.audit(ticket.id)]
    # what the assistant had found, what the call-taker made of it, and when
    assert ("assistant", "suggested", "verdict", None, "refer") in rows
    assert ("assistant", "suggested", "channel", None, "119") in rows
    assert ("call_taker", "edited", "verdict", "refer", "accept") in rows
    assert ("call_taker", "edited", "verdict", None, "refer/119 -> accept") in rows


async def test_referral_banner_follows_the_verdict_through_overrides(
    tmp_path: Path, engine: Any, store: Any
) -> None:
    script = [
        ("caller", "公司拖欠我三个月工资不给，我想申请劳动仲裁。", 1.0, 5.0),
        ("agent", "这种情况需要向劳动人事争议仲裁委员会申请仲裁。", 5.5, 8.0),
        ("caller", "好的，我家在海淀区中关村大街1号。", 8.5, 10.0),
    ]
    app = make_app(tmp_path, engine, store, script)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, len(script))
        assert (screen.state.verdict, screen.state.channel) == ("refer", "arbitration")
        text = banner_text(screen, "referral")
        assert "转办引导" in text and "依据：第" in text
        assert not screen.query_one("#emergency", Static).display

        # override to a decline: the banner says so, and that the call-taker decided
        screen.controller.set_verdict("decline", reason="private_matter")
        await settle(pilot, screen)
        text = banner_text(screen, "referral")
        assert "不予受理" in text and "私人事务" in text and "依据：坐席改判" in text
        assert "劳动人事争议仲裁" not in text  # not the earlier referral's alert
        # a second override replaces the first
        screen.controller.set_verdict("accept")
        await settle(pilot, screen)
        assert screen.state.verdict == "accept"
        assert not screen.query_one("#referral", Static).display
        await pilot.press("f7")  # nothing to show: said, not an error
        await pilot.pause(0.1)
        assert screen.query_one(TranscriptView).highlighted is None
        assert [o.change for o in screen.controller.verdict_overrides()] == [
            "refer/arbitration -> decline/private_matter",
            "decline/private_matter -> accept",
        ]


async def test_suggestions_stay_put_on_field_answer_turns(
    tmp_path: Path, engine: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feed a call through the live screen: the suggestion list shown after a field answer
    (name, phone, address) is the one shown before it; an answer with a remark of its own
    (移动的号) may move the scores, never the ranking, and no 通信 category comes up."""
    script = [
        ("agent", "您好，一二三四五热线，请问有什么可以帮您？", 0.5, 3.0),
        ("caller", "我家楼下天天有人摆摊占道经营，人行道都走不了了。", 3.5, 8.0),
        ("agent", "请问您贵姓？", 8.5, 9.5),
        ("caller", "我姓张，张三。", 10.0, 11.0),
        ("agent", "请您留一个联系电话。", 11.5, 12.5),
        ("caller", "13812345678。", 13.0, 15.0),
        ("agent", "还有别的联系方式吗？", 15.5, 16.5),
        ("caller", "电话是13900001111，移动的号。", 17.0, 18.5),
        ("agent", "请问具体地址是哪里？", 19.0, 20.0),
        ("caller", "朝阳区建国路88号小区门口。", 20.5, 22.0),
        ("agent", "好的，我们会把您的诉求转交相关部门办理。", 22.5, 24.0),
        ("caller", "好，谢谢你。", 24.5, 25.0),
    ]
    shown: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    original = LiveScreen.on_state_changed

    def recording(self: Any, message: Any) -> None:
        original(self, message)
        widget = self.query_one(SuggestionList)
        prompts = tuple(
            str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)
        )
        ids = tuple(s.leaf.id for s in message.state.suggestions)
        shown[len(message.state.transcript)] = (ids, prompts)

    monkeypatch.setattr(LiveScreen, "on_state_changed", recording)
    app = make_app(tmp_path, engine, store, script)
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        await played(pilot, screen, len(script))
        acts = screen.state.dialogue_acts
    fields = {"answer_name", "answer_phone", "answer_address"}
    answers = [i for i, a in enumerate(acts) if fields & set(a)]
    assert {"answer_name", "answer_phone", "answer_address"} <= {
        x for i in answers for x in acts[i]
    }
    assert sum(set(acts[i]) <= fields for i in answers) >= 3  # name, phone, address
    ranked = shown[2][0]
    assert ranked, "the narrative gave suggestions"
    for i in answers:
        said = script[i][1]
        if set(acts[i]) <= fields:  # a plain answer: the very same list on screen
            assert shown[i + 1] == shown[i], f"suggestions changed on field answer {said!r}"
        assert shown[i + 1][0] == shown[i][0], f"ranking changed on field answer {said!r}"
    for n in range(3, len(script) + 1):  # nothing after the narrative moved the ranking
        assert shown[n][0] == ranked
        assert not any("通信" in p.split("\n")[0] for p in shown[n][1])
