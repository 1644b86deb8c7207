"""Public value types of a call session: what the core gives out to the TUI, CLI and replay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from asr.events import TranscriptEvent
from knowledge.types import Suggestion

FieldName = Literal["name", "phone", "address", "incident_time", "category", "summary"]
FieldStatus = Literal["suggested", "confirmed", "edited", "empty"]
TICKET_FIELDS: tuple[str, ...] = (
    "name",
    "phone",
    "address",
    "incident_time",
    "category",
    "summary",
)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One ticket field: its value, how sure the assistant is, and the words it came from."""

    name: str
    value: str
    confidence: float = 0.0
    source_text: str = ""
    status: FieldStatus = "suggested"
    at: float | None = None  # call time (s) of the evidence
    extra: dict[str, str] = field(default_factory=dict)  # e.g. address parts, phone kind


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the call-taker must act on now (emergency transfer, out-of-scope referral)."""

    kind: Literal["emergency", "refer", "decline", "repeat_caller", "duplicate"]
    title: str
    script: str
    channel: str | None = None
    rule_id: str | None = None
    at: float | None = None


@dataclass(frozen=True, slots=True)
class DueTimes:
    """Deadlines implied by the urgency / category (Beijing-style rules)."""

    assign_by: datetime
    resolve_by: datetime
    deadline_class: str


@dataclass(frozen=True, slots=True)
class VerdictCause:
    """Why the call has its verdict: the final segment (index into ``transcript``), who said
    it (``caller``, ``agent`` or ``override`` — the call-taker), the words and the strength."""

    turn: int | None
    source: str
    cue: str = ""
    strength: float = 0.0


@dataclass(frozen=True, slots=True)
class SessionState:
    """A snapshot of everything the assistant knows about the call so far."""

    call_id: str
    started_at: datetime
    transcript: tuple[TranscriptEvent, ...]
    partials: dict[str, TranscriptEvent]
    fields: dict[str, FieldValue]
    suggestions: tuple[Suggestion, ...]
    uncertain: bool
    verdict: str
    channel: str | None
    reason: str | None
    guidance: str | None
    urgency: str
    due: DueTimes | None
    emotion: str
    empathy_script: str | None
    next_question: str | None
    summary: str
    alerts: tuple[Alert, ...]
    semantic_ready: bool = True
    revision: int = 0
    dialogue_acts: tuple[tuple[str, ...], ...] = ()  # per final segment, as ``transcript``
    verdict_cause: VerdictCause | None = None  # None: nothing against accepting
