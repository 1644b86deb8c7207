"""Mandarin text for the recognisers and everything downstream of them.

* :mod:`asr.text.normalize` — :func:`normalize_text` (recogniser text -> the form the
  assistant works with) and :func:`to_simplified`;
* :mod:`asr.text.numerals` — THE Chinese numerals: the digit table and the ``cn2an``
  readings every other module uses;
* :mod:`asr.text.phone` — THE phone validity rule, the caller-history key and phone
  candidates in text;
* :mod:`asr.text.scoring` — character error rate, edit counts (deletion rate), digit strings.

Everything here is pure and cheap to import (OpenCC, ``cn2an`` and ``rapidfuzz`` are
imported on first use), so the names are re-exported here.
"""

from asr.text.normalize import normalize_text, to_simplified
from asr.text.numerals import (
    DIGITS,
    UNIT_CHARS,
    digit_chars,
    numeral_to_digits,
    numeral_value,
    to_digits,
    unit_number,
)
from asr.text.phone import (
    PhoneCandidate,
    PhoneKind,
    area_code_length,
    candidate_kind,
    extract_phone_candidates,
    is_mobile,
    national_number,
    phone_key,
    phone_kind,
)
from asr.text.scoring import (
    EditCounts,
    cer,
    cer_corpus,
    digit_strings,
    edit_counts,
    normalize_for_scoring,
    strip_punct,
)

__all__ = [
    "DIGITS",
    "UNIT_CHARS",
    "EditCounts",
    "PhoneCandidate",
    "PhoneKind",
    "area_code_length",
    "candidate_kind",
    "cer",
    "cer_corpus",
    "digit_chars",
    "digit_strings",
    "edit_counts",
    "extract_phone_candidates",
    "is_mobile",
    "national_number",
    "normalize_for_scoring",
    "normalize_text",
    "numeral_to_digits",
    "numeral_value",
    "phone_key",
    "phone_kind",
    "strip_punct",
    "to_digits",
    "to_simplified",
    "unit_number",
]
