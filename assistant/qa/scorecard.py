"""Quality-assurance scorecard of a call (质检评分), for the review screen and the HTML report.

The card holds the seven items of :mod:`assistant.qa.checks` (greeting, empathy, forbidden
phrases, read-back, talk ratio, silence, talk-over). ``total`` = points earned / points of
the applicable items x 100; a call *passes* with at least :data:`PASS_MARK` and no forbidden
phrase.

:func:`score_events` scores final events, :func:`score_session` a saved session (folder or
object), :func:`score_call` the events of the review screen with the engine's analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.events import TranscriptEvent
from assistant.qa import checks
from assistant.qa.items import QAItem

if TYPE_CHECKING:
    from assistant.files.session_reader import SavedSession
    from knowledge.scripts import Scripts

PASS_MARK = 80.0


@dataclass(frozen=True, slots=True)
class Scorecard:
    call_id: str
    title: str
    items: tuple[QAItem, ...]
    total: float  # 0..100
    passed: bool
    duration: float
    caller_seconds: float
    agent_seconds: float

    @property
    def score(self) -> float:
        return self.total

    def item(self, key: str) -> QAItem:
        for it in self.items:
            if it.key == key:
                return it
        raise KeyError(key)

    @property
    def misses(self) -> tuple[QAItem, ...]:
        return tuple(i for i in self.items if i.status == "fail")

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "title": self.title,
            "total": self.total,
            "passed": self.passed,
            "pass_mark": PASS_MARK,
            "duration": round(self.duration, 2),
            "caller_seconds": round(self.caller_seconds, 2),
            "agent_seconds": round(self.agent_seconds, 2),
            "items": [i.to_dict() for i in self.items],
        }


def score_events(
    events: Sequence[TranscriptEvent],
    scripts: Scripts | None = None,
    *,
    call_id: str = "",
    title: str = "",
    verdict: str | None = None,
    emotion_times: Sequence[tuple[float, str]] = (),
    duration: float | None = None,
) -> Scorecard:
    """Score final events (partials are ignored). ``verdict``: the call's scope verdict
    (accept/refer/decline) when known; ``emotion_times``: (call time, emotion) pairs of the
    assistant's emotion analysis."""
    if scripts is None:
        from knowledge.scripts import load_scripts

        scripts = load_scripts()
    finals = sorted((e for e in events if e.final and e.text.strip()), key=lambda e: e.start)
    caller = [e for e in finals if e.speaker == "caller"]
    agent = [e for e in finals if e.speaker == "agent"]
    caller_s = checks.speaking_seconds(caller)
    agent_s = checks.speaking_seconds(agent)
    items = (
        checks.greeting(agent, scripts),
        checks.empathy(caller, agent, scripts, emotion_times),
        checks.forbidden(agent, scripts),
        checks.readback(agent, scripts, verdict),
        checks.talk_ratio(caller_s, agent_s),
        checks.silence(finals),
        checks.talk_over(caller, agent),
    )
    base = sum(i.max_points for i in items if i.status != "na")
    earned = sum(i.points for i in items if i.status != "na")
    total = round(100.0 * earned / base, 1) if base else 0.0
    forbidden_ok = next(i for i in items if i.key == "forbidden").status != "fail"
    dur = duration if duration is not None else max((e.end for e in finals), default=0.0)
    return Scorecard(call_id=call_id, title=title or call_id, items=items, total=total,
                     passed=total >= PASS_MARK and forbidden_ok, duration=dur,
                     caller_seconds=caller_s, agent_seconds=agent_s)  # fmt: skip


def score_session(
    session: SavedSession | Sequence[TranscriptEvent] | str | Path,
    scripts: Scripts | None = None,
) -> Scorecard:
    """Scorecard of a saved session (object or folder) or of a list of events."""
    from assistant.files.session_reader import SavedSession, load_session

    if isinstance(session, str | Path):
        session = load_session(session)
    if not isinstance(session, SavedSession):
        return score_events(list(session), scripts)
    verdict = None
    if session.ticket and session.ticket.get("verdict"):
        verdict = str(session.ticket["verdict"])
    elif session.final_state is not None:
        verdict = session.final_state.verdict
    emotions = [(r.t, r.emotion) for r in session.suggestions]
    return score_events(
        session.events,
        scripts,
        call_id=session.call_id,
        title=session.title,
        verdict=verdict,
        emotion_times=emotions,
        duration=session.duration,
    )


def score_call(events: Sequence[TranscriptEvent], engine: Any = None) -> Scorecard:
    """For the review screen: score events with the engine's scripts; the verdict and the
    caller's emotion come from the engine's analysis of the caller's words."""
    scripts = getattr(engine, "scripts", None)
    verdict: str | None = None
    emotions: list[tuple[float, str]] = []
    analyze = getattr(engine, "analyze", None)
    if analyze is not None:
        text = ""
        for ev in sorted((e for e in events if e.final), key=lambda e: e.end):
            if ev.speaker != "caller" or not ev.text.strip():
                continue
            text = f"{text}。{ev.text}" if text else ev.text
            try:
                a = analyze(text[-240:], 3)
            except Exception:
                break
            verdict = a.verdict
            emotions.append((ev.end, a.emotion))
    return score_events(events, scripts, verdict=verdict, emotion_times=emotions)
