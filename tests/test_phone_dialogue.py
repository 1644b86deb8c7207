"""The phone number as a dialogue, through the real extractor and tracker: partial
corrections, read-backs confirmed by the caller, groups over turns, area codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.core.fields import CallFields
from assistant.extract.phone import apply_edits, extract_phone, phone_kind

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def _phone(text: str) -> str:
    fv = extract_phone(text)
    return fv.value if fv is not None and fv.extra.get("complete") == "true" else ""


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "幺八六 幺二四零 七三五九，嗯……不对，中间是幺二零四，幺八六 幺二零四 七三五九。",
            "18612047359",
        ),
        ("电话是一八六零一二三四五六七，哦不是七，是八。", "18601234568"),
        ("一三八 一二七三 四七一五，说反了，中间是七三四幺。", "13873414715"),
        ("手机号一七六 零五一二 八八九三，前三位是一八六。", "18605128893"),
        ("我电话是15066823419后四位是3914", "15066823914"),
        ("电话是要三九 零六要二 七七八五", "13906127785"),
        ("家里座机，区号零五一九，八六六二 三四五七。", "051986623457"),
        ("电话一二三四五六七八九零一。", ""),
    ],
)
def test_one_utterance(text: str, want: str) -> None:
    assert _phone(text) == want


def test_apply_edits_leaves_a_number_alone_without_edits() -> None:
    assert apply_edits("13906127785", "好的谢谢") == "13906127785"
    assert phone_kind("12345678901") is None


def _call(turns: list[tuple[str, str]]) -> CallFields:
    fields = CallFields()
    for i, (who, text) in enumerate(turns):
        if who == "agent":
            fields.on_agent(text, i * 4.0 + 3.0)
        else:
            fields.on_caller(text, i * 4.0, T0)
    return fields


def test_a_correction_of_the_read_back() -> None:
    f = _call(
        [
            ("agent", "留个联系电话吧。"),
            ("caller", "幺三九 零六幺二 七七八五。"),
            ("agent", "一三九零六一二七七八五，对吗？"),
            ("caller", "不对，后四位是七七五八。"),
        ]
    )
    assert f.values["phone"].value == "13906127758"
    assert f.values["phone"].extra["source"] == "caller_correction"


def test_confirmed_read_back_beats_misheard_digits() -> None:
    f = _call(
        [
            ("agent", "您的电话"),
            ("caller", "135 1189 0732"),
            ("agent", "13511897032 对吗"),
            ("caller", "对"),
        ]
    )
    assert f.values["phone"].value == "13511897032"
    assert f.values["phone"].extra["source"] == "readback_confirmed"


def test_groups_over_turns() -> None:
    f = _call(
        [
            ("agent", "您的电话是？"),
            ("caller", "电话是一八六"),
            ("agent", "嗯"),
            ("caller", "幺二零四"),
            ("agent", "嗯，然后呢"),
            ("caller", "七三五九。"),
        ]
    )
    assert f.values["phone"].value == "18612047359"


def test_a_number_said_twice_beats_one_said_once() -> None:
    f = _call(
        [
            ("agent", "您的联系电话是？"),
            ("caller", "一五九 四七二三 八八零六。"),
            ("agent", "好的，电话一五九四七二三八八零六。"),
            ("caller", "电话一五九 四七二三 八八零八。"),
        ]
    )
    assert f.values["phone"].value == "15947238806"
    # ... but a correction still wins
    f = _call(
        [
            ("agent", "您的联系电话是？"),
            ("caller", "一五九 四七二三 八八零六。"),
            ("agent", "好的，电话一五九四七二三八八零六。"),
            ("caller", "不对，是一五九 四七二三 八八零八。"),
        ]
    )
    assert f.values["phone"].value == "15947238808"


def test_the_form_shows_the_turn_the_number_came_from() -> None:
    f = _call([("agent", "您的电话？"), ("caller", "嗯"), ("caller", "电话13511897032")])
    phone = f.values["phone"]
    assert phone.at == 8.0 and "13511897032" in phone.source_text


def test_a_read_back_that_adds_the_area_code_wins() -> None:
    f = _call(
        [
            ("agent", "万先生留个联系电话吧"),
            ("caller", "座机84951603"),
            ("agent", "02784951603。对吗?"),
        ]
    )
    assert f.values["phone"].value == "02784951603"
    assert f.values["phone"].extra["source"] == "readback_fixes_caller"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # what Whisper writes for a digit inside a number: 十 / 字 for 四, 般 for 八, 林 for 零,
        # 期 for 七, 案 for 二, 腰 for 幺
        ("电话一三九十二五六七八八零", "13942567880"),
        ("我的电话是一般六零三字五七二九一", "18603457291"),
        ("号码是幺三林二四五六期八九零", "13024567890"),
        ("电话15案60347781", "15260347781"),
        ("号码一五九二腰三八七七零一", "15921387701"),
    ],
)
def test_heard_digit_homophones(text: str, want: str) -> None:
    assert _phone(text) == want


def test_homophones_only_inside_a_long_digit_string() -> None:
    from asr.text.numerals import heard_digits

    assert heard_digits("我一般七点起床") == "我一般七点起床"
    assert heard_digits("二十一号楼") == "二十一号楼"
    assert heard_digits("一三零零二十一八八六") == "一三零零二四一八八六"
    assert _phone("您好，123字50名服务热线") == ""


@pytest.mark.parametrize(
    "correction", ["不对，后面是七四六一，我说反了。", "不对 后面是7461 我说反了"]
)
def test_a_correction_of_the_tail_after_the_read_back(correction: str) -> None:
    f = _call(
        [
            ("agent", "留个联系电话吧。"),
            ("caller", "电话幺三八幺零五二七六四幺"),
            ("agent", "13810527641，对吗？"),
            ("caller", correction),
        ]
    )
    assert f.values["phone"].value == "13810527461"
    assert f.values["phone"].extra["source"] == "caller_correction"
