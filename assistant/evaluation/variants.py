"""The ASR-style variant of a scripted call: what a recogniser's text looks like.

No punctuation, words separated by spaces (jieba), every number in Chinese words: phone
numbers, hotline numbers and other codes digit by digit (一三九…, 一一九), quantities and
building numbers as numerals (二十一幢, 三百元), via ``cn2an``. The variant keeps the labels; only the
text changes. Deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["asr_style", "asr_style_call"]

_DIGIT_WORDS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_PUNCT_RE = re.compile(r"[^\w\s]|_")


_UNITS = "元块角米里斤两个岁年月日号点分秒楼栋幢层单室户次天周趟辆路期组万千百度"


def _number_words(m: re.Match[str]) -> str:
    """A quantity (before a unit: 一百二十元, 二十一幢) as a numeral; a code or number
    with no unit (110, 12345, a phone number) digit by digit, as people read them out."""
    s = m.group(0)
    after = m.string[m.end() : m.end() + 1]
    quantity = bool(after) and after in _UNITS
    if "." in s or s.startswith("0") or len(s) > 4 or (len(s) >= 3 and not quantity):
        return "".join(_DIGIT_WORDS.get(c, "点") for c in s)
    import cn2an

    return str(cn2an.an2cn(s, "low"))


def asr_style(text: str) -> str:
    """One utterance as a recogniser might write it (see module docstring)."""
    import jieba

    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(?<=\d)[\s\-—]+(?=\d)", "", t)  # 138-1234-5678 is one number
    t = _NUMBER_RE.sub(_number_words, t)
    t = _PUNCT_RE.sub(" ", t)
    words = [w for w in jieba.lcut(t) if w.strip()]
    return " ".join(words)


def asr_style_call(call: dict[str, Any]) -> dict[str, Any]:
    """A copy of a dev call whose turn texts are ASR-style (labels and acts kept)."""
    out = dict(call)
    out["turns"] = [dict(t, text=asr_style(str(t["text"]))) for t in call["turns"]]
    out["variant"] = "asr"
    return out
