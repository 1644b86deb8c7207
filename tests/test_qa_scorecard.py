"""QA scorecard items on hand-made calls (real bundled scripts.yaml), and on the committed
sample sessions: the rude-agent call is flagged, the polite calls pass."""

from __future__ import annotations

import json

import pytest
from e2e_fixtures import POLITE_IDS, SAMPLES
from session_fixtures import FakeEngine

from asr.events import TranscriptEvent
from assistant import qa
from assistant.qa import score_call, score_events, score_session
from knowledge.scripts import Scripts, load_scripts


@pytest.fixture(scope="module")
def scripts() -> Scripts:
    return load_scripts()


def ev(speaker: str, text: str, start: float, end: float, final: bool = True) -> TranscriptEvent:
    return TranscriptEvent(speaker=speaker, text=text, start=start, end=end, final=final)  # type: ignore[arg-type]


GOOD = [
    ev("agent", "您好，12345热线，请问有什么可以帮您？", 0.5, 3.0),
    ev("caller", "你们到底管不管！老板三个月不发工资，我都快气死了！", 3.5, 8.0),
    ev("agent", "我很理解您的心情，您先别着急，请问您怎么称呼？", 8.5, 11.0),
    ev("caller", "我姓王，电话13812345678。", 11.5, 14.0),
    ev("agent", "跟您确认一下，您反映拖欠工资，电话13812345678，对吗？", 14.5, 18.0),
    ev("caller", "对。", 18.5, 19.0),
    ev("agent", "感谢您的来电，再见。", 19.5, 21.0),
]


def test_polite_call_passes_every_item(scripts: Scripts) -> None:
    card = score_events(GOOD, scripts, call_id="g")
    assert {i.key: i.status for i in card.items} == {
        "greeting": "pass", "empathy": "pass", "forbidden": "pass", "readback": "pass",
        "talk_ratio": "pass", "silence": "pass", "talk_over": "pass"}  # fmt: skip
    assert card.total == 100.0 and card.passed
    emp = card.item("empathy")
    assert [m.t for m in emp.moments] == [3.5, 8.5]  # the angry turn, then the empathy
    assert "我很理解" in emp.detail
    json.dumps(card.to_dict(), ensure_ascii=False)  # JSON-safe


def test_each_item_can_fail(scripts: Scripts) -> None:
    bad = [
        ev("agent", "喂，说。", 0.5, 1.5),
        ev("caller", "你们到底管不管！路灯坏了好几天了！", 2.0, 9.0),
        ev("agent", "这不归我们管，你爱找谁找谁。", 8.0, 11.0),  # starts 1 s before the caller ends
        ev("caller", "你这什么态度", 25.0, 26.0),  # 14 s of silence before
        ev("agent", "行了行了，记下了。我很忙，没空听你说这些，有完没完，还有别的吗？", 26.5, 60.0),
    ]
    card = score_events(bad, scripts)
    status = {i.key: i.status for i in card.items}
    assert status == {"greeting": "fail", "empathy": "fail", "forbidden": "fail",
                      "readback": "fail", "talk_ratio": "fail", "silence": "fail",
                      "talk_over": "fail"}  # fmt: skip
    assert card.total == 0.0 and not card.passed
    forb = card.item("forbidden")
    assert [m.quote for m in forb.moments][:2] == ["这不归我们管", "你爱找谁找谁"]
    assert forb.moments[0].t == 8.0 and forb.moments[0].speaker == "agent"
    assert card.item("silence").value == pytest.approx(14.0)
    assert card.item("talk_over").value == pytest.approx(1.0)
    assert card.item("talk_ratio").value is not None and card.item("talk_ratio").value > 0.8
    assert {m.key for m in card.misses} == set(status)


def test_late_greeting_and_not_applicable_items(scripts: Scripts) -> None:
    late = [ev("caller", "喂？有人吗", 0.0, 2.0), ev("agent", "您好，12345热线", 15.0, 17.0)]
    card = score_events(late, scripts)
    assert card.item("greeting").status == "fail" and "晚于" in card.item("greeting").detail
    # calm caller: empathy n.a.; a referred call needs no read-back
    calm = [ev("agent", "您好，12345热线，请讲", 0.5, 2.0),
            ev("caller", "我和公司的合同纠纷已经起诉到法院了", 2.5, 6.0),
            ev("agent", "这个需要您联系承办法官。感谢来电，再见", 6.5, 9.0)]  # fmt: skip
    card = score_events(calm, scripts, verdict="refer")
    assert card.item("empathy").status == "na" and card.item("readback").status == "na"
    assert card.item("empathy").points == 0 and card.total == 100.0
    # n.a. items leave the base: 3 fails of 10 points out of 70 applicable points
    assert qa.POINTS["greeting"] + qa.POINTS["forbidden"] + 3 * 10 == 70


def test_emotion_from_the_assistant_counts(scripts: Scripts) -> None:
    # no angry words, but the assistant's analysis said "angry" after the caller's 2nd turn
    call = [ev("agent", "您好，12345热线", 0.5, 2.0), ev("caller", "工地晚上施工", 2.5, 5.0),
            ev("caller", "上周就打过电话了", 5.5, 8.0), ev("agent", "好的，请问地址？", 8.5, 10.0)]  # fmt: skip
    assert score_events(call, scripts).item("empathy").status == "na"
    card = score_events(call, scripts, emotion_times=[(5.0, "calm"), (8.0, "angry")])
    assert card.item("empathy").status == "fail"
    assert card.item("empathy").moments[0].quote == "上周就打过电话了"


def test_partials_are_ignored_and_score_call_uses_the_engine() -> None:
    engine = FakeEngine()
    events = [ev("caller", "你们到底管不", 3.5, 5.0, final=False), *GOOD]
    card = score_call(events, engine=engine)
    assert card.total == 100.0
    assert engine.calls  # the caller's words were analysed for emotion and verdict
    # the TUI's duck-typed fallback reads name / passed / detail / total
    assert all(isinstance(i.name, str) and i.detail for i in card.items)
    assert card.items[0].passed is True and card.score == card.total


def test_rude_sample_session_is_flagged(scripts: Scripts) -> None:
    card = score_session(SAMPLES / "08_rude_agent" / "session", scripts)
    failed = {i.key for i in card.misses}
    assert {"greeting", "forbidden", "talk_over", "readback", "empathy"} <= failed
    assert not card.passed and card.total < 50
    quotes = [m.quote for m in card.item("forbidden").moments]
    assert {"这不归我们管", "你听不懂吗", "你爱找谁找谁"} <= set(quotes)
    over = card.item("talk_over").moments[0]
    assert over.speaker == "agent" and over.t == pytest.approx(12.64)


@pytest.mark.parametrize("call_id", POLITE_IDS)
def test_polite_sample_sessions_pass(call_id: str, scripts: Scripts) -> None:
    card = score_session(SAMPLES / call_id / "session", scripts)
    assert card.passed, [(i.key, i.detail) for i in card.misses]
    for key in ("greeting", "forbidden", "talk_over"):
        assert card.item(key).status == "pass", card.item(key).detail
