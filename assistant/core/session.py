"""The live call session: transcript events in, :class:`~assistant.core.state.SessionState` out.

:class:`CallSession` is pure (no terminal I/O, no threads). Feed it the recogniser's
:class:`~asr.events.TranscriptEvent` objects (or typed text) and the call-taker's edits;
read :attr:`CallSession.state` after each call. Everything that changes the session is an
*operation* (a small JSON-safe dict) that listeners receive — :class:`assistant.files.drafts.DraftJournal`
writes them to disk — and that :meth:`CallSession.from_dict` replays to rebuild a session.

The session composes the parts of the call model: :mod:`.fields` (ticket fields and locks),
:mod:`.understanding` (dialogue acts, the request, the latched verdict — with
:mod:`.dialogue`, :mod:`.verdict` and :mod:`.stability`), :mod:`.alerts`, :mod:`.questions`,
:mod:`.deadlines` and :mod:`.readback` (script lines). It stays one module (a little over
400 lines) because it is one thing: the public operations (events, field edits, category
choice, verdict override), their recording and replay, and the order in which each one
updates the parts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from asr.events import Speaker, TranscriptEvent
from assistant import extract
from assistant.core.alerts import add_alert, repeat_caller_alert
from assistant.core.deadlines import due_times
from assistant.core.fields import CallFields, warm_up_extractors
from assistant.core.questions import next_question
from assistant.core.readback import script_text
from assistant.core.serialize import state_to_dict
from assistant.core.stability import StabilityConfig
from assistant.core.state import (
    TICKET_FIELDS,
    Alert,
    DueTimes,
    FieldValue,
    SessionState,
    VerdictCause,
)
from assistant.core.understanding import CallUnderstanding
from assistant.errors import FieldInvalidError, SessionFileError
from knowledge.types import Analysis, Leaf

Op = dict[str, Any]
Listener = Callable[[Op], None]


class EngineLike(Protocol):
    """What the session needs from :class:`knowledge.engine.KnowledgeEngine`."""

    def analyze(self, text: str, k: int = 5) -> Analysis: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CallSession:
    """One call being taken. Not thread-safe: drive it from one thread (the UI loop)."""

    def __init__(
        self,
        engine: EngineLike,
        *,
        call_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        started_at: datetime | None = None,
        k: int = 5,
        stability: StabilityConfig | None = None,
        warm_up: bool = True,
    ) -> None:
        self.engine = engine
        self.clock = clock or _utc_now
        self.call_id = call_id or uuid.uuid4().hex[:12]
        self.started_at = started_at or self.clock()
        self.k = k
        self.cfg = stability or StabilityConfig()
        self._listeners: list[Listener] = []
        self._ops: list[Op] = []
        self._finals: list[TranscriptEvent] = []
        self._partials: dict[str, TranscriptEvent] = {}
        self._fields = CallFields()
        self._model = CallUnderstanding(engine, self.cfg, k)
        self._alerts: list[Alert] = []
        self._chosen: Leaf | None = None
        self._revision = 0
        self._state: SessionState | None = None
        if warm_up:
            warm_up_extractors()

    # ------------------------------------------------------------------ public API
    @property
    def state(self) -> SessionState:
        if self._state is None:
            self._state = self._build_state()
        return self._state

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def ops(self) -> tuple[Op, ...]:
        """Every final event and edit so far, in order (what :meth:`from_dict` replays)."""
        return tuple(self._ops)

    def add_listener(self, listener: Listener) -> None:
        """``listener(op)`` is called after every change (partials included)."""
        self._listeners.append(listener)

    def feed(self, event: TranscriptEvent) -> SessionState:
        """Apply a recogniser event. Partials only update ``state.partials`` (cheap)."""
        if not event.final:
            self._partials[event.speaker] = event
            self._touch(partial_only=True)
            self._emit({"op": "partial", "event": event.to_dict()})
            return self.state
        op: Op = {"op": "event", "event": event.to_dict()}
        self._apply(op)
        return self.state

    def feed_text(self, speaker: Speaker, text: str, at: float | None = None) -> SessionState:
        """Typed input (the call-taker's notes of what was said) enters as a final event."""
        if speaker not in ("caller", "agent"):
            raise FieldInvalidError("speaker", f"must be 'caller' or 'agent', not {speaker!r}")
        t = at if at is not None else self._call_time()
        ev = TranscriptEvent(
            speaker=speaker, text=text.strip(), start=t, end=t, final=True, raw=text, engine="typed"
        )
        return self.feed(ev)

    def set_field(self, name: str, value: str, status: str = "edited") -> SessionState:
        """The call-taker's correction. ``edited``/``confirmed`` fields are never overwritten by
        extraction; the latest automatic suggestion stays visible in ``extra["suggested"]``."""
        if name not in TICKET_FIELDS:
            raise FieldInvalidError(name, f"unknown field; use one of {', '.join(TICKET_FIELDS)}")
        if status not in ("edited", "confirmed"):
            raise FieldInvalidError(name, "status must be 'edited' or 'confirmed'")
        self._apply(
            {
                "op": "set_field",
                "name": name,
                "value": str(value),
                "status": status,
                "at": round(self._call_time(), 3),
            }
        )
        return self.state

    def confirm_field(self, name: str) -> SessionState:
        """Mark the current value of ``name`` as confirmed by the call-taker."""
        if name not in self._fields.values:
            raise FieldInvalidError(name, "nothing to confirm yet; type the value instead")
        self._apply({"op": "confirm_field", "name": name, "at": round(self._call_time(), 3)})
        return self.state

    def choose_category(self, leaf_id: str) -> SessionState:
        """The call-taker picks the catalogue leaf (from the suggestions or the look-up)."""
        if self._find_leaf(leaf_id) is None:
            raise FieldInvalidError("category", f"no catalogue item with id {leaf_id!r}")
        self._apply(
            {"op": "choose_category", "leaf_id": leaf_id, "at": round(self._call_time(), 3)}
        )
        return self.state

    def add_alert(self, alert: Alert) -> SessionState:
        """An alert raised outside the session (repeat caller, duplicate ticket from the store)."""
        self._apply({"op": "alert", "alert": asdict(alert)})
        return self.state

    def refresh(self) -> SessionState:
        """Re-run the analysis of the caller's words (e.g. once the embedding model is ready)."""
        if self._model.has_request():
            for alert in self._model.refresh():
                add_alert(self._alerts, alert)
            self._derive()
            self._touch()
        return self.state

    def set_verdict(
        self, verdict: str, channel: str | None = None, reason: str | None = None
    ) -> SessionState:
        """The call-taker overrides the call's verdict (recorded, so it is audited and replayed)."""
        if verdict not in ("accept", "refer", "decline"):
            raise FieldInvalidError("verdict", "must be accept, refer or decline")
        if verdict == "refer" and not channel:
            raise FieldInvalidError("verdict", "a referral needs its channel")
        if verdict == "decline" and not reason:
            raise FieldInvalidError("verdict", "a decline needs its reason")
        self._apply(
            {
                "op": "set_verdict",
                "verdict": verdict,
                "channel": channel if verdict == "refer" else None,
                "reason": reason if verdict == "decline" else None,
                "at": round(self._call_time(), 3),
            }
        )
        return self.state

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the operations (for exact replay) and a snapshot of the state."""
        return {
            "version": 1,
            "call_id": self.call_id,
            "started_at": self.started_at.isoformat(),
            "k": self.k,
            "ops": list(self._ops),
            "state": state_to_dict(self.state),
        }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        engine: EngineLike,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> CallSession:
        """Rebuild a session by replaying its operations through ``engine``."""
        try:
            started = datetime.fromisoformat(str(data["started_at"]))
            session = cls(
                engine,
                call_id=str(data["call_id"]),
                clock=clock,
                started_at=started,
                k=int(data.get("k", 5)),
            )
            ops = list(data.get("ops", []))
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionFileError(
                f"saved call session is malformed ({exc}); it cannot be restored — "
                "keep the file and report it"
            ) from exc
        for op in ops:
            session.apply_op(op)
        return session

    def apply_op(self, op: Op) -> SessionState:
        """Apply one recorded operation (used by replay and draft restore)."""
        kind = op.get("op")
        if kind == "partial":
            return self.feed(TranscriptEvent.from_dict(op["event"]))
        if kind not in (
            "event", "set_field", "confirm_field", "choose_category", "alert", "set_verdict"
        ):  # fmt: skip
            raise SessionFileError(f"unknown session operation {kind!r}")
        if kind == "choose_category" and self._find_leaf(str(op["leaf_id"])) is None:
            raise SessionFileError(
                f"category {op['leaf_id']!r} is not in the loaded catalogue; load the catalogue "
                "the call was taken with"
            )
        self._apply(op)
        return self.state

    # ------------------------------------------------------------------ internals
    def _call_time(self) -> float:
        return max(0.0, (self.clock() - self.started_at).total_seconds())

    def _emit(self, op: Op) -> None:
        for fn in self._listeners:
            fn(op)

    def _touch(self, *, partial_only: bool = False) -> None:
        self._revision += 1
        if partial_only and self._state is not None:
            self._state = replace(
                self._state, partials=dict(self._partials), revision=self._revision
            )
        else:
            self._state = None

    def _apply(self, op: Op) -> None:
        kind = op["op"]
        if kind == "event":
            ev = TranscriptEvent.from_dict(op["event"])
            self._on_final(ev)
        elif kind == "set_field":
            self._set(op["name"], op["value"], op["status"], op.get("at"))
        elif kind == "confirm_field":
            cur = self._fields.confirm(op["name"])
            if op["name"] == "category":
                self._chosen = self._find_leaf(cur.value)
                self._derive()
        elif kind == "choose_category":
            self._choose(self._find_leaf(op["leaf_id"]), "confirmed", {})
        elif kind == "alert":
            a = op["alert"]
            add_alert(self._alerts, Alert(**a))
        elif kind == "set_verdict":
            turn = len(self._finals) - 1 if self._finals else None
            self._model.override(op["verdict"], op.get("channel"), op.get("reason"), turn)
            self._derive()
        self._ops.append(op)
        self._touch()
        self._emit(op)

    def _set(self, name: str, value: str, status: str, at: float | None) -> None:
        extra = self._fields.kept_suggestion(name)
        if name == "category" and self._choose(self._find_leaf(value), status, extra):
            return
        self._fields.set_typed(name, value, status, at, extra)
        if name == "summary":
            self._derive()

    def _choose(self, leaf: Leaf | None, status: str, extra: dict[str, str]) -> bool:
        """The call-taker's catalogue leaf for the ``category`` field (False: no such leaf)."""
        if leaf is None:
            return False
        self._chosen = leaf
        self._fields.set_category(leaf, status, extra)
        self._derive()
        return True

    # ---- finals
    def _on_final(self, ev: TranscriptEvent) -> None:
        self._partials.pop(ev.speaker, None)
        self._finals.append(ev)
        text = ev.text.strip()
        if text:
            if ev.speaker == "agent":
                self._fields.on_agent(text, ev.end)
            else:
                self._fields.on_caller(text, ev.start, self.started_at)
                add_alert(self._alerts, repeat_caller_alert(text, self.engine, ev.start))
        at = ev.start if ev.speaker == "caller" else self._last_caller_at()
        for alert in self._model.on_final(ev.speaker, text, at):
            add_alert(self._alerts, alert)
        if text:
            self._derive()

    def _last_caller_at(self) -> float | None:
        for ev in reversed(self._finals):
            if ev.speaker == "caller":
                return ev.start
        return None

    # ---- derived fields
    def _find_leaf(self, leaf_id: str) -> Leaf | None:
        if leaf_id in self._model.stable.suggestions:
            return self._model.stable.suggestions[leaf_id].leaf
        cat = getattr(self.engine, "catalogue", None)
        getter = getattr(cat, "get", None)
        if getter is not None:
            leaf = getter(leaf_id)
            if isinstance(leaf, Leaf):
                return leaf
        return None

    def _derive(self) -> None:
        """Category field and summary from the current evidence."""
        top = self._model.stable.top()
        if top is not None:
            self._fields.propose_category(
                top.leaf,
                self._model.stable.top_share(),
                dispatchable=self._model.latch.verdict == "accept",
            )
        summary = extract.draft_request(self._model.content)
        if summary:
            self._fields.offer(
                FieldValue(
                    name="summary",
                    value=summary,
                    confidence=0.6,
                    source_text="",
                    at=self._last_caller_at(),
                )
            )

    def _due(self, verdict: str) -> DueTimes | None:
        if verdict != "accept":
            return None
        cls = None
        top = self._model.stable.top()
        if self._chosen is not None:
            cls = self._chosen.deadline
        elif top is not None:
            cls = top.leaf.deadline
        if cls is None:
            if self._model.latch.urgency == "normal":
                return None
            cls = "7d"
        return due_times(self.started_at, cls, self._model.latch.urgency)

    def _empathy_script(self, emotion: str) -> str | None:
        """The calm acknowledgement while the caller is calm; the anger / distress line only
        on the turn where the caller's emotion rises, not repeated on every turn."""
        if emotion == "calm":
            return script_text(self.engine, "empathy", "calm")
        return script_text(self.engine, "empathy", emotion) if self._model.empathy_due else None

    def _build_state(self) -> SessionState:
        model = self._model
        a = model.analysis
        latch = model.latch
        verdict = latch.verdict
        cause = model.evidence
        fields = self._fields.public()
        summary = fields["summary"].value if "summary" in fields else ""
        emotion = model.mood.level  # call-level, from the caller's turns only
        return SessionState(
            call_id=self.call_id,
            started_at=self.started_at,
            transcript=tuple(self._finals),
            partials=dict(self._partials),
            fields=fields,
            suggestions=model.stable.ranked(),
            uncertain=a.uncertain if a is not None else True,
            verdict=verdict,
            channel=latch.channel,
            reason=latch.reason,
            guidance=model.guidance,
            urgency=latch.urgency,
            due=self._due(verdict),
            emotion=emotion,
            empathy_script=self._empathy_script(emotion) if a is not None else None,
            next_question=next_question(
                self.engine,
                verdict=verdict,
                fields=self._fields.values,
                alerts=self._alerts,
                has_content=model.has_request(),
                analysis=a,
                category_locked="category" in self._fields.locked,
            ),
            summary=summary,
            alerts=tuple(self._alerts),
            semantic_ready=a.semantic_ready if a is not None else True,
            revision=self._revision,
            dialogue_acts=model.acts(),
            verdict_cause=None
            if cause is None
            else VerdictCause(
                turn=cause.turn, source=cause.source, cue=cause.cue, strength=cause.strength
            ),
        )
