"""Recognition accuracy: character error rate on normalised, punctuation-free text.

``rapidfuzz`` is imported on first use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from asr.text.normalize import normalize_text

__all__ = ["cer", "cer_corpus", "normalize_for_scoring", "strip_punct"]


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
