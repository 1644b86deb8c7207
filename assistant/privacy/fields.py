"""Masking of one field's value: a phone number, a name, an address's house numbers.

Pure functions that never raise on odd input: something that does not look like a phone
number is still masked (all but the last four digits), so a typo never leaks a number.
What counts as a mobile number or an area code is :mod:`asr.text.phone`.
"""

from __future__ import annotations

import re

from asr.text.phone import AREA_CODE, area_code_length, is_mobile

__all__ = ["mask_address", "mask_digits_keep", "mask_id_digits", "mask_name", "mask_phone"]


def mask_digits_keep(digits: str, head: int, tail: int) -> str:
    """Replace every digit except the first `head` and the last `tail` by `*`."""
    if len(digits) <= head + tail:
        # Too short to keep both ends: keep at most the last two digits.
        keep = min(2, max(len(digits) - 2, 0))
        return "*" * (len(digits) - keep) + digits[len(digits) - keep :]
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[len(digits) - tail :]


def mask_phone(phone: str) -> str:
    """Mask a mobile or landline number, keeping enough to recognise it.

    Mobile (11 digits ``1[3-9]…``): first 3 and last 4 digits stay (``138****8000``).
    Landline with area code (``0xx-`` / ``0xxx-``): the area code and the last 4 digits stay
    (``010-****5678``). A ``+86``/``86`` country prefix is kept as written.
    """
    text = phone.strip()
    if not text:
        return ""
    prefix = ""
    m = re.match(r"^(\+?86)[\s\-]?", text)
    rest = text
    if m and len(re.sub(r"\D", "", text)) > 11:
        prefix = text[: m.end()]
        rest = text[m.end() :]
    digits = re.sub(r"\D", "", rest)
    if not digits:
        return "*" * len(text)
    if is_mobile(digits):
        return prefix + mask_digits_keep(digits, 3, 4)
    # Landline with an explicit separator after the area code: keep the area code.
    lm = re.match(rf"^\s*\(?({AREA_CODE})\)?[\s\-]+(\d[\d\s\-]*)$", rest)
    if lm:
        local = re.sub(r"\D", "", lm.group(2))
        return prefix + lm.group(1) + "-" + mask_digits_keep(local, 0, 4)
    # Landline written without separator: 010xxxxxxxx / 0xxxyyyyyyy.
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        area = area_code_length(digits)
        return prefix + digits[:area] + "-" + mask_digits_keep(digits[area:], 0, 4)
    return prefix + mask_digits_keep(digits, 0, 4)


def mask_name(name: str) -> str:
    """Keep the first character of the name, star the rest: 张三 → 张*, 王建国 → 王**.

    Latin names keep the first letter of each word (``John Smith`` → ``J*** S****``).
    A one-character name becomes ``*``.
    """
    text = name.strip()
    if not text:
        return ""
    if " " in text:
        return " ".join(mask_name(part) for part in text.split())
    if len(text) == 1:
        return "*"
    return text[0] + "*" * (len(text) - 1)


# Numbers (Arabic or Chinese) right before a building/door/room marker.
_NUM = r"[0-9０-９一二三四五六七八九十百千零〇两]+"
_HOUSE = re.compile(
    rf"({_NUM})(?=(号楼|号院|号|栋|幢|座|单元|室|层|楼|户|弄|巷|排|门))"
    rf"|(?<=[A-Za-z])({_NUM})(?=(室|号))"
)


def mask_address(address: str) -> str:
    """Star house, building, unit and room numbers; street and district names stay.

    ``朝阳区建国路88号3栋2单元1201室`` → ``朝阳区建国路**号*栋*单元****室``.
    """

    def repl(m: re.Match[str]) -> str:
        return "*" * len(m.group(0))

    return _HOUSE.sub(repl, address)


def mask_id_digits(digits: str) -> str:
    """An ID number (15 or 18 characters) keeps its 6-digit region code and its last 4
    characters; any other long number (a bank card) keeps its last 4 only."""
    if len(digits) in (15, 18):
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    return mask_digits_keep(digits, 0, 4)
