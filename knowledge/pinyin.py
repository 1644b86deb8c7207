"""Pinyin helpers for homophone-tolerant matching (ASR writes 无业 for 物业, 听水 for 停水).

Syllables are toneless and "fuzzed" the way Chinese input methods do it for southern
accents and recogniser confusions: zh/ch/sh -> z/c/s, n <-> l, -ng -> -n.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_INITIAL_FUZZ = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("r", "n"), ("f", "h"))
_FINAL_FUZZ = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=8192)
def fuzz_syllable(syllable: str) -> str:
    """Map a toneless syllable to its fuzzy class (``shui`` -> ``sui``, ``ling`` -> ``nin``)."""
    s = syllable
    for a, b in _INITIAL_FUZZ:
        if s.startswith(a):
            s = b + s[len(a) :]
            break
    for a, b in _FINAL_FUZZ:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    out = lazy_pinyin(ch, style=Style.NORMAL, errors="default")
    return out[0].lower() if out else ch


def syllables(text: str, *, fuzzy: bool = False) -> tuple[str, ...]:
    """One toneless syllable per character (non-Chinese characters map to themselves)."""
    if fuzzy:
        return tuple(fuzz_syllable(_char_pinyin(ch)) for ch in text)
    return tuple(_char_pinyin(ch) for ch in text)


def pinyin_key(text: str, *, fuzzy: bool = True) -> str:
    """The pinyin of ``text`` as one string with syllables separated by spaces."""
    return " ".join(syllables(text, fuzzy=fuzzy))
