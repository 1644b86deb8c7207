"""asr.text.numerals and asr.text.phone: the one numerals rule and the one phone rule,
with the explicit parameters their callers choose."""

from __future__ import annotations

import pytest

from asr.text.numerals import digit_chars, numeral_to_digits, numeral_value, to_digits, unit_number
from asr.text.phone import (
    area_code_length,
    candidate_kind,
    national_number,
    phone_key,
    phone_kind,
)


def test_digit_table_and_dong() -> None:
    assert to_digits("幺三八洞两") == "13802"
    assert to_digits("138零零") == "13800"
    assert "洞" not in digit_chars() and "洞" in digit_chars(dong=True)


@pytest.mark.parametrize(
    ("run", "want"),
    [("二十四", "24"), ("三千五百", "3500"), ("两百", "200"), ("幺百零一", "101"),
     ("千万", None), ("百", None)],
)  # fmt: skip
def test_unit_number(run: str, want: str | None) -> None:
    assert unit_number(run) == want


def test_numeral_to_digits_and_value() -> None:
    assert numeral_to_digits("五零一") == "501"
    assert numeral_to_digits("五百零一") == "501"
    assert numeral_to_digits("百十") == "百十"  # malformed: unchanged
    assert numeral_value("三点五") == "3.5"
    assert numeral_value("一三八零") is None


@pytest.mark.parametrize(
    ("digits", "strict", "lenient", "any_area"),
    [
        ("13812345678", "mobile", "mobile", "mobile"),
        ("01062018899", "landline", "landline", "landline"),
        ("01012345678", None, "landline", "landline"),  # local part starting with 1
        ("0012345678", None, None, "landline"),
        ("62018899", "local", "local", "local"),
        ("12345678901", None, None, None),
    ],
)
def test_phone_kind_area_checks(
    digits: str, strict: str | None, lenient: str | None, any_area: str | None
) -> None:
    assert phone_kind(digits) == strict
    assert phone_kind(digits, area="lenient") == lenient
    assert phone_kind(digits, area="any") == any_area


def test_service_numbers_and_candidate_kind() -> None:
    assert phone_kind("4001234567") is None
    assert phone_kind("4001234567", service=True) == "service"
    assert candidate_kind("4001234567") == "landline"
    assert candidate_kind("62018899") == "landline"
    assert candidate_kind("13812345678") == "mobile"


def test_country_prefix_and_key() -> None:
    assert national_number("8613812345678") == "13812345678"
    assert national_number("86123") == "86123"
    assert phone_key("+86 138-1234-5678") == "13812345678"
    assert area_code_length("01062018899") == 3
    assert area_code_length("075586001234") == 4
