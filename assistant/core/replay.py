"""A scripted call (list of turns) fed through a :class:`~assistant.core.session.CallSession`:
what ``hotline analyze`` does with ``{"id", "turns": [...]}`` records, and what tests and
benchmarks use to replay the development calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from asr.events import TranscriptEvent
from assistant.core.session import CallSession, EngineLike
from assistant.errors import FieldInvalidError


def session_from_turns(
    engine: EngineLike,
    turns: list[dict[str, Any]],
    *,
    call_id: str | None = None,
    started_at: datetime | None = None,
    k: int = 5,
    on_turn: Callable[[CallSession], None] | None = None,
) -> CallSession:
    """Feed a scripted call (``[{"speaker", "text", "start"?, "end"?}, ...]``) through a session.

    Turns without times are spaced 4 s apart; ``on_turn(session)`` runs after each turn.
    Raises FieldInvalidError on a bad turn.
    """
    t0 = started_at or datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    session = CallSession(engine, call_id=call_id, started_at=t0, clock=lambda: t0, k=k)
    t = 0.0
    for i, turn in enumerate(turns):
        if (
            not isinstance(turn, dict)
            or turn.get("speaker") not in ("caller", "agent")
            or not isinstance(turn.get("text"), str)
        ):
            raise FieldInvalidError(
                f"turns[{i}]", 'each turn needs "speaker" ("caller" or "agent") and "text"'
            )
        start = float(turn.get("start", t))
        end = float(turn.get("end", start + 3.0))
        session.feed(
            TranscriptEvent(
                speaker=turn["speaker"],
                text=turn["text"],
                start=start,
                end=end,
                final=True,
                raw=turn["text"],
                engine="script",
            )
        )
        t = end + 1.0
        if on_turn is not None:
            on_turn(session)
    return session
