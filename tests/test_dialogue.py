"""Dialogue acts and the latched call verdict (fast: no knowledge engine)."""

from __future__ import annotations

import pytest

from assistant.core.dialogue import agent_stance, readback_request, tag_turn
from assistant.core.verdict import VerdictEvidence, VerdictLatch, agent_evidence


@pytest.mark.parametrize(
    ("text", "channel", "strong"),
    [
        ("我现在帮您转接110，请不要挂断。", "110", True),
        ("这种情况请您直接拨打122报警，交警会到现场处理。", "122", True),
        ("我 现在 帮 您 转接 幺 幺 九", "119", True),  # recogniser text, spaced words
        ("需要向劳动人事争议仲裁委员会申请仲裁，由仲裁委依法裁决。", "arbitration", False),
        ("这个诉求不属于我们的受理范围，建议您向人民法院申请强制执行。", "court", True),
        ("您可以向区纪委监委反映这个干部的问题。", "petition", False),
    ],
)
def test_agent_referrals_and_transfers(text: str, channel: str, strong: bool) -> None:
    st = agent_stance(text)
    assert st is not None and st.verdict == "refer"
    assert (st.channel, st.strong) == (channel, strong)


@pytest.mark.parametrize(
    "text",
    [
        "司机拒绝打表、一口价收取一百二十元，对吗？",  # 一百二十 is a price, not 120
        "详细规定您可以拨打一二一二二咨询。",  # 12122 is not 122
        "您身上有没有受伤？需不需要叫救护车？",  # a question, not a transfer
    ],
)
def test_numbers_and_questions_are_no_transfer(text: str) -> None:
    st = agent_stance(text)
    assert st is None or st.channel not in ("110", "119", "120", "122")


def test_advice_under_a_condition_is_no_evidence() -> None:
    st = agent_stance("已经为您转燃气抢修，如有起火请立即拨打一一九。")
    assert st is not None and st.channel == "119" and not st.strong
    assert agent_evidence(st, 3) is None  # the verdict stays with the gas repair (accept)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("驱邪、做法事这些属于封建迷信，这个诉求我们没有办法受理，请您理解。", "superstition"),
        ("让别人替您扣分是违反法律规定的，这个我们没办法帮您转办。", "unlawful_demand"),
        ("已经信访终结的事项，各级部门不再重新受理。", "already_concluded"),
        ("这类问题不在我们热线的服务范围内，不能提供聊天服务。", "no_substance"),
    ],
)
def test_agent_declines_with_reason(text: str, reason: str) -> None:
    st = agent_stance(text)
    assert st is not None and (st.verdict, st.reason) == ("decline", reason)


def test_agent_acceptance() -> None:
    st = agent_stance("好的，我们会将您的诉求转交相关部门办理，请保持电话畅通。")
    assert st is not None and st.verdict == "accept"
    # a promise under a condition is not an acceptance
    assert agent_stance("如果物业不处理，您可以再来电，我们帮您转交相关部门。") is None


def test_readback_and_field_check() -> None:
    rb = "好的钱先生，我跟您确认一下：您反映红梅新村二十一幢楼下的烧烤店排放油烟，希望相关部门处理，对吗？"
    assert readback_request(rb).startswith("您反映红梅新村")
    assert tag_turn("agent", rb).acts[0] == "readback"
    check = tag_turn("agent", "钱先生，我跟您核对一下，一三九零六一二七七八五，对吗？")
    assert "field_check" in check.acts and "readback" not in check.acts


@pytest.mark.parametrize(
    ("text", "acts"),
    [
        ("我姓钱，金字旁那个钱。电话是幺三九 零六幺二 七七八五。", {"answer_name", "answer_phone"}),
        ("新北区银杏街道，锦绣华庭，十七幢。", {"answer_address"}),
        ("对对，就是这个意思。", {"confirm"}),
        ("哎不对不对，我说错了，后四位是七七五八。", {"correct", "answer_phone"}),
        ("没了，谢谢啊。", {"closing"}),
    ],
)
def test_caller_field_answers_carry_no_request(text: str, acts: set[str]) -> None:
    tagged = tag_turn("caller", text, asked=("name", "phone", "address"))
    assert set(tagged.acts) == acts
    assert tagged.content == ""


def test_caller_narrative_keeps_the_problem_not_the_fields() -> None:
    tagged = tag_turn("caller", "我们 楼下 烧烤店 油烟 很 大 我 姓 钱 电话 是 幺三九 零六幺二")
    assert "narrative" in tagged.acts and "answer_phone" in tagged.acts
    assert "烧烤店" in tagged.content and "电话" not in tagged.content


def test_caller_questions_after_a_referral_are_not_the_request() -> None:
    text = "那仲裁院在哪儿啊？我要去哪里申请？"
    assert tag_turn("caller", text, referred=True).content == ""
    assert tag_turn("caller", text, referred=False).content != ""


def _ev(verdict: str, strength: float, channel: str | None = None) -> VerdictEvidence:
    return VerdictEvidence(verdict, channel, None, strength, "caller")


def test_latch_keeps_the_strongest_and_the_first_of_equals() -> None:
    latch = VerdictLatch()
    assert latch.verdict == "accept"
    assert latch.offer(_ev("refer", 2.0, "arbitration"))
    assert not latch.offer(_ev("accept", 1.0))  # the caller's later words do not undo it
    assert not latch.offer(_ev("refer", 2.0, "court"))  # a tie keeps the first cause
    assert latch.channel == "arbitration"
    assert latch.offer(_ev("accept", 2.5))  # the agent accepting is stronger
    assert latch.verdict == "accept"


def test_urgency_never_goes_down() -> None:
    latch = VerdictLatch()
    latch.offer(VerdictEvidence("refer", "119", None, 3.0, "caller", urgency="emergency"))
    latch.offer(VerdictEvidence("accept", None, None, 10.0, "override"))
    assert latch.verdict == "accept" and latch.urgency == "emergency"


def test_out_of_scope_without_a_reason_is_a_weak_decline() -> None:
    st = agent_stance("这个事情我们热线不能干预，请您理解。")
    assert st is not None and st.verdict == "decline" and st.reason is None
    ev = agent_evidence(st, 4)
    assert ev is not None and ev.reason == "no_substance"
    latch = VerdictLatch()
    latch.offer(VerdictEvidence("refer", "court", None, 2.0, "caller"))
    assert not latch.offer(ev)  # the caller's case in court stays a court referral
    # with a court word it is a referral to the court
    st = agent_stance("您的合同纠纷已经进入诉讼程序。热线不能干预审判。")
    assert st is not None and (st.verdict, st.channel) == ("refer", "court")


def test_emergency_advice_beside_a_dispatch_is_advice() -> None:
    # what a recogniser heard: 如有 -> 如又, 拨打 -> 播打
    st = agent_stance("现在马上为您转燃气抢修部门紧急处置。如又起火轻立即播打119。")
    assert st is not None and not st.strong
    assert agent_evidence(st, 5) is None


def test_an_address_that_says_what_is_wrong_is_narrative() -> None:
    tagged = tag_turn(
        "caller", "我们村道镇上的沈尼路坏了，全是大坑，下雨天车都过不去。", asked=("address",)
    )
    assert "narrative" in tagged.acts and "沈尼路坏了" in tagged.content
