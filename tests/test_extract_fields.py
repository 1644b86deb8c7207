"""Field extraction: names, phone numbers, addresses, incident time, request drafts."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.extract import (
    PhoneTracker,
    address_parts,
    draft_request,
    extract_address,
    extract_incident_time,
    extract_name,
    extract_phone,
    merge_address,
    normalize_address,
    phone_kind,
)

# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "asked", "want"),
    [
        ("我姓李，木子李", False, "李"),
        ("我姓里，木子李的李", False, "李"),  # the spelling beats the misrecognised character
        ("弓长张", True, "张"),
        ("免贵姓张", False, "张"),
        ("免贵姓黄，草头黄。", False, "黄"),
        ("我叫王建国", False, "王建国"),
        ("我叫王建国，住在朝阳区", False, "王建国"),
        ("我姓王，叫王建国", False, "王建国"),
        ("我是刘女士", False, "刘女士"),
        ("你好我是刘先生，我要反映个事", False, "刘先生"),
        ("喂，我是马先生，马路的马。", False, "马先生"),
        ("我姓欧阳", False, "欧阳"),
        ("我是郭建华，我在一家餐馆打工", False, "郭建华"),
        ("赵", True, "赵"),
        ("赵志刚。", True, "赵志刚"),
        ("姓赵", True, "赵"),
        ("叫我小王就行", True, "王"),
        ("我是陈女士，耳东陈，我想反映一下", False, "陈女士"),
    ],
)
def test_name_phrasings(text: str, asked: bool, want: str) -> None:
    fv = extract_name(text, at=3.0, asked=asked)
    assert fv is not None, text
    assert fv.value == want
    assert fv.name == "name" and fv.at == 3.0 and fv.source_text


@pytest.mark.parametrize(
    "text",
    [
        "我是朝阳区的",
        "我是业主",
        "我是这个小区的居民",
        "你们到底管不管",
        "这个就不用留了吧",
        "我们小区停水了",
        "我是来反映问题的",
    ],
)
def test_not_a_name(text: str) -> None:
    assert extract_name(text, asked=False) is None


def test_bare_answer_needs_the_question() -> None:
    assert extract_name("赵志刚", asked=False) is None
    assert extract_name("赵志刚", asked=True) is not None


# ---------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("text", "want", "kind"),
    [
        ("我电话是一三八一二三四五六七八", "13812345678", "mobile"),
        ("139-0612-7758", "13906127758", "mobile"),
        ("我的手机号是幺三九零六幺二七七五八", "13906127758", "mobile"),
        ("幺三八，幺二三四，五六七八", "13812345678", "mobile"),
        ("一三七 一零零八 六六五五", "13710086655", "mobile"),
        ("电话13812345678，不对，是13812345679", "13812345679", "mobile"),
        (
            "一三八，一二五八，六六九一。哎呀说错了，应该是一三八，一二五八，六六九零。",
            "13812586690",
            "mobile",
        ),
        ("一五九一二三四八八七六，不对，最后四位是八八七五。", "15912348875", "mobile"),
        ("我家座机010-6201-8899", "01062018899", "landline"),
        ("座机是零幺零六二零幺八八九九", "01062018899", "landline"),
        ("电话是六五一二三四五六", "65123456", "local"),
        ("电话一三八一二三四五六七八一直打不通", "13812345678", "mobile"),
        ("号码是一三八双八一二三四五", "13888123 45".replace(" ", ""), "partial"),
    ],
)
def test_phone_phrasings(text: str, want: str, kind: str) -> None:
    fv = extract_phone(text, at=1.0)
    assert fv is not None
    assert fv.value == want
    assert fv.extra["kind"] == kind


@pytest.mark.parametrize(
    "text", ["我住3号楼2单元501", "两个人一直在吵", "我在这住了十二年了", "一共三百五十块钱"]
)
def test_no_phone(text: str) -> None:
    assert extract_phone(text) is None


def test_phone_confidence_reflects_validity() -> None:
    mobile = extract_phone("13812345678")
    local = extract_phone("电话65123456")
    partial = extract_phone("我电话是一三八一二")
    assert mobile is not None and local is not None and partial is not None
    assert mobile.confidence > local.confidence > partial.confidence
    assert partial.extra["complete"] == "false"


_SPOKEN = {"0": ["零", "0"], "1": ["一", "幺", "1"], "2": ["二", "两", "2"], "3": ["三", "3"],
           "4": ["四", "4"], "5": ["五", "5"], "6": ["六", "6"], "7": ["七", "7"],
           "8": ["八", "8"], "9": ["九", "9"]}  # fmt: skip
mobiles = st.builds(
    lambda p, rest: "1" + p + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@st.composite
def spoken(draw: st.DrawFn, number: str) -> str:
    """Say ``number`` digit by digit with random digit words and random grouping."""
    out = []
    for i, d in enumerate(number):
        if i and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(["，", ",", " ", "-", "、"])))
        out.append(draw(st.sampled_from(_SPOKEN[d])))
    return "".join(out)


@settings(max_examples=120, deadline=None)
@given(
    data=st.data(),
    number=mobiles,
    prefix=st.sampled_from(["", "我电话是", "手机号", "您记一下，", "号码是"]),
    suffix=st.sampled_from(["", "。", "，谢谢", "，这是我手机"]),
)
def test_phone_any_grouping(data: st.DataObject, number: str, prefix: str, suffix: str) -> None:
    text = prefix + data.draw(spoken(number)) + suffix
    fv = extract_phone(text)
    assert fv is not None, text
    assert fv.value == number, text


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    first=mobiles,
    second=mobiles,
    marker=st.sampled_from(
        ["不对，", "说错了，", "哎呀说错了，应该是", "我重新说一下，", "不对不对，是"]
    ),
)
def test_phone_correction_latest_wins(
    data: st.DataObject, first: str, second: str, marker: str
) -> None:
    text = "电话" + data.draw(spoken(first)) + "，" + marker + data.draw(spoken(second))
    fv = extract_phone(text)
    assert fv is not None and fv.value == second, text


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    number=mobiles,
    cuts=st.lists(st.integers(2, 9), min_size=1, max_size=2, unique=True),
)
def test_phone_over_several_turns(data: st.DataObject, number: str, cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), 11]
    pieces = [number[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    tracker = PhoneTracker()
    result = None
    for i, piece in enumerate(pieces):
        result = tracker.feed(data.draw(spoken(piece)), at=10.0 + 3 * i, expecting=True)
    assert result is not None
    assert result.value == number and result.extra["complete"] == "true"


def test_phone_turns_too_far_apart_restart() -> None:
    tracker = PhoneTracker(window=10)
    tracker.feed("一三八", at=0.0, expecting=True)
    late = tracker.feed("一二三四五六七八", at=60.0, expecting=True)
    assert late is not None and late.extra["complete"] == "false"


def test_phone_kind() -> None:
    assert phone_kind("13812345678") == "mobile"
    assert phone_kind("01062018899") == "landline"
    assert phone_kind("075586001234") == "landline"
    assert phone_kind("62018899") == "local"
    assert phone_kind("12345678901") is None


# ---------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("text", "value", "parts"),
    [
        (
            "我住在朝阳区三里屯街道幸福小区3号楼2单元501室",
            "朝阳区三里屯街道幸福小区3号楼2单元501室",
            {
                "province": "北京市",
                "district": "朝阳区",
                "street": "三里屯街道",
                "community": "幸福小区",
                "building": "3号楼",
                "unit": "2单元",
                "room": "501室",
            },
        ),
        (
            "幸福小区三号楼二单元五零一",
            "幸福小区3号楼2单元501室",
            {"community": "幸福小区", "building": "3号楼", "unit": "2单元", "room": "501室"},
        ),
        (
            "我们是大兴区黄村镇李家村三组的",
            "大兴区黄村镇李家村3组",
            {"district": "大兴区", "street": "黄村镇", "village": "李家村", "group": "3组"},
        ),
        ("我家在丰台区卢沟桥乡小井村", "丰台区卢沟桥乡小井村", {"village": "小井村"}),
        (
            "就在海淀区学院路街道的那个清华东路",
            "海淀区学院路街道清华东路",
            {"street": "学院路街道", "road": "清华东路"},
        ),
        (
            "西城区德胜门外大街58号院3号楼。",
            "西城区德胜门外大街58号院3号楼",
            {"road": "德胜门外大街58号院", "building": "3号楼"},
        ),
        ("丰台区方庄芳城园一区", "丰台区方庄芳城园一区", {"community": "方庄芳城园一区"}),
        (
            "通州区梨园镇云景里小区12号楼",
            "通州区梨园镇云景里小区12号楼",
            {"community": "云景里小区"},
        ),
        ("昌平区回龙观街道龙泽苑西区", "昌平区回龙观街道龙泽苑西区", {"community": "龙泽苑西区"}),
        ("在建国路88号", "建国路88号", {"road": "建国路88号"}),
        (
            "东城区和平里街道和平里七区十二号楼一单元三零二",
            "东城区和平里街道和平里七区12号楼1单元302室",
            {"unit": "1单元", "room": "302室"},
        ),
    ],
)
def test_address_phrasings(text: str, value: str, parts: dict[str, str]) -> None:
    fv = extract_address(text, at=2.0)
    assert fv is not None
    assert fv.value == value
    for k, v in parts.items():
        assert fv.extra.get(k) == v, (k, fv.extra)


@pytest.mark.parametrize(
    "text",
    [
        "我家楼下那个马路上全是坑",
        "我们小区门口",
        "这里的路灯坏了",
        "我心里很着急",
        "我家楼道里一股很大的煤气味",
        "你们到底管不管",
    ],
)
def test_not_an_address(text: str) -> None:
    assert extract_address(text) is None


def test_district_infers_beijing() -> None:
    parts = address_parts("朝阳区幸福小区")
    assert parts["province"] == "北京市" and parts["district"] == "朝阳区"


def test_merge_address_over_turns() -> None:
    first = extract_address("昌平区回龙观街道龙泽苑西区")
    second_parts = address_parts("二十三号楼四单元六零一")
    assert first is not None and second_parts == {
        "building": "23号楼",
        "unit": "4单元",
        "room": "601室",
    }
    from assistant.core.state import FieldValue

    merged = merge_address(first, FieldValue(name="address", value="", extra=second_parts))
    assert merged.value == "昌平区回龙观街道龙泽苑西区23号楼4单元601室"
    other = extract_address("海淀区中关村街道知春里小区")
    assert other is not None
    assert merge_address(first, other).value == other.value  # a different place replaces


def test_normalize_address_for_duplicates() -> None:
    a = normalize_address("北京市朝阳区幸福小区三号楼二单元501室")
    b = normalize_address("朝阳区幸福小区3栋2单元501")
    c = normalize_address("朝阳区幸福小区3号楼2单元502")
    assert a == b
    assert a != c
    assert normalize_address("  门口 的 空地 ") == "门口的空地"


# ---------------------------------------------------------------------------- time

CALL = datetime(2024, 5, 15, 14, 30)


@pytest.mark.parametrize(
    ("text", "words", "start"),
    [
        ("我家楼下从昨天晚上十点开始就一直在施工", "从昨天晚上十点开始", "2024-05-14T22:00:00"),
        ("从上周三开始就停水了", "从上周三开始", "2024-05-08T00:00:00"),
        ("今天早上我出门发现井盖没了", "今天早上", "2024-05-15T06:00:00"),
        ("前天下午三点左右", "前天下午三点左右", "2024-05-13T15:00:00"),
        ("都三天了还没人管", "三天了", "2024-05-12T14:30:00"),
        # an earlier call is not the incident; the time after it is
        ("我上周已经打过电话了，从前天晚上开始又停电", "从前天晚上开始", "2024-05-13T18:00:00"),
    ],
)
def test_incident_time(text: str, words: str, start: str) -> None:
    fv = extract_incident_time(text, call_time=CALL, at=5.0)
    assert fv is not None
    assert fv.value == words
    assert fv.extra["start"] == start


@pytest.mark.parametrize(
    "text",
    [
        "希望明天之前处理",
        "3号楼2单元501",
        "我电话13812345678",
        "你们赶紧管管",
        "我上周已经打过了，工地施工吵得睡不着",
        "昨天我就反映过这个事",
    ],
)
def test_no_incident_time(text: str) -> None:
    assert extract_incident_time(text, call_time=CALL) is None


# ---------------------------------------------------------------------------- drafts


def test_draft_request_is_extractive_and_drops_field_answers() -> None:
    text = draft_request(
        [
            "喂，你好",
            "我想反映个问题，我家楼下那个烧烤摊天天晚上营业到凌晨两点，油烟特别大，吵得睡不着觉",
            "我姓李，木子李",
            "一三八一二三四五六七八",
            "朝阳区幸福小区3号楼",
            "希望你们赶紧管一管",
            "对，就这些，谢谢",
        ]
    )
    assert text == (
        "来电人反映：其家楼下烧烤摊天天晚上营业到凌晨两点，油烟特别大，吵得睡不着觉，"
        "希望相关部门赶紧管一管。"
    )


def test_draft_request_limits_length_and_dedups() -> None:
    long = ["楼上漏水把我家天花板泡坏了"] * 3 + [f"第{i}次找物业也没人来修" for i in range(20)]
    text = draft_request([*long, "希望尽快解决"])
    assert len(text) <= 120
    assert text.count("楼上漏水") == 1
    assert text.endswith("希望尽快解决。")
    assert draft_request(["喂", "你好", "谢谢"]) == ""
    assert draft_request(long) == draft_request(long)  # deterministic


# ---------------------------------------------------------------------------- phone read-back
# Recognised texts as Whisper base writes them (samples 01-03 of audio_samples/).
READBACK_01 = "好的李先生,跟您确认一下,您反映陶林村道路迫损。电话13906127758,对吗?"
READBACK_02 = "给您确认一下。红幅路18号工地拖欠您三个月工资。电话15812345678。对吗?"
READBACK_03 = "张女士跟您确认一下,花家地北里6号楼停水,电话13812586690,对吗?"
LOOP = "158123456781567815812234567815812234567812121345678158121213456781212134567"


@pytest.mark.parametrize("yes", ["对", "对的。", "是的", "没错", "对!谢谢你!", "嗯，对对对"])
def test_confirmed_readback_beats_what_the_caller_was_heard_saying(yes: str) -> None:
    tracker = PhoneTracker()
    heard = tracker.feed("139.06.12.27.78", 19.9, expecting=True)  # a valid but wrong number
    assert heard is not None and heard.value == "13906122778"
    assert tracker.feed_agent(READBACK_01, 31.0) is None  # the caller's number is valid
    fv = tracker.feed(yes, 31.8)
    assert fv is not None and fv.value == "13906127758"
    assert fv.extra["source"] == "readback_confirmed" and fv.confidence >= 0.9


@pytest.mark.parametrize("reply", ["不对", "不是的", "对，不过是13912345678", "我们小区停水"])
def test_readback_without_a_plain_yes_does_not_replace_a_valid_caller_number(reply: str) -> None:
    tracker = PhoneTracker()
    tracker.feed("电话13812345678", 20.0)
    assert tracker.feed_agent("电话13812345679，对吗？", 25.0) is None
    fv = tracker.feed(reply, 27.0)
    assert fv is None or fv.value != "13812345679"


def test_bare_mm_confirms_but_a_late_yes_does_not() -> None:
    tracker = PhoneTracker()
    tracker.feed("电话13812345678", 20.0)
    tracker.feed_agent("电话13812345679，对吗？", 25.0)
    fv = tracker.feed("嗯", 27.0)
    assert fv is not None and fv.value == "13812345679"
    late = PhoneTracker(confirm_window=30.0)
    late.feed("电话13812345678", 20.0)
    late.feed_agent("电话13812345679，对吗？", 25.0)
    assert late.feed("对", 90.0) is None
    # the yes has to answer the read-back: anything in between ends it
    between = PhoneTracker()
    between.feed("电话13812345678", 20.0)
    between.feed_agent("电话13812345679，对吗？", 25.0)
    between.feed("我们小区停水了", 26.0)
    assert between.feed("对", 28.0) is None


def test_readback_fixes_an_invalid_caller_number_one_edit_away() -> None:
    tracker = PhoneTracker()
    heard = tracker.feed("1396627758", 19.9, expecting=True)  # a digit lost: 10 digits
    assert heard is not None and heard.extra["complete"] == "false"
    fv = tracker.feed_agent(READBACK_01, 22.6)  # and the caller's 对的 was not heard
    assert fv is not None and fv.value == "13906127758"
    assert fv.extra["source"] == "readback_fixes_caller" and fv.extra["caller_said"] == "1396627758"
    assert 0.6 <= fv.confidence < 0.9


def test_readback_fixes_a_correction_to_an_invalid_number() -> None:
    tracker = PhoneTracker()
    text = "免贵信章电话13812586691哎呀说错了应该是1382586690"
    first = tracker.feed(text, 19.3, expecting=True)
    assert first is not None and first.value == "13812586691"
    fv = tracker.feed_agent(READBACK_03, 28.8)
    assert fv is not None and fv.value == "13812586690"
    assert fv.extra["source"] == "readback_fixes_caller"
    confirmed = tracker.feed("对。", 37.3)
    assert confirmed is not None and confirmed.value == "13812586690"
    assert confirmed.confidence > fv.confidence


def test_a_digit_loop_is_garbage_and_the_readback_takes_over() -> None:
    assert extract_phone(LOOP) is None  # no 11-digit window from the middle of the run
    assert extract_phone("电话" + LOOP) is None
    tracker = PhoneTracker()
    assert tracker.feed(LOOP, 27.8, expecting=True) is None
    assert tracker.caller_garbled
    only = tracker.feed_agent(READBACK_02, 31.1)
    assert only is not None and only.value == "15812345678"
    assert only.extra["source"] == "readback_only" and only.confidence <= 0.5
    fv = tracker.feed("对!谢谢你!", 39.6)
    assert fv is not None and fv.value == "15812345678" and fv.confidence >= 0.9


def test_long_runs_give_only_clean_or_repeated_numbers() -> None:
    repeated = extract_phone("15812345678158123456781581234")
    assert repeated is not None and repeated.value == "15812345678"
    two = extract_phone("电话13800138000，13912345678")
    assert two is not None and two.value == "13912345678"
    assert extract_phone("13456781581345678158134567") is None


def test_agent_only_number_needs_confirmation_or_a_missing_caller_number() -> None:
    # a number only the agent said: taken with low confidence when the caller gave none
    tracker = PhoneTracker()
    fv = tracker.feed_agent("您的电话是13812345678对吧？", 10.0)
    assert fv is not None and fv.confidence <= 0.5 and fv.extra["source"] == "readback_only"
    # an agent utterance without a phone word, or without a valid number, is ignored
    assert PhoneTracker().feed_agent("12345热线，请问有什么可以帮您？", 1.0) is None
    assert PhoneTracker().feed_agent("电话1382586690，对吗？", 1.0) is None


def test_caller_correction_after_the_readback_wins() -> None:
    tracker = PhoneTracker()
    tracker.feed("1396627758", 19.9, expecting=True)
    tracker.feed_agent(READBACK_01, 22.6)
    fv = tracker.feed("不对，是13906127759", 31.0)
    assert fv is not None and fv.value == "13906127759"
    again = tracker.feed("说错了，应该是13906127750", 35.0)
    assert again is not None and again.value == "13906127750"


def test_session_prefers_the_readback_from_text_events() -> None:
    from asr.events import TranscriptEvent

    class _NoEngine:
        def analyze(self, text: str, k: int) -> None:
            raise RuntimeError("no knowledge engine in this test")

    from assistant.core.session import CallSession

    session = CallSession(_NoEngine(), call_id="t", warm_up=False)  # type: ignore[arg-type]

    def ev(speaker: str, text: str, start: float, end: float) -> TranscriptEvent:
        return TranscriptEvent(speaker=speaker, text=text, start=start, end=end, final=True)  # type: ignore[arg-type]

    for e in (
        ev("agent", "您的联系电话是多少？", 17.5, 19.0),
        ev("caller", "1396627758", 19.9, 22.0),
        ev("agent", READBACK_01, 22.6, 31.0),
    ):
        session.feed(e)
    assert session.state.fields["phone"].value == "13906127758"
