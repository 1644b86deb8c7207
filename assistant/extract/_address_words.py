"""Which words in front of 路 / 小区 / 村 … can be part of a place name (issue 16).

A place name is made of place words; a verb, a pronoun, an adverb, a particle or a
locative in front of the suffix ends it ("自来水公司又说是小区": 又 / 说 / 是 end it, so no
name is left; "卫生间里丰收路28号": 里 ends it, the road is 丰收路28号). Words are jieba's
part-of-speech tokens; a token that contains the suffix and is itself a common word
(走路, 山路, 马路 …) is no place at all.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from functools import lru_cache

__all__ = ["place_prefix", "place_token", "tokens"]

# tags that end a place name (any length): pronouns, adverbs, prepositions, conjunctions,
# particles, modal words, interjections, onomatopoeia, locatives, time words
_STOP_TAGS = ("r", "d", "p", "c", "u", "y", "e", "o", "t", "s")
# locatives that end it (卫生间里); 外 / 东 / 中 … stay (德胜门外大街)
_STOP_LOCATIVES = frozenset(
    {"里", "里面", "里头", "内", "上", "上面", "下", "下面", "旁边", "边上", "附近", "对面",
     "中间", "前面", "后面", "外面", "底下"}
)  # fmt: skip
# single-character tokens with these tags end it too (说, 是, 让, 回, 去, 住 …)
_STOP_SINGLE = ("v", "zg", "a", "q")
_PLACE_TAGS = ("ns", "nz", "nt")
_ROAD_CHARS = frozenset("道路街巷")


@lru_cache(maxsize=1)
def _posseg() -> object:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.ERROR)
    return jieba.posseg


@lru_cache(maxsize=256)
def tokens(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, word, tag) for each jieba token of ``text``."""
    out = []
    pos = 0
    for pair in _posseg().cut(text):  # type: ignore[attr-defined]
        word, tag = pair.word, pair.flag
        out.append((pos, pos + len(word), word, tag))
        pos += len(word)
    return tuple(out)


def _stops(word: str, tag: str) -> bool:
    if word in _ROAD_CHARS:
        return False  # 嘉陵道街道, 桃园路街道: a road's name in a street's
    if word == "号" or (tag == "m" and word.endswith("号")):
        return True  # 丰登北路18号西电三村: the house number ends the road, not the village's
    if tag == "yg" and len(word) == 1:
        return False  # 奓山街道: jieba tags a rare character a modal morpheme
    if tag.startswith(_STOP_TAGS) or (tag == "f" and word in _STOP_LOCATIVES):
        return True
    if len(word) == 2 and word[-1] in "上里下" and tag not in _PLACE_TAGS:
        return True  # 镇上, 楼下, 家里: where, not a name
    if len(word) == 1 and tag.startswith(_STOP_SINGLE):
        return True
    return "个" in word or (tag == "m" and any(c in word for c in "些点"))


def place_prefix(text: str, lo: int, suffix_at: int, false_words: set[str]) -> str | None:
    """The place-word run in ``text[lo:suffix_at]`` just before a suffix at ``suffix_at``.

    ``None`` when the token holding the suffix is a common word (``false_words``) or is a
    stop word itself (里 as a locative)."""
    toks = tokens(text)
    k = next((j for j, t in enumerate(toks) if t[0] <= suffix_at < t[1]), None)
    if k is None:
        return text[lo:suffix_at]
    start, _end, word, tag = toks[k]
    if start < suffix_at and (word in false_words or "个" in word):
        return None
    after = text[suffix_at + len(word) : suffix_at + len(word) + 1]
    if start == suffix_at and tag == "f" and word in _STOP_LOCATIVES:
        before = toks[k - 1][3] if k > 0 else ""
        follows = text[suffix_at + len(word) : suffix_at + len(word) + 2]
        if after.isdigit() or (before not in _PLACE_TAGS and follows not in ("小区", "社区")):
            return None  # 快递柜里18号楼 / 秧田里: the locative 里, not a 里 of a community
    if start < lo:
        return text[lo:suffix_at]
    begin = min(start, suffix_at)
    j = k - 1
    while j >= 0:
        s, e, w, tg = toks[j]
        if s < lo or (_stops(w, tg) and not (e == suffix_at and w in ("里", "号"))):
            break  # 云景里小区 / 和平里街道 / 88号小区: a 里 / 号 right before the suffix is the name's
        if tg.startswith("v") and len(w) > 1 and not _begins_a_name(w):
            break  # 告诉小区, 反映个路: a verb no place name starts with
        begin = s
        j -= 1
    return text[begin:suffix_at]


def _begins_a_name(word: str) -> bool:
    from assistant.extract._address_places import places

    gz = places()
    return gz is None or bool(gz.begins_a_name(word))


def place_token(text: str, start: int, end: int) -> bool:
    """jieba tags ``text[start:end]`` as one place-name token (解放路/nz, 湖塘镇/ns)."""
    return any(s == start and e == end and tag in _PLACE_TAGS for s, e, _w, tag in tokens(text))
