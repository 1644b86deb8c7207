"""Guards against invented text: Whisper's loops, repetitions and noise hallucinations.

Pure text functions used by :class:`asr.whisper.decoder.WhisperEngine` after each decode:
:func:`collapse_repeats` (a phrase said over and over), :func:`has_digit_loop` /
:func:`truncate_digit_loop` (a digit string looping: ``158123456781567815812…``),
:func:`is_hallucination` (subtitle credits Whisper produces from noise) and
:func:`compression_ratio` (zlib ratio: very repetitive text compresses well) and
:func:`strip_prompt_echo` (the decoding prompt emitted as if it had been said).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from asr.text import strip_punct
from asr.text.numerals import digit_chars, to_digits
from asr.text.phone import is_mobile

__all__ = [
    "HALLUCINATIONS",
    "MAX_DIGIT_RUN",
    "DecodeResult",
    "collapse_repeats",
    "compression_ratio",
    "has_digit_loop",
    "is_hallucination",
    "strip_prompt_echo",
    "truncate_digit_loop",
]

# Texts Whisper produces from noise, music or silence (subtitle credits of its training data).
# Texts Whisper produces from noise, music or silence (subtitle credits of its training data).
HALLUCINATIONS: tuple[str, ...] = (
    "谢谢观看",
    "谢谢大家观看",
    "感谢观看",
    "谢谢收看",
    "感谢收看",
    "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    "请不吝点赞订阅转发",
    "点赞订阅转发",
    "欢迎订阅",
    "订阅我的频道",
    "字幕由amara.org社区提供",
    "字幕by索兰娅",
    "中文字幕",
    "优优独播剧场",
    "yoyo television series exclusive",
    "明镜需要您的支持",
    "本字幕由",
    "以下是普通话的句子",
    "使用简体中文",
)
_HALLUCINATION_KEYS = tuple(strip_punct(h).lower() for h in HALLUCINATIONS)
_REPEAT_RE = re.compile(r"(.{1,10}?)\1{3,}", re.DOTALL)
_SEP = r"[，,。.！!？?、；;\s]*"
_DOUBLED_RE = re.compile(f"(\\S{{4,}}?)(?:{_SEP}\\1)+", re.DOTALL)
_NUMERIC = re.compile(rf"[\d{digit_chars()}十\s\-]+")
# a digit run, with the marks Whisper puts between the groups of one number (158-1234-5678,
# 一三四七三八二一三六八﹑…); spaces and list commas part two numbers, so they end a run
_GROUP_SEP = "-‐‑–—﹑"
_DIGIT_RUN = re.compile(
    rf"[\d{digit_chars()}](?:[{re.escape(_GROUP_SEP)}]?[\d{digit_chars()}]){{12,}}"
)
MAX_DIGIT_RUN = 20  # no phone number, ID or amount said in one go is longer


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def collapse_repeats(text: str, min_total: int = 12) -> str:
    """Undo Whisper's looping: a short phrase repeated four or more times in a row
    (covering at least ``min_total`` characters) and a phrase of four or more characters
    said twice or more in a row (``给我带来了身体健康。给我带来了身体健康。``) are kept once.
    Digit strings are never touched (``13800138000`` repeats ``13800`` legitimately)."""

    def loop(m: re.Match[str]) -> str:
        if _NUMERIC.fullmatch(m.group(1)) or len(m.group(0)) < min_total:
            return m.group(0)
        return m.group(1)

    def doubled(m: re.Match[str]) -> str:
        return m.group(0) if _NUMERIC.fullmatch(m.group(1)) else m.group(1)

    return _DOUBLED_RE.sub(doubled, _REPEAT_RE.sub(loop, text))


def _looping_run(run: str) -> bool:
    digits = re.sub(r"\D", "", to_digits(run))
    if len(digits) > MAX_DIGIT_RUN:
        return True
    grams = [digits[i : i + 4] for i in range(len(digits) - 3)]
    return any(grams.count(g) >= 3 for g in set(grams))


def has_digit_loop(text: str) -> bool:
    """Whether Whisper looped on a digit string: a run of more than ``MAX_DIGIT_RUN`` digits,
    or of more than 12 with a 4-digit pattern said three times (``158123456781567815812…``).
    Legitimate numbers (11-12 digit phone numbers, ``13800138000``) are not loops."""
    return any(_looping_run(m.group(0)) for m in _DIGIT_RUN.finditer(text or ""))


def truncate_digit_loop(text: str) -> str:
    """Cut each looping digit run (see :func:`has_digit_loop`) to its first repetition: the
    shortest period of 7-12 digits the run starts by repeating, else its first 11 digits when
    they make a mobile number; a loop with neither is left as it is (the field extractor
    treats it as garbage)."""

    def cut(m: re.Match[str]) -> str:
        run = m.group(0)
        if not _looping_run(run):
            return run
        # the position in ``run`` after each of its digits (separators are not digits)
        ends = [i + 1 for i, ch in enumerate(run) if ch not in _GROUP_SEP]
        digits = re.sub(r"\D", "", to_digits(run))
        if len(digits) != len(ends):  # pragma: no cover - one digit per digit character
            return run
        for period in range(7, 13):
            if digits[:period] == digits[period : 2 * period]:
                return run[: ends[period - 1]]
        if is_mobile(digits[:11]):
            return run[: ends[10]]
        return run

    return _DIGIT_RUN.sub(cut, text)


def is_hallucination(text: str) -> bool:
    """Whether ``text`` consists only of Whisper's known noise hallucinations."""
    key = strip_punct(text).lower().replace(" ", "")
    if not key:
        return True
    for h in _HALLUCINATION_KEYS:
        key = key.replace(h, "")
    return not key


PROMPT_ECHO_MIN = 5  # characters of the prompt that make an echo (real speech rarely repeats 5)


def strip_prompt_echo(text: str, prompt: str, min_chars: int = PROMPT_ECHO_MIN) -> str:
    """Remove the parts of ``text`` that repeat the decoding prompt.

    Whisper sometimes emits its initial prompt (or hotword list) as speech, often slightly
    changed (``我这是普通话的句子使用简体中文`` for the prompt ``以下是普通话的句子，使用简体中文。``).
    Every stretch of ``text`` that shares at least ``min_chars`` consecutive characters
    (punctuation ignored) with ``prompt`` is cut, together with up to two characters on each
    side that also occur in the prompt (the changed edges of the echo). Shorter overlaps are
    kept: they are ordinary words the prompt happens to contain."""
    if not text or not prompt:
        return text
    key = strip_punct(prompt)
    if len(key) < min_chars:
        return text
    chars = set(key)
    # index the prompt's n-grams once; scan the text's characters (punctuation skipped)
    grams = {key[i : i + min_chars] for i in range(len(key) - min_chars + 1)}
    pos = [i for i, c in enumerate(text) if strip_punct(c)]
    flat = "".join(text[i] for i in pos)
    hit = [False] * len(flat)
    for i in range(len(flat) - min_chars + 1):
        if flat[i : i + min_chars] in grams:
            for j in range(i, i + min_chars):
                hit[j] = True
    if not any(hit):
        return text
    for i, h in enumerate(list(hit)):
        if not h:
            continue
        for step in (-1, 1):  # widen over the echo's changed edges
            j = i + step
            for _ in range(2):
                if not 0 <= j < len(flat) or hit[j] or flat[j] not in chars:
                    break
                hit[j] = True
                j += step
    _absorb_fragments(flat, hit)
    keep = [True] * len(text)
    for i, h in enumerate(hit):
        if h:
            keep[pos[i]] = False
    out = "".join(c for c, k in zip(text, keep, strict=True) if k)
    return re.sub(r"^[，,。.、；;\s]+", "", out).strip()


def _absorb_fragments(flat: str, hit: list[bool], max_len: int = 2) -> None:
    """Mark the one- or two-character remnants between an echo and the start / end of the
    text (``我这`` of ``我这是普通话的句子…``): alone they are not speech."""
    runs = [i for i in range(len(hit)) if hit[i] and (i == 0 or not hit[i - 1])]
    ends = [i for i in range(len(hit)) if hit[i] and (i == len(hit) - 1 or not hit[i + 1])]
    if runs and 0 < runs[0] <= max_len:
        for j in range(runs[0]):
            hit[j] = True
    if ends and 0 < len(hit) - 1 - ends[-1] <= max_len:
        for j in range(ends[-1] + 1, len(hit)):
            hit[j] = True


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """One Whisper decode of an utterance, with the quality signals used by the guards."""

    raw: str  # Simplified Chinese, repetitions collapsed; "" when rejected
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    rejected: str | None = None  # why the text was dropped, None when kept
    decode_s: float = 0.0
