"""One item of the QA scorecard: what was decided (:class:`QAItem`), where in the call
(:class:`Moment`), the items' points and Chinese names, and the call-time format they use.

The checks that produce the items are in :mod:`assistant.qa.checks`; the card that adds
them up is :mod:`assistant.qa.scorecard`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from assistant.labels import QA_STATUS_LABELS, SPEAKER_LABELS

Status = Literal["pass", "fail", "na"]

POINTS: dict[str, float] = {
    "greeting": 15.0,
    "empathy": 15.0,
    "forbidden": 25.0,
    "readback": 15.0,
    "talk_ratio": 10.0,
    "silence": 10.0,
    "talk_over": 10.0,
}
LABELS: dict[str, str] = {
    "greeting": "规范开场",
    "empathy": "安抚共情",
    "forbidden": "服务禁语",
    "readback": "复述核对",
    "talk_ratio": "说话占比",
    "silence": "最长静默",
    "talk_over": "抢话",
}
STATUS_LABELS = QA_STATUS_LABELS  # the scorecard's name for the shared table


def fmt_time(t: float) -> str:
    m, s = divmod(max(0.0, t), 60.0)
    return f"{int(m):02d}:{s:04.1f}"


@dataclass(frozen=True, slots=True)
class Moment:
    """Where in the call an item was decided: call time (s), who spoke, what was said."""

    t: float
    speaker: str
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"t": round(self.t, 2), "speaker": self.speaker, "quote": self.quote}

    def label(self) -> str:
        return (
            f"[{fmt_time(self.t)}] {SPEAKER_LABELS.get(self.speaker, self.speaker)}：{self.quote}"
        )


@dataclass(frozen=True, slots=True)
class QAItem:
    key: str
    name: str  # Chinese label
    status: Status
    points: float
    max_points: float
    detail: str  # Chinese explanation
    moments: tuple[Moment, ...] = ()
    value: float | None = None  # the measured number (share, seconds) where there is one

    @property
    def passed(self) -> bool | None:
        return None if self.status == "na" else self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "detail": self.detail,
            "moments": [m.to_dict() for m in self.moments],
            "value": self.value,
        }
