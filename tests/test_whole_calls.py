"""Whole calls through the REAL knowledge engine: verdicts that hold, the agent's words as
evidence, field answers that do not move the suggestions, and the dev-set figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.batch import analyze_call_record
from assistant.core.replay import session_from_turns
from assistant.core.session import CallSession

pytestmark = pytest.mark.slow

DEVSET = Path(__file__).parent / "data" / "calls_devset" / "calls.jsonl"


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    from e2e_fixtures import real_engine

    return real_engine()


def _turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"speaker": s, "text": t} for s, t in pairs]


A, C = "agent", "caller"
GREETING = (A, "您好，12345市民服务热线，请问有什么可以帮您？")

STAIRWELL_FIRE = _turns(
    GREETING,
    (C, "喂！救命啊，我们楼道里着火了，黑烟一个劲往上冒，我和我闺女被堵在六楼下不去了！"),
    (A, "您别慌，先用湿毛巾捂住口鼻，关紧房门，千万不要往楼下跑。请问具体地址是哪里？"),
    (C, "江宁区东山街道上元大街，金鹰花园，三栋，六零二。"),
    (A, "江宁区东山街道金鹰花园三栋六零二，对吗？"),
    (C, "对对对，你们快点！"),
    (A, "我现在马上为您转接119，请不要挂断电话。"),
    (C, "好，好，谢谢你。"),
)
STEEL_PIPE_FIGHT = _turns(
    GREETING,
    (C, "我们小区门口有两帮人打起来了，有个人拿着钢管往人头上砸，地上都是血！"),
    (A, "您先躲远一点，注意自身安全。请问是在哪个小区门口？"),
    (C, "金水区花园路街道，农科路那个丰产小区，北门。"),
    (A, "好的，请问您怎么称呼？"),
    (C, "我姓周。"),
    (A, "周先生，这种正在发生的打架斗殴需要警察马上到场，我现在帮您转接110。"),
    (C, "好的好的，谢谢啊。"),
)
ACCIDENT_TO_122 = _turns(
    GREETING,
    (C, "喂，我在路口刚被一辆小轿车撞了，腿上流了好多血，司机下来看了一眼就想走。"),
    (
        A,
        "您先别着急，尽量待在安全的地方，不要移动伤腿。这种交通事故请您直接拨打122报警，交警会到现场处理，需要的话也会联系救护车。",
    ),
    (C, "哦哦，我在天河区天河北路和体育东路那个路口，公交站旁边。"),
    (A, "好的，天河北路和体育东路路口。您现在身边有人吗？"),
    (C, "有几个路人在帮我看着那个车。我姓黄，电话一三九二八八七六五四三。"),
    (A, "黄先生，请您现在就拨打122，不要挂断我这边也可以。"),
    (C, "好，谢谢你。"),
)
IN_ARBITRATION = _turns(
    GREETING,
    (C, "你好，我之前那个公司拖欠我三个月工资，我已经申请劳动仲裁了，仲裁委让等通知。"),
    (A, "明白了，您的案子已经在仲裁程序中了，对吗？"),
    (C, "对，可是等得太久了，你们政府能不能直接让公司先把钱给我？"),
    (
        A,
        "我理解您的心情。您的争议已经进入仲裁程序，需要由劳动人事争议仲裁委员会依法裁决，我们这边不能替任何一方出面，建议您按仲裁委的通知准备好证据。",
    ),
    (C, "那好吧，我叫李建国，电话幺三八幺二三四五六七八。"),
    (A, "好的李先生，还有其他问题吗？"),
    (C, "没了，谢谢。"),
)


@pytest.mark.parametrize(
    ("turns", "channel"),
    [(STAIRWELL_FIRE, "119"), (STEEL_PIPE_FIGHT, "110"), (ACCIDENT_TO_122, "122")],
    ids=["stairwell-fire", "steel-pipe-fight", "accident-agent-sends-to-122"],
)
def test_emergencies_end_with_the_transfer(engine, turns, channel: str) -> None:  # type: ignore[no-untyped-def]
    st = session_from_turns(engine, turns).state
    assert (st.verdict, st.channel, st.urgency) == ("refer", channel, "emergency")
    assert any(a.kind == "emergency" and a.channel == channel for a in st.alerts)
    assert st.verdict_cause is not None and st.verdict_cause.turn is not None
    # the caller's address, name and thanks after it did not undo it
    assert st.verdict_cause.turn < len(turns) - 1


def test_an_arbitration_referral_holds_through_the_fields(engine) -> None:  # type: ignore[no-untyped-def]
    st = session_from_turns(engine, IN_ARBITRATION).state
    assert (st.verdict, st.channel) == ("refer", "arbitration")
    assert st.fields["phone"].value == "13812345678"


def _top_departments(engine: Any, turns: list[dict[str, str]]) -> list[tuple[str, ...]]:
    seen: list[tuple[str, ...]] = []

    def record(s: CallSession) -> None:
        seen.append(tuple(x.leaf.department for x in s.state.suggestions[:3]))

    session_from_turns(engine, turns, on_turn=record)
    return seen


STREETLIGHT = _turns(
    GREETING,
    (C, "你好，我们小区门口那条路上的路灯坏了快一个星期了，晚上黑乎乎的，老人孩子走路都怕摔。"),
    (A, "明白了，确实不安全。请问是哪个区哪条路？"),
    (C, "海淀区学院路街道，志新路，靠近志新小区北门那一段。"),
    (A, "好的。请问您怎么称呼？留一个联系电话，方便相关部门回复您。"),
    (C, "我姓王，三横王。电话是幺三九幺幺零二七七三六。"),
    (A, "王先生，您的电话一三九一一零二七七三六，对吗？"),
    (C, "对的。"),
)


def test_field_answers_never_change_the_top_department(engine) -> None:  # type: ignore[no-untyped-def]
    tops = _top_departments(engine, STREETLIGHT)
    assert tops[1][0] == "城市管理"
    assert all(t[0] == "城市管理" for t in tops[1:])
    # the phone talk of the call does not bring telecoms in
    assert all("通信管理" not in t for t in tops[1:])


RAMBLING = _turns(
    GREETING,
    (C, "哎呀你好，我跟你说啊，这个事情真是烦死了，我都不知道从哪说起，天天这样谁受得了啊。"),
    (A, "您别着急，慢慢说。"),
    (C, "就是那个，晚上嘛，黑的，出门都不方便，我家老头子上回还差点摔一跤，真是的。"),
    (
        A,
        "我跟您确认一下：您反映小区门口道路的路灯坏了一个多星期不亮，晚上出行不安全，希望尽快维修，对吗？",
    ),
    (C, "对对对，就是这个。"),
)


def test_the_readback_alone_classifies_a_rambling_call(engine) -> None:  # type: ignore[no-untyped-def]
    before = session_from_turns(engine, RAMBLING[:4]).state
    st = session_from_turns(engine, RAMBLING).state
    assert st.dialogue_acts[4][0] == "readback"
    assert st.suggestions[0].leaf.department == "城市管理"
    assert before.suggestions[:1] != st.suggestions[:1]  # the caller's words alone were not it


def test_the_call_takers_override_is_recorded_and_replayed(engine) -> None:  # type: ignore[no-untyped-def]
    session = session_from_turns(engine, IN_ARBITRATION)
    session.set_verdict("accept")
    st = session.state
    assert st.verdict == "accept" and st.verdict_cause is not None
    assert st.verdict_cause.source == "override"
    assert session.ops[-1]["op"] == "set_verdict"
    again = CallSession.from_dict(json.loads(json.dumps(session.to_dict())), engine)
    assert again.state.verdict == "accept"


def test_analyze_reports_the_call_model(engine) -> None:  # type: ignore[no-untyped-def]
    out = analyze_call_record(engine, {"id": "fire", "turns": STAIRWELL_FIRE})
    assert (out["verdict"], out["channel"], out["urgency"]) == ("refer", "119", "emergency")
    assert out["verdict_cause"]["source"] in ("caller", "agent")
    assert [d["turn"] for d in out["dialogue_acts"]] == list(range(len(STAIRWELL_FIRE)))
    assert out["dialogue_acts"][3]["acts"] == ["answer_address"]


# ---------------------------------------------------------------- the dev set (issue 14)
FLOORS = {"department_top3": 0.90, "department_top1": 0.80, "verdict": 0.92, "channel": 0.90}


@pytest.mark.parametrize("variant", ["clean", "asr"])
def test_whole_call_devset_report_half(engine, variant: str) -> None:  # type: ignore[no-untyped-def]
    from assistant.evaluation import asr_style_call, evaluate_calls, load_calls

    calls = [c for c in load_calls([DEVSET]) if c["split"] == "report"]
    if variant == "asr":
        calls = [asr_style_call(c) for c in calls]
    report = evaluate_calls(engine, calls)
    low = {m: report.value(m) for m, floor in FLOORS.items() if (report.value(m) or 0) < floor}
    assert not low, low
    assert report.value("emergency_recall") == 1.0
    assert report.value("phone_talk_top3") == 0.0  # no department only because of a number
    assert report.value("field_answer_moves") == 0.0
