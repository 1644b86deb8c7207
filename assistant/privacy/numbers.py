"""Phone, ID and card numbers in free text, found for masking.

However a number is written, it is found on a *folded* view of the text that keeps every
position: each character is replaced by its NFKC form when that is one ASCII character
(full-width ``１３８``, ``－``, ``（``, ideographic space), so positions in the view are
positions in the text.

* phone numbers are THE phone candidates of :func:`asr.text.phone.extract_phone_candidates`
  (mobile, landline with area code, 400/800; ``138 1234 5678``, ``138-1234-5678``,
  ``+86 …``, Chinese digit words 一三八… with 幺 and 两). A bare 7-8 digit local number
  counts only on its own: not inside ``12345-20261124-0007`` and not before a unit
  (``2500000元``);
* international numbers written with a ``+`` and a country code (``+852 9123 4567``,
  ``+1 (415) 555-2671``: 8 to 15 digits in groups), keeping the country code and the
  last 4 digits;
* ID numbers (15 or 18 characters, the last may be X) and other runs of 15-19 digits (bank
  cards) in ASCII digits or digit words (:data:`asr.text.numerals.DIGITS`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from asr.text.numerals import DIGITS
from asr.text.phone import extract_phone_candidates
from assistant.privacy.fields import mask_digits_keep, mask_id_digits, mask_phone

__all__ = ["Span", "fold", "number_spans"]


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` is to be replaced by ``replacement``."""

    start: int
    end: int
    replacement: str


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c.isascii():
        return c
    n = unicodedata.normalize("NFKC", c)
    return n if len(n) == 1 and n.isascii() else c


def fold(text: str) -> str:
    """``text`` with every character that NFKC maps to one ASCII character replaced by it
    (same length, so positions carry over)."""
    return "".join(_fold_char(c) for c in text)


# A bare local number right before one of these is a quantity, not a phone number.
_UNIT_AFTER = set("元块角万亿千百米里平方吨斤克度年月日号时分秒点路次个人户台辆件份岁楼层栋室%")
_JOINERS = set("-/:.")  # 12345-20261124-0007, 2024/05/03, 14:30:00, 3.14159265
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[Xx]|[0-9]{15,19})(?![0-9])")
# "+" country code, a separator, then the number in 1-6 groups
_INTERNATIONAL = re.compile(r"\+(\d{1,3})(?=[\s\-.(])((?:[\s\-.]{0,2}\(?\d+\)?){1,6})(?![0-9])")
_TO_DIGIT = str.maketrans({c: d for c, d in DIGITS.items()})


def _is_local(digits: str) -> bool:
    return not digits.startswith(("0", "1", "400", "800"))


def _standalone(view: str, start: int, end: int) -> bool:
    before = view[start - 1] if start > 0 else " "
    after = view[end] if end < len(view) else " "
    return before not in _JOINERS and after not in _JOINERS and after not in _UNIT_AFTER


def number_spans(text: str) -> list[Span]:
    """Where ``text`` holds phone, ID or card numbers, each with its masked replacement."""
    view = fold(text)
    spans: list[Span] = []
    for cand in extract_phone_candidates(view):
        if _is_local(cand.digits) and not _standalone(view, cand.start, cand.end):
            continue
        spans.append(Span(cand.start, cand.end, mask_phone(cand.digits)))
    for m in _INTERNATIONAL.finditer(view):
        local = re.sub(r"\D", "", m.group(2))
        if m.group(1) == "86" or not 8 <= len(m.group(1)) + len(local) <= 15:
            continue  # +86 numbers are the phone candidates above
        if any(s.start < m.end() and m.start() < s.end for s in spans):
            continue
        spans.append(Span(m.start(2), m.end(), " " + mask_digits_keep(local, 0, 4)))
    digits_view = view.translate(_TO_DIGIT)  # 一三八 -> 138, same length
    for m in _LONG_NUMBER.finditer(digits_view):
        if any(s.start < m.end() and m.start() < s.end for s in spans):
            continue
        spans.append(Span(m.start(), m.end(), mask_id_digits(m.group(0).upper())))
    return sorted(spans, key=lambda s: s.start)
