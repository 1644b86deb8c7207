"""Reading recogniser homophones of a few emergency words back (着货了 -> 着火了, 云倒 -> 晕倒).

A speech recogniser that does not expect a word writes another one with the same (or fuzzy,
see :mod:`knowledge.pinyin`) pinyin: 着火 becomes 着货 or 着伙, 晕倒 becomes 云倒, 救命 becomes
就命. :class:`HeardReader` rewrites such a window to the lexicon term when

* its fuzzy pinyin equals the term's, and it is not the term itself;
* it is not itself a word the dictionary knows (jieba frequency below ``max_freq``: 运到,
  期货, 猫眼 stay), holds no numeral (九名 stays) and no function character that would make
  it an ordinary phrase (是或, 这货);
* it does not straddle a known word (就命令: 命令 is a word, so 就命 is not read as 救命).

The rewritten text is only used to look for the *emergency* rules (see
:meth:`knowledge.rules.RuleSet.match`); an ordinary request is never declined through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from knowledge.pinyin import syllables

__all__ = ["EMERGENCY_TERMS", "HeardReader", "default_reader", "jieba_word_freq", "read_heard"]

# Words of an emergency call that a recogniser mishears (the and the brief's list).
EMERGENCY_TERMS: tuple[str, ...] = (
    "着火", "起火", "失火", "冒火", "冒烟", "救命", "晕倒", "昏倒", "晕过去", "昏过去",
    "昏迷", "被困", "困住", "被关", "煤气", "燃气", "车祸",
)  # fmt: skip

_NUMERALS = frozenset("〇一二三四五六七八九十百千万两几0123456789")
# characters that make a window an ordinary phrase rather than a misheard term
_FUNCTION = frozenset("的了是在这那也都还又和跟与把被给让")


def jieba_word_freq() -> Callable[[str], int]:
    """jieba's main-dictionary frequency of a word (0 when unknown); loads jieba's default
    dictionary once (from its marshal cache, see :mod:`knowledge.tokenizer`)."""
    import jieba

    from knowledge.tokenizer import _load_main_dictionary

    tok = jieba.dt
    if not tok.initialized:
        _load_main_dictionary(tok, None)
    freq = tok.FREQ
    return lambda w: int(freq.get(w) or 0)


class HeardReader:
    """Rewrites misheard emergency words to the lexicon term (see the module docstring)."""

    def __init__(
        self,
        terms: Sequence[str] = EMERGENCY_TERMS,
        word_freq: Callable[[str], int] | None = None,
        *,
        max_freq: int = 20,
    ) -> None:
        self.terms = tuple(sorted(dict.fromkeys(terms), key=len, reverse=True))
        self._keys = tuple(syllables(t, fuzzy=True) for t in self.terms)
        self._term_chars = frozenset("".join(self.terms))
        self._freq = word_freq
        self.max_freq = max_freq

    def _word(self, w: str) -> bool:
        if self._freq is None:
            self._freq = jieba_word_freq()
        return self._freq(w) >= self.max_freq

    def _plausible(self, text: str, i: int, window: str, term: str) -> bool:
        if window == term or any(c in _NUMERALS for c in window):
            return False
        # a function character the term does not have (被 of 被困 may stay 被)
        if any(c in _FUNCTION and c != t for c, t in zip(window, term, strict=True)):
            return False
        if self._word(window):
            return False
        end = i + len(window)
        before = text[i - 1 : i + 1] if i > 0 else ""
        after = text[end - 1 : end + 1] if end < len(text) else ""
        return not (before and self._word(before)) and not (after and self._word(after))

    def real_word_in(self, window: str, term: str) -> bool:
        """Whether a window heard for ``term`` (same fuzzy pinyin) holds a different dictionary
        word of two characters (运到了 for 晕倒了: 运到 is a word, not a mishearing)."""
        for j in range(len(window) - 1):
            w = window[j : j + 2]
            if w != term[j : j + 2] and self._word(w):
                return True
        return False

    def restore(self, text: str) -> str:
        """``text`` (spaces removed) with misheard terms rewritten; unchanged if none."""
        if not text:
            return text
        syl = syllables(text, fuzzy=True)
        out: list[str] = []
        i = 0
        while i < len(text):
            for term, key in zip(self.terms, self._keys, strict=True):
                n = len(term)
                if tuple(syl[i : i + n]) == key and self._plausible(text, i, text[i : i + n], term):
                    out.append(term)
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


@lru_cache(maxsize=1)
def default_reader() -> HeardReader:
    """The reader of :data:`EMERGENCY_TERMS` with jieba's dictionary (loaded on first use)."""
    return HeardReader()


def read_heard(text: str) -> str:
    """``text`` (spaces removed) with the default lexicon's misheard terms read back."""
    return default_reader().restore(text)
