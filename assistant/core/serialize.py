"""JSON-safe views of the call model (for session files, the CLI and replay reports)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from assistant.core.state import FieldValue, SessionState
from knowledge.types import Evidence, Leaf


def _leaf_dict(leaf: Leaf) -> dict[str, Any]:
    return {
        "id": leaf.id,
        "path": list(leaf.path),
        "department": leaf.department,
        "deadline": leaf.deadline,
    }


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    return {
        "keywords": list(ev.keywords),
        "fuzzy": list(ev.fuzzy),
        "nearest_example": ev.nearest_example,
        "semantic": ev.semantic,
        "ranks": dict(ev.ranks),
        "matched": list(ev.matched),
    }


def field_to_dict(fv: FieldValue) -> dict[str, Any]:
    return {
        "value": fv.value,
        "confidence": fv.confidence,
        "source_text": fv.source_text,
        "status": fv.status,
        "at": fv.at,
        "extra": dict(fv.extra),
    }


def state_to_dict(state: SessionState) -> dict[str, Any]:
    """A JSON-safe view of a session state (for files, the CLI and replay reports)."""
    return {
        "call_id": state.call_id,
        "started_at": state.started_at.isoformat(),
        "revision": state.revision,
        "transcript": [e.to_dict() for e in state.transcript],
        "partials": {k: v.to_dict() for k, v in state.partials.items()},
        "fields": {k: field_to_dict(v) for k, v in state.fields.items()},
        "suggestions": [
            {"leaf": _leaf_dict(s.leaf), "score": s.score, "evidence": _evidence_dict(s.evidence)}
            for s in state.suggestions
        ],
        "uncertain": state.uncertain,
        "verdict": state.verdict,
        "channel": state.channel,
        "reason": state.reason,
        "guidance": state.guidance,
        "urgency": state.urgency,
        "due": None
        if state.due is None
        else {
            "assign_by": state.due.assign_by.isoformat(),
            "resolve_by": state.due.resolve_by.isoformat(),
            "deadline_class": state.due.deadline_class,
        },
        "emotion": state.emotion,
        "empathy_script": state.empathy_script,
        "next_question": state.next_question,
        "summary": state.summary,
        "alerts": [asdict(a) for a in state.alerts],
        "semantic_ready": state.semantic_ready,
    }
