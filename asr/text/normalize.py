"""Mandarin text normalisation for recogniser output (Vosk and Whisper styles).

:func:`normalize_text` turns raw recogniser text into the form the rest of the assistant
works with:

* Traditional characters -> Simplified (OpenCC ``t2s``; Whisper sometimes writes 廣州).
* Fullwidth digits and Latin letters -> ASCII.
* The spaces Vosk puts between Chinese words are removed; spaces between Latin words stay.
* Spoken numbers become digits **where they are numbers**:

  - digit strings of three or more digits (phone numbers, room numbers, years, 12345):
    ``一三八 零零一三 八零零零`` -> ``13800138000``; 幺 = 1 and 两 = 2 inside digit strings;
    ``三个零`` inside a digit string (``幺三九三个零…``) expands to ``000``;
  - numbers with place units (十百千万亿): ``三千五百块`` -> ``3500块``, ``二十四小时`` ->
    ``24小时`` (always converted when they form a valid number starting with a digit or 十,
    so ``千万`` and ``万一`` stay words);
  - single numerals only before a unit that makes them a number: address and date units
    (``三号楼二单元`` -> ``3号楼2单元``, ``十月一日`` -> ``10月1日``), clock times with a
    time context (``下午三点半`` -> ``下午3点半``, ``三点十五分`` -> ``3点15分``), money and
    measures for 二..九/两 (``五块`` -> ``5块``; 一 is left alone there because 一块, 一度
    are mostly words);
  - decimals (``三点五公里`` -> ``3.5公里``) and percentages (``百分之五十`` -> ``50%``);
  - Whisper's grouped phone numbers ``139-0612-7758`` / ``139 0612 7758`` -> ``13906127758``.

* Left as words: idioms and function words (一些, 一下, 一直, 一样, 一点儿, 万一, 千万,
  三心二意, 七七八八, 十万八千里 ...), counts with 个/天/次 (``两个``, ``三天`` stay: they
  read better as words and nothing downstream needs the digit), approximate pairs
  (``七八岁``, ``三四个``), and ordinals with a single numeral (``第一次``, ``第三方`` stay;
  ``第十二条`` -> ``第12条`` because multi-character numbers are always converted).

The digit table and the ``cn2an`` readings are :mod:`asr.text.numerals`; whether joined
digit groups form a phone number is decided by :mod:`asr.text.phone`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from asr.text.numerals import DIGITS, UNIT_CHARS, digit_chars, numeral_value, to_digits, unit_number
from asr.text.phone import candidate_kind, is_mobile, national_number

__all__ = ["join_cjk_words", "normalize_text", "to_simplified"]

# --------------------------------------------------------------------------- OpenCC
_opencc: Any = None
_opencc_lock = threading.Lock()
_opencc_failed = False


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese with OpenCC ``t2s`` (initialised once, lazily).

    When OpenCC is not installed the text is returned unchanged (Vosk output is already
    Simplified; Whisper needs ``pip install 'hotline-assistant[whisper]'``, which brings it).
    """
    global _opencc, _opencc_failed
    if not text or _opencc_failed:
        return text
    if _opencc is None:
        with _opencc_lock:
            if _opencc is None and not _opencc_failed:
                try:
                    from opencc import OpenCC
                except ImportError:
                    _opencc_failed = True
                    return text
                _opencc = OpenCC("t2s")
    if _opencc is None:
        return text
    if not _HAS_CJK.search(text):
        return text
    return str(_opencc.convert(text))


# --------------------------------------------------------------------------- character sets
_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_HAS_CJK = re.compile(f"[{_CJK_RANGE}]")
# whitespace with a CJK character or CJK punctuation on at least one side
_SPACE_NEAR_CJK = re.compile(
    f"(?<=[{_CJK_RANGE}{_CJK_PUNCT}])\\s+|\\s+(?=[{_CJK_RANGE}{_CJK_PUNCT}])"
)
_MULTISPACE = re.compile(r"\s+")


def join_cjk_words(text: str) -> str:
    """Drop the spaces a recogniser puts between Chinese words (我 姓 钱 -> 我姓钱); spaces
    between Latin words stay."""
    return _SPACE_NEAR_CJK.sub("", text)


# 洞 (radio-style zero) only counts inside phone candidates, never in normal text
_DIGIT_CHARS = digit_chars()
_NUM_CHARS = _DIGIT_CHARS + UNIT_CHARS
_RUN = re.compile(f"[{_NUM_CHARS}]+")

_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({i: i - 0xFEE0 for i in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({i: i - 0xFEE0 for i in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update({0x3000: 0x20, 0xFF0D: 0x2D, 0xFF0B: 0x2B, 0xFF05: 0x25, 0xFF0E: 0x2E})
_DASHES = re.compile(r"(?<=\d)\s*[\u2010-\u2015\u2212\ufe58\ufe63]\s*(?=\d)")

# Words whose numerals are not numbers. Runs completely inside one of these stay as written.
_IDIOM_TEXT = """
        一些 一下 一直 一样 一点儿 一点点 一会儿 一会 一起 一定 一般 一切
        一共 一边 一旦 一致 一同 一向 一再 一律 一贯 一心 一面 一半 一块儿
        一块 一度 一番 一阵 一趟 一口气 一路 一手 一流 一把手 一时 一并
        统一 唯一 万一 千万 万万 百万 千千万万 十万八千里 三心二意 七上八下
        乱七八糟 一五一十 十全十美 四面八方 五颜六色 一心一意 一模一样 千方百计
        三三两两 七七八八 九九八十一 一清二楚 一干二净 说一不二 独一无二
        接二连三 不三不四 丢三落四 四平八稳 五花八门 六神无主 七嘴八舌
        八九不离十 十有八九 十之八九 三番五次 三番两次 三言两语 一举两得
        一石二鸟 九牛一毛 百分百 一百分 五一 十一长假 十一假期 十一期间
        国庆十一 一二线 第一时间 一手一脚
        """
_IDIOMS = sorted(set(_IDIOM_TEXT.split()), key=len, reverse=True)
_IDIOM_RE = re.compile("|".join(map(re.escape, _IDIOMS)))

# units after which a single numeral is a number
_ADDRESS_UNITS = (
    "号",
    "楼",
    "栋",
    "幢",
    "单元",
    "层",
    "室",
    "期",
    "座",
    "弄",
    "巷",
    "排",
    "组",
    "区",
    "路",
)
_DATE_UNITS = ("月",)
_MEASURE_UNITS = (
    "块",
    "元",
    "毛",
    "角",
    "岁",
    "米",
    "公里",
    "千米",
    "公斤",
    "斤",
    "吨",
    "度",
    "平方",
    "平米",
    "分钟",
    "小时",
    "秒",
    "周岁",
)
_ONE_ADDRESS_UNITS = ("号", "楼", "栋", "幢", "单元", "室", "期", "层")
_ONE_MEASURE_UNITS = ("元", "岁", "周岁", "公里", "平米")
_TWO_DIGIT_UNITS = (*_ADDRESS_UNITS, "月", "日", "年", "分", "点", "届", "级", *_MEASURE_UNITS)
_TIME_BEFORE = re.compile(
    r"(上午|下午|中午|晚上|早上|早晨|凌晨|傍晚|夜里|半夜|今天|明天|昨天|后天|前天|今晚|明早|"
    r"每天|号|日|周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|到|至|从|约|"
    r"大概|大约|差不多|早|晚)$"
)
_TIME_AFTER = re.compile(
    r"点(半|钟|整|一刻|三刻|多|左右|前后|以前|之前|以后|之后|到|至|[零〇一二三四五六七八九十两\d]+分)"
)
_APPROX_PAIRS = {
    "一二",
    "二三",
    "三四",
    "四五",
    "五六",
    "六七",
    "七八",
    "八九",
    "一两",
    "两三",
}


def _starts_with(text: str, pos: int, words: Iterable[str]) -> bool:
    return any(text.startswith(w, pos) for w in words)


def _is_time_point(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a numeral) followed by 点 is a clock time."""
    if not text.startswith("点", end) or text.startswith("点儿", end):
        return False
    if _TIME_AFTER.match(text, end):
        return True
    return bool(_TIME_BEFORE.search(text[max(0, start - 4) : start]))


def _convert_run(text: str, start: int, end: int) -> str | None:
    """Replacement for the numeral run ``text[start:end]``, or None to keep it."""
    run = text[start:end]
    prev_ch = text[start - 1] if start else ""
    next_ch = text[end] if end < len(text) else ""
    has_units = any(c in UNIT_CHARS for c in run)

    if not has_units:
        if (prev_ch.isascii() and prev_ch.isdigit()) or (next_ch.isascii() and next_ch.isdigit()):
            return to_digits(run)  # continues an ASCII digit string ("138零零…")
        if len(run) >= 3:
            return to_digits(run)
        if len(run) == 2:
            if run in _APPROX_PAIRS:
                return None
            if _starts_with(text, end, _TWO_DIGIT_UNITS):
                return to_digits(run)
            return None
        # a single numeral
        if run in "零〇○":
            return None
        return to_digits(run) if _single_is_number(text, start, end) else None

    # with place units
    if run == "十" or (len(run) == 2 and run[0] in "一" and run[1] in "十"):
        # 十 alone, or 一十: like a single numeral
        value = unit_number(run)
        return value if value and _single_is_number(text, start, end, ten=True) else None
    return unit_number(run)


def _single_is_number(text: str, start: int, end: int, *, ten: bool = False) -> bool:
    """Whether a single numeral (or 十) at ``text[start:end]`` is a number in context."""
    run = text[start:end]
    prev2 = text[max(0, start - 2) : start]
    if text.startswith("点", end):
        return _is_time_point(text, start, end)
    if text.startswith(("日", "号"), end) and (prev2.endswith("月") or prev2[-1:].isdigit()):
        return True  # day of a date: 十月一日, 3月五号
    if run == "两":
        return _starts_with(text, end, _MEASURE_UNITS)
    if run == "一" and not ten:
        if _starts_with(text, end, _ONE_ADDRESS_UNITS):
            return not text.startswith("号码", end)
        return _starts_with(text, end, _DATE_UNITS + _ONE_MEASURE_UNITS)
    if _starts_with(text, end, _ADDRESS_UNITS):
        return not text.startswith(("号码", "路上", "路人"), end)
    if _starts_with(text, end, _DATE_UNITS):
        return not text.startswith("月亮", end)
    if re.search(r"\d(块|毛|元)$", prev2):
        return True  # 3块五 -> 3块5
    if ten:
        return _starts_with(text, end, (*_MEASURE_UNITS, "年", "天", "分", "日"))
    return _starts_with(text, end, _MEASURE_UNITS)


_PERCENT = re.compile(f"百分之([{_NUM_CHARS}点]+)")
_DECIMAL = re.compile(
    f"(?<![{_NUM_CHARS}\\d])([{_NUM_CHARS}]+)点([{_DIGIT_CHARS}]+)(?![{_NUM_CHARS}分钟])"
)
_REPEAT = re.compile(f"(?<=[{_DIGIT_CHARS}\\d]{{3}})([两二三四五六])个([{_DIGIT_CHARS}])")
_YUAN_TAIL = re.compile(
    r"(\d)(块|毛)([二两三四五六七八九])(?![零〇一二三四五六七八九十百千万块毛分钱角])"
)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _IDIOM_RE.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _numerals_to_digits(text: str) -> str:
    spans = _protected_spans(text)

    def percent(m: re.Match[str]) -> str:
        v = numeral_value(m.group(1))
        return f"{v}%" if v is not None else m.group(0)

    text = _PERCENT.sub(percent, text)

    spans = _protected_spans(text)

    def decimal(m: re.Match[str]) -> str:
        if _inside(spans, m.start(), m.end()) or _is_time_point(text, m.start(), m.end(1)):
            return m.group(0)
        v = numeral_value(m.group(0))
        return v if v is not None else m.group(0)

    text = _DECIMAL.sub(decimal, text)
    text = _REPEAT.sub(lambda m: m.group(2) * int(DIGITS[m.group(1)]), text)

    spans = _protected_spans(text)
    out: list[str] = []
    pos = 0
    for m in _RUN.finditer(text):
        start, end = m.span()
        if _inside(spans, start, end):
            continue
        repl = _convert_run(text, start, end)
        if repl is None:
            continue
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    text = "".join(out)
    return _YUAN_TAIL.sub(lambda m: m.group(1) + m.group(2) + DIGITS[m.group(3)], text)


# --------------------------------------------------------------------------- phone joining
_DIGIT_GROUPS = re.compile(r"(?<![\d.])\d+(?:[ \-]\d+)+(?![\d.])")


def _join_phone_groups(text: str) -> str:
    def join(m: re.Match[str]) -> str:
        groups = re.split(r"[ \-]", m.group(0))
        joined = "".join(groups)
        if len(groups) == 2 and all(re.fullmatch(r"(19|20)\d\d", g) for g in groups):
            return m.group(0)  # a year range such as 2020-2021
        if candidate_kind(joined) is not None or is_mobile(national_number(joined)):
            return joined
        if all(len(g) <= 4 for g in groups) and 7 <= len(joined) <= 12:
            return joined  # digit-by-digit dictation with a digit dropped or added
        return m.group(0)

    return _DIGIT_GROUPS.sub(join, text)


# --------------------------------------------------------------------------- public API
def normalize_text(raw: str) -> str:
    """Normalise raw recogniser text (see the module docstring for the rules)."""
    if not raw:
        return ""
    text = to_simplified(raw)
    text = text.translate(_FULLWIDTH)
    text = _MULTISPACE.sub(" ", text).strip()
    text = _SPACE_NEAR_CJK.sub("", text)
    text = _DASHES.sub("-", text)
    if any(c in _NUM_CHARS for c in text):
        text = _numerals_to_digits(text)
    text = _join_phone_groups(text)
    return text
