"""The caller's emotion over a whole call (the agent's words are never fed in).

:class:`CallEmotion` takes the emotion of each caller turn in order and keeps a call
*level*: it rises at once when a turn is angry or distressed (a calm -> upset change, or
distressed -> angry / angry -> distressed), and falls back to calm only after
``calm_to_fall`` calm caller turns in a row (short answers such as "对的" or a spelled name
do not mean the caller has calmed down). ``rose`` tells whether the latest turn raised the
level: the empathy script is offered then, not repeated on every turn. The QA scorecard's
"empathy when needed" item reads the same signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CallEmotion"]


@dataclass
class CallEmotion:
    calm_to_fall: int = 2
    level: str = "calm"
    rose: bool = False  # the latest caller turn raised the level
    turns: list[str] = field(default_factory=list)  # per caller turn emotion
    rises: list[int] = field(default_factory=list)  # caller-turn indexes where it rose
    _calm_run: int = 0

    def update(self, emotion: str) -> bool:
        """Take one caller turn's emotion; True when the call level rose with it."""
        self.turns.append(emotion)
        self.rose = False
        if emotion == "calm":
            self._calm_run += 1
            if self.level != "calm" and self._calm_run >= self.calm_to_fall:
                self.level = "calm"
            return False
        self._calm_run = 0
        if emotion != self.level:
            self.level = emotion
            self.rose = True
            self.rises.append(len(self.turns) - 1)
        return self.rose

    @property
    def peak(self) -> str:
        """The strongest emotion of the call so far (angry > distressed > calm)."""
        for e in ("angry", "distressed"):
            if e in self.turns:
                return e
        return "calm"
