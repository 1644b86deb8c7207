"""Recognition accuracy: character error rate on normalised, punctuation-free text.

``rapidfuzz`` is imported on first use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from asr.text.normalize import normalize_text

__all__ = [
    "EditCounts",
    "cer",
    "cer_corpus",
    "digit_strings",
    "edit_counts",
    "normalize_for_scoring",
    "strip_punct",
]


def strip_punct(text: str) -> str:
    """Remove punctuation, symbols of the P* categories and all whitespace."""
    return "".join(
        c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P")
    )


def normalize_for_scoring(text: str) -> str:
    """Text as compared in accuracy tests: normalised, punctuation-free, lower-case Latin."""
    return strip_punct(normalize_text(text)).lower()


def cer(ref: str, hyp: str) -> float:
    """Character error rate of ``hyp`` against ``ref`` with punctuation and spaces removed.

    Apply :func:`normalize_for_scoring` to both sides first to compare numbers written
    as digits with numbers written as words. An empty reference gives 0.0 for an empty
    hypothesis and 1.0 otherwise.
    """
    from rapidfuzz.distance import Levenshtein

    r, h = strip_punct(ref), strip_punct(hyp)
    if not r:
        return 0.0 if not h else 1.0
    return Levenshtein.distance(r, h) / len(r)


def cer_corpus(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus CER: total edit distance over total reference characters."""
    from rapidfuzz.distance import Levenshtein

    errors = 0
    total = 0
    for ref, hyp in pairs:
        r, h = strip_punct(ref), strip_punct(hyp)
        errors += Levenshtein.distance(r, h)
        total += len(r)
    return errors / total if total else 0.0


@dataclass(frozen=True, slots=True)
class EditCounts:
    """Character edits turning a reference into a hypothesis (punctuation and spaces removed)."""

    substitutions: int
    deletions: int
    insertions: int
    reference_chars: int

    @property
    def cer(self) -> float:
        errors = self.substitutions + self.deletions + self.insertions
        return errors / self.reference_chars if self.reference_chars else 0.0

    @property
    def deletion_rate(self) -> float:
        """Share of reference characters the hypothesis lost."""
        return self.deletions / self.reference_chars if self.reference_chars else 0.0

    def __add__(self, other: EditCounts) -> EditCounts:
        return EditCounts(
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
            self.reference_chars + other.reference_chars,
        )


def edit_counts(ref: str, hyp: str) -> EditCounts:
    """Substitutions, deletions and insertions of ``hyp`` against ``ref`` (Levenshtein)."""
    from rapidfuzz.distance import Levenshtein

    r, h = strip_punct(ref), strip_punct(hyp)
    ops = Levenshtein.editops(r, h)
    sub = sum(1 for op in ops if op.tag == "replace")
    dele = sum(1 for op in ops if op.tag == "delete")
    ins = sum(1 for op in ops if op.tag == "insert")
    return EditCounts(sub, dele, ins, len(r))


_DIGITS = re.compile(r"\d{2,}")


def digit_strings(text: str) -> list[str]:
    """Runs of two or more digits in :func:`normalize_for_scoring` of ``text`` (numbers,
    phone numbers, times), for exact-match scoring of numbers."""
    return _DIGITS.findall(normalize_for_scoring(text))
