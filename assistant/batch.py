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

:func:`enrich_text_result` adds ``fields`` / ``summary`` / ``scripts`` to the output of one
analysed text. A whole call ``{"id", "turns": [{"speaker": "caller"|"agent", "text"}, ...]}``
goes through a :class:`~assistant.core.session.CallSession` (:func:`analyze_call_record`)
and gives the same keys plus ``alerts``, ``verdict_cause`` (``{"turn", "source", "cue"}``:
the turn that decided the call's verdict, or null) and ``dialogue_acts`` (one
``{"turn", "speaker", "acts"}`` per turn, see :mod:`assistant.core.dialogue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant import extract
from assistant.batch_input import parse_record
from assistant.core.readback import readback, readback_script, script_text
from assistant.core.replay import session_from_turns
from assistant.core.session import EngineLike
from assistant.errors import FieldInvalidError
from knowledge.types import Analysis, Suggestion

_FIELDS = ("name", "phone", "address")


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
    """Decode one input line; raises :class:`~assistant.errors.BatchRecordError` (a
    ValueError) with a readable message (strict JSON, size caps: :mod:`assistant.batch_input`)."""
    return parse_record(line)


def analyze_record(engine: EngineLike, record: dict[str, Any], k: int = 5) -> dict[str, Any]:
    """Analyse one record; a bad record yields ``{"id", "error"}`` instead of raising."""
    record_id = record.get("id")
    text = record.get("text")
    if text is None and "turns" in record:  # a whole call (issue #5.4)
        return analyze_call_record(engine, record, k)
    problem = text_problem(record)
    if problem is not None or not isinstance(text, str):
        return problem or {"id": record_id, "error": "text must be a string"}
    try:
        analysis = engine.analyze(text, k=k)
    except Exception as exc:  # one bad record must not stop the batch
        return {"id": record_id, "error": f"analysis failed: {exc}"}
    return text_result(engine, record_id, text, analysis)


def text_problem(record: dict[str, Any]) -> dict[str, Any] | None:
    """The error record of a text record whose ``text`` cannot be analysed, else None."""
    record_id = record.get("id")
    text = record.get("text")
    if text is None:
        return {"id": record_id, "error": 'missing field \'text\' (expected {"id", "text"})'}
    if not isinstance(text, str):
        return {
            "id": record_id,
            "error": f"field 'text' must be a string, got {type(text).__name__}",
        }
    if not text.strip():
        return {"id": record_id, "error": "field 'text' is empty"}
    return None


def text_result(engine: Any, record_id: Any, text: str, analysis: Analysis) -> dict[str, Any]:
    """The output record of one analysed text (categories, verdict, fields, scripts)."""
    out = analysis_to_dict(record_id, analysis)
    try:  # fields, summary and scripts (issue #5.4)
        enrich_text_result(engine, text, analysis, out)
    except Exception as exc:  # the category result stands even if extraction fails
        out["fields_error"] = f"field extraction failed: {exc}"
    return out


def analyze_line(engine: EngineLike, line: str, line_no: int, k: int = 5) -> dict[str, Any]:
    """Parse and analyse one input line (``id`` defaults to the line number)."""
    try:
        record = parse_line(line)
    except ValueError as exc:
        return {"id": line_no, "error": f"line {line_no}: {exc}"}
    if "id" not in record:
        record = {**record, "id": line_no}
    return analyze_record(engine, record, k)


def error_line(line_no: int, message: str) -> dict[str, Any]:
    """The output record of an input line that could not even be read (bad bytes)."""
    return {"id": line_no, "error": f"line {line_no}: {message}"}


def text_fields(text: str) -> dict[str, str | None]:
    """name / phone / address found in one caller text (None when absent)."""
    name = extract.extract_name(text)
    phone = extract.extract_phone(text)
    if phone is not None and phone.extra.get("complete") != "true":
        phone = None
    addr = extract.extract_address(text)
    return {
        "name": name.value if name else None,
        "phone": phone.value if phone else None,
        "address": addr.value if addr else None,
    }


def enrich_text_result(
    engine: Any, text: str, analysis: Analysis, out: dict[str, Any]
) -> dict[str, Any]:
    """Add ``fields``, ``summary`` and ``scripts`` to the output dict of one text record."""
    fields = text_fields(text)
    summary = extract.draft_request([text])
    missing = next(
        (
            f
            for f in _FIELDS
            if fields[f] is None and not (f == "address" and analysis.verdict != "accept")
        ),
        None,
    )
    rb = readback_script(
        engine,
        name=fields["name"],
        phone=fields["phone"],
        address=fields["address"],
        summary=summary,
    )
    out["fields"] = fields
    out["summary"] = summary
    out["scripts"] = {
        "empathy": script_text(engine, "empathy", analysis.emotion),
        "next_question": script_text(engine, "question", missing) if missing else None,
        "readback": rb,
    }
    return out


def analyze_call_record(engine: EngineLike, record: dict[str, Any], k: int = 5) -> dict[str, Any]:
    """A whole call through a CallSession; bad input yields ``{"id", "error"}``."""
    record_id = record.get("id")
    turns = record.get("turns")
    if not isinstance(turns, list) or not turns:
        return {
            "id": record_id,
            "error": "field 'turns' must be a non-empty list of "
            '{"speaker": "caller"|"agent", "text": ...}',
        }
    try:
        session = session_from_turns(engine, turns, call_id=str(record_id or "call"), k=k)
    except FieldInvalidError as exc:
        return {"id": record_id, "error": str(exc)}
    except Exception as exc:  # one bad record must not stop the batch
        return {"id": record_id, "error": f"analysis failed: {exc}"}
    st = session.state
    return {
        "id": record_id,
        "categories": category_dicts(st.suggestions),
        "uncertain": bool(st.uncertain),
        "verdict": st.verdict,
        "channel": st.channel,
        "reason": st.reason,
        "urgency": st.urgency,
        "emotion": st.emotion,
        "guidance": st.guidance,
        "fields": {f: (st.fields[f].value if f in st.fields else None) for f in _FIELDS},
        "summary": st.summary,
        "scripts": {
            "empathy": st.empathy_script,
            "next_question": st.next_question,
            "readback": readback(st, engine),
        },
        "alerts": [{"kind": a.kind, "title": a.title, "channel": a.channel} for a in st.alerts],
        "verdict_cause": None
        if st.verdict_cause is None
        else {
            "turn": st.verdict_cause.turn,
            "source": st.verdict_cause.source,
            "cue": st.verdict_cause.cue,
        },
        "dialogue_acts": [
            {"turn": i, "speaker": ev.speaker, "acts": list(acts)}
            for i, (ev, acts) in enumerate(zip(st.transcript, st.dialogue_acts, strict=True))
        ],
    }
