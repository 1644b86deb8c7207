"""The caller's name: surnames, spellings (木子李), titles (刘女士) and bare answers.

Surnames are the 百家姓 tables shipped with ``jionlp`` (``jionlp.rule.rule_pattern``),
imported once with its stdout banner suppressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.core.state import FieldValue
from assistant.extract._text import CJK, load_jionlp, make_field, nfkc

__all__ = ["SURNAME_SPELLINGS", "agent_asks_name", "extract_name", "surnames"]


@dataclass(frozen=True, slots=True)
class _Surnames:
    single: frozenset[str]
    strict: frozenset[str]  # unambiguous ones: a name starting with them is very likely a name
    compound: tuple[str, ...]


@lru_cache(maxsize=1)
def surnames() -> _Surnames:
    """The surname tables (百家姓) shipped with jionlp.

    ``single`` is the full single-character list of ``jionlp.rule.rule_pattern`` (read from
    its source, where the module later narrows the public name to the unambiguous ones),
    ``strict`` the unambiguous ones, ``compound`` the two-character surnames.
    """
    load_jionlp()
    from jionlp.rule import rule_pattern as rp

    src = open(rp.__file__, encoding="utf-8").read()  # noqa: SIM115 - tiny file, read once
    blocks = re.findall(r"SINGLE_CHINESE_FAMILY_NAME = \\\n((?:\s+'[^']*'(?: \\)?\n)+)", src)
    strict = str(rp.SINGLE_CHINESE_FAMILY_NAME)
    full = "".join(re.findall(r"'([^']*)'", blocks[0])) if blocks else strict
    compound = tuple(str(rp.TWO_CHAR_CHINESE_FAMILY_NAME).split("|"))
    return _Surnames(frozenset(full) | frozenset(strict), frozenset(strict), compound)


# How callers spell their surname: 木子李 = "the 李 made of 木 and 子".
SURNAME_SPELLINGS: dict[str, str] = {
    "弓长张": "张", "立早章": "章", "口天吴": "吴", "耳东陈": "陈", "双木林": "林",
    "草头黄": "黄", "古月胡": "胡", "言午许": "许", "木子李": "李", "三横王": "王",
    "三横一竖王": "王", "走肖赵": "赵", "木易杨": "杨", "文刀刘": "刘", "卯金刀刘": "刘",
    "子小孙": "孙", "人可何": "何", "禾口程": "程", "关耳郑": "郑", "双口吕": "吕",
    "千里马": "马", "马路的马": "马", "日月明": "明", "女古姑": "姑", "宝盖宋": "宋",
    "提手扬": "扬", "三点水的江": "江", "工字江": "江", "禾木程": "程", "口十叶": "叶",
    "王字旁的张": "张", "弓长": "张", "木子": "李", "耳东": "陈", "口天": "吴", "古月": "胡",
    "言午": "许", "立早": "章", "走肖": "赵", "木易": "杨", "文刀": "刘", "人可": "何",
}  # fmt: skip
# any of the spellings, longest first
SPELLING_RE = re.compile("|".join(sorted(map(re.escape, SURNAME_SPELLINGS), key=len, reverse=True)))
_TITLES = (
    "女士",
    "先生",
    "小姐",
    "阿姨",
    "大姐",
    "大妈",
    "大爷",
    "大哥",
    "师傅",
    "老师",
    "老先生",
    "老太太",
    "同志",
)
_TITLE_RE = "|".join(sorted(_TITLES, key=len, reverse=True))
# Characters that end a name: particles, verbs and place words that follow it.
_NAME_STOP = set(
    "的了啊呀吧呢嘛哈是在住我你他她电家今昨就打来这那想要跟和给从到说哦嗯呃，。,.!！?？、 "
)
_NOT_NAMES = {"业主", "居民", "住户", "租户", "市民", "村民", "群众", "老人", "家长", "学生", "司机",
              "商户", "房东", "物业", "本人", "自己", "这边", "那边", "这个", "那个", "什么", "一个",
              "楼上", "楼下", "隔壁", "对面", "附近", "小区", "外地", "本地", "打工", "老百姓",
              "万一", "高兴", "平时", "方便", "安全", "明白", "应该"}  # fmt: skip
_PLACE_SUFFIX = set("区市县镇乡村路街道巷号楼栋省院厂店局所站园苑")

_ASK_NAME_RE = re.compile(r"贵姓|怎么称呼|如何称呼|您姓|你姓|叫什么|姓名|名字|称呼")


def agent_asks_name(text: str) -> bool:
    """Does the agent's utterance ask for the caller's name?"""
    return bool(_ASK_NAME_RE.search(text or ""))


def _surname_prefix(text: str) -> str | None:
    """The surname a candidate name starts with, or None (compound surnames first)."""
    sn = surnames()
    for comp in sn.compound:
        if comp and text.startswith(comp):
            return comp
    if text and text[0] in sn.single:
        return text[0]
    return None


def _take_name(text: str, max_given: int = 2) -> str:
    """Cut a candidate full name off ``text``: surname + up to ``max_given`` characters."""
    surname = _surname_prefix(text)
    if surname is None:
        return ""
    out = surname
    for ch in text[len(surname) :]:
        if ch in _NAME_STOP or not re.match(f"[{CJK}]", ch) or len(out) - len(surname) >= max_given:
            break
        out += ch
    return out


def valid_full_name(name: str, *, strict: bool = False) -> bool:
    """Is ``name`` a plausible full name (surname + 1-3 characters, nothing place-like)?
    ``strict`` accepts only the unambiguous single surnames."""
    if not 2 <= len(name) <= 4 or name in _NOT_NAMES:
        return False
    surname = _surname_prefix(name)
    if surname is None or len(name) == len(surname):
        return False
    if strict and len(surname) == 1 and surname not in surnames().strict:
        return False
    return not (set(name[len(surname) :]) & _PLACE_SUFFIX and name[-1] in _PLACE_SUFFIX)


def extract_name(text: str, *, at: float | None = None, asked: bool = False) -> FieldValue | None:
    """The caller's name or surname in one utterance.

    ``asked`` says the agent just asked for the name (您贵姓 / 怎么称呼), so a bare answer
    such as "赵" or "赵建国" counts. Spellings (木子李, 弓长张, 马路的马) override the
    character the recogniser wrote.
    """
    text = nfkc(text).strip()
    if not text:
        return None
    sn = surnames()
    spelled: str | None = None
    m_sp = SPELLING_RE.search(text)
    if m_sp:
        spelled = SURNAME_SPELLINGS[m_sp.group(0)]
    m_de = re.search(rf"([{CJK}]{{1,3}})的([{CJK}])(?![{CJK}])", text)
    if (
        spelled is None
        and m_de
        and m_de.group(1).endswith(m_de.group(2))
        and re.search(r"姓", text)
    ):
        spelled = m_de.group(2)

    # 1. "我叫王建国" / "名字叫..." / "姓名是..."
    m = re.search(
        r"(?:我叫|名字叫|名字是|姓名是|姓名叫|我的名字|本人叫|叫做)\s*([^\s，。,]{1,6})", text
    )
    if m:
        cand = _take_name(m.group(1))
        if valid_full_name(cand):
            if spelled and cand[0] != spelled and len(_surname_prefix(cand) or "") == 1:
                cand = spelled + cand[1:]
            return make_field("name", cand, 0.9, m.group(0), at, kind="full_name")

    # 2. "我姓李" / "免贵姓张" / "姓赵" (+ optional "叫李明")
    m = re.search(rf"(?:免贵姓|我姓|姓)\s*([{CJK}]{{1,2}})", text)
    if m:
        raw = m.group(1)
        surname = None
        for comp in sn.compound:
            if comp and raw.startswith(comp):
                surname = comp
        if surname is None:
            surname = raw[0]
        if spelled:
            surname = spelled
        if surname in sn.single or surname in sn.compound:
            m_full = re.search(
                rf"(?:叫|[，,]\s*)\s*({re.escape(surname)}[{CJK}]{{1,2}})(?![{CJK}])", text
            )
            if m_full and valid_full_name(_take_name(m_full.group(1))):
                return make_field(
                    "name", _take_name(m_full.group(1)), 0.9, text, at, kind="full_name"
                )
            m_title = re.search(rf"{re.escape(surname)}\s*({_TITLE_RE})", text)
            src = m_sp.group(0) if m_sp else m.group(0)
            conf = 0.95 if spelled else 0.85
            if m_title:
                return make_field(
                    "name",
                    surname + m_title.group(1),
                    conf,
                    m.group(0),
                    at,
                    kind="surname_title",
                    surname=surname,
                )
            return make_field(
                "name",
                surname,
                conf,
                src if spelled else m.group(0),
                at,
                kind="surname",
                surname=surname,
            )

    # 3. "我是刘女士" / "刘先生" (a title right after a surname)
    for m in re.finditer(rf"([{CJK}]{{1,2}}?)\s*({_TITLE_RE})", text):
        cand = m.group(1)
        if len(cand) == 2 and cand not in sn.compound:
            cand = cand[1]
        prefix = text[: m.end(1) - len(cand)]
        if (cand in sn.single or cand in sn.compound) and (
            asked or re.search(r"(我是|我叫|我姓|这边是|^|，|,)\s*$", prefix)
        ):
            surname = spelled or cand
            return make_field(
                "name",
                surname + m.group(2),
                0.85,
                cand + m.group(2),
                at,
                kind="surname_title",
                surname=surname,
            )

    # 4. a spelling alone ("木子李的李")
    if spelled and (asked or m_sp):
        return make_field(
            "name",
            spelled,
            0.9,
            m_sp.group(0) if m_sp else text,
            at,
            kind="surname",
            surname=spelled,
        )

    # 5. "我是李明" (weak: strict surname list, nothing place-like after it)
    m = re.search(rf"我是\s*([{CJK}]{{2,4}})", text)
    if m:
        cand = _take_name(m.group(1))
        after = text[m.start(1) + len(cand) : m.start(1) + len(cand) + 1]
        if (
            valid_full_name(cand, strict=True)
            and after not in _PLACE_SUFFIX
            and (not after or after in _NAME_STOP)
        ):
            return make_field("name", cand, 0.6, m.group(0), at, kind="full_name")

    # 6. a bare answer right after the agent asked
    if asked:
        bare = re.sub(r"^(嗯|啊|哦|呃|那个|我|就|是|对)+", "", text)
        bare = re.sub(r"[，。,.!！?？\s]|(就行|就好|吧|啊|呀|哈|的)+$", "", bare)
        m_x = re.match(rf"(?:叫我)?(?:小|老)([{CJK}])$", bare)
        if m_x and m_x.group(1) in sn.single:
            return make_field(
                "name", m_x.group(1), 0.6, text, at, kind="surname", surname=m_x.group(1)
            )
        if len(bare) == 1 and bare in sn.single:
            return make_field("name", bare, 0.7, text, at, kind="surname", surname=bare)
        if bare in sn.compound:
            return make_field("name", bare, 0.7, text, at, kind="surname", surname=bare)
        cand = _take_name(bare)
        if cand == bare and valid_full_name(cand):
            return make_field("name", cand, 0.7, text, at, kind="full_name")
    return None
