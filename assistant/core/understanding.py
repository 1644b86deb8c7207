"""The call-level model of the dialogue: final segments in, acts, request and verdict out.

:class:`CallUnderstanding` tags every final segment with its dialogue acts
(:mod:`.dialogue`) and keeps three kinds of evidence apart:

* **the request** — built from the caller's *narrative* clauses (never from field answers,
  greetings or closings) and the agent's *read-back* of the request, a clean, formal
  restatement that counts for more than any caller turn. Only these move the category
  suggestions, so they stay put while the caller spells a name or reads a phone number;
* **the verdict** — the caller's words analysed by the knowledge engine, and the agent's
  referral, transfer, decline or acceptance, each with a strength, latched by
  :class:`~assistant.core.verdict.VerdictLatch` (a later "thank you" or address does not
  undo a referral);
* **the urgency**, which only goes up.

It is pure and not thread-safe, like :class:`~assistant.core.session.CallSession`, which
owns one and feeds it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from asr.text.normalize import join_cjk_words
from assistant.core.alerts import scope_alert
from assistant.core.dialogue import TaggedTurn, tag_turn
from assistant.core.questions import fields_asked
from assistant.core.readback import script_text
from assistant.core.stability import StabilityConfig, SuggestionStabiliser, request_query
from assistant.core.state import Alert
from assistant.core.verdict import (
    OVERRIDE,
    VerdictEvidence,
    VerdictLatch,
    agent_evidence,
    caller_evidence,
)
from knowledge.emotion.track import CallEmotion
from knowledge.types import Analysis

__all__ = ["CallUnderstanding"]


class _Engine(Protocol):
    def analyze(self, text: str, k: int = 5) -> Analysis: ...


class CallUnderstanding:
    """Dialogue acts, request evidence and the latched verdict of one call."""

    def __init__(self, engine: _Engine, cfg: StabilityConfig, k: int) -> None:
        self.engine = engine
        self.cfg = cfg
        self.k = k
        self.turns: list[TaggedTurn] = []  # one per final segment, transcript order
        self.content: list[str] = []  # the caller's narrative clauses, turn by turn
        self.readbacks: list[str] = []  # the agent's read-backs of the request
        self.stable = SuggestionStabiliser(cfg, k)
        self.latch = VerdictLatch()
        self.analysis: Analysis | None = None  # the latest analysis of the caller's words
        self._asked: tuple[str, ...] = ()
        self._referred = False  # the agent has referred or declined the call
        self.mood = CallEmotion()  # the caller's emotion over the call (caller turns only)

    # ------------------------------------------------------------------ input
    def on_final(self, speaker: str, text: str, at: float | None) -> list[Alert]:
        """Tag one final segment and take its evidence; returns the alerts it raises."""
        index = len(self.turns)
        text = join_cjk_words(text.strip())  # a recogniser's word marks
        if not text:
            self.turns.append(TaggedTurn(speaker, ()))
            return []
        if speaker == "agent":
            asks = tuple(fields_asked(text))
            tagged = tag_turn("agent", text, asks=asks)
            self._asked = asks
            self.turns.append(tagged)
            return self._on_agent(tagged, index, at)
        tagged = tag_turn("caller", text, asked=self._asked, referred=self._referred)
        self._asked = ()
        self.mood.update(self._turn_emotion(text))
        self.turns.append(tagged)
        return self._on_caller(tagged, index, at)

    def refresh(self) -> list[Alert]:
        """Analyse the request again (e.g. once the embedding model is ready)."""
        if not self.content and not self.readbacks:
            return []
        return self._analyze(len(self.turns) - 1, None)

    def override(
        self, verdict: str, channel: str | None, reason: str | None, turn: int | None
    ) -> None:
        """The call-taker's verdict: it beats any evidence from the call, and a later
        override replaces an earlier one (equal strength would keep the first)."""
        self.latch.current = None
        self.latch.offer(
            VerdictEvidence(verdict, channel, reason, OVERRIDE, "override", turn, cue="坐席判断")
        )

    # ------------------------------------------------------------------ output
    @property
    def evidence(self) -> VerdictEvidence | None:
        """The evidence behind the call's current verdict (None: nothing against accepting)."""
        return self.latch.current

    @property
    def guidance(self) -> str | None:
        """What to say for the current verdict: the latched evidence's script, else the
        latest analysis' guidance."""
        ev = self.latch.current
        if ev is not None and ev.verdict != "accept" and ev.guidance:
            return ev.guidance
        a = self.analysis
        if a is None:
            return None
        if a.guidance_kind == "empathy":
            # the analysis' empathy line (its emotion reads the whole request, read-backs
            # included): only when the caller's own emotion has just risen; a scope note stays
            if self.empathy_due:
                return script_text(self.engine, "empathy", self.mood.level)
            return a.scope_note
        return a.guidance

    @property
    def empathy_due(self) -> bool:
        """The caller's emotion rose with their latest turn: offer the empathy script now."""
        return self.mood.rose and self.mood.level != "calm"

    def _turn_emotion(self, text: str) -> str:
        of_turn = getattr(self.engine, "caller_emotion", None)
        if of_turn is not None:
            try:
                return str(of_turn(text))
            except Exception:  # the emotion is a hint; the call goes on without it
                return "calm"
        from knowledge.classify import detect_emotion

        return str(detect_emotion(text))

    def has_request(self) -> bool:
        return bool(self.content or self.readbacks)

    def acts(self) -> tuple[tuple[str, ...], ...]:
        return tuple(t.acts for t in self.turns)

    # ------------------------------------------------------------------ internals
    def _on_agent(self, tagged: TaggedTurn, index: int, at: float | None) -> list[Alert]:
        alerts: list[Alert] = []
        if tagged.stance is not None and tagged.stance.verdict != "accept":
            self._referred = True
        if tagged.stance is not None:
            ev = agent_evidence(tagged.stance, index)
            if ev is not None:
                ev = replace(ev, guidance=self._script_for(ev))
                if self.latch.offer(ev) and ev.verdict != "accept":
                    alerts.append(self._alert(ev, at))
        if tagged.has("readback") and tagged.content:
            self.readbacks.append(tagged.content)
            try:
                alerts.extend(self._analyze(index, at))
            except Exception:  # the agent's words are extra evidence; the call goes on
                self.readbacks.pop()
        return alerts

    def _on_caller(self, tagged: TaggedTurn, index: int, at: float | None) -> list[Alert]:
        if tagged.has("correct") and self._last_agent_act(index) == "readback" and self.readbacks:
            self.readbacks.pop()  # 不对，不是这样: the read-back was wrong
        if not tagged.content:
            return []
        self.content.append(tagged.content)
        return self._analyze(index, at)

    def _last_agent_act(self, index: int) -> str | None:
        for t in reversed(self.turns[:index]):
            if t.speaker == "agent":
                return "readback" if t.has("readback") else (t.acts[0] if t.acts else None)
        return None

    def _query(self) -> str:
        return request_query(self.content, self.readbacks, self.cfg.max_chars, self.cfg.head_share)

    def _analyze(self, index: int, at: float | None) -> list[Alert]:
        analysis = self.engine.analyze(self._query(), self.k)
        self.analysis = analysis
        self.stable.add(analysis)
        ev = caller_evidence(analysis, index)
        if ev is None:
            return []
        ev = replace(ev, guidance=analysis.guidance)
        changed = self.latch.offer(ev)
        if ev.verdict == "accept" and ev.urgency != "emergency":
            return []
        if changed or ev.urgency == "emergency":
            alert = scope_alert(analysis, self.engine, at)
            return [alert] if alert is not None else []
        return []

    def _script_for(self, ev: VerdictEvidence) -> str | None:
        """The knowledge base's script for an agent-given channel or reason."""
        rules = getattr(getattr(self.engine, "rules", None), "rules", ())
        for rule in rules:
            if ev.verdict == "refer" and rule.channel == ev.channel:
                return str(rule.script)
            if ev.verdict == "decline" and rule.reason == ev.reason:
                return str(rule.script)
        return None

    def _alert(self, ev: VerdictEvidence, at: float | None) -> Alert:
        a = Analysis(
            categories=(),
            uncertain=False,
            verdict=ev.verdict,  # type: ignore[arg-type]
            channel=ev.channel,
            reason=ev.reason,
            urgency=ev.urgency,  # type: ignore[arg-type]
            emotion="calm",
            guidance=ev.guidance,
            rule_id=ev.rule_id,
        )
        alert = scope_alert(a, self.engine, at)
        assert alert is not None  # a refer/decline always gives one
        return alert
