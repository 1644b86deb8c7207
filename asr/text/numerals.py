"""Chinese numerals: THE digit table and the converters built on ``cn2an``.

Every part of the assistant that turns spoken Chinese numbers into digits uses this module:
the recogniser-text normaliser (:mod:`asr.text.normalize`), phone candidates
(:mod:`asr.text.phone`), field extraction (:mod:`assistant.extract`) and the store's address
keys.

* :data:`DIGITS` maps each spoken digit character to its ASCII digit: 零〇○ = 0, 洞 = 0
  (radio style), 一幺 = 1, 二两 = 2, 三 … 九.
* :func:`digit_chars` gives the characters for a regular-expression character class. 洞 is
  a digit only inside phone numbers (``dong=True``); in ordinary text it is the word "hole".
* :func:`to_digits` reads a digit string said digit by digit (``一三八`` -> ``138``).
* :func:`unit_number` reads a number with place units (十百千万亿) through ``cn2an``
  (``三千五百`` -> ``3500``); a malformed one gives None.
* :data:`HEARD_DIGITS` maps the characters a recogniser writes for a spoken digit inside a
  digit string (二十 for 二四, 一般 for 一八, 林 for 零 …) to that digit's character;
  :func:`heard_digits` applies it, only between digits of a long digit string.
* :func:`numeral_to_digits` does whichever of the two applies (the run unchanged when it is
  neither), :func:`numeral_value` also reads decimals (``三点五`` -> ``3.5``).

``cn2an`` is imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DIGITS",
    "HEARD_DIGITS",
    "UNIT_CHARS",
    "digit_chars",
    "heard_digits",
    "numeral_to_digits",
    "numeral_value",
    "to_digits",
    "unit_number",
]

DIGITS: Mapping[str, str] = MappingProxyType(
    {
        "零": "0",
        "〇": "0",
        "○": "0",
        "洞": "0",
        "一": "1",
        "幺": "1",
        "二": "2",
        "两": "2",
        "三": "3",
        "四": "4",
        "五": "5",
        "六": "6",
        "七": "7",
        "八": "8",
        "九": "9",
    }
)
"""Spoken digit character -> ASCII digit (the one table)."""

# Same syllable (tone-insensitive) or a confusion typical of Mandarin ASR (s / sh / z / c,
# in / ing, an / a): what Whisper writes for a digit said in a phone number.
_HEARD: dict[str, str] = {
    "零": "林灵铃玲",
    "幺": "腰邀妖",
    "一": "衣依医",
    "二": "而儿尔案",
    "三": "山伞",
    "四": "十字次死思寺似",
    "五": "午舞武",
    "六": "流留溜",
    "七": "期妻齐其起卿",
    "八": "吧巴爸般",
    "九": "久酒",
}
HEARD_DIGITS: Mapping[str, str] = MappingProxyType(
    {heard: digit for digit, chars in _HEARD.items() for heard in chars}
)
"""Character a recogniser writes for a spoken digit -> that digit's character in
:data:`DIGITS` (only meaningful between digits; see :func:`heard_digits`)."""

UNIT_CHARS = "十百千万亿"
"""Place units: a run containing one of these is read by :func:`unit_number`."""

_DONG = "洞"
_PLAIN_DIGIT_CHARS = "".join(c for c in DIGITS if c != _DONG)
# the characters a well-formed number with units may start with
_UNIT_NUMBER_START = "一二两三四五六七八九十幺"


def digit_chars(*, dong: bool = False) -> str:
    """The spoken digit characters of :data:`DIGITS`, for a regex character class.

    ``dong=True`` includes 洞 (radio-style zero), which counts only inside phone numbers.
    """
    return _PLAIN_DIGIT_CHARS + _DONG if dong else _PLAIN_DIGIT_CHARS


def to_digits(text: str) -> str:
    """The digits of a digit string said digit by digit: ``一三八洞`` -> ``1380``.

    Written digits are kept as they are; characters that are neither a digit nor in
    :data:`DIGITS` are dropped.
    """
    return "".join(DIGITS.get(c, c) for c in text if c.isdigit() or c in DIGITS)


def heard_digits(text: str, *, min_digits: int = 6) -> str:
    """``text`` with each :data:`HEARD_DIGITS` character that sits between two digits of a
    digit string of at least ``min_digits`` digits replaced by that digit's character:
    ``一三零零二十一八八六`` -> ``一三零零二四一八八六``, ``一般零一二`` stays (too short).
    A phone number is said digit by digit, so 十 there is a misheard 四, never ten."""
    digit = f"0-9{''.join(DIGITS)}"
    heard = "".join(HEARD_DIGITS)

    def fix(m: re.Match[str]) -> str:
        run = m.group(0)
        if sum(c.isdigit() or c in DIGITS for c in run) < min_digits:
            return run
        return "".join(HEARD_DIGITS.get(c, c) for c in run)

    return re.sub(rf"[{digit}]+(?:[{heard}][{digit}]+)+", fix, text)


def unit_number(run: str) -> str | None:
    """Value of a numeral with place units as integer text (``二十四`` -> ``24``).

    None when it is not a well-formed integer: it must start with a digit or 十 (so ``千万``
    and ``百`` are no numbers) and ``cn2an`` must accept it.
    """
    if not run or run[0] not in _UNIT_NUMBER_START:
        return None
    try:
        import cn2an
    except ImportError:  # pragma: no cover - cn2an is a core dependency
        return None
    try:
        value = cn2an.cn2an(run.replace("幺", "一").replace("〇", "零"), "smart")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return str(value)


def numeral_to_digits(run: str) -> str:
    """A run of numeral characters as digits: by place value when it has units (``十二`` ->
    ``12``, ``五百零一`` -> ``501``), else digit by digit (``五零一`` -> ``501``); a malformed
    run with units is returned unchanged."""
    if not any(c in UNIT_CHARS for c in run):
        return to_digits(run)
    value = unit_number(run)
    return run if value is None else value


def numeral_value(s: str) -> str | None:
    """An integer or decimal numeral (with or without units) as digits, or None.

    ``三点五`` -> ``3.5``, ``五十`` -> ``50``, ``五`` -> ``5``; a digit-by-digit string of
    more than three digits is no single number (None).
    """
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = (
            unit_number(whole)
            if any(c in UNIT_CHARS for c in whole)
            else (to_digits(whole) if whole and all(c in DIGITS for c in whole) else None)
        )
        if w is None or not frac or not all(c in DIGITS for c in frac):
            return None
        return f"{int(w)}.{to_digits(frac)}"
    if any(c in UNIT_CHARS for c in s):
        return unit_number(s)
    if s and all(c in DIGITS for c in s):
        return str(int(to_digits(s))) if len(s) <= 3 else None
    return None
