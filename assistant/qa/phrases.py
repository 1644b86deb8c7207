"""Forbidden phrases judged in context: is the agent saying it, to the caller?

:meth:`knowledge.scripts.Scripts.find_forbidden` finds the words (滚, 自己查, 我在忙 ...);
a word is not yet a rude utterance. :func:`counts` looks at the clause around each match
and drops the uses that are not the agent being rude to the caller:

* **quoting / reporting** — inside quotation marks, or after a reporting verb with its
  speaker in the same sentence (您说…, 您刚才说对方骂您…, 物业跟您讲…, 您的意思是…);
  "跟你说了" (the agent speaking) is not a report;
* **negation** right before the match (不 / 没 / 别 / 不是 / 不用 / 不会说 …: 您不用自己去问,
  我们不会说这不归我们管, 您不是傻);
* **the agent as subject** of an action aimed at the caller (我自己查一下系统, 我真笨);
* **for the caller** — busy *for* the caller (我在忙着给您登记, 我正忙着帮您联系);
* **attributive use** — the phrase modifies a noun (这是规定的处理时限, 不知道的地方);
* **insults (辱骂) must be addressed** — to 你/您 right before the match, or standing as a
  clause of their own (滚！ / 废物，…); a literal word inside a longer clause is not an
  insult (楼道里滚滚浓烟, 建筑废物, 老人有病).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.scripts import PhraseMatch

_SENTENCE_END = "。！？!?"
_CLAUSE_BREAKS = "，,。！!？?；;：:\n\t "
_OPEN_QUOTES = '“「『"‘'
_CLOSE_QUOTES = '”」』"’'
_PARTICLES = "吧啊呀吗了的嘛呢哦啦！!？?。，, "

_PEOPLE = (
    "您|你|他们|她们|他|她|对方|物业|邻居|老板|领导|工作人员|人家|有人|同事|师傅|保安|房东|商家"
)
_REPORT = re.compile(
    rf"(?<![跟和对给听向])({_PEOPLE})[^{_SENTENCE_END}]{{0,8}}?"
    r"(说|讲|骂|喊|反映|提到|告诉|回复|回答|意思是|叫|让)"
)
_NEGATION = re.compile(  # not 是不是 (a question: 你是不是有病)
    r"(?<!是)((不会|不是|没有|不用|不必|无需|绝不|从不|不能|并不|并没有|不要)(说|讲|跟您说|让您|叫您)?"
    r"|(不|没|别))$"
)
_SELF_SUBJECT = re.compile(r"^(我|我们)(这边|先|来|再|马上|真|也|就|自己)?$")
_ADDRESSED = re.compile(r"(你|您|你们)(真|是|就是|这个|个|给我|简直|也太|真是|是不是)*$")
_FOR_CALLER = re.compile(r"^(着)?(呢)?(给|帮|为|替)(您|你)")
_ATTRIBUTIVE = re.compile(r"^的[^吗呢啊吧呀嘛。！？!?，,\s]")


def _clause_start(text: str, pos: int) -> int:
    return max(text.rfind(c, 0, pos) for c in _CLAUSE_BREAKS) + 1


def _clause_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(c, pos) for c in _CLAUSE_BREAKS) if i >= 0]
    return min(ends) if ends else len(text)


def _quoted(text: str, pos: int) -> bool:
    before = text[:pos]
    opened = sum(before.count(q) for q in _OPEN_QUOTES if q not in _CLOSE_QUOTES)
    closed = sum(before.count(q) for q in _CLOSE_QUOTES if q not in _OPEN_QUOTES)
    straight = before.count('"')
    return opened > closed or straight % 2 == 1


def counts(text: str, match: PhraseMatch) -> bool:
    """Whether ``match`` (a forbidden-phrase hit in the agent turn ``text``) is the agent
    actually saying the phrase to the caller (see the module doc for what is dropped)."""
    s, e = match.start, match.end
    sentence = max(text.rfind(c, 0, s) for c in _SENTENCE_END) + 1
    if _quoted(text, s) or _REPORT.search(text, sentence, s):
        return False
    c0, c1 = _clause_start(text, s), _clause_end(text, e)
    before, after = text[c0:s], text[e:]
    if _NEGATION.search(before) or _SELF_SUBJECT.match(before):
        return False
    if _FOR_CALLER.match(after) or _ATTRIBUTIVE.match(after):
        return False
    if match.kind == "辱骂":
        addressed = bool(_ADDRESSED.search(before)) or text[s:e].startswith(("你", "您"))
        rest = (before + text[e:c1]).strip(_PARTICLES)
        return addressed or len(rest) <= 2
    return True
