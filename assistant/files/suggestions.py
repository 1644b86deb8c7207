"""``suggestions.jsonl`` of a saved session: what the assistant showed after each final event.

One :class:`SuggestionRecord` per line (its categories as :class:`CategoryRecord`, its
alerts as :class:`AlertRecord`), written by :class:`~assistant.files.session_writer.SessionWriter`
and read back by :func:`read_suggestions` through :mod:`asr.jsonl` (a torn last line is
ignored). Format: ``docs/session-format.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.jsonl import read_lines
from assistant.errors import SessionFileError

if TYPE_CHECKING:
    from assistant.core.state import SessionState

__all__ = [
    "SCORE_DIGITS",
    "SUGGESTIONS_FILE",
    "AlertRecord",
    "CategoryRecord",
    "SuggestionRecord",
    "read_suggestions",
]

SUGGESTIONS_FILE = "suggestions.jsonl"
SCORE_DIGITS = 3


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """One suggested catalogue leaf at a moment of the call."""

    id: str
    path: str
    department: str
    deadline: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "department": self.department,
                "deadline": self.deadline, "score": self.score}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AlertRecord:
    kind: str
    title: str
    channel: str | None = None
    rule_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "channel": self.channel,
                "rule_id": self.rule_id}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SuggestionRecord:
    """What the assistant showed after a final event (one line of ``suggestions.jsonl``)."""

    t: float
    categories: tuple[CategoryRecord, ...]
    uncertain: bool
    verdict: str
    channel: str | None
    reason: str | None
    urgency: str
    emotion: str
    guidance: str | None
    fields: dict[str, str] = field(default_factory=dict)
    alerts: tuple[AlertRecord, ...] = ()
    next_question: str | None = None

    @property
    def top(self) -> CategoryRecord | None:
        return self.categories[0] if self.categories else None

    def content(self) -> dict[str, Any]:
        """Everything but the time (two records with equal content are the same state)."""
        d = self.to_dict()
        d.pop("t")
        return d

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "categories": [c.to_dict() for c in self.categories],
            "uncertain": self.uncertain,
            "verdict": self.verdict,
            "channel": self.channel,
            "reason": self.reason,
            "urgency": self.urgency,
            "emotion": self.emotion,
            "guidance": self.guidance,
            "fields": dict(self.fields),
            "alerts": [a.to_dict() for a in self.alerts],
            "next_question": self.next_question,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SuggestionRecord:
        cats = tuple(
            CategoryRecord(str(c["id"]), str(c.get("path", "")), str(c.get("department", "")),
                           str(c.get("deadline", "")), float(c.get("score", 0.0)))
            for c in d.get("categories", [])
        )  # fmt: skip
        alerts = tuple(
            AlertRecord(str(a["kind"]), str(a.get("title", "")), a.get("channel"), a.get("rule_id"))
            for a in d.get("alerts", [])
        )
        return cls(
            t=float(d["t"]),
            categories=cats,
            uncertain=bool(d.get("uncertain", False)),
            verdict=str(d.get("verdict", "accept")),
            channel=d.get("channel"),
            reason=d.get("reason"),
            urgency=str(d.get("urgency", "normal")),
            emotion=str(d.get("emotion", "calm")),
            guidance=d.get("guidance"),
            fields={str(k): str(v) for k, v in (d.get("fields") or {}).items()},
            alerts=alerts,
            next_question=d.get("next_question"),
        )

    @classmethod
    def from_state(cls, state: SessionState, t: float, k: int = 3) -> SuggestionRecord:
        """The record of a :class:`~assistant.core.state.SessionState` at call time ``t``."""
        cats = tuple(
            CategoryRecord(s.leaf.id, s.leaf.path_text, s.leaf.department, s.leaf.deadline,
                           round(float(s.score), SCORE_DIGITS))
            for s in state.suggestions[:k]
        )  # fmt: skip
        alerts = tuple(AlertRecord(a.kind, a.title, a.channel, a.rule_id) for a in state.alerts)
        fields = {name: fv.value for name, fv in sorted(state.fields.items()) if fv.value}
        return cls(
            t=round(float(t), 3),
            categories=cats,
            uncertain=state.uncertain,
            verdict=state.verdict,
            channel=state.channel,
            reason=state.reason,
            urgency=state.urgency,
            emotion=state.emotion,
            guidance=state.guidance,
            fields=fields,
            alerts=alerts,
            next_question=state.next_question,
        )


def read_suggestions(path: Path) -> tuple[SuggestionRecord, ...]:
    """The records of a ``suggestions.jsonl`` (none when the file is absent).

    A torn last line (not JSON, or not an object) is skipped; any other bad line raises
    :class:`SessionFileError` naming the file and line.
    """
    if not path.is_file():
        return ()
    try:
        lines = list(read_lines(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read the suggestions ({exc})") from exc
    out: list[SuggestionRecord] = []
    for line in lines:
        try:
            if line.error is not None:
                raise line.error
            if not isinstance(line.value, dict):
                raise ValueError("not a JSON object")
            out.append(SuggestionRecord.from_dict(line.value))
        except (ValueError, KeyError, TypeError) as exc:
            if line.last and not isinstance(exc, KeyError | TypeError):
                break  # torn final line after a crash
            raise SessionFileError(
                f"{path}:{line.number}: malformed suggestion record ({type(exc).__name__}: "
                f"{exc}); fix or delete this line"
            ) from exc
    return tuple(out)
