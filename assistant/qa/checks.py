"""The seven checks of the QA scorecard (质检评分项), one function each, with their thresholds.

Items (points, as in :data:`assistant.qa.items.POINTS`; an item that does not apply is
"n.a." and leaves the total's base):

* ``greeting`` 规范开场 (15): the agent's first turn contains a greeting marker of the scripts
  (``greeting_markers``) and starts within :data:`GREETING_WINDOW_S` of the call start.
* ``empathy`` 安抚共情 (15): when the caller is angry or distressed, an agent turn that
  starts after that caller turn, within :data:`EMPATHY_WINDOW_S`, contains an empathy marker.
  The caller's emotion is the call-level signal of :class:`knowledge.emotion.CallEmotion`
  over the caller's turns (agent turns ignored; per turn :func:`knowledge.classify.detect_emotion`)
  and, for saved sessions, the assistant's (call-level) emotion in ``suggestions.jsonl``.
* ``forbidden`` 服务禁语 (25): no forbidden phrase of the scripts in any agent turn, judged
  in context by :func:`assistant.qa.phrases.counts` (a quoted, negated or literal use, or
  one about the agent's own work for the caller, is not one).
* ``readback`` 复述核对 (15): an agent turn with a read-back marker before the agent's last
  turn (the closing). n.a. when the call was referred or declined (no ticket to confirm).
* ``talk_ratio`` 说话占比 (10): the agent speaks at most :data:`MAX_AGENT_SHARE` of the
  speaking time (the caller must be heard).
* ``silence`` 最长静默 (10): no gap with nobody speaking longer than :data:`MAX_SILENCE_S`.
* ``talk_over`` 抢话 (10): the agent does not start speaking while the caller is still speaking
  for more than :data:`TALK_OVER_MIN_S` (from the channel timings of the final events). Event
  times of VAD-segmented recognisers (Whisper) include up to ``speech_pad_s`` of silence at
  each end (:class:`asr.whisper.vad.VadConfig`), so two turns 0.45 s apart can "overlap" by 0.3 s:
  for events without word timings from such engines the threshold grows by half the padding
  of each of the two turns. Scripted/typed events and word timings are exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from asr.events import TranscriptEvent
from assistant.labels import VERDICT_LABELS
from assistant.qa import phrases
from assistant.qa.items import LABELS, POINTS, Moment, QAItem, Status, fmt_time

if TYPE_CHECKING:
    from knowledge.scripts import Scripts

GREETING_WINDOW_S = 10.0
EMPATHY_WINDOW_S = 30.0
MAX_AGENT_SHARE = 0.80
MAX_SILENCE_S = 10.0
TALK_OVER_MIN_S = 0.25
EXACT_TIMING_ENGINES = ("script", "typed", "")


def _moment(ev: TranscriptEvent, quote: str | None = None) -> Moment:
    return Moment(ev.start, ev.speaker, quote if quote is not None else ev.text)


def _item(
    key: str,
    status: Status,
    detail: str,
    moments: Sequence[Moment] = (),
    value: float | None = None,
    points: float | None = None,
) -> QAItem:
    mx = POINTS[key]
    pts = (mx if status == "pass" else 0.0) if points is None else points
    if status == "na":
        pts = 0.0
    return QAItem(key, LABELS[key], status, round(pts, 1), mx, detail, tuple(moments), value)


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _length(intervals: list[tuple[float, float]]) -> float:
    return sum(e - s for s, e in intervals)


def speaking_seconds(events: Sequence[TranscriptEvent]) -> float:
    """Seconds of speech in ``events``, overlapping turns counted once."""
    return _length(_merge([(e.start, e.end) for e in events]))


# --------------------------------------------------------------------------- the checks


def greeting(agent: list[TranscriptEvent], scripts: Scripts) -> QAItem:
    if not agent:
        return _item("greeting", "fail", "整通电话没有话务员发言，未规范开场。")
    first = agent[0]
    hit = next((m for m in scripts.greeting_markers if m in first.text), None)
    if hit and first.start <= GREETING_WINDOW_S:
        return _item("greeting", "pass", f"开场使用了规范问候语“{hit}”。", [_moment(first)])
    if hit:
        return _item("greeting", "fail",
                     f"问候语“{hit}”出现在 {first.start:.0f} 秒，晚于 {GREETING_WINDOW_S:.0f} 秒。",
                     [_moment(first)])  # fmt: skip
    return _item("greeting", "fail",
                 "话务员第一句话没有规范问候语（如“您好，12345热线”），请使用标准开场白。",
                 [_moment(first)])  # fmt: skip


def _emotional_turn(
    caller: list[TranscriptEvent], emotion_times: Sequence[tuple[float, str]]
) -> tuple[TranscriptEvent, str] | None:
    from knowledge.classify import detect_emotion
    from knowledge.emotion.track import CallEmotion

    found: tuple[TranscriptEvent, str] | None = None
    mood = CallEmotion()  # the call-level signal the live assistant uses (caller turns only)
    for ev in caller:
        if mood.update(str(detect_emotion(ev.text))):
            found = (ev, mood.level)
            break
    for t, said in emotion_times:  # the assistant's view (cumulative analysis of the caller)
        if said == "calm":
            continue
        turn = next((e for e in reversed(caller) if e.end <= t + 1e-6), None)
        if turn is not None and (found is None or turn.start < found[0].start):
            found = (turn, said)
        break
    return found


def empathy(
    caller: list[TranscriptEvent],
    agent: list[TranscriptEvent],
    scripts: Scripts,
    emotion_times: Sequence[tuple[float, str]],
) -> QAItem:
    hit = _emotional_turn(caller, emotion_times)
    if hit is None:
        return _item("empathy", "na", "来电人情绪平稳，无需安抚。")
    ev, emo = hit
    feeling = "情绪激动" if emo == "angry" else "焦急不安"
    after = [a for a in agent if a.start >= ev.start and a.start <= ev.end + EMPATHY_WINDOW_S]
    for a in after:
        marker = next((m for m in scripts.empathy_markers if m in a.text), None)
        if marker:
            return _item("empathy", "pass",
                         f"来电人{feeling}，话务员及时安抚（“{marker}”）。",
                         [_moment(ev), _moment(a)])  # fmt: skip
    return _item("empathy", "fail",
                 f"来电人{feeling}，但话务员在 {EMPATHY_WINDOW_S:.0f} 秒内没有安抚用语"
                 "（如“我很理解您的心情”“您先别着急”）。", [_moment(ev)])  # fmt: skip


def forbidden(agent: list[TranscriptEvent], scripts: Scripts) -> QAItem:
    moments: list[Moment] = []
    kinds: list[str] = []
    for a in agent:
        for m in scripts.find_forbidden(a.text):
            if not phrases.counts(a.text, m):  # quoted, negated, literal, for the caller ...
                continue
            moments.append(_moment(a, m.text))
            kinds.append(f"“{m.text}”（{m.kind}）")
    if not moments:
        return _item("forbidden", "pass", "未发现服务禁语。")
    return _item("forbidden", "fail",
                 f"使用了 {len(moments)} 处服务禁语：{'、'.join(kinds[:5])}。", moments)  # fmt: skip


def readback(agent: list[TranscriptEvent], scripts: Scripts, verdict: str | None) -> QAItem:
    if verdict in ("refer", "decline"):
        return _item(
            "readback", "na", f"本次来电{VERDICT_LABELS[verdict]}，不生成受理工单，无需复述核对。"
        )
    before_close = agent[:-1] if len(agent) > 1 else agent
    for a in before_close:
        marker = next((m for m in scripts.readback_markers if m in a.text), None)
        if marker:
            return _item("readback", "pass", f"结束前向来电人复述核对了信息（“{marker}”）。",
                         [_moment(a)])  # fmt: skip
    last = [_moment(agent[-1])] if agent else []
    return _item("readback", "fail",
                 "结束通话前没有复述核对来电人信息（姓名、电话、地址、诉求）。", last)  # fmt: skip


def talk_ratio(caller_s: float, agent_s: float) -> QAItem:
    total = caller_s + agent_s
    if total <= 0:
        return _item("talk_ratio", "na", "没有可计算的说话时间。")
    share = agent_s / total
    text = f"话务员说话 {agent_s:.0f} 秒，来电人 {caller_s:.0f} 秒，话务员占 {share:.0%}"
    if share <= MAX_AGENT_SHARE:
        return _item("talk_ratio", "pass", text + "。", value=round(share, 3))
    return _item(
        "talk_ratio",
        "fail",
        text + f"，超过 {MAX_AGENT_SHARE:.0%}：请多倾听来电人。",
        value=round(share, 3),
    )


def silence(finals: list[TranscriptEvent]) -> QAItem:
    spans = _merge([(e.start, e.end) for e in finals])
    if len(spans) < 2:
        return _item("silence", "na", "发言不足，无法计算静默。")
    gap, at = 0.0, spans[0][1]
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        if s2 - e1 > gap:
            gap, at = s2 - e1, e1
    nxt = next((e for e in finals if e.start >= at + gap - 1e-6), None)
    moments = [Moment(at, nxt.speaker, nxt.text)] if nxt is not None else []
    text = f"最长静默 {gap:.1f} 秒（从 {fmt_time(at)} 开始）"
    if gap <= MAX_SILENCE_S:
        return _item("silence", "pass", text + "。", moments, value=round(gap, 2))
    return _item("silence", "fail", text + f"，超过 {MAX_SILENCE_S:.0f} 秒：长时间无人说话时请"
                 "告知来电人正在查询或记录。", moments, value=round(gap, 2))  # fmt: skip


def _timing_pad(ev: TranscriptEvent) -> float:
    """How much silence the event's times may include at each end (see module doc)."""
    if ev.words or ev.engine in EXACT_TIMING_ENGINES:
        return 0.0
    from asr.whisper.vad import VadConfig

    return float(VadConfig().speech_pad_s)


def _span(ev: TranscriptEvent) -> tuple[float, float]:
    if ev.words:
        return ev.words[0].start, ev.words[-1].end
    return ev.start, ev.end


def talk_over(caller: list[TranscriptEvent], agent: list[TranscriptEvent]) -> QAItem:
    moments: list[Moment] = []
    worst = 0.0
    caller_interrupts = 0
    for a in agent:
        a0, a1 = _span(a)
        for c in caller:
            c0, c1 = _span(c)
            limit = TALK_OVER_MIN_S + (_timing_pad(a) + _timing_pad(c)) / 2
            if c0 < a0 < c1:  # the agent starts while the caller speaks
                ov = min(c1, a1) - a0
                if ov >= limit:
                    moments.append(_moment(a))
                    worst = max(worst, ov)
            elif a0 < c0 < a1 and min(a1, c1) - c0 >= limit:
                caller_interrupts += 1
    note = f"（来电人插话 {caller_interrupts} 次，不计入话务员）" if caller_interrupts else ""
    if not moments:
        return _item("talk_over", "pass", f"话务员没有打断来电人。{note}")
    return _item("talk_over", "fail",
                 f"话务员在来电人说话时抢话 {len(moments)} 次（最长重叠 {worst:.2f} 秒）"
                 f"，请等来电人说完再回应。{note}", moments, value=round(worst, 2))  # fmt: skip
