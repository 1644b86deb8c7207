"""The caller's phone number in one utterance (:func:`extract_phone`), with the partial
corrections said after it (:func:`apply_edits`); several turns and the agent's read-back are
:mod:`assistant.extract.phone_dialogue`.

Spoken digits are read with :mod:`asr.text.numerals` (洞 counts as 0 here) and a number's
validity is :func:`asr.text.phone.phone_kind` with its default, strict area-code check.
"""

from __future__ import annotations

import re

from asr.text.normalize import normalize_text
from asr.text.numerals import digit_chars, heard_digits, to_digits
from asr.text.phone import MOBILE, phone_kind
from assistant.core.state import FieldValue
from assistant.extract._text import make_field, nfkc

__all__ = [
    "agent_asks_phone",
    "apply_edits",
    "digit_fragment",
    "extract_phone",
    "has_edits",
    "is_garbled_digits",
    "mostly_digits",
    "phone_kind",
]

_DIGIT_CHARS = "0-9" + digit_chars(dong=True)
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


def agent_asks_phone(text: str) -> bool:
    """Does the agent's utterance ask for a phone number?"""
    return bool(_ASK_PHONE_RE.search(text or ""))


_KIND_CONF = {"mobile": 0.95, "landline": 0.9, "local": 0.7}


_YAO_RE = re.compile(rf"要(?=[{_DIGIT_CHARS}]{{2}})|(?<=[{_DIGIT_CHARS}])要(?=[{_DIGIT_CHARS}\s])")


def _phone_text(text: str) -> str:
    """NFKC, spoken doubles (双八 -> 88), 要 heard for 幺 between digits, the other digit
    homophones inside a digit string (二十幺 -> 二四幺), and Whisper-style groups kept as
    runs."""
    text = normalize_text(nfkc(text))
    text = heard_digits(_YAO_RE.sub("幺", text))
    return _DOUBLE_RE.sub(lambda m: m.group(1) * 2, text)


_D = f"[{_DIGIT_CHARS}]"
# Partial corrections of a number already said: (pattern, digits it gives, where they go).
_EDITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"中间(?:四位|的|那四位)?(?:是|应该是|改成|改为)?\s*({_D}{{4}})(?!{_D})"),
        "middle",
    ),
    (
        re.compile(rf"(?:前三位|开头|前面三位)(?:是|应该是|改成|改为)?\s*({_D}{{3}})(?!{_D})"),
        "head",
    ),
    (
        re.compile(
            rf"(?:(?:最后四位|后四位|后面四位|尾号|尾数)(?:是|应该是|改成|改为)?"
            rf"|(?:后面|后边|最后)(?:的|那几位|几位)?(?:是|应该是|改成|改为))\s*({_D}{{4}})(?!{_D})"
        ),
        "tail",
    ),
    (re.compile(rf"不是({_D})[\s，,、]*(?:是|而是|应该是)({_D})(?!{_D})"), "digit"),
)


def apply_edits(base: str, text: str) -> str:
    """``base`` with the partial corrections said in ``text`` applied in order: 中间是…
    (digits 4-7 of a mobile), 前三位是…, 后四位是… / 尾号…, 哦不是七，是八 (the last 7
    becomes 8). Returns ``base`` unchanged when nothing applies."""
    text = _phone_text(text)
    found = sorted(
        ((m.start(), m, kind) for pat, kind in _EDITS for m in pat.finditer(text)),
        key=lambda x: x[0],
    )
    out = base
    for _pos, m, kind in found:
        new = to_digits(m.group(1))
        if kind == "middle" and len(out) == 11:
            out = out[:3] + new + out[7:]
        elif kind == "head" and len(out) >= 7:
            out = new + out[3:]
        elif kind == "tail" and len(out) >= 7:
            out = out[:-4] + new
        elif kind == "digit":
            old, repl = to_digits(m.group(1)), to_digits(m.group(2))
            i = out.rfind(old)
            if i >= 0:
                out = out[:i] + repl + out[i + 1 :]
    return out


def has_edits(text: str) -> bool:
    """Does ``text`` hold a partial correction of a number (中间是… / 后四位是… / 不是七是八)?"""
    t = _phone_text(text)
    return any(pat.search(t) for pat, _k in _EDITS)


_AREA_RE = re.compile(rf"区号(?:是)?\s*(0{_D}{{2,3}}|零{_D}{{2,3}}|洞{_D}{{2,3}})")


def _runs(text: str) -> list[tuple[str, list[str], str]]:
    """Digit runs: (digits, group list, the words). Single spoken digits inside words
    such as 一直 / 两个 are dropped unless they touch other digits."""
    out: list[tuple[str, list[str], str]] = []
    for m in _RUN_RE.finditer(text):
        groups = [to_digits(g) for g in re.split(f"{_SEP}+", m.group(0))]
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


def _greedy(groups: list[str]) -> tuple[list[str], str]:
    """Greedy accumulation over spoken groups: the numbers completed and the leftover."""
    found: list[str] = []
    acc = ""
    for g in groups:
        acc += g
        kind = phone_kind(acc)
        if kind in ("mobile", "landline") or (kind == "local" and len(acc) == 8):
            found.append(acc)
            acc = ""
    return found, acc


def _numbers_in_run(digits: str, groups: list[str]) -> list[str]:
    """Complete phone numbers inside one run (several numbers spoken back to back).

    A run of more than ``_MAX_RUN`` digits gives numbers only when its spoken groups split it
    cleanly into valid numbers or when it repeats one valid number; anything else is garbage
    (typically a recogniser loop such as ``158123456781567815812234...``) and no 11-digit
    window is picked from its middle."""
    if phone_kind(digits) and len(digits) >= 7:
        return [digits]
    found, acc = _greedy(groups)
    if len(digits) > _MAX_RUN and not found:
        for start in range(1, len(groups)):  # a stray group before the number (中间是1204，186…)
            later, rest = _greedy(groups[start:])
            if later and not rest:
                return later
    if len(digits) > _MAX_RUN:
        if found and not acc:
            return found
        rep = _repeated_number(digits)
        return [rep] if rep else []
    if found:
        return found
    # no group structure: mobile numbers embedded in a longer run (e.g. 一直 glued on)
    return re.findall(MOBILE, digits)


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
        # partial corrections said after the number (中间是… / 后四位是… / 不是七，是八)
        tail = text[text.rfind(best[1]) + len(best[1]) :] if best[1] in text else text
        edited = apply_edits(best[0], tail)
        if edited != best[0] and phone_kind(edited):
            best = (edited, text.strip("，,。 "))
        area = _AREA_RE.search(text)
        if area and phone_kind(best[0]) == "local":
            with_area = to_digits(area.group(1)) + best[0]
            if phone_kind(with_area) == "landline":
                best = (with_area, text.strip("，,。 "))
        kind = phone_kind(best[0]) or "unknown"
        conf = _KIND_CONF.get(kind, 0.4)
        return make_field("phone", best[0], conf, best[1], at, kind=kind, complete="true")
    if partial and _PHONE_WORD_RE.search(text):
        return make_field(
            "phone", partial[0], 0.3, partial[1], at, kind="partial", complete="false"
        )
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


def mostly_digits(text: str) -> bool:
    """Is ``text`` little more than digits and phone filler words (电话, 是, 然后 ...)?"""
    rest = _RUN_RE.sub("", _phone_text(text))
    rest = re.sub(
        r"[，。,.!！?？\s]|电话|号码|手机|是|我的|我|嗯|啊|对|然后|后面|接着|前面|再|还有|的|"
        r"那个|就是|号|好|呃|哦|吧",
        "",
        rest,
    )
    return len(rest) <= 3
