"""QA scorecard for the review screen.

Uses ``assistant.qa`` (the shared QA scorer) when installed; until then a plain check of
the agent's speech against the script phrase lists of the knowledge base (greeting,
empathy, read-back, closing, forbidden phrases), and the scorecard says so.
Nothing here imports textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asr.events import TranscriptEvent


@dataclass(frozen=True, slots=True)
class QAItem:
    name: str
    passed: bool | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class QACard:
    items: tuple[QAItem, ...]
    total: float | None  # 0..100
    scorer: str
    raw: Any = None


def simple_card(events: list[TranscriptEvent], engine: Any) -> QACard:
    scripts = getattr(engine, "scripts", None)
    agent = "".join(e.text for e in events if e.final and e.speaker == "agent")
    items: list[QAItem] = []
    if scripts is not None:
        for name, markers in (
            ("规范开场", scripts.greeting_markers),
            ("安抚共情", scripts.empathy_markers),
            ("复述核对", scripts.readback_markers),
            ("规范结束语", scripts.closing_markers),
        ):
            hit = next((m for m in markers if m in agent), None)
            items.append(QAItem(name, hit is not None, f"“{hit}”" if hit else "未听到"))
        bad = scripts.find_forbidden(agent)
        items.append(
            QAItem(
                "服务禁语",
                not bad,
                "、".join(f"{m.phrase}（{m.kind}）" for m in bad[:3]) if bad else "无",
            )
        )
    passed = [i for i in items if i.passed is not None]
    total = 100.0 * sum(1 for i in passed if i.passed) / len(passed) if passed else None
    return QACard(tuple(items), total, "simple")


def scorecard(events: list[TranscriptEvent], engine: Any, folder: Any = None) -> QACard:
    try:
        from assistant import qa  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return simple_card(events, engine)
    fn = getattr(qa, "score_call", None) or getattr(qa, "scorecard", None)
    if fn is None:
        return simple_card(events, engine)
    try:
        result = fn(events, engine=engine)
    except TypeError:
        result = fn(events)
    items_raw = getattr(result, "items", None) or getattr(result, "checks", None) or ()
    items = tuple(
        QAItem(
            str(getattr(i, "name", getattr(i, "label", "?"))),
            getattr(i, "passed", getattr(i, "ok", None)),
            str(getattr(i, "detail", getattr(i, "evidence", "")) or ""),
        )
        for i in items_raw
    )
    total = getattr(result, "total", getattr(result, "score", None))
    return QACard(items, float(total) if total is not None else None, "assistant.qa", result)
