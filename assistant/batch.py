"""Per-record processing behind ``hotline analyze`` (JSON Lines in, JSON Lines out).

:func:`analyze_record` turns one input record ``{"id": ..., "text": ...}`` into one output
dict. It never raises for bad input: a record it cannot process yields
``{"id": ..., "error": "..."}`` so a batch goes on. Extend it here (fields, summary,
whole-call ``{"id", "turns": [...]}`` input) rather than in the CLI module.

Output contract::

    {"id", "categories": [{"id", "path": [l1, l2, l3], "department", "deadline", "score"}],
     "uncertain", "verdict", "channel", "reason", "urgency", "emotion", "guidance",
     "fields": {"name", "phone", "address"}, "summary", "scripts": {"empathy", "next_question",
     "readback"}}

A whole call ``{"id", "turns": [{"speaker", "text"}, ...]}`` goes through a CallSession
(:func:`assistant.summary.analyze_call_record`) and gives the same keys plus ``alerts``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from knowledge.types import Analysis, Suggestion


class AnalyzeEngine(Protocol):
    def analyze(self, text: str, k: int = 5) -> Analysis: ...


def category_dicts(suggestions: Iterable[Suggestion]) -> list[dict[str, Any]]:
    """The `categories` list of the analyze contract (best first)."""
    return [
        {
            "id": s.leaf.id,
            "path": list(s.leaf.path),
            "department": s.leaf.department,
            "deadline": s.leaf.deadline,
            "score": round(float(s.score), 4),
        }
        for s in suggestions
    ]


def analysis_to_dict(record_id: Any, analysis: Analysis) -> dict[str, Any]:
    """The JSON-safe output object for one analysed text."""
    return {
        "id": record_id,
        "categories": category_dicts(analysis.categories),
        "uncertain": bool(analysis.uncertain),
        "verdict": analysis.verdict,
        "channel": analysis.channel,
        "reason": analysis.reason,
        "urgency": analysis.urgency,
        "emotion": analysis.emotion,
        "guidance": analysis.guidance,
    }


def parse_line(line: str) -> dict[str, Any]:
    """Decode one input line; raises ValueError with a readable message."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise ValueError('each line must be a JSON object like {"id": ..., "text": ...}')
    return record


def analyze_record(engine: AnalyzeEngine, record: dict[str, Any], k: int = 5) -> dict[str, Any]:
    """Analyse one record; a bad record yields ``{"id", "error"}`` instead of raising."""
    record_id = record.get("id")
    text = record.get("text")
    if text is None and "turns" in record:  # a whole call (issue #5.4)
        from assistant.summary import analyze_call_record

        return analyze_call_record(engine, record, k)
    if text is None:
        return {"id": record_id, "error": 'missing field \'text\' (expected {"id", "text"})'}
    if not isinstance(text, str):
        return {
            "id": record_id,
            "error": f"field 'text' must be a string, got {type(text).__name__}",
        }
    if not text.strip():
        return {"id": record_id, "error": "field 'text' is empty"}
    try:
        analysis = engine.analyze(text, k=k)
    except Exception as exc:  # one bad record must not stop the batch
        return {"id": record_id, "error": f"analysis failed: {exc}"}
    out = analysis_to_dict(record_id, analysis)
    try:  # fields, summary and scripts (issue #5.4; assistant/summary.py)
        from assistant.summary import enrich_text_result

        enrich_text_result(engine, text, analysis, out)
    except Exception as exc:  # the category result stands even if extraction fails
        out["fields_error"] = f"field extraction failed: {exc}"
    return out


def analyze_line(engine: AnalyzeEngine, line: str, line_no: int, k: int = 5) -> dict[str, Any]:
    """Parse and analyse one input line (``id`` defaults to the line number)."""
    try:
        record = parse_line(line)
    except ValueError as exc:
        return {"id": None, "error": f"line {line_no}: {exc}"}
    return analyze_record(engine, record, k)
