"""How callers say their surname: descriptions (弓长张, 金字旁的钱), compound surnames and the
common surnames by frequency (for a heard homophone: 前 -> 钱), from ``knowledge/data/surnames.yaml`` (validated; errors name file, line and field).

:func:`load_surnames` reads the file once; :meth:`SurnameData.find_description` finds a
description in a caller's words, also when the recogniser wrote it with other characters of
the same or a confusable pinyin (今次跑那个前 for 金字旁那个钱).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator
from rapidfuzz.distance import Levenshtein

from knowledge.pinyin import syllables
from knowledge.yaml_loader import load_validated

__all__ = ["BUNDLED_SURNAMES", "DescriptionMatch", "SurnameData", "load_surnames"]

BUNDLED_SURNAMES = Path(__file__).parent / "data" / "surnames.yaml"
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_MIN_SIMILARITY = 0.7  # of the fuzzy pinyin of a heard description (its ends must agree)


def _han(v: str, lo: int, hi: int) -> str:
    if not (_HAN.fullmatch(v) and lo <= len(v) <= hi):
        raise ValueError(f"must be {lo}-{hi} Chinese characters")
    return v


class _Description(BaseModel):
    model_config = ConfigDict(extra="forbid")
    surname: str
    say: list[str]

    @field_validator("surname")
    @classmethod
    def _surname(cls, v: str) -> str:
        return _han(v, 1, 2)

    @field_validator("say")
    @classmethod
    def _say(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("give at least one way to say the surname")
        return [_han(s, 2, 8) for s in v]


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    descriptions: list[_Description]
    compound: list[str] = []
    common: list[str] = []

    @field_validator("common")
    @classmethod
    def _common(cls, v: list[str]) -> list[str]:
        out = [_han(s, 1, 1) for s in v]
        if len(set(out)) != len(out):
            raise ValueError("a surname is listed twice")
        return out

    @field_validator("compound")
    @classmethod
    def _compound(cls, v: list[str]) -> list[str]:
        return [_han(s, 2, 2) for s in v]


@dataclass(frozen=True, slots=True)
class DescriptionMatch:
    """A surname description found in text: the surname, where, and whether it was exact."""

    surname: str
    start: int
    end: int
    exact: bool


@dataclass(frozen=True)
class SurnameData:
    """Descriptions (``say`` -> surname) and compound surnames."""

    descriptions: dict[str, str]
    compound: tuple[str, ...]
    common: tuple[str, ...] = ()

    def by_sound(self, char: str) -> str:
        """The most common surname with the toneless pinyin of ``char``, or "":
        前 -> 钱, 类 -> 雷, 正 -> 郑."""
        if len(char) != 1:
            return ""
        want = syllables(char)
        return next((s for s in self.common if syllables(s) == want), "")

    @cached_property
    def _by_length(self) -> tuple[str, ...]:
        return tuple(sorted(self.descriptions, key=len, reverse=True))

    @cached_property
    def _heard_index(self) -> dict[str, list[tuple[int, str, str, tuple[str, ...], int]]]:
        """Descriptions of three or more syllables by their first fuzzy syllable:
        (order, say, surname, syllables, index of the described character)."""
        index: dict[str, list[tuple[int, str, str, tuple[str, ...], int]]] = {}
        for order, (say, surname) in enumerate(self.descriptions.items()):
            if len(say) < 3:
                continue
            want = tuple(syllables(say, fuzzy=True))
            last = want.index(syllables(surname, fuzzy=True)[0]) if surname in say else len(say) - 1
            index.setdefault(want[0], []).append((order, say, surname, want, last))
        return index

    def find_description(self, text: str) -> DescriptionMatch | None:
        """The longest description in ``text``: written exactly, else heard as characters
        whose fuzzy pinyin is close: the same for three syllables (双目林 for 双木林); for
        four or more, the first and last syllables and the described character's the same
        and the whole similar (>= 0.7: 今次跑那个前 for 金字旁那个钱). On a tie, the first
        description in the data file, then the first place in the text."""
        for say in self._by_length:
            i = text.find(say)
            if i >= 0:
                return DescriptionMatch(self.descriptions[say], i, i + len(say), True)
        heard = syllables(text, fuzzy=True)
        best: tuple[float, int, int] | None = None  # (score, -order, -position)
        found: DescriptionMatch | None = None
        index = self._heard_index
        for i, first in enumerate(heard):
            for order, _say, surname, want, last in index.get(first, ()):
                n = len(want)
                got = heard[i : i + n]
                if len(got) < n or got[last] != want[last] or got[-1] != want[-1]:
                    continue
                if n == 3 and tuple(got) != want:
                    continue  # a three-syllable description must sound the same throughout
                score = Levenshtein.normalized_similarity(" ".join(got), " ".join(want))
                key = (score, -order, -i)
                if score >= _MIN_SIMILARITY and (best is None or key > best):
                    best, found = key, DescriptionMatch(surname, i, i + n, False)
        return found


def load_surnames(path: Path | str | None = None) -> SurnameData:
    """The surname data of ``path`` (default: the bundled file, read once)."""
    if path is None:
        return _bundled()
    model, _ = load_validated(Path(path), _FileModel, "a mapping with 'descriptions'")
    table: dict[str, str] = {}
    for d in model.descriptions:
        for say in d.say:
            table[say] = d.surname
    return SurnameData(table, tuple(dict.fromkeys(model.compound)), tuple(model.common))


@lru_cache(maxsize=1)
def _bundled() -> SurnameData:
    return load_surnames(BUNDLED_SURNAMES)
