"""asr.text: Mandarin recogniser text -> normalised text, phone candidates, CER."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asr.text import (
    PhoneCandidate,
    cer,
    cer_corpus,
    extract_phone_candidates,
    normalize_for_scoring,
    normalize_text,
    strip_punct,
    to_simplified,
)


# ----------------------------------------------------------------------------- spaces
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我 家 门口 的 道路 破损 严重", "我家门口的道路破损严重"),
        ("  我们  小区 停水 了 ", "我们小区停水了"),
        ("我 用 iPhone 手机 打 的", "我用iPhone手机打的"),
        ("hello world 你好", "hello world你好"),
        ("好的 ， 谢谢", "好的，谢谢"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_spaces_between_chinese_words_are_removed(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # phone numbers, in Vosk and Whisper styles
        ("一三八 零零一三 八零零零", "13800138000"),
        ("电话 是 幺 三 九 零 六 幺 二 七 七 五 八", "电话是13906127758"),
        ("幺三九两零六幺二七七五八", "13920612775" + "8"),
        ("139-0612-7758", "13906127758"),
        ("139 0612 7758", "13906127758"),
        ("电话139－0612－7758", "电话13906127758"),
        ("１３９０６１２７７５８", "13906127758"),
        ("幺三八三个零一二三四五", "13800012345"),
        ("010-12345678", "01012345678"),
        ("打一二三四五热线", "打12345热线"),
        # addresses
        ("三号楼二单元五零二", "3号楼2单元502"),
        ("幸福小区十二栋三单元一零一室", "幸福小区12栋3单元101室"),
        ("一号楼六楼", "1号楼6楼"),
        ("二期三号", "2期3号"),
        # dates and times
        ("二零二五年三月五号", "2025年3月5号"),
        ("十月一日", "10月1日"),
        ("十一月二十号", "11月20号"),
        ("下午三点半", "下午3点半"),
        ("明天上午九点", "明天上午9点"),
        ("三点十五分", "3点15分"),
        ("三点零五分", "3点05分"),
        ("大概两点到三点", "大概2点到3点"),
        ("晚上十一点", "晚上11点"),
        ("一点钟", "1点钟"),
        # amounts and measures
        ("三千五百块", "3500块"),
        ("两万块钱", "20000块钱"),
        ("一千零五十元", "1050元"),
        ("三块五", "3块5"),
        ("我今年三十五岁", "我今年35岁"),
        ("二十四小时", "24小时"),
        ("三点五公里", "3.5公里"),
        ("百分之五十", "50%"),
        ("百分之三点五", "3.5%"),
        ("第十二条", "第12条"),
        ("零下五度", "零下5度"),
    ],
)
def test_numbers_become_digits(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "一些",
        "等一下",
        "一直没人管",
        "一样",
        "万一出事了",
        "三心二意",
        "有一点儿吵",
        "差一点",
        "一点点",
        "第一次打电话",
        "第三方",
        "千万别挂",
        "十全十美",
        "十万八千里",
        "三三两两",
        "七七八八",
        "一五一十地说",
        "两个人",
        "停水两天了",
        "三天两头",
        "七八岁的孩子",
        "三四个",
        "两点建议",
        "一块儿去",
        "一二线城市",
        "五一劳动节",
        "星期一",
        "一起",
        "统一",
        "唯一",
        "一会儿",
        "换一首歌",
        "一个月",
        "三年",
    ],
)
def test_words_with_numerals_are_kept(text: str) -> None:
    assert normalize_text(text) == text


def test_traditional_becomes_simplified() -> None:
    assert normalize_text("廣州市房地產中介協會") == "广州市房地产中介协会"
    assert to_simplified("這並不是告別") == "这并不是告别"
    assert to_simplified("") == ""
    assert to_simplified("abc 123") == "abc 123"


def test_year_range_and_short_numbers_are_not_joined() -> None:
    assert normalize_text("2020-2021年") == "2020-2021年"
    assert normalize_text("3 4 5") == "3 4 5"


def test_already_normal_text_is_unchanged() -> None:
    text = "我家在3号楼2单元502，电话13800138000，下午3点半在家。"
    assert normalize_text(text) == text


def test_normalize_is_idempotent_on_examples() -> None:
    for raw in ["一三八 零零一三 八零零零", "三号楼二单元五零二", "下午三点半", "三千五百块"]:
        once = normalize_text(raw)
        assert normalize_text(once) == once


# ----------------------------------------------------------------------------- property tests
_SPOKEN = {
    "0": ["零", "〇"],
    "1": ["一", "幺"],
    "2": ["二", "两"],
    "3": ["三"],
    "4": ["四"],
    "5": ["五"],
    "6": ["六"],
    "7": ["七"],
    "8": ["八"],
    "9": ["九"],
}
mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@st.composite
def spoken_mobile(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(mobiles)
    words = [draw(st.sampled_from(_SPOKEN[d])) for d in digits]
    seps = [draw(st.sampled_from(["", "", " ", "  "])) for _ in digits[1:]]
    spoken = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    return digits, spoken


@settings(max_examples=300, deadline=None)
@given(
    spoken_mobile(),
    st.sampled_from(["", "我的电话是", "电话 号码 是 ", "你好 "]),
    st.sampled_from(["", "谢谢", " 对", "。"]),
)
def test_any_spoken_mobile_normalises_to_its_digits(
    sample: tuple[str, str], before: str, after: str
) -> None:
    digits, spoken = sample
    text = normalize_text(before + spoken + after)
    assert digits in text
    found = extract_phone_candidates(text)
    assert [c.digits for c in found] == [digits]
    assert found[0].kind == "mobile"
    assert text[found[0].start : found[0].end] == digits
    # the raw recogniser text gives the same digits without normalising first
    assert [c.digits for c in extract_phone_candidates(before + spoken + after)] == [digits]


@settings(max_examples=200, deadline=None)
@given(
    mobiles,
    st.sampled_from([(3, 4, 4), (3, 8), (4, 7), (3, 3, 5), (11,)]),
    st.sampled_from([" ", "-"]),
)
def test_grouped_ascii_mobile_is_joined(digits: str, groups: tuple[int, ...], sep: str) -> None:
    parts, pos = [], 0
    for g in groups:
        parts.append(digits[pos : pos + g])
        pos += g
    assert normalize_text("电话" + sep.join(parts)) == "电话" + digits


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="一二三四五六七八九十百千万零两幺的了是号楼点半块 abc,，", max_size=30))
def test_normalize_never_crashes_and_removes_cjk_spaces(text: str) -> None:
    out = normalize_text(text)
    assert isinstance(out, str)
    assert "  " not in out
    for i, ch in enumerate(out):
        if ch == " ":
            assert not ("\u4e00" <= out[i - 1] <= "\u9fff") and not (
                "\u4e00" <= out[i + 1] <= "\u9fff"
            )


# ----------------------------------------------------------------------------- phone candidates
@pytest.mark.parametrize(
    "text",
    [
        "一三九零六一二七七五八",
        "13906127758",
        "139-0612-7758",
        "幺三九 零六幺二 七七五八",
        "139 0612 7758",
        "+86 139 0612 7758",
        "86-13906127758",
    ],
)
def test_phone_spellings_give_the_same_digits(text: str) -> None:
    assert [c.digits for c in extract_phone_candidates(text)] == ["13906127758"]
    assert [c.digits for c in extract_phone_candidates(normalize_text(text))] == ["13906127758"]


def test_phone_candidate_positions_and_kinds() -> None:
    text = "住3号楼502 13800138000，座机010-12345678或者88886666，身份证110101199003074514"
    found = extract_phone_candidates(text)
    assert [(c.digits, c.kind) for c in found] == [
        ("13800138000", "mobile"),
        ("01012345678", "landline"),
        ("88886666", "landline"),
    ]
    for c in found:
        assert c.digits == "".join(ch for ch in text[c.start : c.end] if ch.isdigit())
    assert isinstance(found[0], PhoneCandidate)


def test_no_phone_in_ordinary_numbers() -> None:
    assert extract_phone_candidates("3号楼2单元502，花了3500块，2025年3月5号") == []
    assert extract_phone_candidates("1380013800") == []  # ten digits: a digit was lost
    assert extract_phone_candidates("") == []


def test_two_phones_separated_by_words() -> None:
    found = extract_phone_candidates("一三八零零一三八零零零 或者 一三九零六一二七七五八")
    assert [c.digits for c in found] == ["13800138000", "13906127758"]


# ----------------------------------------------------------------------------- scoring
def test_strip_punct() -> None:
    assert (
        strip_punct("这并不是告别，这是一个篇章的结束。 也是 “新”篇章!")
        == "这并不是告别这是一个篇章的结束也是新篇章"
    )
    assert strip_punct("《广州市》") == "广州市"


def test_cer() -> None:
    assert cer("广州市房地产", "广州市房地产。") == 0.0
    assert cer("广州市房地产", "广州市佛地产") == pytest.approx(1 / 6)
    assert cer("", "") == 0.0
    assert cer("", "多余") == 1.0
    assert cer("abc", "") == 1.0
    assert cer_corpus([("一二三四", "一二三四"), ("五六", "七六")]) == pytest.approx(1 / 6)
    assert cer_corpus([]) == 0.0


def test_scoring_normalises_numbers_on_both_sides() -> None:
    ref = "你好，我家门口的道路破损严重，电话是一三八零零一三八零零零"
    hyp = "你好,我家门口的道路破損嚴重,電話是138-0013-8000。"
    assert normalize_for_scoring(ref) == normalize_for_scoring(hyp)
    assert cer(normalize_for_scoring(ref), normalize_for_scoring(hyp)) == 0.0
