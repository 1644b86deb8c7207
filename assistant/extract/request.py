"""The request draft (诉求内容): an extractive summary of what the caller said, without
greetings, filler and the answers that are ticket fields (name, phone, bare address)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from asr.text.normalize import join_cjk_words
from assistant.extract._text import nfkc
from assistant.extract.address import ADDRESS_TRIGGERS, address_numbers, address_parts
from assistant.extract.name import SPELLING_RE, extract_name, valid_full_name
from assistant.extract.phone import digit_fragment, mostly_digits

__all__ = ["Clause", "caller_clauses", "content_text", "draft_request"]

_CORRECTION_ONLY_RE = re.compile(
    r"^(哎呀|哎|啊|不对|说错了|错了|我说错了|重新说|重说|不是|应该是|更正)+$"
)
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;\n]+|[，,、](?=\s*)")
_GREETING_RE = re.compile(
    r"^(喂|你好|您好|哎|唉|嗯|啊|哦|呃|对|对对|是的|是|好|好的|行|可以|谢谢|谢谢你|谢谢你们|再见|拜拜|没有了|"
    r"对的|是啊|没错|嗯嗯|没了|没有|就这些|就这样|我知道了|知道了|明白了|好吧|行吧|那好|麻烦你了|辛苦了|打扰了|那个|就是|我想问一下|我要反映个事|我要反映一下|"
    r"我想反映个问题|我想反映一下|我要投诉|我想投诉一下)+$"
)
# A spelled surname fragment (木子, 口天…) counts only at the start or after 姓/是: 门口天天 is
# not 口天吴.
_FIELD_ANSWER_RE = re.compile(
    r"^(免贵)?姓|我姓|免贵|我叫|姓名|名字|电话|手机号|号码|女士$|先生$|"
    r"(^|姓|是)(木子|弓长|耳东|口天|立早|双木|草头|古月|言午|走肖|木易|文刀)"
)
_FILLER_RE = re.compile(
    r"那个|就是说|就是|然后呢|然后|嗯|啊|呃|哎呀|哎|唉|吧|呢|这个这个|那啥|怎么说呢|我跟你说|你知道吗|对吧|"
    r"你说|是吧|哈|呀|嘛|哦"
)
_REQUEST_RE = re.compile(
    r"希望|要求|请你们|请求|麻烦你们|麻烦|帮忙|帮我|帮着|能不能|能否|可不可以|赶紧|尽快|管管|管一管|"
    r"处理一下|解决一下|给个说法|想问|咨询|想知道|该怎么办|怎么办"
)
_REQUEST_LEAD = re.compile(
    r"^(我们|我)?(就是)?(希望|要求|请求|请你们|麻烦你们|麻烦|想请你们|想让你们)"
)


_INTRO_RE = re.compile(
    r"^(我|我们)?(就是)?(想|要|来)?(反映|投诉|咨询|举报|问)(一下|个事|个问题|一个事)?"
)


def _clean_clause(clause: str) -> str:
    c = _FILLER_RE.sub("", clause.strip())
    c = _INTRO_RE.sub("", c)
    c = re.sub(r"\s+", "", c)
    c = re.sub(r"(.)\1{2,}", r"\1\1", c)  # stuttering
    c = c.replace("我们家", "其家").replace("我家", "其家").replace("我们", "其")
    c = c.replace("你们", "相关部门").replace("我", "其")
    return c.strip("，,、 ")


def _is_field_answer(clause: str) -> bool:
    bare = re.sub(r"[\s，。,.!！?？]", "", clause)
    cue = _FIELD_ANSWER_RE.search(bare) or SPELLING_RE.search(bare)
    # a long clause is a field answer only when it starts with the cue: 我刚接她电话说电梯停了
    # (an unpunctuated recogniser turn) is narrative
    if cue is not None and (len(bare) <= 16 or cue.start() <= 2):
        return True
    name = extract_name(bare)
    if name is not None and len(bare) - len(name.value) <= 3:
        return True
    if 2 <= len(bare) <= 3 and valid_full_name(bare, strict=True):
        return True
    digits = digit_fragment(clause)
    if len(digits) >= 7:
        return True
    return bool(digits) and mostly_digits(clause)


_PROBLEM_RE = re.compile(
    r"坏|破|漏|堵|塌|裂|臭|吵|脏|乱|淹|积水|停|没水|没电|不亮|不通|冒|烧|着火|堆|占"
)


def _is_address_answer(clause: str) -> bool:
    parts = address_parts(clause)
    if not parts:
        return False
    rest = address_numbers(clause)
    for v in parts.values():
        rest = rest.replace(v, "")
    rest = ADDRESS_TRIGGERS.sub("", address_numbers(rest))
    rest = re.sub(r"[\d，。,.\s]|号|的|了|啊|呢|吧|是|在", "", rest)
    # what is left says what is wrong there (沈尼路坏了): the problem, not a bare address
    return len(rest) <= 2 and not _PROBLEM_RE.search(rest)


ClauseKind = Literal["greeting", "field", "address", "correction", "content"]


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a caller utterance: its words, what it is, and (for content) the cleaned
    third-person text that goes into the draft and whether it states the wish."""

    text: str
    kind: ClauseKind
    cleaned: str = ""
    wish: bool = False


def _bare(text: str) -> str:
    return re.sub(r"[\s，。,.!！?？]", "", text)


_ADDRESS_UNIT_RE = re.compile(r"\d+(号楼|栋|幢|单元|层|楼|室|号院|期|号|组|座)")


def _classify(raw: str) -> Clause:
    bare = _bare(raw)
    if _GREETING_RE.match(bare):
        return Clause(raw, "greeting")
    if len(bare) <= 12 and _ADDRESS_UNIT_RE.search(address_numbers(bare)):
        return Clause(raw, "address")  # 十七幢 / 五栋二单元 / 我在十二楼
    if _is_field_answer(raw):
        return Clause(raw, "field")
    if _is_address_answer(raw):
        return Clause(raw, "address")
    if _CORRECTION_ONLY_RE.match(bare):
        return Clause(raw, "correction")
    cleaned = _clean_clause(raw)
    if len(cleaned) < 2 or _GREETING_RE.match(cleaned):
        return Clause(raw, "greeting")
    return Clause(raw, "content", cleaned, bool(_REQUEST_RE.search(raw)))


# Unpunctuated recogniser text has no clause marks: a field answer also starts a clause
_FIELD_START = re.compile(
    r"(?<=[\u4e00-\u9fff])(?=(?:我|我的)?(?:电话|手机号|手机号码|联系电话|号码)(?:是|就是)|我姓|免贵姓|我叫)"
)


@lru_cache(maxsize=4096)
def caller_clauses(text: str) -> tuple[Clause, ...]:
    """The clauses of one caller utterance, each classified (cached: a call's earlier
    utterances are not parsed again when the draft is rebuilt after every segment).
    Spaces between Chinese words (a recogniser's word marks) are dropped first."""
    out = []
    text = join_cjk_words(nfkc(text))
    for raw in (c for part in _CLAUSE_SPLIT.split(text) for c in _FIELD_START.split(part)):
        raw = raw.strip()
        if raw:
            out.append(_classify(raw))
    return tuple(out)


def content_text(text: str) -> str:
    """The utterance without its greetings, field answers (name, phone, bare address) and
    bare corrections: what it says about the request ("" when nothing)."""
    return "，".join(c.text for c in caller_clauses(text) if c.kind == "content")


def draft_request(caller_texts: Iterable[str], *, max_chars: int = 120) -> str:
    """An extractive draft of the request (诉求内容) from the caller's utterances.

    Keeps the clauses that describe the problem and the wish, drops greetings and the
    answers that are ticket fields (name, phone, bare address), removes filler words and
    repeats, and writes ``来电人反映：……，希望……。`` in at most ``max_chars`` characters.
    Deterministic. Returns "" when the caller has said nothing substantive yet. The cost
    does not grow with the call: utterances are parsed once (:func:`caller_clauses`) and
    collecting stops once the draft is full.
    """
    from rapidfuzz import fuzz

    problem: list[str] = []
    wishes: list[str] = []
    room = max_chars  # clauses beyond this many characters can never be shown
    for text in caller_texts:
        for c in caller_clauses(text):
            if c.kind != "content":
                continue
            bucket = wishes if c.wish else problem
            if sum(len(x) + 1 for x in bucket) > room:
                continue
            if any(
                c.cleaned in prev or fuzz.ratio(c.cleaned, prev) >= 85 for prev in problem + wishes
            ):
                continue
            bucket.append(c.cleaned)
        if sum(len(x) + 1 for x in problem) > room and sum(len(x) + 1 for x in wishes) > room:
            break
    if not problem and not wishes:
        return ""
    wish = ""
    if wishes:
        w = "，".join(wishes)
        w = _REQUEST_LEAD.sub("", w)
        wish = "希望" + w if not w.startswith(("希望", "想", "请")) else w
    head = "来电人反映："
    budget = max_chars - len(head) - (len(wish) + 2 if wish else 1)
    body: list[str] = []
    used = 0
    for clause in problem:
        if used + len(clause) + 1 > budget and body:
            break
        body.append(clause)
        used += len(clause) + 1
    text = head + "，".join(body)
    if wish:
        text += ("，" if body else "") + wish
    text += "。"
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text
