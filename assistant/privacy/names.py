"""Person names in free text, found for masking: the ticket's own name and anyone else's.

Three sources, their spans united:

* the names the caller gave (the ticket's name field), also where the text holds only
  the front of it (张三 in a summary of 张三丰's ticket) or more of it;
* jieba's part-of-speech tagger (``jieba.posseg``: ``nr``, ``nrt``, ``nrfg``), a surname
  token followed by a name token merged (黄 + 海涛, 欧阳 + 娜娜). A tagged word counts when
  it is a plausible full name (:func:`assistant.extract.name.valid_full_name`: a 百家姓
  surname + 1-3 characters, nothing place-like), does not end in a title (陈先生 stays) or
  an office (卫健委) and is not followed by a place word (向阳小区, 文明路). A word that is
  in jieba's dictionary as a common word (华为, 文明, 石家庄) and starts with an ambiguous
  surname counts only in a person context (below);
* a person context: the words right after 母亲 / 邻居 / 房东 / 负责人叫 / 联系人： … are a
  name when they form a plausible full name (马桂兰, 郑国强, which jieba splits).

jieba is imported on first use, with its start-up messages silenced.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = ["known_name_spans", "name_spans", "warm_up"]

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_TITLES = ("先生", "女士", "小姐", "阿姨", "师傅", "老师", "大爷", "大妈", "大姐", "大哥", "同志")
_OFFICE_END = set("委厅局办队处")
_PLACE_WORDS = {
    "小区", "大街", "大道", "公园", "广场", "花园", "大厦", "公司", "集团", "医院", "小学",
    "中学", "大学", "学校", "银行", "超市", "商场", "市场", "手机", "新村", "家园", "酒店",
    "宾馆", "饭店", "管委会", "街道", "社区", "派出所", "故居", "草堂", "纪念馆", "景区",
    "风景区", "陵园", "古镇", "大桥",
}  # fmt: skip
# a dictionary word ending in one of these is a place (岳麓山, 白马寺, 马家堡), whereas a
# name the tagger guessed (王林, 李宝山) is not in the dictionary
_PLACE_END = set("山寺堡林庙塔宫堂庄湖江河桥门岭峰坡湾岛港关城镇村祠窑沟沱屯营铺寨坝")
_PLACE_START = set("区市县镇乡村路街道巷号楼栋省院厂店局所站园苑桥湖江河山窑祠沟沱屯营铺寨坝")
_COMMON_WORD_FREQ = 100  # a dictionary word this frequent is a word first, a name second
_PERSON_CUE = re.compile(
    r"(?:母亲|父亲|妈妈|爸爸|儿子|女儿|妻子|丈夫|老伴|爱人|邻居|业主|房东|租客|租户|经理|老板|"
    r"司机|负责人|联系人|投诉人|来电人|反映人|当事人|家属|同事|工作人员|保安|医生|主任|书记|"
    r"队长|村长|网格员|名叫|叫做|我叫|他叫|她叫|人叫|姓名)[：:\s是为]*"
)
_STOP_FLAGS = ("v", "d", "p", "c", "u", "r", "m", "q", "x", "y", "e", "f")


class _Token(NamedTuple):
    word: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _jieba() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
        import jieba.posseg as pseg
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, pseg


def warm_up() -> None:
    """Load jieba's dictionary now (about a second), e.g. in a background thread at start-up,
    so that the first masked log line on the UI thread does not wait for it."""
    _jieba()


def _tokens(text: str) -> list[_Token]:
    _, pseg = _jieba()
    out: list[_Token] = []
    pos = 0
    for pair in pseg.cut(text):
        word, flag = str(pair.word), str(pair.flag)
        out.append(_Token(word, flag, pos, pos + len(word)))
        pos += len(word)
    return out


def _plausible(name: str) -> bool:
    from assistant.extract.name import valid_full_name

    return (
        valid_full_name(name)
        and not name.endswith(_TITLES)
        and name[-1] not in _OFFICE_END
        and all(_CJK_RE.match(c) for c in name)
    )


def _common_word(word: str) -> bool:
    """A frequent dictionary word starting with an ambiguous surname (华为, 文明, 向阳)."""
    from assistant.extract.name import surnames

    jieba, _ = _jieba()
    freq = jieba.dt.FREQ.get(word) or 0
    return freq >= _COMMON_WORD_FREQ and word[0] not in surnames().strict


def _place_after(tokens: list[_Token], i: int) -> bool:
    if i >= len(tokens):
        return False
    nxt = tokens[i]
    return nxt.word in _PLACE_WORDS or nxt.word[0] in _PLACE_START or nxt.flag == "ns"


def _place_word(word: str) -> bool:
    jieba, _ = _jieba()
    return word[-1] in _PLACE_END and bool(jieba.dt.FREQ.get(word))


def _is_surname(word: str) -> bool:
    from assistant.extract.name import surnames

    sn = surnames()
    return word in sn.single or word in sn.compound


def _tagged_names(tokens: list[_Token], cued: set[int]) -> Iterable[tuple[int, int]]:
    """Spans of person names from the tagger (token indices in ``cued`` follow a cue)."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            nxt is not None
            and _is_surname(tok.word)
            and nxt.flag.startswith("nr")
            and len(nxt.word) <= 2
            and _plausible(tok.word + nxt.word)
            and not _place_after(tokens, i + 2)
        ):
            yield tok.start, nxt.end  # 黄 + 海涛, 欧阳 + 娜娜
            i += 2
            continue
        if (
            tok.flag.startswith("nr")
            and _plausible(tok.word)
            and not _place_word(tok.word)
            and not _place_after(tokens, i + 1)
            and (i in cued or not _common_word(tok.word))
        ):
            yield tok.start, tok.end
        i += 1


def _cued_names(text: str, tokens: list[_Token]) -> tuple[list[tuple[int, int]], set[int]]:
    """Names right after a person cue, and the indices of the tokens that follow a cue.

    When the tagger joined the cue's end with the name (队长谢志强 -> 长谢 / 志强), the
    words after the cue are cut again on their own."""
    by_start = {t.start: i for i, t in enumerate(tokens)}
    spans: list[tuple[int, int]] = []
    cued: set[int] = set()
    for m in _PERSON_CUE.finditer(text):
        i = by_start.get(m.end())
        if i is not None:
            cued.add(i)
            after = tokens[i:]
        else:
            after = [
                _Token(t.word, t.flag, t.start + m.end(), t.end + m.end())
                for t in _tokens(text[m.end() : m.end() + 8])
            ]
        best: tuple[int, int] | None = None
        length = 0
        for j, tok in enumerate(after):
            if length >= 4 or (j > 0 and tok.flag.startswith(_STOP_FLAGS)):
                break
            if len(tok.word) > 3 or not all(_CJK_RE.match(c) for c in tok.word):
                break
            length += len(tok.word)
            candidate = text[after[0].start : tok.end]
            if len(candidate) <= 4 and _plausible(candidate) and not _place_after(after, j + 1):
                best = (after[0].start, tok.end)
        if best is not None:
            spans.append(best)
    return spans, cued


def _known_names(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
    """Where the caller's own name (or its front, 张三 of 张三丰) occurs."""
    from assistant.extract.name import surnames

    compound = surnames().compound
    forms: set[str] = set()
    for name in known:
        name = name.strip()
        if len(name) < 2:
            continue
        forms.add(name)
        surname = next((c for c in compound if c and name.startswith(c)), name[:1])
        if _plausible(name):
            forms.update(name[:k] for k in range(len(surname) + 1, len(name)))
    spans: list[tuple[int, int]] = []
    for form in sorted(forms, key=len, reverse=True):
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(form), text))
    return spans


def known_name_spans(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of the ``known`` names only (no tagger: for addresses)."""
    return _unite(_known_names(text, known))


def _unite(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def name_spans(text: str, known: Iterable[str] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of every person name in ``text``, the ``known`` names included."""
    spans = _known_names(text, known)
    if _CJK_RE.search(text):
        tokens = _tokens(text)
        cued_spans, cued = _cued_names(text, tokens)
        spans += cued_spans
        spans += _tagged_names(tokens, cued)  # united with a known 张三: all of 张三丰
    return _unite(spans)
