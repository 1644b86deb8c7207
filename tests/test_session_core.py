"""CallSession with a keyword-only stand-in engine (real catalogue, rules and scripts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from session_fixtures import FakeEngine, load_dev_calls

from asr.events import TranscriptEvent
from assistant.core import CallSession, due_times, session_from_turns, state_to_dict
from assistant.core.state import Alert
from assistant.errors import FieldInvalidError, SessionFileError

T0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="module")
def engine() -> FakeEngine:
    return FakeEngine()


def _ev(speaker: str, text: str, t: float, final: bool = True) -> TranscriptEvent:
    return TranscriptEvent(speaker=speaker, text=text, start=t, end=t + 2, final=final)  # type: ignore[arg-type]


def _session(engine: FakeEngine, **kw: object) -> CallSession:
    return CallSession(engine, call_id="c1", clock=lambda: T0, started_at=T0, **kw)  # type: ignore[arg-type]


def test_dev_calls_field_accuracy(engine: FakeEngine) -> None:
    calls = load_dev_calls()
    assert len(calls) >= 15
    total = correct = 0
    misses = []
    for call in calls:
        state = session_from_turns(engine, call["turns"], call_id=call["id"]).state
        for name in ("name", "phone", "address"):
            want = call["expected"][name]
            got = state.fields[name].value if name in state.fields else None
            total += 1
            correct += got == want
            if got != want:
                misses.append((call["id"], name, want, got))
    assert correct / total >= 0.9, misses
    # a wrong phone number sends the callback to a stranger: no phone misses at all
    assert not [m for m in misses if m[1] == "phone"], misses


def test_partials_are_cheap_and_only_touch_partials(engine: FakeEngine) -> None:
    s = _session(engine)
    s.feed(_ev("caller", "我们小区停水了", 1.0))
    n_calls = len(engine.calls)
    before = s.state
    after = s.feed(_ev("caller", "从昨天", 4.0, final=False))
    assert len(engine.calls) == n_calls  # no analysis for a partial
    assert after.partials["caller"].text == "从昨天"
    assert after.revision == before.revision + 1
    assert after.fields == before.fields and after.transcript == before.transcript
    final = s.feed(_ev("caller", "从昨天晚上开始就没水", 4.0))
    assert "caller" not in final.partials
    assert final.fields["incident_time"].value.startswith("从昨天晚上")


def test_fields_summary_next_question_and_revision(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.state
    assert st.next_question is not None and "称呼" in st.next_question
    st = s.feed(_ev("caller", "我们小区门口的路灯坏了好几天了，晚上特别黑", 1))
    assert st.summary.startswith("来电人反映：") and "路灯" in st.summary
    assert st.next_question is not None and "称呼" in st.next_question
    r = st.revision
    st = s.feed(_ev("agent", "请问您怎么称呼？", 5))
    st = s.feed(_ev("caller", "赵志刚", 7))
    assert st.fields["name"].value == "赵志刚" and st.revision > r
    assert st.next_question is not None and "电话" in st.next_question
    st = s.feed(_ev("caller", "电话一三九一一一一二二二二", 9))
    assert st.fields["phone"].value == "13911112222"
    assert st.next_question is not None and "地址" in st.next_question
    st = s.feed(_ev("caller", "通州区梨园镇云景里小区", 12))
    assert st.fields["address"].value == "通州区梨园镇云景里小区"
    assert st.suggestions and st.suggestions[0].leaf.department == "城市管理"
    assert st.fields["category"].value == st.suggestions[0].leaf.id
    assert st.next_question is None


def test_edits_are_never_overwritten_but_suggestion_stays_visible(engine: FakeEngine) -> None:
    s = _session(engine)
    s.feed(_ev("caller", "我叫王建国，我们小区停水了", 1))
    st = s.set_field("name", "王建军")
    assert st.fields["name"].value == "王建军" and st.fields["name"].status == "edited"
    st = s.feed(_ev("caller", "我叫王建设", 5))
    assert st.fields["name"].value == "王建军"
    assert st.fields["name"].extra["suggested"] == "王建设"
    s.feed(_ev("caller", "电话一三八一二三四五六七八", 8))
    st = s.confirm_field("phone")
    assert st.fields["phone"].status == "confirmed"
    st = s.feed(_ev("caller", "不对，电话是一三八一二三四五六七九", 10))
    assert st.fields["phone"].value == "13812345678"
    assert st.fields["phone"].extra["suggested"] == "13812345679"
    with pytest.raises(FieldInvalidError):
        s.set_field("nickname", "x")
    with pytest.raises(FieldInvalidError):
        s.confirm_field("address")


def test_choose_category_sets_due_times(engine: FakeEngine) -> None:
    s = _session(engine)
    s.feed(_ev("caller", "楼下露天烧烤一直到半夜，油烟全飘到我家", 1))
    leaf = engine.catalogue.leaves[0]
    st = s.choose_category(leaf.id)
    assert st.fields["category"].value == leaf.id and st.fields["category"].status == "confirmed"
    assert st.due is not None and st.due.deadline_class == leaf.deadline
    with pytest.raises(FieldInvalidError):
        s.choose_category("no-such-leaf")


def test_due_times_rules() -> None:
    d = due_times(T0, "7d", "normal")
    assert d.assign_by == T0 + timedelta(hours=2)
    assert d.resolve_by == datetime(2024, 5, 24, 9, 0, tzinfo=UTC)  # 7 working days
    d = due_times(T0, "24h", "urgent")
    assert d.assign_by == T0 + timedelta(minutes=15) and d.resolve_by == T0 + timedelta(hours=24)
    d = due_times(T0, "7d", "urgent")
    assert d.deadline_class == "24h"
    d = due_times(T0, "7d", "emergency")
    assert d.deadline_class == "2h" and d.resolve_by == T0 + timedelta(hours=2)
    assert d.assign_by == T0 + timedelta(minutes=15)


def test_seven_working_days_follow_the_official_holiday_schedule() -> None:
    """Spring Festival 2026: 15-23 Feb off; Saturdays 14 and 28 Feb are make-up working days."""
    fri = datetime(2026, 2, 13, 10, 0)
    assert due_times(fri, "7d", "normal").resolve_by == datetime(2026, 3, 2, 10, 0)
    # National Day 2026: 1-7 Oct off, Saturday 10 Oct worked
    assert due_times(datetime(2026, 9, 30, 10), "7d", "normal").resolve_by == datetime(
        2026, 10, 15, 10
    )
    # a year the schedule has not been published for: Monday to Friday
    assert due_times(datetime(2099, 3, 6, 9), "7d", "normal").resolve_by == datetime(2099, 3, 17, 9)


def test_urgent_outage_due_from_session(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.feed(_ev("caller", "我们小区从昨天晚上开始停水，到现在还没来水", 1))
    assert st.urgency == "urgent"
    assert st.due is not None and st.due.assign_by == T0 + timedelta(minutes=15)
    assert st.due.resolve_by <= T0 + timedelta(hours=24)


def test_emergency_alert_is_sticky(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.feed(_ev("caller", "快快快，我们楼下着火了，烟特别大，有人被困在里面了！", 1))
    alerts = [a for a in st.alerts if a.kind == "emergency"]
    assert alerts and alerts[0].channel == "119" and "119" in alerts[0].title
    assert alerts[0].script
    assert st.urgency == "emergency" and st.next_question is None
    st = s.feed(_ev("caller", "朝阳区双井街道富力城五号楼", 5))
    assert any(a.kind == "emergency" for a in st.alerts)
    assert len([a for a in st.alerts if a.kind == "emergency"]) == 1


def test_refer_and_decline_alerts(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.feed(
        _ev(
            "caller",
            "我和装修公司签了合同，他们没按合同做，现在已经起诉到法院了，你们能帮我催催法院吗",
            1,
        )
    )
    assert st.verdict == "refer" and st.channel == "court"
    refer = [a for a in st.alerts if a.kind == "refer"]
    assert refer and refer[0].script and st.due is None
    assert st.next_question is not None and "地址" not in st.next_question
    s2 = _session(engine)
    st2 = s2.feed(_ev("caller", "我家对门挂了一面大镜子正对着我家大门，风水不好，你们让他拆了", 1))
    assert st2.verdict == "decline"
    assert [a for a in st2.alerts if a.kind == "decline"]


def test_external_alert_and_empathy(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.feed(_ev("caller", "你们到底管不管！工地老板三个月工资都不给，我都快气死了！", 1))
    assert st.emotion == "angry" and st.empathy_script
    st = s.add_alert(Alert(kind="repeat_caller", title="该号码30天内来电3次", script=""))
    assert any(a.kind == "repeat_caller" for a in st.alerts)


# ---------------------------------------------------------------------------- stability

LEAVES = None


def _fixed_engine(scores: list[list[tuple[str, float]]]) -> tuple[FakeEngine, list[str]]:
    eng = FakeEngine()
    texts = []
    for i, row in enumerate(scores):
        text = f"第{i}句话的内容比较长"
        eng.fixed[text] = row
        texts.append(text)
    return eng, texts


def test_no_flicker_on_near_identical_evidence() -> None:
    base = FakeEngine()
    a, b, c = (lf.id for lf in base.catalogue.leaves[:3])
    # A and B alternate by a hair: the shown order must not flip-flop
    rows = [[(a, 1.0), (b, 0.97), (c, 0.5)], [(b, 1.0), (a, 0.98), (c, 0.5)]] * 4
    eng, texts = _fixed_engine(rows)
    s = _session(eng)
    tops = []
    for i, t in enumerate(texts):
        st = s.feed(_ev("caller", t, float(i)))
        tops.append(st.suggestions[0].leaf.id)
    assert tops == [a] * len(tops)


def test_new_leader_takes_over_after_consistent_evidence() -> None:
    base = FakeEngine()
    a, b, c = (lf.id for lf in base.catalogue.leaves[:3])
    rows = [
        [(a, 1.0), (b, 0.5)],
        [(b, 1.0), (a, 0.6)],
        [(b, 1.0), (a, 0.5)],
        [(b, 1.0), (a, 0.4)],
        [(c, 1.0), (b, 0.1)],
    ]
    eng, texts = _fixed_engine(rows)
    s = _session(eng)
    tops = [s.feed(_ev("caller", t, float(i))).suggestions[0].leaf.id for i, t in enumerate(texts)]
    assert tops[0] == a
    assert tops[-2] == b  # b took over once its lead held
    assert tops.count(b) >= 2


def test_agent_chatter_adds_no_evidence_but_a_readback_does() -> None:
    base = FakeEngine()
    a, b = (lf.id for lf in base.catalogue.leaves[:2])
    eng = FakeEngine()
    caller_text = "第一句话的内容比较长"
    agent_text = "您是说另外一个事情对吧"
    readback = "我跟您确认一下：您反映另外一个事情，希望尽快处理，对吗？"
    eng.fixed["您反映另外一个事情，希望尽快处理。" + caller_text] = [(b, 1.0)]
    eng.fixed[caller_text] = [(a, 1.0), (b, 0.3)]
    s = _session(eng)
    before = s.feed(_ev("caller", caller_text, 1))
    for i in range(3):  # the agent keeps talking about b, without restating the request
        st = s.feed(_ev("agent", agent_text, 3.0 + i))
    assert [x.score for x in st.suggestions] == [x.score for x in before.suggestions]
    st = s.feed(_ev("agent", readback, 8.0))
    assert st.dialogue_acts[-1][0] == "readback"
    scores = {x.leaf.id: x.score for x in st.suggestions}
    assert scores[b] > {x.leaf.id: x.score for x in before.suggestions}[b]


# ---------------------------------------------------------------------------- persistence


def test_to_dict_from_dict_round_trip(engine: FakeEngine) -> None:
    call = next(c for c in load_dev_calls() if c["id"] == "15_title_then_address_parts")
    s = session_from_turns(engine, call["turns"], call_id="rt")
    s.set_field("summary", "来电人反映：暖气不热。")
    data = json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
    restored = CallSession.from_dict(data, engine)
    a, b = s.state, restored.state
    assert b.call_id == "rt" and b.started_at == a.started_at
    assert {k: v.value for k, v in a.fields.items()} == {k: v.value for k, v in b.fields.items()}
    assert b.fields["summary"].status == "edited"
    assert [x.leaf.id for x in a.suggestions] == [x.leaf.id for x in b.suggestions]
    assert state_to_dict(a)["fields"] == state_to_dict(b)["fields"]
    with pytest.raises(SessionFileError):
        CallSession.from_dict({"call_id": "x"}, engine)
    with pytest.raises(SessionFileError):
        CallSession.from_dict(
            {"call_id": "x", "started_at": T0.isoformat(), "ops": [{"op": "bogus"}]}, engine
        )


def test_feed_text_typed_input(engine: FakeEngine) -> None:
    s = _session(engine)
    st = s.feed_text("caller", "我姓李，木子李")
    assert st.fields["name"].value == "李"
    assert st.transcript[-1].engine == "typed"
    with pytest.raises(FieldInvalidError):
        s.feed_text("robot", "x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "repeat"),
    [
        ("我上周已经打过了，旁边工地天天施工", True),
        ("这是第三次打了，还是没人管", True),
        ("我反映了好几次了", True),
        ("昨天打过电话的", True),
        ("我已经打过120了，救护车还没来", False),  # called the ambulance, not 12345
        ("我打了个电话给物业", False),
        ("小孩被人打过", False),
    ],
)
def test_caller_saying_they_called_before(engine: FakeEngine, text: str, repeat: bool) -> None:
    st = _session(engine).feed(_ev("caller", text, 1))
    assert any(a.kind == "repeat_caller" for a in st.alerts) is repeat


def test_decline_alert_states_the_rules_full_reason() -> None:
    """The alert completes "不予受理：" with the reason's full phrase, not the column label."""
    from assistant.core.alerts import scope_alert
    from knowledge.types import Analysis

    def decline(reason: str) -> str | None:
        a = Analysis((), False, "decline", None, reason, "normal", "calm", None)
        alert = scope_alert(a, engine=None, at=1.0)
        return alert.title if alert is not None else None

    assert decline("private_matter") == "不予受理：属于家庭纠纷等私人事务"
    assert decline("already_concluded") == "不予受理：已依法办结或信访终结"
    assert decline("made_up") == "不予受理：made_up"


def test_advice_under_a_condition_is_no_transfer_and_a_later_override_wins(
    engine: FakeEngine,
) -> None:
    from assistant.core.dialogue import agent_stance

    # 转燃气抢修 + 如有起火请拨打119: a dispatch and safety advice, not a 119 transfer
    st = agent_stance("好的，现在马上为您转燃气抢修部门紧急处置，如有起火请立即拨打119。")
    assert st is None or not (st.channel == "119" and st.strong)
    s = _session(engine)
    s.feed(_ev("caller", "楼道里一股煤气味，好像燃气泄漏了", 1.0))
    s.set_verdict("refer", channel="court")
    state = s.set_verdict("decline", reason="no_substance")  # the call-taker changed their mind
    assert (state.verdict, state.reason) == ("decline", "no_substance")
    assert state.verdict_cause is not None and state.verdict_cause.source == "override"
