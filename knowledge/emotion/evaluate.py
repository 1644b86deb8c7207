"""Emotion metrics: accuracy, per-class precision / recall, confusion matrix; dev-set halves.

Dev-set halves (fixed once, before any result was looked at): ``catalogue_a.jsonl`` is
*tune*, ``catalogue_b.jsonl`` is *report*; ``scope.jsonl`` is split by the SHA-1 of the line's
id (an ASR variant follows the line it was derived from, ``of``): even last hex digit ->
tune, odd -> report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.emotion.data import EMOTIONS

__all__ = [
    "CallEmotionReport",
    "EmotionReport",
    "call_gold",
    "dev_rows",
    "dev_split",
    "emotion_report",
    "evaluate_calls_emotion",
]


def dev_split(row: dict[str, Any]) -> str:
    """``tune`` or ``report`` for a dev-set row read by :func:`knowledge.evaluation.load_devset`."""
    source = str(row.get("_source", ""))
    if source.startswith("catalogue_a"):
        return "tune"
    if source.startswith("catalogue_b"):
        return "report"
    key = str(row.get("of") or row.get("id"))
    return "tune" if int(hashlib.sha1(key.encode()).hexdigest()[-1], 16) % 2 == 0 else "report"


def dev_rows(devset_dir: Path, split: str) -> list[dict[str, Any]]:
    """Dev-set lines with an emotion label in one half (``tune``/``report``) or ``all``."""
    from knowledge.evaluation import load_devset

    files = sorted(devset_dir.glob("*.jsonl"))
    rows = [r for r in load_devset(files) if r.get("emotion") in EMOTIONS]
    return [r for r in rows if split == "all" or dev_split(r) == split]


@dataclass(frozen=True)
class EmotionReport:
    """Confusion matrix ``matrix[gold][pred]`` in :data:`EMOTIONS` order."""

    matrix: tuple[tuple[int, ...], ...]

    @property
    def n(self) -> int:
        return sum(map(sum, self.matrix))

    @property
    def accuracy(self) -> float:
        return sum(self.matrix[i][i] for i in range(len(EMOTIONS))) / self.n if self.n else 0.0

    def precision(self, emotion: str) -> float | None:
        i = EMOTIONS.index(emotion)
        col = sum(row[i] for row in self.matrix)
        return self.matrix[i][i] / col if col else None

    def recall(self, emotion: str) -> float | None:
        i = EMOTIONS.index(emotion)
        row = sum(self.matrix[i])
        return self.matrix[i][i] / row if row else None

    @property
    def calm_flagged(self) -> float | None:
        """Share of calm callers given an anger or distress label (and so its script)."""
        row = self.matrix[0]
        return (sum(row) - row[0]) / sum(row) if sum(row) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "precision": {e: self.precision(e) for e in EMOTIONS},
            "recall": {e: self.recall(e) for e in EMOTIONS},
            "calm_flagged": self.calm_flagged,
            "confusion": {g: dict(zip(EMOTIONS, row, strict=True)) for g, row in
                          zip(EMOTIONS, self.matrix, strict=True)},
        }  # fmt: skip

    def lines(self) -> list[str]:
        """A plain-text rendering: summary line, per-class P/R, confusion matrix."""

        def pct(x: float | None) -> str:
            return "—" if x is None else f"{x:.2f}"

        out = [f"n={self.n} accuracy={self.accuracy:.3f} calm flagged={pct(self.calm_flagged)}"]
        for e in EMOTIONS:
            out.append(f"  {e:<10} P={pct(self.precision(e))} R={pct(self.recall(e))}")
        out.append("  gold \\ got " + " ".join(f"{e:>10}" for e in EMOTIONS))
        for e, row in zip(EMOTIONS, self.matrix, strict=True):
            out.append(f"  {e:<11}" + " ".join(f"{v:>10}" for v in row))
        return out


def emotion_report(gold: Sequence[str], pred: Sequence[str]) -> EmotionReport:
    m = [[0] * len(EMOTIONS) for _ in EMOTIONS]
    for g, p in zip(gold, pred, strict=True):
        m[EMOTIONS.index(g)][EMOTIONS.index(p)] += 1
    return EmotionReport(tuple(tuple(r) for r in m))


def call_gold(call: dict[str, Any]) -> str:
    """Call-level label of a whole dev call (the calls carry no per-turn emotion): ``angry``
    when tagged angry, ``distressed`` for an emergency, else ``calm``. A proxy: a calm
    emergency caller exists, and an angry call has calm turns."""
    if "angry" in (call.get("tags") or []):
        return "angry"
    if (call.get("ticket") or {}).get("urgency") == "emergency":
        return "distressed"
    return "calm"


@dataclass(frozen=True)
class CallEmotionReport:
    """Per call: the peak of the caller's tracked emotion against :func:`call_gold`, and how
    often the empathy script would be offered (rises of the call level)."""

    report: EmotionReport
    offers: tuple[int, ...]  # empathy offers per call
    caller_turns: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.report.as_dict(), "offers_per_call": sum(self.offers) / max(len(self.offers), 1),
                "max_offers": max(self.offers, default=0), "caller_turns": self.caller_turns}  # fmt: skip


def evaluate_calls_emotion(turn_emotion: Any, calls: Sequence[dict[str, Any]]) -> CallEmotionReport:
    """Track each call's caller turns with :class:`CallEmotion`; ``turn_emotion(text)`` gives
    one turn's emotion (e.g. ``engine.caller_emotion``). Agent turns are skipped."""
    from knowledge.emotion.track import CallEmotion

    gold: list[str] = []
    pred: list[str] = []
    offers: list[int] = []
    n = 0
    for call in calls:
        mood = CallEmotion()
        for turn in call.get("turns") or []:
            if turn.get("speaker") != "caller" or not str(turn.get("text", "")).strip():
                continue
            n += 1
            mood.update(str(turn_emotion(str(turn["text"]))))
        gold.append(call_gold(call))
        pred.append(mood.peak)
        offers.append(len(mood.rises))
    return CallEmotionReport(emotion_report(gold, pred), tuple(offers), n)
