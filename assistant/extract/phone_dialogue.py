"""The phone number as a dialogue: digit groups over several turns, the agent's read-back
confirmed (对 / 没错) or corrected (不对，后四位是…) by the caller (:class:`PhoneTracker`).

One utterance is read by :mod:`assistant.extract.phone`; validity is
:func:`asr.text.phone.phone_kind`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from asr.text.numerals import DIGITS, to_digits
from assistant.core.state import FieldValue
from assistant.extract._text import make_field
from assistant.extract.phone import (
    _CORRECTION_RE,
    _KIND_CONF,
    _PHONE_WORD_RE,
    _numbers_in_run,
    _phone_text,
    _runs,
    apply_edits,
    digit_fragment,
    extract_phone,
    has_edits,
    is_garbled_digits,
    mostly_digits,
    phone_kind,
)

__all__ = ["PhoneTracker", "caller_confirms"]


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


def _only_insertions(said: str, readback: str) -> bool:
    """Is ``readback`` ``said`` with 1-4 digits added (a local number read back with its
    area code, a digit the recogniser lost from the caller's words)?"""
    extra = len(readback) - len(said)
    return 1 <= extra <= 4 and _edit_distance(said, readback) == extra


def _edit_distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


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
    said: dict[str, int] = field(default_factory=dict)  # valid number -> times said (both sides)
    current: str = ""  # the number the tracker last gave

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
                self.current = digits
                self.said[digits] = self.said.get(digits, 0) + 1
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
        out = self._twice_beats_once(out, text)
        intended = _intended_digits(text)
        if out is not None:
            self.caller_number, self.caller_garbled = out.value, False
        if intended and not phone_kind(intended):
            self.caller_number = intended  # corrected to a number that is not valid
        heard_loop = is_garbled_digits(text) and (expecting or _PHONE_WORD_RE.search(text))
        if heard_loop and (out is None or out.extra.get("complete") != "true"):
            self.caller_number, self.caller_garbled = "", True
        return out

    def _twice_beats_once(self, out: FieldValue | None, text: str) -> FieldValue | None:
        """A complete number from the caller: counted; it does not replace a different
        number said twice (by the caller or read back by the agent) when it is said once and
        without a correction (不对 / 说错了 …)."""
        if out is None or out.extra.get("complete") != "true":
            return out
        n = sum(out.value in _numbers_in_run(d, g) for d, g, _w in _runs(_phone_text(text)))
        self.said[out.value] = self.said.get(out.value, 0) + max(n, 1)
        cur = self.current
        if (
            cur
            and cur != out.value
            and self.said.get(cur, 0) >= 2 > self.said[out.value]
            and not _CORRECTION_RE.search(_phone_text(text))
        ):
            return None
        self.current = out.value
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
        self.current = edited
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
        if digits == self.current:
            self.said[digits] = self.said.get(digits, 0) + 1
        caller = self.caller_number
        extends = bool(caller) and _only_insertions(caller, digits)
        if (
            caller
            and phone_kind(caller)
            and (kind != "local" or len(caller) == len(digits))
            and not extends
        ):
            return None  # the caller gave a valid number: only a confirmation replaces it
        near = extends or (bool(caller) and _edit_distance(caller, digits) <= 2)
        src = "readback_fixes_caller" if near else "readback_only"
        if digits != self.current:
            self.current = digits
            self.said[digits] = self.said.get(digits, 0) + 1
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
