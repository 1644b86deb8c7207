"""Ticket-field extraction from call transcripts: pure functions, no I/O.

Every ``extract_*`` function takes ONE utterance of the caller (already normalised text,
see :mod:`asr.normalize`) and returns a :class:`~assistant.core.state.FieldValue` or ``None``.
``source_text`` is the words the value came from, ``at`` the call time of the utterance.

Libraries used (all offline):

* surnames: the 百家姓 tables shipped with ``jionlp`` (``jionlp.rule.rule_pattern``),
  imported once with its stdout banner suppressed; a small built-in list is the fallback;
* addresses: ``cpca`` resolves province / city / district (it infers the province and
  city from a district; ambiguous districts default to Beijing via :data:`DEFAULT_UMAP`);
  street, community, road, building, unit, room and village parts are found with the
  regular expressions below (cpca keeps them only as an unparsed remainder);
* incident time: ``jionlp.ner.extract_time`` (relative expressions such as 昨天晚上十点
  resolved against the call time).

Phone numbers spread over several turns are assembled by :class:`PhoneTracker`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from assistant.core.state import FieldValue

# --------------------------------------------------------------------------- helpers

_CJK = r"\u4e00-\u9fff"


@lru_cache(maxsize=1)
def _jionlp() -> Any:
    """Import jionlp once, swallowing the banner it prints to stdout on import."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jionlp

    return jionlp


_FULLWIDTH = (
    {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
    | {c: c - 0xFEE0 for c in range(0xFF21, 0xFF5B)}
    | {0x3000: 0x20, 0xFF0D: 0x2D}
)


def _nfkc(text: str) -> str:
    """Full-width digits/letters to ASCII; Chinese punctuation is kept as it is."""
    return (text or "").translate(_FULLWIDTH)


# --------------------------------------------------------------------------- surnames

_FALLBACK_SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章云苏潘葛"
    "范彭郎鲁韦马苗方俞任袁柳鲍史唐费薛雷贺倪汤殷罗毕郝安常乐于傅齐康伍余顾孟黄穆萧尹姚邵汪"
    "毛戴宋庞熊纪舒屈项祝董梁杜阮蓝闵贾江童颜郭梅盛林钟徐邱骆高夏蔡田樊胡凌霍万柯卢莫丁邓崔"
    "龚程邢裴陆翁甄曲封储段侯全仇祖武符刘景詹龙叶黎白蒲赖卓乔谭冉桑牛燕冀尚温庄晏柴瞿阎连"
    "艾易廖耿匡文寇欧聂敖冷辛简饶曾沙鞠关荆游权盖晋楚闫岳帅况牟佟"
)
_FALLBACK_COMPOUND = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "端木",
    "西门",
    "南宫",
)


@dataclass(frozen=True, slots=True)
class _Surnames:
    single: frozenset[str]
    strict: frozenset[str]  # unambiguous ones: a name starting with them is very likely a name
    compound: tuple[str, ...]


@lru_cache(maxsize=1)
def surnames() -> _Surnames:
    """The surname tables (百家姓) from jionlp, or a built-in fallback."""
    try:
        _jionlp()
        from jionlp.rule import rule_pattern as rp

        src = open(rp.__file__, encoding="utf-8").read()  # noqa: SIM115 - tiny file, read once
        blocks = re.findall(r"SINGLE_CHINESE_FAMILY_NAME = \\\n((?:\s+'[^']*'(?: \\)?\n)+)", src)
        full = "".join(re.findall(r"'([^']*)'", blocks[0])) if blocks else _FALLBACK_SURNAMES
        strict = str(rp.SINGLE_CHINESE_FAMILY_NAME)
        compound = tuple(str(rp.TWO_CHAR_CHINESE_FAMILY_NAME).split("|"))
        return _Surnames(frozenset(full) | frozenset(strict), frozenset(strict), compound)
    except Exception:  # pragma: no cover - jionlp missing or changed layout
        return _Surnames(
            frozenset(_FALLBACK_SURNAMES), frozenset(_FALLBACK_SURNAMES), _FALLBACK_COMPOUND
        )


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
_SPELLING_RE = re.compile(
    "|".join(sorted(map(re.escape, SURNAME_SPELLINGS), key=len, reverse=True))
)
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
        if (
            ch in _NAME_STOP
            or not re.match(f"[{_CJK}]", ch)
            or len(out) - len(surname) >= max_given
        ):
            break
        out += ch
    return out


def _valid_full_name(name: str, *, strict: bool = False) -> bool:
    if not 2 <= len(name) <= 4 or name in _NOT_NAMES:
        return False
    surname = _surname_prefix(name)
    if surname is None or len(name) == len(surname):
        return False
    if strict and len(surname) == 1 and surname not in surnames().strict:
        return False
    return not (set(name[len(surname) :]) & _PLACE_SUFFIX and name[-1] in _PLACE_SUFFIX)


def _field(
    name: str, value: str, conf: float, src: str, at: float | None, **extra: str
) -> FieldValue:
    return FieldValue(
        name=name,
        value=value,
        confidence=round(conf, 3),
        source_text=src,
        status="suggested",
        at=at,
        extra=dict(extra),
    )


def extract_name(text: str, *, at: float | None = None, asked: bool = False) -> FieldValue | None:
    """The caller's name or surname in one utterance.

    ``asked`` says the agent just asked for the name (您贵姓 / 怎么称呼), so a bare answer
    such as "赵" or "赵建国" counts. Spellings (木子李, 弓长张, 马路的马) override the
    character the recogniser wrote.
    """
    text = _nfkc(text).strip()
    if not text:
        return None
    sn = surnames()
    spelled: str | None = None
    m_sp = _SPELLING_RE.search(text)
    if m_sp:
        spelled = SURNAME_SPELLINGS[m_sp.group(0)]
    m_de = re.search(rf"([{_CJK}]{{1,3}})的([{_CJK}])(?![{_CJK}])", text)
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
        if _valid_full_name(cand):
            if spelled and cand[0] != spelled and len(_surname_prefix(cand) or "") == 1:
                cand = spelled + cand[1:]
            return _field("name", cand, 0.9, m.group(0), at, kind="full_name")

    # 2. "我姓李" / "免贵姓张" / "姓赵" (+ optional "叫李明")
    m = re.search(rf"(?:免贵姓|我姓|姓)\s*([{_CJK}]{{1,2}})", text)
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
            m_full = re.search(rf"叫\s*({re.escape(surname)}[{_CJK}]{{1,2}})", text)
            if m_full and _valid_full_name(_take_name(m_full.group(1))):
                return _field("name", _take_name(m_full.group(1)), 0.9, text, at, kind="full_name")
            m_title = re.search(rf"{re.escape(surname)}\s*({_TITLE_RE})", text)
            src = m_sp.group(0) if m_sp else m.group(0)
            conf = 0.95 if spelled else 0.85
            if m_title:
                return _field(
                    "name",
                    surname + m_title.group(1),
                    conf,
                    m.group(0),
                    at,
                    kind="surname_title",
                    surname=surname,
                )
            return _field(
                "name",
                surname,
                conf,
                src if spelled else m.group(0),
                at,
                kind="surname",
                surname=surname,
            )

    # 3. "我是刘女士" / "刘先生" (a title right after a surname)
    for m in re.finditer(rf"([{_CJK}]{{1,2}}?)\s*({_TITLE_RE})", text):
        cand = m.group(1)
        if len(cand) == 2 and cand not in sn.compound:
            cand = cand[1]
        prefix = text[: m.end(1) - len(cand)]
        if (cand in sn.single or cand in sn.compound) and (
            asked or re.search(r"(我是|我叫|我姓|这边是|^|，|,)\s*$", prefix)
        ):
            surname = spelled or cand
            return _field(
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
        return _field(
            "name",
            spelled,
            0.9,
            m_sp.group(0) if m_sp else text,
            at,
            kind="surname",
            surname=spelled,
        )

    # 5. "我是李明" (weak: strict surname list, nothing place-like after it)
    m = re.search(rf"我是\s*([{_CJK}]{{2,4}})", text)
    if m:
        cand = _take_name(m.group(1))
        after = text[m.start(1) + len(cand) : m.start(1) + len(cand) + 1]
        if (
            _valid_full_name(cand, strict=True)
            and after not in _PLACE_SUFFIX
            and (not after or after in _NAME_STOP)
        ):
            return _field("name", cand, 0.6, m.group(0), at, kind="full_name")

    # 6. a bare answer right after the agent asked
    if asked:
        bare = re.sub(r"^(嗯|啊|哦|呃|那个|我|就|是|对)+", "", text)
        bare = re.sub(r"[，。,.!！?？\s]|(就行|就好|吧|啊|呀|哈|的)+$", "", bare)
        m_x = re.match(rf"(?:叫我)?(?:小|老)([{_CJK}])$", bare)
        if m_x and m_x.group(1) in sn.single:
            return _field("name", m_x.group(1), 0.6, text, at, kind="surname", surname=m_x.group(1))
        if len(bare) == 1 and bare in sn.single:
            return _field("name", bare, 0.7, text, at, kind="surname", surname=bare)
        if bare in sn.compound:
            return _field("name", bare, 0.7, text, at, kind="surname", surname=bare)
        cand = _take_name(bare)
        if cand == bare and _valid_full_name(cand):
            return _field("name", cand, 0.7, text, at, kind="full_name")
    return None


# --------------------------------------------------------------------------- phone

_CN_DIGITS = {"零": "0", "〇": "0", "○": "0", "洞": "0", "幺": "1", "一": "1", "二": "2",
              "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
              "九": "9"}  # fmt: skip
_DIGIT_CHARS = "0-9" + "".join(_CN_DIGITS)
_SEP = r"[\s\-－—_.·,，、]"
# A run of digits (Arabic or spoken) with at most one separator between groups.
_RUN_RE = re.compile(rf"[{_DIGIT_CHARS}]+(?:{_SEP}{{1,2}}[{_DIGIT_CHARS}]+)*")
_CORRECTION_RE = re.compile(
    r"不对|说错了|错了|说错|重新说|重说|我再说一遍|再说一遍|更正|纠正一下|应该是|改一下|不是，|不是,|"
    r"搞错了|念错了|记错了"
)
_SUFFIX_HINT_RE = re.compile(r"(?:最后|后|尾号|尾数)[一二三四五六七八两\d]?位?(?:是|改成|应该是)?")
_ASK_PHONE_RE = re.compile(r"电话|号码|手机|联系方式|怎么联系")
_PHONE_WORD_RE = re.compile(r"电话|号码|手机|座机|联系方式|打这个|打我")
_DOUBLE_RE = re.compile(rf"(?:双|两个)([{_DIGIT_CHARS}])")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")
_LOCAL_RE = re.compile(r"^[2-9]\d{6,7}$")


def agent_asks_phone(text: str) -> bool:
    """Does the agent's utterance ask for a phone number?"""
    return bool(_ASK_PHONE_RE.search(text or ""))


def phone_kind(digits: str) -> str | None:
    """``mobile`` / ``landline`` (with area code) / ``local`` (7-8 digits) or None."""
    if _MOBILE_RE.match(digits):
        return "mobile"
    if _LANDLINE_RE.match(digits) and len(digits) in (10, 11, 12):
        return "landline"
    if _LOCAL_RE.match(digits):
        return "local"
    return None


_KIND_CONF = {"mobile": 0.95, "landline": 0.9, "local": 0.7}


def _to_digits(run: str) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in run if c.isdigit() or c in _CN_DIGITS)


def _phone_text(text: str) -> str:
    """NFKC, spoken doubles (双八 -> 88), and Whisper-style groups kept as runs."""
    text = _nfkc(text)
    try:
        from asr.normalize import normalize_text  # the shared normaliser, when present

        text = normalize_text(text)
    except Exception:  # asr.normalize not available or refused the input
        pass
    return _DOUBLE_RE.sub(lambda m: m.group(1) * 2, text)


def _runs(text: str) -> list[tuple[str, list[str], str]]:
    """Digit runs: (digits, group list, the words). Single spoken digits inside words
    such as 一直 / 两个 are dropped unless they touch other digits."""
    out: list[tuple[str, list[str], str]] = []
    for m in _RUN_RE.finditer(text):
        groups = [_to_digits(g) for g in re.split(f"{_SEP}+", m.group(0))]
        groups = [g for g in groups if g]
        digits = "".join(groups)
        if len(digits) >= 2 or m.group(0).isdigit():
            out.append((digits, groups, m.group(0)))
    return out


_MAX_RUN = 12  # longer digit runs are several numbers, a repeated number or garbage


def _repeated_number(digits: str) -> str | None:
    """The valid number a long run repeats exactly (``n n n`` plus possibly the start of one
    more ``n``, where a recogniser's loop was cut off), else None."""
    for size in (11, 12, 10, 8, 7):
        n = digits[:size]
        if len(digits) < 2 * size or not phone_kind(n):
            continue
        reps = n * (len(digits) // size + 1)
        if reps.startswith(digits):
            return n
    return None


def _numbers_in_run(digits: str, groups: list[str]) -> list[str]:
    """Complete phone numbers inside one run (several numbers spoken back to back).

    A run of more than ``_MAX_RUN`` digits gives numbers only when its spoken groups split it
    cleanly into valid numbers or when it repeats one valid number; anything else is garbage
    (typically a recogniser loop such as ``158123456781567815812234...``) and no 11-digit
    window is picked from its middle."""
    if phone_kind(digits) and len(digits) >= 7:
        return [digits]
    found: list[str] = []
    acc = ""
    for g in groups:  # greedy accumulation over the spoken groups
        acc += g
        kind = phone_kind(acc)
        if kind in ("mobile", "landline") or (kind == "local" and len(acc) == 8):
            found.append(acc)
            acc = ""
    if len(digits) > _MAX_RUN:
        if found and not acc:
            return found
        rep = _repeated_number(digits)
        return [rep] if rep else []
    if found:
        return found
    # no group structure: mobile numbers embedded in a longer run (e.g. 一直 glued on)
    return re.findall(r"1[3-9]\d{9}", digits)


def extract_phone(text: str, *, at: float | None = None) -> FieldValue | None:
    """The phone number in one utterance; after 不对/说错了/重新说 the latest number wins.

    Returns a low-confidence value with ``extra["complete"] == "false"`` for a fragment of
    3-10 digits said in a phone context (the session's :class:`PhoneTracker` completes it).
    """
    text = _phone_text(text)
    if not text:
        return None
    best: tuple[str, str] | None = None  # (digits, source)
    partial: tuple[str, str] | None = None
    pos = 0
    segments: list[tuple[str, bool]] = []
    for m in _CORRECTION_RE.finditer(text):
        segments.append((text[pos : m.start()], bool(segments) or pos > 0))
        pos = m.end()
        segments.append(("", True))
    segments.append((text[pos:], pos > 0))
    corrected = False
    for seg, after_correction in segments:
        if not seg:
            corrected = corrected or after_correction
            continue
        for digits, groups, words in _runs(seg):
            nums = _numbers_in_run(digits, groups)
            if nums:
                best = (nums[-1], words)
                partial = None
            elif (
                best
                and corrected
                and 1 <= len(digits) < len(best[0])
                and (_SUFFIX_HINT_RE.search(seg) or len(digits) <= 4)
            ):
                # "不对，最后四位是5679": replace the tail of the previous number
                fixed = best[0][: len(best[0]) - len(digits)] + digits
                best = (fixed, seg.strip("，,。 "))
            elif 3 <= len(digits) <= 10 and not (
                digits.startswith("0") and len(digits) <= 3 and not _PHONE_WORD_RE.search(text)
            ):
                partial = (digits, words)
        corrected = False
    if best:
        kind = phone_kind(best[0]) or "unknown"
        conf = _KIND_CONF.get(kind, 0.4)
        return _field("phone", best[0], conf, best[1], at, kind=kind, complete="true")
    if partial and _PHONE_WORD_RE.search(text):
        return _field("phone", partial[0], 0.3, partial[1], at, kind="partial", complete="false")
    return None


def digit_fragment(text: str) -> str:
    """All digits said in ``text`` (spoken or Arabic), for multi-turn phone assembly."""
    return "".join(d for d, _g, _s in _runs(_phone_text(text)))


def is_garbled_digits(text: str) -> bool:
    """Does ``text`` hold a digit run longer than any phone number that is neither several
    numbers cleanly grouped nor one number repeated (a recogniser loop)?"""
    return any(
        len(d) > _MAX_RUN and not _numbers_in_run(d, g) for d, g, _s in _runs(_phone_text(text))
    )


def _intended_digits(text: str) -> str:
    """The digits of the last run of 7+ digits the caller said after their last correction
    (不对，是…… / 说错了，应该是……), valid or not; "" without a correction."""
    text = _phone_text(text)
    marks = list(_CORRECTION_RE.finditer(text))
    if not marks:
        return ""
    runs = [d for d, _g, _s in _runs(text[marks[-1].end() :]) if len(d) >= 7]
    return runs[-1] if runs else ""


# The agent reads a number back and asks for confirmation.
_READBACK_CUE_RE = re.compile(r"对吗|是吗|对不对|是不是|对吧|没错吧|确认|核对|核实|我重复一下")
# The caller confirms: 对 / 对的 / 是的 / 没错 ..., possibly followed by thanks, no digits.
_CONFIRM_RE = re.compile(
    r"^(?:嗯|啊|哦|呃|诶|欸)*(?:对对对|对对|对的|对|是的|是啊|是|没错|正确|没问题|嗯嗯|嗯)"
)
_NEGATION_RE = re.compile(r"不对|不是|错了|说错|有误|不太对|不一样")


def caller_confirms(text: str) -> bool:
    """Is the caller's utterance a plain yes (对 / 对的 / 是的 / 没错 / 嗯) without a new number?"""
    bare = re.sub(r"[\s，。,.!！?？、~～]", "", _phone_text(text))
    if not bare or _NEGATION_RE.search(bare) or _CORRECTION_RE.search(bare):
        return False
    return bool(_CONFIRM_RE.match(bare)) and not digit_fragment(bare)


def _edit_distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


def _mostly_digits(text: str) -> bool:
    rest = _RUN_RE.sub("", _phone_text(text))
    rest = re.sub(
        r"[，。,.!！?？\s]|电话|号码|手机|是|我的|我|嗯|啊|对|然后|后面|接着|前面|再|还有|的|"
        r"那个|就是|号|好|呃|哦|吧",
        "",
        rest,
    )
    return len(rest) <= 3


@dataclass
class PhoneTracker:
    """Assembles a phone number the caller says over several short turns.

    ``feed`` takes each caller utterance; ``expecting`` tells it the agent just asked for
    the number. Fragments within ``window`` seconds of each other are concatenated; a
    correction (不对 / 重新说) restarts the number. Returns a complete number as soon as it
    is valid, else a low-confidence partial value, else None.

    ``feed_agent`` takes each agent utterance. When the agent reads a valid number back
    (电话13906127758，对吗？) and the caller's next utterance confirms it (对 / 对的 / 是的 /
    没错), the read-back wins (``extra["source"] == "readback_confirmed"``): a recogniser gets
    the agent's careful read-back right more often than the caller's dictation. Without the
    confirmation, a read-back is only taken when what the caller said is not a valid number:
    with confidence 0.75 when it is one or two edits away from it (a digit lost, added or
    misheard: ``readback_fixes_caller``), else 0.5 (``readback_only``; nothing usable, or a
    recogniser loop, from the caller). The caller's own later corrections still win.
    """

    window: float = 20.0
    confirm_window: float = 30.0
    pending: str = ""
    sources: list[str] = field(default_factory=list)
    last_at: float | None = None
    caller_number: str = ""  # what the caller last said, valid or not ("" if nothing)
    caller_garbled: bool = False  # the caller's last number came out as a recogniser loop
    readback: tuple[str, float | None, str] | None = None  # (digits, at, words) to confirm

    def reset(self) -> None:
        self.pending, self.sources, self.last_at = "", [], None

    def feed(self, text: str, at: float | None, *, expecting: bool = False) -> FieldValue | None:
        readback, self.readback = self.readback, None
        if readback is not None and caller_confirms(text):
            digits, rb_at, words = readback
            if rb_at is None or at is None or at - rb_at <= self.confirm_window:
                self.reset()
                self.caller_number, self.caller_garbled = digits, False
                kind = phone_kind(digits) or "unknown"
                return _field(
                    "phone",
                    digits,
                    _KIND_CONF.get(kind, 0.4),
                    f"{words} … {text.strip()}",
                    at,
                    kind=kind,
                    complete="true",
                    source="readback_confirmed",
                )
        out = self._feed_caller(text, at, expecting=expecting)
        intended = _intended_digits(text)
        if out is not None:
            self.caller_number, self.caller_garbled = out.value, False
        if intended and not phone_kind(intended):
            self.caller_number = intended  # corrected to a number that is not valid
        heard_loop = is_garbled_digits(text) and (expecting or _PHONE_WORD_RE.search(text))
        if heard_loop and (out is None or out.extra.get("complete") != "true"):
            self.caller_number, self.caller_garbled = "", True
        return out

    def feed_agent(self, text: str, at: float | None) -> FieldValue | None:
        """An agent utterance: remember a read-back for the caller to confirm; return it
        at once (lower confidence) when what the caller said is not a valid number."""
        if not _PHONE_WORD_RE.search(text or ""):
            return None
        said = extract_phone(text, at=at)
        if said is None or said.extra.get("complete") != "true":
            return None
        digits = said.value
        kind = phone_kind(digits)
        if kind is None or (kind == "local" and len(digits) < 7):
            return None
        if _READBACK_CUE_RE.search(text):
            self.readback = (digits, at, said.source_text)
        caller = self.caller_number
        if caller and phone_kind(caller) and (kind != "local" or len(caller) == len(digits)):
            return None  # the caller gave a valid number: only a confirmation replaces it
        near = bool(caller) and _edit_distance(caller, digits) <= 2
        src = "readback_fixes_caller" if near else "readback_only"
        return _field(
            "phone",
            digits,
            0.75 if near else 0.5,
            said.source_text,
            at,
            kind=kind,
            complete="true",
            source=src,
            **({"caller_said": caller} if caller else {}),
        )

    def _feed_caller(
        self, text: str, at: float | None, *, expecting: bool = False
    ) -> FieldValue | None:
        single = extract_phone(text, at=at)
        if single is not None and single.extra.get("complete") == "true":
            if self.pending and len(single.value) < 11 and not _CORRECTION_RE.search(text):
                pass  # a local-looking fragment while a number is being assembled
            else:
                self.reset()
                return single
        if is_garbled_digits(text):
            return None  # a recogniser loop: nothing to assemble from
        frag = digit_fragment(text)
        if not frag and (self.pending or expecting):
            bare = re.sub(r"[\s，。,.!！?？]", "", _phone_text(text))
            if len(bare) == 1 and (bare.isdigit() or bare in _CN_DIGITS):
                frag = _to_digits(bare)  # a single digit said on its own
        if not frag:
            return None
        active = expecting or bool(self.pending) or bool(_PHONE_WORD_RE.search(text))
        if not active or (not _mostly_digits(text) and not _PHONE_WORD_RE.search(text)):
            return single if single is not None and single.extra.get("complete") == "true" else None
        stale = self.last_at is not None and at is not None and at - self.last_at > self.window
        if _CORRECTION_RE.search(text) or stale or len(self.pending) >= 11:
            self.reset()
        self.pending += frag
        self.sources.append(text.strip())
        self.last_at = at
        digits = self.pending
        kind = phone_kind(digits)
        src = " … ".join(self.sources)
        done = (
            kind == "mobile"
            or (kind == "landline" and len(digits) >= 11)
            or (kind == "local" and len(digits) == 8 and not digits.startswith("1"))
        )
        if done and kind is not None:
            self.reset()
            return _field(
                "phone",
                digits,
                _KIND_CONF[kind] - 0.05,
                src,
                at,
                kind=kind,
                complete="true",
                turns=str(src.count("…") + 1),
            )
        return _field("phone", digits, 0.3, src, at, kind="partial", complete="false")


# --------------------------------------------------------------------------- address

DEFAULT_UMAP: dict[str, str] = {"朝阳区": "110105", "通州区": "110112"}
"""Ambiguous district names resolved to Beijing (the 12345 deployment's city) by cpca."""

_NUM_CN = "零〇一二两三四五六七八九十百幺"
_UNIT_AFTER_NUM = r"号楼|号院|号门|号|栋|幢|座|单元|室|层|楼|组|排|户|弄|条|期"
_ADDR_MARKERS = re.compile(
    r"[区县]|街道|[镇乡]|路|大街|街|巷|胡同|小区|社区|村|号楼|栋|幢|单元|室|号院|花园|家园|苑|大厦|"
    r"公寓|广场|里"
)
_ADDR_TRIGGERS = re.compile(
    r"的|我家住在|我家就在|我家在|我们家在|我住在|我就住在|家住在|家住|住在|地址是|地址在|地址就是|"
    r"地址|位置是|位置在|位于|就在|我在|我们在|是在|在|我住|我家|我们|那个|这个|就是|的是"
)
_PREFIX = rf"[{_CJK}A-Za-z0-9]"
_MASK = "|"
_STREET_RE = re.compile(rf"({_PREFIX}{{2,6}}?)(街道|镇|乡)(?!村)")
_SUBAREA = r"(?:[东西南北中][一二三四五六七八九十\d]{0,2}区|[一二三四五六七八九十\d]{1,2}区|[东西南北中]里|[一二三四五六七八九十\d]{1,2}期)"
_COMMUNITY_RE = re.compile(
    rf"({_PREFIX}{{2,8}}?)(小区|社区|花园|家园|公寓|大厦|新村|嘉园|名苑|苑|城|广场|大院|(?<![道楼屋院家区村店厂校室车水锅街城心手嘴夜这那哪公])里(?=[东西南北中\d一二三四五六七八九十]|小区|社区|$|[，。,.\s])|园(?={_SUBAREA}))"
    rf"(?![{_CJK}]?[路街])({_SUBAREA})?"
)
_ROAD_RE = re.compile(
    rf"({_PREFIX}{{1,8}}?)(大街|大道|路|街|巷|胡同|弄)(?!道|办|上|边|里|灯|面|况|费|人|子|线|段|过|牌|费)(\d+号院?(?!楼))?"
)
_BUILDING_RE = re.compile(r"(\d+)(?:号楼|栋|幢|座)")
_UNIT_RE = re.compile(r"(\d+)单元")
_ROOM_RE = re.compile(r"(?:单元|号楼|栋|幢|座|层|楼)(\d{3,5})(?:室|号|户)?|(\d{3,5})(?:室|户)")
_VILLAGE_RE = re.compile(rf"({_PREFIX}{{2,5}}?)(村)(?!委会|委|民|里)")
_GROUP_RE = re.compile(r"(\d+)组")
_DISTRICT_RE = re.compile(rf"([{_CJK}]{{2,4}}?)(区|县)(?![{_CJK}]?[委政])")
_ROAD_FALSE = {"马路", "道路", "公路", "走路", "一路", "出路", "水路", "电路", "线路", "小路", "大马路",
               "过马路", "上街", "逛街", "这条街", "那条街", "这条路", "那条路", "条路", "条街",
               "老街", "大街", "心里", "家里", "这里", "那里", "哪里", "村里", "城里", "屋里",
               "夜里", "公里", "邻里", "院里", "楼里", "区里", "市里", "手里", "嘴里", "里", "水泥路",
               "柏油路", "土路", "石子路", "乡间小路", "上路", "半路", "路路", "修路", "铁路",
               "高速路", "新路", "老路", "山路", "泥路", "那路", "这路"}  # fmt: skip
_COMM_FALSE = {
    "进城",
    "县城",
    "城",
    "长城",
    "全城",
    "满城",
    "商城",
    "心里",
    "家里",
    "这里",
    "那里",
    "哪里",
    "村里",
    "城里",
    "屋里",
    "夜里",
    "公里",
    "邻里",
    "院里",
    "楼里",
    "区里",
    "市里",
    "手里",
    "嘴里",
    "小区里",
    "社区里",
    "公园",
    "幼儿园",
}
_STOP_PREFIX = re.compile(
    r"^(的|了|在|是|到|去|从|住|说|那个|这个|就是|我们|我家|我|你们|他们|就)+"
)


def _cn_number(s: str) -> str:
    """三 -> 3, 十二 -> 12, 五零一 -> 501, 五百零一 -> 501."""
    s = s.replace("幺", "一").replace("两", "二")
    if not any(c in s for c in "十百"):
        return "".join(_CN_DIGITS.get(c, c) for c in s)
    try:
        import cn2an

        return str(cn2an.cn2an(s, "smart"))
    except Exception:
        return s


def _address_numbers(text: str) -> str:
    """Spoken numbers before 号楼/单元/室/组... become digits; a room after 单元 too."""
    text = _nfkc(text)
    text = re.sub(
        rf"([{_NUM_CN}]+)(?=(?:{_UNIT_AFTER_NUM}))",
        lambda m: _cn_number(m.group(1)),
        text,
    )
    text = re.sub(
        rf"(单元|号楼|栋)([{_NUM_CN}]{{3,5}})", lambda m: m.group(1) + _cn_number(m.group(2)), text
    )
    return text


def _clean_prefix(name: str) -> str:
    name = _STOP_PREFIX.sub("", name)
    cut = _ADDR_TRIGGERS.split(name)
    name = cut[-1] if cut else name
    return re.split(r"[到去了在]", name)[-1]


@lru_cache(maxsize=1)
def _cpca() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpca

    return cpca


def _admin_parts(text: str, umap: dict[str, str] | None) -> dict[str, str]:
    """province / city / district from cpca (only when a district or city is named)."""
    if not re.search(r"[省市区县]|北京|上海|天津|重庆", text):
        return {}
    try:
        cpca = _cpca()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = cpca.transform([text], umap=umap if umap is not None else DEFAULT_UMAP)
        row = df.iloc[0]
    except Exception:  # pragma: no cover - cpca missing: fall back to regexes
        return {}
    out: dict[str, str] = {}
    for key, col in (("province", "省"), ("city", "市"), ("district", "区")):
        val = row.get(col)
        if isinstance(val, str) and val and val != "市辖区":
            out[key] = val
    if out.get("city") == out.get("province"):
        out.pop("city", None)
    dist = out.get("district")
    if dist is not None:
        pos = text.find(dist)
        before = text[pos - 1] if pos > 0 else ""
        if pos < 0:
            out.pop("district")  # cpca matched an alias; keep the province/city it inferred
        elif (
            len(dist) <= 2
            and before
            and re.match(f"[{_CJK}]", before)
            and before not in "在是住市省的"
        ):
            return {}  # "龙泽苑东区": a sub-area of a community, not the district 东区
    return out


_PART_ORDER = (
    "province",
    "city",
    "district",
    "street",
    "village",
    "group",
    "community",
    "road",
    "building",
    "unit",
    "room",
)


def address_parts(text: str, *, umap: dict[str, str] | None = None) -> dict[str, str]:
    """Structured parts of an address mentioned in ``text`` (empty dict if none)."""
    text = _address_numbers(text)
    if not _ADDR_MARKERS.search(text):
        return {}
    parts: dict[str, str] = dict(_admin_parts(text, umap))
    masked = text
    if "district" in parts and parts["district"] in masked:
        masked = masked.replace(parts["district"], _MASK * len(parts["district"]), 1)

    def _named(regex: re.Pattern[str], key: str, false: set[str], lo: int = 2) -> None:
        nonlocal masked
        for m in regex.finditer(masked):
            name = _clean_prefix(m.group(1))
            full = name + m.group(2)
            if len(name) < lo or full in false or name in false or re.fullmatch(r"\d+", name):
                continue
            end = m.end()
            if key in ("road", "community") and m.lastindex and m.lastindex >= 3 and m.group(3):
                full += m.group(3)
            if key == "community":
                ext = re.match(rf"(?:小区|社区|园|苑|里)?{_SUBAREA}?", masked[end:])
                if (
                    ext
                    and ext.group(0) in ("园", "苑", "里")
                    and re.match(f"[{_CJK}]", masked[end + 1 : end + 2])
                ):
                    ext = None
                if ext and ext.group(0):
                    full += ext.group(0)
                    end += len(ext.group(0))
            parts[key] = full
            s, e = end - len(full), end
            masked = masked[:s] + _MASK * (e - s) + masked[e:]
            return

    _named(_STREET_RE, "street", {"街道", "乡镇", "城乡"})
    _named(
        _VILLAGE_RE,
        "village",
        {"农村", "乡村", "山村", "本村", "我们村", "这个村", "那个村", "邻村"},
    )
    _named(_COMMUNITY_RE, "community", _COMM_FALSE)
    _named(_ROAD_RE, "road", _ROAD_FALSE)
    m = _GROUP_RE.search(text)
    if m and "village" in parts:
        parts["group"] = m.group(1) + "组"
    m = _BUILDING_RE.search(text)
    if m:
        parts["building"] = m.group(1) + "号楼"
    m = _UNIT_RE.search(text)
    if m:
        parts["unit"] = m.group(1) + "单元"
    m = _ROOM_RE.search(text)
    if m:
        parts["room"] = (m.group(1) or m.group(2)) + "室"
    if set(parts) <= {"province", "city"}:
        return {}
    return parts


def _display(parts: dict[str, str]) -> str:
    keys = [k for k in _PART_ORDER if k in parts and k not in ("province",)]
    if "district" in parts:
        keys = [k for k in keys if k != "city"]
    return "".join(parts[k] for k in keys)


def _address_conf(parts: dict[str, str]) -> float:
    admin = any(k in parts for k in ("district", "street"))
    detail = any(k in parts for k in ("community", "road", "building", "room", "group", "village"))
    if admin and detail:
        return 0.9
    if detail and ("building" in parts or "room" in parts):
        return 0.75
    if detail:
        return 0.6
    return 0.45


def extract_address(
    text: str, *, at: float | None = None, umap: dict[str, str] | None = None
) -> FieldValue | None:
    """The address mentioned in one utterance; ``extra`` holds its parts."""
    parts = address_parts(text, umap=umap)
    # a lone room/unit number is not an address by itself (unless part of a longer one)
    if not parts or (set(parts) <= {"room", "unit", "building"} and len(parts) < 2):
        return None
    if set(parts) <= {"road"} and not re.search(r"\d+号", parts["road"]):
        return _field("address", parts["road"], 0.4, text.strip(), at, **parts)
    return _field("address", _display(parts), _address_conf(parts), text.strip(), at, **parts)


def merge_address(old: FieldValue | None, new: FieldValue) -> FieldValue:
    """Combine an address given over several turns ("幸福小区" … "3号楼2单元501").

    Parts in ``new`` win; parts of ``old`` are kept when ``new`` does not contradict the
    place (same district/community or ``new`` names only building/unit/room).
    """
    if old is None or old.name != "address" or old.confidence < 0.5:
        return new
    o = {k: v for k, v in old.extra.items() if k in _PART_ORDER}
    n = {k: v for k, v in new.extra.items() if k in _PART_ORDER}
    place_keys = ("district", "street", "village", "community", "road")
    contradicts = any(k in o and k in n and o[k] != n[k] for k in place_keys)
    if contradicts and any(k in n for k in ("district", "community", "village")):
        return new
    merged = dict(o)
    merged.update(n)
    src = (
        old.source_text
        if old.source_text == new.source_text
        else (f"{old.source_text} … {new.source_text}")
    )
    return _field(
        "address",
        _display(merged),
        max(_address_conf(merged), new.confidence),
        src,
        new.at,
        **merged,
    )


def normalize_address(text: str, *, umap: dict[str, str] | None = None) -> str:
    """A canonical key of an address for duplicate detection.

    ``北京市朝阳区幸福小区三号楼二单元501室`` and ``朝阳区幸福小区3栋2单元501`` give the same
    key: province/city dropped, numbers as digits, 栋/幢/座 -> 号楼, rooms as ``501室``,
    punctuation and filler removed. Text without recognisable parts is returned cleaned.
    """
    parts = address_parts(text, umap=umap)
    keys = [k for k in _PART_ORDER if k in parts and k not in ("province", "city")]
    if keys:
        return "".join(parts[k] for k in keys)
    cleaned = _address_numbers(text)
    return re.sub(r"[\s，。,.、!！?？\-—]|北京市|市辖区", "", cleaned)


# --------------------------------------------------------------------------- incident time

_TIME_MASK_RE = re.compile(r"\d+(?:号楼|号院|号门|栋|幢|座|单元|室|层|组)|[路街巷道]\d+号|\d{5,}")
_DEADLINE_HINT = re.compile(r"之前|以前|以内|之内|尽快|希望|要求|能不能|赶紧")
# "我上周已经打过了": when the caller called before, not when the problem happened
_EARLIER_CONTACT = re.compile(
    r"^[^，。,.!?！？]{0,4}?(打过|打了.{0,4}电话|来过电话|打电话|反映过|反映了|投诉过|投诉了|找过|来过)"
)


def extract_incident_time(
    text: str, *, call_time: datetime, at: float | None = None
) -> FieldValue | None:
    """When the problem happened/started, if the caller says so (昨天晚上十点, 从上周三开始).

    ``value`` keeps the caller's words; ``extra["start"]``/``extra["end"]`` are ISO datetimes
    resolved against ``call_time`` (best effort), ``extra["kind"]`` is point/span/duration.
    Deadlines ("明天之前处理") and future times are ignored.
    """
    text = _nfkc(text)
    if not re.search(r"[天晚早午点号周月年前昨今凌晨夜礼拜星期分钟小时]", text):
        return None
    masked = _TIME_MASK_RE.sub(lambda m: "＃" * len(m.group(0)), _address_numbers(text))
    jio = _jionlp()
    base = call_time.timestamp()
    logging.disable(logging.ERROR)  # jionlp logs tracebacks for phrases it cannot parse
    try:
        hits = jio.ner.extract_time(masked, time_base=base, with_parsing=True)
    except Exception:
        hits = []
    finally:
        logging.disable(logging.NOTSET)
    for hit in hits:
        words: str = hit.get("text", "")
        detail = hit.get("detail") or {}
        kind = detail.get("type", hit.get("type", ""))
        if re.fullmatch(r"\d+号", words) or words in {"现在", "今天", "目前", "刚才", "马上"}:
            continue
        if "从" in words:
            words = words[words.index("从") :]
        words = re.sub(r"^[下上的]+(?=[从昨今前上本这去])", "", words)
        tail = text[hit["offset"][1] : hit["offset"][1] + 4]
        if _EARLIER_CONTACT.search(text[hit["offset"][1] : hit["offset"][1] + 10]):
            continue
        if kind in ("time_point", "time_span"):
            try:
                start = datetime.strptime(detail["time"][0], "%Y-%m-%d %H:%M:%S")
                end = datetime.strptime(detail["time"][1], "%Y-%m-%d %H:%M:%S")
            except (KeyError, ValueError, TypeError, IndexError):
                continue
            naive_call = call_time.replace(tzinfo=None)
            if start > naive_call + timedelta(hours=1):
                continue  # future: a wish or a deadline, not when it happened
            if (
                kind == "time_span"
                and end > naive_call + timedelta(hours=1)
                and abs((start - naive_call).total_seconds()) < 120
                and (_DEADLINE_HINT.search(words + tail) or "之前" in words)
            ):
                continue
            if call_time.tzinfo is not None:
                start, end = (
                    start.replace(tzinfo=call_time.tzinfo),
                    end.replace(tzinfo=call_time.tzinfo),
                )
            return _field(
                "incident_time",
                words,
                0.8 if detail.get("definition") == "accurate" else 0.6,
                words,
                at,
                start=start.isoformat(),
                end=end.isoformat(),
                kind="span" if kind == "time_span" else "point",
            )
        if kind == "time_delta" and re.search(r"了|开始|以来|多", tail + words):
            delta = detail.get("time") or {}
            try:
                days = (
                    float(delta.get("year", 0)) * 365
                    + float(delta.get("month", 0)) * 30
                    + float(delta.get("day", 0))
                    + float(delta.get("hour", 0)) / 24
                )
            except (TypeError, ValueError):
                continue
            if days <= 0:
                continue
            start = call_time - timedelta(days=days)
            return _field(
                "incident_time",
                words + (tail[:1] if tail[:1] == "了" else ""),
                0.5,
                words,
                at,
                start=start.isoformat(),
                end=call_time.isoformat(),
                kind="duration",
            )
    return None


# --------------------------------------------------------------------------- request draft

_CORRECTION_ONLY_RE = re.compile(
    r"^(哎呀|哎|啊|不对|说错了|错了|我说错了|重新说|重说|不是|应该是|更正)+$"
)
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;\n]+|[，,、](?=\s*)")
_GREETING_RE = re.compile(
    r"^(喂|你好|您好|哎|唉|嗯|啊|哦|呃|对|对对|是的|是|好|好的|行|可以|谢谢|谢谢你|谢谢你们|再见|拜拜|没有了|"
    r"对的|是啊|没错|嗯嗯|没了|没有|就这些|就这样|我知道了|知道了|明白了|好吧|行吧|那好|麻烦你了|辛苦了|打扰了|那个|就是|我想问一下|我要反映个事|我要反映一下|"
    r"我想反映个问题|我想反映一下|我要投诉|我想投诉一下)+$"
)
_FIELD_ANSWER_RE = re.compile(
    r"^(免贵)?姓|我姓|免贵|我叫|姓名|名字|木子|弓长|耳东|口天|立早|双木|草头|古月|言午|走肖|木易|文刀|电话|手机号|号码|"
    r"女士$|先生$"
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
    if _FIELD_ANSWER_RE.search(clause) or _SPELLING_RE.search(clause):
        return True
    bare = re.sub(r"[\s，。,.!！?？]", "", clause)
    name = extract_name(bare)
    if name is not None and len(bare) - len(name.value) <= 3:
        return True
    if 2 <= len(bare) <= 3 and _valid_full_name(bare, strict=True):
        return True
    digits = digit_fragment(clause)
    if len(digits) >= 7:
        return True
    return bool(digits) and _mostly_digits(clause)


def _is_address_answer(clause: str) -> bool:
    parts = address_parts(clause)
    if not parts:
        return False
    rest = _address_numbers(clause)
    for v in parts.values():
        rest = rest.replace(v, "")
    rest = _ADDR_TRIGGERS.sub("", _address_numbers(rest))
    rest = re.sub(r"[\d，。,.\s]|号|的|了|啊|呢|吧|是|在", "", rest)
    return len(rest) <= 2


def draft_request(caller_texts: Iterable[str], *, max_chars: int = 120) -> str:
    """An extractive draft of the request (诉求内容) from the caller's utterances.

    Keeps the clauses that describe the problem and the wish, drops greetings and the
    answers that are ticket fields (name, phone, bare address), removes filler words and
    repeats, and writes ``来电人反映：……，希望……。`` in at most ``max_chars`` characters.
    Deterministic. Returns "" when the caller has said nothing substantive yet.
    """
    from rapidfuzz import fuzz

    problem: list[str] = []
    wishes: list[str] = []
    for text in caller_texts:
        for raw in _CLAUSE_SPLIT.split(_nfkc(text)):
            raw = raw.strip()
            if not raw or _GREETING_RE.match(re.sub(r"[\s，。,.!！?？]", "", raw)):
                continue
            if _is_field_answer(raw) or _is_address_answer(raw):
                continue
            if _CORRECTION_ONLY_RE.match(re.sub(r"[\s，。,.!！?？]", "", raw)):
                continue
            clause = _clean_clause(raw)
            if len(clause) < 2 or _GREETING_RE.match(clause):
                continue
            bucket = wishes if _REQUEST_RE.search(raw) else problem
            if any(clause in prev or fuzz.ratio(clause, prev) >= 85 for prev in problem + wishes):
                continue
            bucket.append(clause)
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


def field_sources(values: Sequence[FieldValue | None]) -> list[str]:
    """The source texts of the given fields (used to drop field answers from summaries)."""
    return [v.source_text for v in values if v is not None and v.source_text]


def with_status(value: FieldValue, status: str) -> FieldValue:
    """A copy of ``value`` with another status (``confirmed`` / ``edited``)."""
    return replace(value, status=status)  # type: ignore[arg-type]
