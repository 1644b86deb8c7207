"""The caller's phone number: one utterance (:func:`extract_phone`), several turns and the
agent's read-back (:class:`PhoneTracker`).

Spoken digits are read with :mod:`asr.text.numerals` (洞 counts as 0 here) and a number's
validity is :func:`asr.text.phone.phone_kind` with its default, strict area-code check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from asr.text.normalize import normalize_text
from asr.text.numerals import DIGITS, digit_chars, to_digits
from asr.text.phone import MOBILE, phone_kind
from assistant.core.state import FieldValue
from assistant.extract._text import make_field, nfkc

__all__ = [
    "PhoneTracker",
    "agent_asks_phone",
    "apply_edits",
    "caller_confirms",
    "digit_fragment",
    "extract_phone",
    "has_edits",
    "is_garbled_digits",
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
    """NFKC, spoken doubles (双八 -> 88), 要 heard for 幺 between digits, and Whisper-style
    groups kept as runs."""
    text = normalize_text(nfkc(text))
    text = _YAO_RE.sub("幺", text)
    return _DOUBLE_RE.sub(lambda m: m.group(1) * 2, text)


_D = f"[{_DIGIT_CHARS}]"
# Partial corrections of a number already said: (pattern, digits it gives, where they go).
_EDITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"中间(?:四位|的|那四位)?(?:是|应该是|改成|改为)?\s*({_D}{{4}})(?!{_D})"), "middle"),
    (re.compile(rf"(?:前三位|开头|前面三位)(?:是|应该是|改成|改为)?\s*({_D}{{3}})(?!{_D})"), "head"),
    (
        re.compile(
            rf"(?:最后四位|后四位|后面四位|尾号|尾数)(?:是|应该是|改成|改为)?\s*({_D}{{4}})(?!{_D})"
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
        readback = self.readback
        edited = self._edit(text, at, readback)
        if edited is not None:
            return edited
        self.readback = None
        if readback is not None and caller_confirms(text):
            digits, rb_at, words = readback
            if rb_at is None or at is None or at - rb_at <= self.confirm_window:
                self.reset()
                self.caller_number, self.caller_garbled = digits, False
                kind = phone_kind(digits) or "unknown"
                return make_field(
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

    def _edit(
        self, text: str, at: float | None, readback: tuple[str, float | None, str] | None
    ) -> FieldValue | None:
        """A partial correction (不对，后四位是七七五八) of the number just read back or last
        said, when the utterance holds no whole number of its own."""
        if not has_edits(text):
            return None
        single = extract_phone(text, at=at)
        if single is not None and single.extra.get("complete") == "true":
            return None
        base = readback[0] if readback is not None else self.caller_number
        if not base or not phone_kind(base):
            return None
        edited = apply_edits(base, text)
        if edited == base or not phone_kind(edited):
            return None
        self.readback = None
        self.reset()
        self.caller_number, self.caller_garbled = edited, False
        kind = phone_kind(edited) or "unknown"
        return make_field(
            "phone",
            edited,
            _KIND_CONF.get(kind, 0.4),
            text.strip(),
            at,
            kind=kind,
            complete="true",
            source="caller_correction",
            corrected=base,
        )

    def feed_agent(
        self, text: str, at: float | None, *, expecting: bool = False
    ) -> FieldValue | None:
        """An agent utterance: remember a read-back for the caller to confirm; return it
        at once (lower confidence) when what the caller said is not a valid number.
        ``expecting``: the phone number was asked for just now (a bare read-back counts)."""
        cue = _PHONE_WORD_RE.search(text or "") or _READBACK_CUE_RE.search(text or "")
        if not (cue or expecting):
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
        return make_field(
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
            if len(bare) == 1 and (bare.isdigit() or bare in DIGITS):
                frag = to_digits(bare)  # a single digit said on its own
        if not frag:
            return None
        active = expecting or bool(self.pending) or bool(_PHONE_WORD_RE.search(text))
        if not active or (not mostly_digits(text) and not _PHONE_WORD_RE.search(text)):
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
            return make_field(
                "phone",
                digits,
                _KIND_CONF[kind] - 0.05,
                src,
                at,
                kind=kind,
                complete="true",
                turns=str(src.count("…") + 1),
            )
        return make_field("phone", digits, 0.3, src, at, kind="partial", complete="false")
