"""The caller's name: surnames, spellings (木子李), titles (刘女士) and bare answers.

Surnames are the 百家姓 tables shipped with ``jionlp`` (``jionlp.rule.rule_pattern``),
imported once with its stdout banner suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from assistant.core.state import FieldValue
from assistant.extract._text import CJK, load_jionlp, make_field, nfkc

__all__ = [
    "SURNAME_SPELLINGS",
    "agent_asks_name",
    "agent_title_surname",
    "extract_name",
    "name_surname",
    "same_sound",
    "surnames",
]


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
    ``strict`` the unambiguous ones, ``compound`` the two-character surnames (those of
    ``knowledge/data/surnames.yaml`` and jionlp's).
    """
    load_jionlp()
    from jionlp.rule import rule_pattern as rp

    src = open(rp.__file__, encoding="utf-8").read()  # noqa: SIM115 - tiny file, read once
    blocks = re.findall(r"SINGLE_CHINESE_FAMILY_NAME = \\\n((?:\s+'[^']*'(?: \\)?\n)+)", src)
    strict = str(rp.SINGLE_CHINESE_FAMILY_NAME)
    full = "".join(re.findall(r"'([^']*)'", blocks[0])) if blocks else strict
    from knowledge.surnames import load_surnames

    jio = str(rp.TWO_CHAR_CHINESE_FAMILY_NAME).split("|")
    compound = tuple(dict.fromkeys([*load_surnames().compound, *(c for c in jio if c)]))
    return _Surnames(frozenset(full) | frozenset(strict), frozenset(strict), compound)


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    from knowledge.surnames import load_surnames

    return dict(load_surnames().descriptions)


@lru_cache(maxsize=1)
def _spelling_re() -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, _spellings()), key=len, reverse=True)))


class _Spellings(Mapping[str, str]):
    """The surname descriptions, read from knowledge/data/surnames.yaml on first use."""

    def __getitem__(self, key: str) -> str:
        return _spellings()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_spellings())

    def __len__(self) -> int:
        return len(_spellings())


class _SpellingPattern:
    """Any surname description, longest first (compiled on first use)."""

    def search(self, text: str) -> re.Match[str] | None:
        return _spelling_re().search(text)


# How callers spell their surname (木子李 = "the 李 made of 木 and 子"):
# knowledge/data/surnames.yaml, matched by pinyin when heard as other characters.
SURNAME_SPELLINGS: Mapping[str, str] = _Spellings()
SPELLING_RE = _SpellingPattern()
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


def name_surname(name: str) -> str:
    """The surname a name value starts with (钱先生 -> 钱, 欧阳晓雯 -> 欧阳), or ""."""
    return _surname_prefix(name) or ""


def same_sound(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` sound alike (fuzzy toneless pinyin, as a recogniser confuses them)?"""
    from knowledge.pinyin import syllables

    return len(a) == len(b) and syllables(a, fuzzy=True) == syllables(b, fuzzy=True)


def _description(text: str) -> tuple[str, int, int] | None:
    """(surname, start, end) of a surname description in ``text`` (exact or heard by pinyin);
    a short exact one ("立早") also takes the described character heard after it."""
    from knowledge.surnames import load_surnames

    m = load_surnames().find_description(text)
    if m is None or (not m.exact and "姓" not in text and m.start > 2):
        return None  # a description heard by sound only where a surname is being given
    end = m.end
    if m.exact and not text[m.start : end].endswith(m.surname):
        nxt = text[end : end + len(m.surname)]
        if nxt and same_sound(nxt, m.surname):
            end += len(nxt)
    return m.surname, m.start, end


def _given_after(text: str, surname: str) -> str:
    """The given name when ``text`` starts (after fillers) with ``surname`` or a character
    sounding like it and 1-2 name characters: "，陈晓明" -> "晓明"."""
    rest = re.sub(r"^[\s，,、。]*(?:我叫|叫做|叫|名字是|全名是?)?\s*", "", text)
    head = rest[: len(surname)]
    if not head or not (head == surname or same_sound(head, surname)):
        return ""
    given = ""
    for ch in rest[len(surname) :]:
        if ch in _NAME_STOP or not re.match(f"[{CJK}]", ch) or len(given) >= 2:
            break
        given += ch
    if given and (surname + given) in _NOT_NAMES:
        return ""
    # 栋 / 园 / 苑 end given names as often as places (国栋, 嘉园); next to a surname
    # description they are names
    return given if given and not (set(given) & (_PLACE_SUFFIX - set("栋园苑"))) else ""


# Characters that are not in a transliterated (Mongolian, Uyghur, Tibetan ...) name.
_NON_NAME_CHARS = set(
    "的了不上下来去这那个楼层住户邻居家人们他她我你是在有没就都也还要想说问找打电话号码"
    "区市县镇村路街道小社业主房东一二三四五六七八九十零两对好行啊呀吧呢嗯哦"
)


def _other_name(text: str) -> str:
    """A name without a Han surname after 我叫 / 我是 (其木格, 阿依古丽), or ""."""
    m = re.search(
        rf"(?:我叫|我是|叫我|名字叫|名字是|我的名字是)\s*([{CJK}]{{2,5}})(?![{CJK}])", text
    )
    if not m:
        return ""
    cand = m.group(1)
    if cand in _NOT_NAMES or set(cand) & _NON_NAME_CHARS or cand[-1] in _PLACE_SUFFIX:
        return ""
    return cand


# Characters before 先生 / 女士 that are not a heard surname (好的先生, 您先生, 老先生).
_TITLE_STOP = set("好的您你我他她这那老大小先女对是嗯啊哦喂请谢")


def _by_sound(char: str) -> str:
    from knowledge.surnames import load_surnames

    return "" if char in _TITLE_STOP else load_surnames().by_sound(char)


def agent_title_surname(text: str, *, by_sound: bool = False) -> str:
    """The surname in the agent's form of address (钱先生 / 李女士), or "".

    Only at the start of the utterance or of a clause (好的钱先生，…), and only a surname of
    the 百家姓 tables; with ``by_sound`` (the agent has just asked for the name) a character
    that is no surname is taken as the most common surname sounding like it (recognised
    text: 前女士 -> 钱, 正阿姨 -> 郑)."""
    sn = surnames()
    for m in re.finditer(
        rf"(?:^|[，,。！!？?\s]|好的|您好|那么|那)([{CJK}]{{1,2}}?)({_TITLE_RE})", text
    ):
        cand = m.group(1)
        if cand in sn.compound or (len(cand) == 1 and cand in sn.single):
            return cand
        if by_sound and len(cand) == 1 and _by_sound(cand):
            return _by_sound(cand)
    return ""


def extract_name(text: str, *, at: float | None = None, asked: bool = False) -> FieldValue | None:
    """The caller's name or surname in one utterance.

    ``asked`` says the agent just asked for the name (您贵姓 / 怎么称呼), so a bare answer
    such as "赵" or "赵建国" counts, and so does a name without a Han surname after 我叫 /
    我是 (其木格). A surname description (木子李, 弓长张, 金字旁的钱 — also heard by pinyin as
    今次跑那个前) overrides the character the recogniser wrote for a surname sounding like it,
    and the full name said next to it is kept (我姓陈，耳东陈，陈晓明 -> 陈晓明).
    """
    text = nfkc(text).strip().replace("俺", "我")  # 俺叫 / 俺姓 (northern 我)
    if not text:
        return None
    sn = surnames()
    desc = _description(text)
    m_de = re.search(rf"([{CJK}]{{1,4}})的([{CJK}]{{1,2}})(?![{CJK}])", text)
    if (
        desc is None
        and m_de
        and m_de.group(2) in m_de.group(1)
        and (asked or re.search(r"姓", text))
        and (
            m_de.group(2) in sn.single
            or m_de.group(2) in sn.compound
            or re.search(f"姓{re.escape(m_de.group(2))}", text)
        )
    ):
        said = m_de.group(2)
        if said not in sn.single and said not in sn.compound and _by_sound(said):
            said = _by_sound(said)  # 我姓娇，娇做的娇 (heard for 焦作的焦) -> 焦
        desc = (said, m_de.start(), m_de.end())
    spelled = desc[0] if desc else None
    desc_words = text[desc[1] : desc[2]] if desc else ""
    # the words with the description blanked out, so that it is not read as a name
    masked = text[: desc[1]] + "，" * (desc[2] - desc[1]) + text[desc[2] :] if desc else text

    # 0. a full name next to a description: "耳东陈陈晓明" / "张伟，弓长张"
    if desc is not None:
        surname = desc[0]
        given = _given_after(text[desc[2] :], surname)
        if not given:
            before = re.sub(r"[\s，,、。]+$", "", text[: desc[1]])
            m_b = re.search(rf"(?:^|[^{CJK}]|我叫|叫|是)([{CJK}]{{2,4}})$", before)
            if m_b:
                given = _given_after(m_b.group(1), surname)
        if given:
            return make_field(
                "name", surname + given, 0.9, text, at, kind="full_name", surname=surname
            )
    other = _other_name(text) if asked else ""

    # 1. "我叫王建国" / "名字叫..." / "姓名是..."
    m = re.search(
        r"(?:我叫|名字叫|名字是|姓名是|姓名叫|我的名字|本人叫|叫做)\s*([^\s，。,]{1,6})", text
    )
    if m:
        cand = _take_name(m.group(1))
        if len(other) >= 4 and len(other) > len(cand) and cand[:1] not in sn.strict:
            return make_field("name", other, 0.7, m.group(0), at, kind="full_name")
        if valid_full_name(cand):
            if spelled and cand[0] != spelled and len(_surname_prefix(cand) or "") == 1:
                cand = spelled + cand[1:]
            return make_field("name", cand, 0.9, m.group(0), at, kind="full_name")

    # 2. "我姓李" / "免贵姓张" / "姓赵" (+ optional "叫李明")
    m = re.search(rf"(?:免贵姓|我姓|姓)\s*([{CJK}]{{1,2}})", masked)
    if m:
        raw = m.group(1)
        surname = next((c for c in sn.compound if c and raw.startswith(c)), raw[0])
        heard_as = ""
        if spelled:
            surname = spelled
        elif surname not in sn.single and _by_sound(surname):
            heard_as, surname = surname, _by_sound(surname)  # 我姓前 (recognised) -> 钱
        if surname in sn.single or surname in sn.compound:
            given = _given_after(masked[m.end(1) - len(raw) + len(surname) :], surname)
            if not given:
                m_full = re.search(
                    rf"(?:叫|[，,\s]\s*)\s*({re.escape(surname)}[{CJK}]{{1,2}})(?![{CJK}])",
                    masked,
                )
                if m_full and valid_full_name(_take_name(m_full.group(1))):
                    given = _take_name(m_full.group(1))[len(surname) :]
            if given:
                return make_field(
                    "name", surname + given, 0.9, text, at, kind="full_name", surname=surname
                )
            m_title = re.search(rf"{re.escape(surname)}\s*({_TITLE_RE})", text)
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
            extra = {"described": "true"} if spelled else {}
            if heard_as:
                conf, extra = 0.5, {"by_sound": "true", "caller_said": heard_as}
            return make_field(
                "name",
                surname,
                conf,
                desc_words or m.group(0),
                at,
                kind="surname",
                surname=surname,
                **extra,
            )

    # 3. "我是刘女士" / "刘先生" (a title right after a surname)
    for m in re.finditer(rf"([{CJK}]{{1,2}}?)\s*({_TITLE_RE})", text):
        cand = m.group(1)
        if len(cand) == 2 and cand not in sn.compound:
            cand = cand[1]
        prefix = text[: m.end(1) - len(cand)]
        if prefix.endswith(cand):  # 谢谢同志 is thanks, not 谢同志
            continue
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
    if spelled and (asked or desc):
        return make_field(
            "name",
            spelled,
            0.9,
            desc_words or text,
            at,
            kind="surname",
            surname=spelled,
            described="true",
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
        if other:
            return make_field("name", other, 0.7, text, at, kind="full_name")
        # recognised "我姓郑" as 我信证 / 我行动: 姓 heard as xin(g), then the surname's sound
        m_x = re.match(rf"^(?:嗯|啊|哦|呃)*我([{CJK}])([{CJK}])", text)
        if m_x and same_sound(m_x.group(1), "姓") and _by_sound(m_x.group(2)):
            surname = _by_sound(m_x.group(2))
            return make_field(
                "name",
                surname,
                0.4,
                m_x.group(0),
                at,
                kind="surname",
                surname=surname,
                by_sound="true",
                caller_said=m_x.group(2),
            )
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
