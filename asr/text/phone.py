"""Chinese phone numbers: THE validity rule, the caller-history key, and phone candidates
in recogniser text.

The rule (:func:`phone_kind`):

* mobile: 11 digits ``1[3-9]…``;
* landline: ``0`` + area code + local number. How strictly the area code is checked is the
  caller's choice (``area``): ``"strict"`` — a real area code (010, 02x, 0[3-9]xx) and a local
  number starting 2-9, the default for extraction; ``"lenient"`` — any 10-12 digits starting
  ``0[1-9]``, for joining and finding numbers in recogniser text; ``"any"`` — ``0`` + 2-3
  more area-code digits + 7-8 digits, what a ticket form or the masking accepts;
* service: ``400``/``800`` + 7 digits, only with ``service=True``;
* local: 7-8 digits starting 2-9 (a landline said without its area code).

A ``+86``/``86`` country prefix is not part of a number: :func:`national_number` removes it
and :func:`phone_key` gives the digits-only key used to match a caller's history.
:func:`extract_phone_candidates` finds mobile and landline numbers in spoken or written text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from asr.text.numerals import digit_chars, to_digits

__all__ = [
    "AREA_CODE",
    "MOBILE",
    "PhoneCandidate",
    "PhoneKind",
    "area_code_length",
    "candidate_kind",
    "extract_phone_candidates",
    "is_mobile",
    "national_number",
    "phone_key",
    "phone_kind",
]

PhoneKind = Literal["mobile", "landline", "service", "local"]
AreaCheck = Literal["strict", "lenient", "any"]

MOBILE = r"1[3-9]\d{9}"
"""Regex of a mobile number (no anchors)."""
AREA_CODE = r"0\d{2,3}"
"""Regex of an area code as written in front of a local number (``010``, ``0755``)."""
_LOCAL = r"[2-9]\d{6,7}"
_SERVICE = r"[48]00\d{7}"
_LANDLINE: dict[AreaCheck, re.Pattern[str]] = {
    "strict": re.compile(r"0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}"),
    "lenient": re.compile(r"0[1-9]\d{8,10}"),
    "any": re.compile(rf"{AREA_CODE}\d{{7,8}}"),
}
_MOBILE_RE = re.compile(MOBILE)
_LOCAL_RE = re.compile(_LOCAL)
_SERVICE_RE = re.compile(_SERVICE)


def phone_kind(
    digits: str, *, area: AreaCheck = "strict", service: bool = False
) -> PhoneKind | None:
    """``mobile`` / ``landline`` / ``service`` / ``local`` for a digit string, or None.

    ``area`` chooses how strictly a landline's area code is checked and ``service`` whether
    400/800 numbers count (see the module docstring).
    """
    if _MOBILE_RE.fullmatch(digits):
        return "mobile"
    if _LANDLINE[area].fullmatch(digits):
        return "landline"
    if service and _SERVICE_RE.fullmatch(digits):
        return "service"
    if _LOCAL_RE.fullmatch(digits):
        return "local"
    return None


def is_mobile(digits: str) -> bool:
    """Is ``digits`` exactly a mobile number (``1[3-9]`` + 9 digits)?"""
    return _MOBILE_RE.fullmatch(digits) is not None


def area_code_length(digits: str) -> int:
    """Length of the area code at the start of a landline written without a separator:
    3 for 01x/02x (010, 021 …), else 4 (0755 …)."""
    return 3 if digits[1:2] in ("1", "2") else 4


def national_number(digits: str) -> str:
    """``digits`` without a leading ``86`` country code (only when more than 11 digits)."""
    if digits.startswith("86") and len(digits) > 11:
        return digits[2:]
    return digits


def phone_key(phone: str) -> str:
    """Digits only, without a +86/86 country prefix: the key for caller history."""
    return national_number(re.sub(r"\D", "", phone))


# --------------------------------------------------------------------------- candidates
@dataclass(frozen=True, slots=True)
class PhoneCandidate:
    """A phone number found in text: its digits and ``text[start:end]`` where it was said."""

    digits: str
    start: int
    end: int
    kind: Literal["mobile", "landline"]


_DIGIT_CHARS = digit_chars()
_PHONE_DIGIT = f"[0-9{digit_chars(dong=True)}]"
_PHONE_SEQ = re.compile(
    f"(?<![0-9{_DIGIT_CHARS}])(?:\\+?86[ \\-]?)?{_PHONE_DIGIT}+"
    f"(?:[ \\t\\-\u2010-\u2015\uff0d]{{1,3}}{_PHONE_DIGIT}+)*"
)
_GROUP = re.compile(f"{_PHONE_DIGIT}+")


def candidate_kind(digits: str) -> Literal["mobile", "landline"] | None:
    """The kind a phone candidate in recogniser text gets: mobile, or landline for a number
    with a (leniently checked) area code, a 400/800 number or a local number."""
    kind = phone_kind(digits, area="lenient", service=True)
    if kind is None:
        return None
    return "mobile" if kind == "mobile" else "landline"


def extract_phone_candidates(text: str) -> list[PhoneCandidate]:
    """Mobile (11 digits, 1[3-9]…) and landline numbers (0 + area code, 400/800, or a 7-8
    digit local number) in ``text``, in order of appearance.

    Works on normalised text and equally on raw recogniser text: Chinese digit words
    (零〇一幺二两三四五六七八九, also 洞 for zero), ASCII digits, and groups separated by
    spaces or hyphens (``139-0612-7758``, ``幺三九 零六幺二 七七五八``) all give the same
    digits. A digit string that is too long or short for a phone number is not split up
    (an 18-digit ID number is no phone), but separate groups are tried one by one, so
    ``502 13800138000`` still yields the mobile number. Positions index ``text``.
    """
    found: list[PhoneCandidate] = []
    for seq in _PHONE_SEQ.finditer(text):
        groups = [
            (g.start(), g.end(), to_digits(g.group(0))) for g in _GROUP.finditer(seq.group(0))
        ]
        base = seq.start()
        # strip a +86 / 86 country prefix group
        if groups and groups[0][2] == "86" and len(groups) > 1:
            groups = groups[1:]
        i = 0
        while i < len(groups):
            match: PhoneCandidate | None = None
            for j in range(len(groups), i, -1):  # longest span of groups first
                digits = "".join(g[2] for g in groups[i:j])
                if len(digits) == 13:
                    digits = national_number(digits)
                kind = candidate_kind(digits)
                if kind is None:
                    continue
                if kind == "landline" and not digits.startswith(("0", "400", "800")) and j - i > 1:
                    continue  # local numbers are accepted only as one unbroken group
                match = PhoneCandidate(digits, base + groups[i][0], base + groups[j - 1][1], kind)
                i = j
                break
            if match is None:
                i += 1
            else:
                found.append(match)
    return found
