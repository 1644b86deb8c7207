"""Ticket fields, request draft and scripts for ``hotline analyze`` (issue #5.4).

:func:`enrich_text_result` adds ``fields`` / ``summary`` / ``scripts`` to the output of one
analysed text; :func:`analyze_call_record` handles a whole call
``{"id", "turns": [{"speaker": "caller"|"agent", "text"}, ...]}`` by feeding it through a
:class:`~assistant.core.session.CallSession`. Both keep the knowledge helper's output keys
(``categories``, ``uncertain``, ``verdict``, ``channel``, ``reason``, ``urgency``, ``emotion``,
``guidance``).
"""

from __future__ import annotations

from typing import Any

from assistant import extract
from assistant.batch import category_dicts
from assistant.errors import ValidationError
from assistant.core.session import EngineLike, _to_you, readback, script_text, session_from_turns
from knowledge.types import Analysis

_FIELDS = ("name", "phone", "address")


def _scripts_of(engine: Any) -> Any:
    return getattr(engine, "scripts", None)


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
    scripts_ = _scripts_of(engine)
    rb = None
    if scripts_ is not None:
        try:
            rb = str(
                scripts_.readback(
                    name=fields["name"],
                    phone=fields["phone"],
                    address=fields["address"],
                    summary=_to_you(summary.removeprefix("来电人反映：").rstrip("。")) or None,
                )
            )
        except Exception:
            rb = None
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
    except ValidationError as exc:
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
    }
