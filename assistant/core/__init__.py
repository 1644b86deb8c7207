"""The call model: one live call from transcript events to ticket fields, suggestions,
alerts and deadlines. Pure logic (no I/O, no threads, no Textual, no database).

Modules:

* :mod:`.state` — the value types handed out (:class:`SessionState`, :class:`FieldValue`,
  :class:`Alert`, :class:`DueTimes`, :data:`TICKET_FIELDS`);
* :mod:`.session` — :class:`CallSession`, the operations it records and replays;
* :mod:`.fields` — ticket fields found in the words, and the call-taker's locks;
* :mod:`.dialogue` — the dialogue acts of each final segment (:func:`tag_turn`, :data:`ACTS`)
  and the agent's referral / transfer / acceptance;
* :mod:`.verdict` — the call's verdict, latched (:class:`VerdictLatch`, :class:`VerdictEvidence`);
* :mod:`.understanding` — :class:`CallUnderstanding`: acts, the request and the verdict of
  one call;
* :mod:`.stability` — stable category suggestions (:class:`StabilityConfig`);
* :mod:`.alerts` — emergency / refer / decline / repeat-caller alerts;
* :mod:`.questions` — the agent's questions and the next one to suggest;
* :mod:`.deadlines` — working days and assign/resolve times;
* :mod:`.readback` — script lines and the read-back of the fields;
* :mod:`.serialize` — JSON-safe views of states and fields;
* :mod:`.replay` — a scripted call (turns) through a session.

The names below are re-exported lazily: ``import assistant.core.state`` (which the field
extractors and the store need) does not load the session and the extractors it uses.
The read-back function is imported from its module (``from assistant.core.readback import
readback``): as a package attribute its name would clash with the submodule's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports

if TYPE_CHECKING:
    from assistant.core.deadlines import add_working_days, due_times, is_working_day
    from assistant.core.dialogue import ACTS, TaggedTurn, tag_turn
    from assistant.core.fields import warm_up_extractors
    from assistant.core.readback import readback_script, script_text, to_you
    from assistant.core.replay import session_from_turns
    from assistant.core.serialize import field_to_dict, state_to_dict
    from assistant.core.session import CallSession, EngineLike, Listener, Op
    from assistant.core.stability import StabilityConfig
    from assistant.core.state import (
        TICKET_FIELDS,
        Alert,
        DueTimes,
        FieldName,
        FieldStatus,
        FieldValue,
        SessionState,
        VerdictCause,
    )
    from assistant.core.understanding import CallUnderstanding
    from assistant.core.verdict import VerdictEvidence, VerdictLatch

_EXPORTS = {
    "TICKET_FIELDS": "state",
    "Alert": "state",
    "DueTimes": "state",
    "FieldName": "state",
    "FieldStatus": "state",
    "FieldValue": "state",
    "SessionState": "state",
    "VerdictCause": "state",
    "ACTS": "dialogue",
    "TaggedTurn": "dialogue",
    "tag_turn": "dialogue",
    "CallUnderstanding": "understanding",
    "VerdictEvidence": "verdict",
    "VerdictLatch": "verdict",
    "CallSession": "session",
    "EngineLike": "session",
    "Listener": "session",
    "Op": "session",
    "StabilityConfig": "stability",
    "add_working_days": "deadlines",
    "due_times": "deadlines",
    "is_working_day": "deadlines",
    "field_to_dict": "serialize",
    "state_to_dict": "serialize",
    "readback_script": "readback",
    "script_text": "readback",
    "to_you": "readback",
    "session_from_turns": "replay",
    "warm_up_extractors": "fields",
}

__all__ = [
    "ACTS",
    "TICKET_FIELDS",
    "Alert",
    "CallSession",
    "CallUnderstanding",
    "DueTimes",
    "EngineLike",
    "FieldName",
    "FieldStatus",
    "FieldValue",
    "Listener",
    "Op",
    "SessionState",
    "StabilityConfig",
    "TaggedTurn",
    "VerdictCause",
    "VerdictEvidence",
    "VerdictLatch",
    "add_working_days",
    "due_times",
    "field_to_dict",
    "is_working_day",
    "readback_script",
    "script_text",
    "session_from_turns",
    "state_to_dict",
    "tag_turn",
    "to_you",
    "warm_up_extractors",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
